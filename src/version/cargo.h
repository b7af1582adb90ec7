// crates.io versions: the Rust `semver` crate's Version::parse and Ord (semver 1.x).
//
// Grammar:  MAJOR.MINOR.PATCH [- PRERELEASE] [+ BUILD]
//   all three numbers required, no 'v', no leading zeros, each at most 2^64-1; identifiers
//   non-empty [0-9A-Za-z-], numeric pre-release identifiers without leading zeros (build
//   identifiers may have them).
// Order: SemVer 2.0.0 §11 precedence, and then — unlike SemVer, npm and Go — build metadata as
// a tie-breaker, as the crate's derived Ord does: no build < any build; identifiers left to
// right, all-digit ones numerically with fewer leading zeros first (0 < 00 < 1 < 01 < 2),
// numeric below alphanumeric, alphanumeric by ASCII, a prefix list first. So 1.0.0 < 1.0.0+a
// and 1.0.0+a < 1.0.0+b, while 1.0.0+build < 1.0.1-alpha.
// Strings the crate rejects sort below every version and byte-wise among themselves.
#pragma once

#include <string_view>

namespace bulwark::version {

int compareCargo(std::string_view a, std::string_view b) noexcept;
bool validCargo(std::string_view v, std::string_view* problem = nullptr) noexcept;

}  // namespace bulwark::version
