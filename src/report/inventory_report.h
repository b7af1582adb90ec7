// Renders an inventory: a readable table, bulwark's JSON (docs/json-schema.md), CycloneDX 1.5
// JSON and SPDX 2.3 JSON. Every renderer is deterministic: the same inventory gives the same
// bytes. Timestamps come from SOURCE_DATE_EPOCH when set, else from the image's creation time.
#pragma once

#include <string>

#include "core/result.h"
#include "model/package.h"

namespace bulwark::report {

enum class Format { Table, Json, CycloneDx, Spdx };

core::Result<Format> parseFormat(std::string_view name);

struct RenderOptions {
  bool color = false;        // ANSI colour in the table
  std::string tool_version;  // bulwark's version, recorded in the documents
  std::string timestamp;     // RFC 3339; empty = derive (see above)
};

std::string render(const model::Inventory& inventory, Format format, const RenderOptions& options);

std::string renderTable(const model::Inventory& inventory, const RenderOptions& options);
std::string renderJson(const model::Inventory& inventory, const RenderOptions& options);
std::string renderCycloneDx(const model::Inventory& inventory, const RenderOptions& options);
std::string renderSpdx(const model::Inventory& inventory, const RenderOptions& options);

// The document timestamp rule shared by CycloneDX and SPDX.
std::string documentTimestamp(const model::Inventory& inventory, const RenderOptions& options);

}  // namespace bulwark::report
