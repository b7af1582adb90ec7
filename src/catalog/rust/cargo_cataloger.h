// Rust crates from Cargo.lock (lockfile versions 1-4: the [[package]] array), as Trivy reads
// them: every package, the workspace's own (no "source") included. When a Cargo.toml lies beside
// the lockfile, crates reachable only through [dev-dependencies] are marked `development` (Trivy
// drops them from its report the same way).
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

std::unique_ptr<Cataloger> makeCargoCataloger();

// Files larger than this are reported and skipped.
inline constexpr std::size_t kMaxCargoLockBytes = std::size_t{64} << 20;

// `cargo_toml`: the manifest beside the lockfile, empty when there is none. Its [package] is the
// root and its [dependencies] (also per target) are the direct production dependencies; crates
// they do not reach (dev-dependencies and what only those pull in) become `development`. A
// manifest without [package] (a virtual workspace) marks nothing.
std::vector<model::Package> parseCargoLock(std::string_view content, std::string_view path,
                                           core::Diagnostics& diagnostics,
                                           std::string_view cargo_toml = {});

}  // namespace bulwark::catalog
