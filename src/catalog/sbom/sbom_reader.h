// Reading an SBOM someone else made (or bulwark itself) back into an Inventory, so that
// `bulwark scan sbom:FILE` matches it exactly like a scanned image.
//
// Formats, recognised by content:
//   CycloneDX JSON 1.2 - 1.7    {"bomFormat": "CycloneDX", "specVersion": "1.x", ...}
//   SPDX JSON 2.2 / 2.3         {"spdxVersion": "SPDX-2.x", ...}
// What is read, per package (CycloneDX component / SPDX package):
//   identity    the purl (CycloneDX "purl", SPDX externalRefs PACKAGE-MANAGER purl): type,
//               name, version, qualifiers arch / epoch / distro / upstream
//   source      bulwark:package:* properties, then Trivy's aquasecurity:trivy:Src* properties,
//               then syft's syft:metadata:* properties, then the purl's `upstream` qualifier,
//               then SPDX sourceInfo ("built package from: NAME VERSION")
//   distro      the CycloneDX operating-system component / the SPDX OPERATING-SYSTEM package,
//               else the purls' `distro` qualifier; disagreement is a diagnostic
// Packages bulwark cannot match yet (purl types other than deb, apk, rpm), components without
// a purl and everything odd become diagnostics (kinds "sbom.*"), never silent drops.
#pragma once

#include <filesystem>
#include <string_view>

#include "core/diagnostic.h"
#include "core/result.h"
#include "model/package.h"

namespace bulwark::catalog {

// Largest SBOM document read (a 100,000-component CycloneDX file is ~150 MB; parsing takes
// a few times the document's size in memory).
inline constexpr std::size_t kMaxSbomBytes = std::size_t{256} << 20;
// Deepest nesting of CycloneDX components followed (components inside components).
inline constexpr int kMaxSbomNesting = 32;
// Most components or packages read from one document.
inline constexpr std::size_t kMaxSbomComponents = 2'000'000;

// The inventory an SBOM document describes. `origin` names the document in diagnostics and
// errors. The target is {name: origin, kind: "sbom"}. Fails (ErrorCode::Input / Limit) only
// when the document as a whole is unusable: not JSON, neither format, an unsupported version.
core::Result<model::Inventory> readSbom(std::string_view bytes, std::string_view origin,
                                        core::Diagnostics& diagnostics);

// readSbom() of a file (at most kMaxSbomBytes); NotFound / Io errors name the path.
core::Result<model::Inventory> readSbomFile(const std::filesystem::path& path,
                                            core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog
