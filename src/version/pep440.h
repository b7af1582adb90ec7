// PEP 440: the versions and version specifiers of Python packages, with the semantics of
// pypa/packaging >= 22 (packaging.version.Version, packaging.specifiers.SpecifierSet), the
// library pip and every other Python installer use. Debian 12's python3-packaging (23.0) is the
// differential reference (tests/unit/version/pep440/).
//
// Version grammar (ASCII letters match in any case; Python whitespace around it is ignored):
//
//   version  := ["v"] [N "!"] N {"." N} [pre] [post] [dev] ["+" local]
//   pre      := [sep] ("a" | "b" | "c" | "rc" | "alpha" | "beta" | "pre" | "preview") [sep] [N]
//   post     := "-" N | [sep] ("post" | "rev" | "r") [sep] [N]
//   dev      := [sep] "dev" [sep] [N]
//   local    := alnum+ {sep alnum+}
//   sep      := "-" | "_" | "."          N := digit+ (any length)
//
// Normal form (str(Version)): epoch only when not 0, numbers without leading zeros, pre as
// a/b/rc + number ("alpha" -> a, "c"/"pre"/"preview" -> rc, missing number -> 0), ".postN"
// ("rev", "r" and the implicit "1.0-1"), ".devN", "+local" lower-cased with '.' separators and
// numeric parts without leading zeros: "V1.0-ALPHA_1-3.DEV+Ubuntu-01" ->
// "1.0a1.post3.dev0+ubuntu.1".
//
// Order (packaging's _cmpkey): epoch; release with trailing zeros ignored (1.0 == 1.0.0); then
// pre-release (a < b < rc < none; a version with only a dev part sorts before every pre-release
// of its release: 1.0.dev1 < 1.0a1); then post (none < any); then dev (any < none); then local
// (none < any; part by part, numeric parts numerically and above alphanumeric ones, which
// compare case-insensitively; a shorter local that is a prefix is smaller).
//
// Strings that are not valid PEP 440 versions (packaging raises InvalidVersion on them; pip
// dropped LegacyVersion, so they simply cannot be ordered there): every invalid string sorts
// below every valid version, and two invalid strings compare by their bytes. That order is
// total, deterministic and antisymmetric; callers that must not order garbage at all ask
// validPep440() first.
//
// Deliberate differences from packaging, all outside what a well-formed version contains:
// numbers of any length compare exactly (CPython refuses integers above 4300 digits with a
// ValueError); the four non-ASCII characters that Python's case-insensitive regex equates with
// ASCII letters (U+0130, U+0131, U+017F, U+212A) are not letters here, so such strings are
// invalid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace bulwark::version {

// -1/0/+1 as packaging's Version ordering (see above; invalid strings below valid ones).
// Allocates nothing; linear time.
int comparePep440(std::string_view a, std::string_view b) noexcept;

// Whether packaging.version.Version(v) accepts `v`. On failure `problem`, when given, receives
// a short static description.
bool validPep440(std::string_view v, std::string_view* problem = nullptr) noexcept;

// The normal form of `v` (str(packaging.version.Version(v))), or "" when `v` is invalid.
std::string normalizePep440(std::string_view v);

// Version.is_prerelease: a valid version with a pre-release or a dev part. False if invalid.
bool isPep440Prerelease(std::string_view v) noexcept;

// --- specifiers (PEP 440 "Version specifiers"; packaging.specifiers.SpecifierSet) ------------
//
//   set       := [clause] {"," [clause]}            (empty clauses are skipped)
//   clause    := op version                          (whitespace allowed around both)
//   ==, !=    : a version (local allowed) or ["v"] [N "!"] N {"." N} ".*"
//   ~=        : a version without local, at least two release numbers
//   <=, >=, <, > : a version without local
//   ===       : any run of characters other than whitespace, ';' and ')' (may be empty)
//
// Containment follows SpecifierSet.contains(version, prereleases): == compares after dropping
// the candidate's local part unless the specifier has one; ".*" matches a release prefix
// (zero-padded; 1.0.* contains 1, 1.0rc1 and 1.0.5.post1); ~=X.Y.Z is >=X.Y.Z, ==X.Y.*;
// <V excludes pre-releases of V's release unless V is one; >V excludes post-releases of V's
// release unless V is one and local versions of V's release; <=, >= ignore the candidate's
// local part; === compares the candidate's normal form with the text, ignoring case.

enum class Pep440Operator : std::uint8_t {
  Compatible,    // ~=
  Equal,         // ==
  NotEqual,      // !=
  LessEqual,     // <=
  GreaterEqual,  // >=
  Less,          // <
  Greater,       // >
  Arbitrary,     // ===
};

// The `prereleases` argument of SpecifierSet.contains().
enum class Pep440Prereleases : std::uint8_t {
  Auto,     // None: pre-releases match only if a clause names one (==, >=, <=, ~=, ===)
  Include,  // True: pre-releases are candidates like any version
  Exclude,  // False: pre-releases never match
};

// One clause, as written (operator and version text, whitespace stripped; ".*" kept).
struct Pep440Specifier {
  Pep440Operator op = Pep440Operator::Equal;
  std::string version;
};

class Pep440Specifiers {
 public:
  // Whether `version` satisfies every clause (an empty set contains every version, and
  // pre-releases only with Include). An invalid `version` is contained in nothing (packaging
  // raises InvalidVersion).
  bool contains(std::string_view version,
                Pep440Prereleases prereleases = Pep440Prereleases::Auto) const;
  // SpecifierSet.prereleases under Auto: whether some clause names a pre-release.
  bool prereleases() const noexcept { return prereleases_; }
  const std::vector<Pep440Specifier>& clauses() const noexcept { return clauses_; }
  bool empty() const noexcept { return clauses_.empty(); }

 private:
  friend core::Result<Pep440Specifiers> parsePep440Specifiers(std::string_view text);
  std::vector<Pep440Specifier> clauses_;
  bool prereleases_ = false;
};

// Longest specifier text accepted (requirements lines are far shorter).
inline constexpr std::size_t kMaxPep440SpecifierBytes = std::size_t{64} * 1024;

// Parses a comma-separated specifier set, e.g. "~=1.4.2, !=1.5.*, <2". Fails with
// ErrorCode::Input on text packaging raises InvalidSpecifier for (naming the bad clause), or
// ErrorCode::Limit above kMaxPep440SpecifierBytes. The go-pep440-version extensions ("||",
// clauses separated by blanks, "=1.0", a bare "1.0" or "*") are not PEP 440 and fail.
core::Result<Pep440Specifiers> parsePep440Specifiers(std::string_view text);

}  // namespace bulwark::version
