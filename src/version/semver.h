// SemVer 2.0.0 (semver.org) precedence, with the leniency advisory data needs.
//
// Grammar accepted:  [v] MAJOR [. MINOR [. PATCH]] [- PRERELEASE] [+ BUILD]
//   numbers are digit runs of any length; a missing MINOR or PATCH is 0 ("1.2" = "1.2.0",
//   the Masterminds/semver reading); PRERELEASE and BUILD are dot-separated, non-empty
//   identifiers of [0-9A-Za-z-].
// Order (§11): MAJOR, MINOR, PATCH numerically (exactly, beyond 64 bits), then a pre-release is
// below the release; pre-release identifiers compare left to right, all-digit ones numerically,
// others in ASCII order, numeric below alphanumeric, and a longer list wins when one is a prefix
// of the other. Build metadata is ignored ("1.0.0+a" == "1.0.0+b").
// Strings outside the grammar (blanks, "1.2.3.4", "1..2", "") sort below every version and
// byte-wise among themselves: deterministic, antisymmetric and transitive.
#pragma once

#include <string_view>

namespace bulwark::version {

int compareSemver(std::string_view a, std::string_view b) noexcept;
// Strictly SemVer 2.0.0 apart from the optional 'v' and the MAJOR[.MINOR] shorthands: leading
// zeros in numbers or numeric pre-release identifiers make a version invalid (it still compares,
// numerically).
bool validSemver(std::string_view v, std::string_view* problem = nullptr) noexcept;

}  // namespace bulwark::version
