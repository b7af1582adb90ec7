// npm versions and ranges: the `semver` package of npm (node-semver 7.x), loose = false,
// includePrerelease = false.
//
// Versions (`new SemVer(v)`):
//   at most 256 UTF-16 code units; JavaScript whitespace around it is trimmed; then
//   [v] MAJOR.MINOR.PATCH [- PRERELEASE] [+ BUILD]   (all three numbers, no leading zeros,
//   each <= 2^53-1; identifiers as SemVer 2.0.0). Order: SemVer 2.0.0 §11, build ignored.
//   One deliberate difference: node turns all-digit pre-release identifiers >= 2^53 into
//   doubles before comparing, so it calls 1.0.0-9007199254740993 and 1.0.0-9007199254740992
//   equal (and is then not transitive); we compare them exactly.
//   Strings node rejects (it throws) sort below every version and byte-wise among themselves.
//
// Ranges (`new Range(r)` and `range.test(v)`), in EBNF as node-semver's range.bnf:
//   range-set  ::= range ( logical-or range ) *
//   logical-or ::= ( ' ' ) * '||' ( ' ' ) *
//   range      ::= hyphen | simple ( ' ' simple ) * | ''
//   hyphen     ::= partial ' - ' partial
//   simple     ::= primitive | partial | tilde | caret
//   primitive  ::= ( '<' | '>' | '>=' | '<=' | '=' ) partial
//   partial    ::= xr ( '.' xr ( '.' xr qualifier ? )? )?
//   xr         ::= 'x' | 'X' | '*' | nr
//   nr         ::= '0' | [1-9] ( [0-9] ) *
//   tilde      ::= '~' '>'? partial          caret ::= '^' partial
//   qualifier  ::= ( '-' pre )? ( '+' build )?
// A version satisfies a range when it satisfies every comparator of one of its || sets; a
// pre-release version (1.2.3-beta) only satisfies a set when some comparator of that set has a
// pre-release on the same MAJOR.MINOR.PATCH (the pre-release exclusion rule).
// The parser is a step-by-step port of node-semver's desugaring (hyphen ranges, whitespace
// trimming, ^ ~ x-range and * rewriting, >=0.0.0 → *, null-set and any-set folding), so odd
// inputs ("1.2.3 ||", "~> 1", "= 1.2.3", "v1.x") mean what they mean to npm, and inputs node
// throws on are errors here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace bulwark::version {

int compareNpm(std::string_view a, std::string_view b) noexcept;
bool validNpm(std::string_view v, std::string_view* problem = nullptr) noexcept;

enum class NpmOp { Any, Eq, Lt, Le, Gt, Ge };

// One desugared comparator: `op version`, version canonical (MAJOR.MINOR.PATCH[-PRE]).
struct NpmComparator {
  NpmOp op = NpmOp::Any;
  std::string version;
};

class NpmRange {
 public:
  // Whether `version` (a version string as validNpm reads it) is in the range; false for
  // strings that are not npm versions.
  bool satisfies(std::string_view version) const noexcept;
  // The desugared range exactly as node-semver prints it (`new Range(r).range`), e.g.
  // ">=1.2.3 <2.0.0-0||>=3.0.0".
  std::string format() const;
  const std::vector<std::vector<NpmComparator>>& sets() const noexcept { return sets_; }

 private:
  friend core::Result<NpmRange> parseNpmRange(std::string_view text);
  std::vector<std::vector<NpmComparator>> sets_;
};

// Longest range accepted (node has no limit; advisories and package.json ranges are short).
inline constexpr std::size_t kMaxNpmRangeLength = std::size_t{64} * 1024;

// Parses a range as `new Range(text)` does; fails (ErrorCode::Input) where node throws, and
// with ErrorCode::Limit beyond kMaxNpmRangeLength bytes.
core::Result<NpmRange> parseNpmRange(std::string_view text);

}  // namespace bulwark::version
