// model::Advisory ↔ JSON: how advisories are stored in the database's text table and what
// `bulwark db export` prints. Field names follow OSV where OSV has the concept.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/advisory.h"

namespace bulwark::vulndb {

std::string advisoryToJson(const model::Advisory& advisory, int indent = -1);
core::Result<model::Advisory> advisoryFromJson(std::string_view json);

// Weakness ids as advisories store them: "CWE-79" spelling ("cwe-079" and "79" are accepted),
// sorted by number, each once. NVD's placeholders "NVD-CWE-Other" and "NVD-CWE-noinfo" say that
// no CWE was assigned and anything else that is not a CWE number is dropped.
std::vector<std::string> normalizeCwes(const std::vector<std::string>& ids);

// The ranges of one affected package, stored beside it for matching (compact JSON).
std::string rangesToJson(const std::vector<model::VersionRange>& ranges);
core::Result<std::vector<model::VersionRange>> rangesFromJson(std::string_view json);

}  // namespace bulwark::vulndb
