// Identifiers shared by the SBOM documents (sbom_documents.cpp) and the scan documents that
// extend them (scan_cyclonedx.cpp): one definition, so a scan's `affects` refs always resolve
// to the components `bulwark sbom` writes. Internal to src/report.
#pragma once

#include <string>
#include <string_view>

#include "model/package.h"

namespace bulwark::report::detail {

// A name-based UUID (RFC 4122 layout, version 5 bits) from SHA-256 of `seed`.
std::string stableUuid(std::string_view seed);

// What identifies an inventory's content: target name, digests, every purl and path.
std::string contentSeed(const model::Inventory& inventory);

// A package's CycloneDX bom-ref: its purl plus a short hash of where it was found.
std::string cycloneDxBomRef(const model::Package& package, const model::Distro& distro);

}  // namespace bulwark::report::detail
