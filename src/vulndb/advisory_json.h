// model::Advisory ↔ JSON: how advisories are stored in the database's text table and what
// `bulwark db export` prints. Field names follow OSV where OSV has the concept.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "model/advisory.h"

namespace bulwark::vulndb {

std::string advisoryToJson(const model::Advisory& advisory, int indent = -1);
core::Result<model::Advisory> advisoryFromJson(std::string_view json);

// The ranges of one affected package, stored beside it for matching (compact JSON).
std::string rangesToJson(const std::vector<model::VersionRange>& ranges);
core::Result<std::vector<model::VersionRange>> rangesFromJson(std::string_view json);

}  // namespace bulwark::vulndb
