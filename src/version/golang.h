// Go module versions: golang.org/x/mod/semver's Compare and IsValid.
//
// Grammar:  v MAJOR [. MINOR [. PATCH [- PRERELEASE] [+ BUILD]]]
//   the 'v' is required; numbers have no leading zeros (any length); "v1" and "v1.2" are
//   shorthands for v1.0.0 and v1.2.0 and take no pre-release or build; identifiers as SemVer
//   (non-empty [0-9A-Za-z-], numeric pre-release identifiers without leading zeros).
// Order: SemVer 2.0.0 §11. Pseudo-versions (v0.0.0-20191109021931-daa7c04131f5,
// v1.2.4-0.2019...-abc, v1.2.3-pre.0.2019...-abc) are ordinary pre-releases and sort where Go
// sorts them; "+incompatible" is build metadata and ignored (v2.0.0+incompatible == v2.0.0).
// Invalid strings compare equal to each other and below every valid version, as in Go.
#pragma once

#include <string_view>

namespace bulwark::version {

int compareGo(std::string_view a, std::string_view b) noexcept;
bool validGo(std::string_view v, std::string_view* problem = nullptr) noexcept;

}  // namespace bulwark::version
