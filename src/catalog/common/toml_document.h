// Reading TOML lockfiles and manifests (Cargo.lock, poetry.lock, uv.lock, pdm.lock,
// Cargo.toml) from untrusted images: one guarded entry point for every cataloger.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/diagnostic.h"

namespace bulwark::catalog {

// Parses `content` (a UTF-8 BOM is skipped). Content over `max_bytes`, a key nested deeper
// than any real file nests one (toml++ recurses per dotted-key part, so "[a.a.a…]" with
// 100,000 parts would exhaust the stack), and invalid TOML become a diagnostic of kind
// "<kind_prefix>.too-large" / "<kind_prefix>.malformed" naming `path`, and nullopt.
std::optional<toml::table> readToml(std::string_view content, std::string_view path,
                                    std::string_view kind_prefix, std::size_t max_bytes,
                                    core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog
