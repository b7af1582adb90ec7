// Licenses of a Debian package from /usr/share/doc/PACKAGE/copyright, as Trivy and syft read
// them: the License: fields of machine-readable (DEP-5) files, else references to
// /usr/share/common-licenses/NAME. Debian's short names are turned into SPDX identifiers
// where the mapping is exact ("GPL-2+" → "GPL-2.0-or-later"); other names stay as written.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bulwark::catalog {

std::vector<std::string> licensesFromCopyright(std::string_view copyright);

// One Debian license name (or an expression of names joined by "or"/"and") in SPDX form.
std::string spdxFromDebian(std::string_view name);

}  // namespace bulwark::catalog
