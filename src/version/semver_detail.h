// The pieces the SemVer-family schemes share (semver, npm, go, cargo); not part of the public API.
//
// Each dialect has its own parser (what counts as a version differs: a required or optional 'v',
// shorthands, leading zeros, number limits, whitespace), but all of them produce SemverParts —
// views into the caller's string, no allocation — and all of them order pre-releases by
// SemVer 2.0.0 §11, implemented once here.
#pragma once

#include <cstddef>
#include <string_view>

#include "version/detail.h"

namespace bulwark::version::detail {

// SemVer identifier characters: [0-9A-Za-z-].
constexpr bool isIdentChar(unsigned char c) noexcept { return isAlnum(c) || c == '-'; }

// A parsed version. Missing minor/patch (shorthands) are "0"; prerelease and build are the
// dot-separated identifier lists without their '-' / '+', empty when absent.
struct SemverParts {
  std::string_view major;
  std::string_view minor;
  std::string_view patch;
  std::string_view prerelease;
  std::string_view build;
};

// Takes the identifier at the front of `list` (up to the next '.') and drops it and the '.'.
inline std::string_view nextIdentifier(std::string_view& list) noexcept {
  const std::size_t dot = list.find('.');
  const std::string_view ident = list.substr(0, dot);
  list.remove_prefix(dot == std::string_view::npos ? list.size() : dot + 1);
  return ident;
}

// Checks a dot-separated identifier list: non-empty identifiers of [0-9A-Za-z-]; with
// `no_leading_zero`, all-digit identifiers other than "0" must not start with '0'.
inline bool validIdentifiers(std::string_view list, bool no_leading_zero) noexcept {
  if (list.empty()) return false;
  for (;;) {
    const std::size_t len = spanOf(list, isIdentChar);
    if (len == 0) return false;
    const std::string_view ident = list.substr(0, len);
    if (no_leading_zero && ident.size() > 1 && ident.front() == '0' && allDigits(ident)) {
      return false;
    }
    list.remove_prefix(len);
    if (list.empty()) return true;
    if (list.front() != '.') return false;
    list.remove_prefix(1);
  }
}

// SemVer 2.0.0 §11 order of two pre-release lists ("" = a release, which is greater):
// identifiers left to right; all-digit ones numerically (any length), others by ASCII, numeric
// below non-numeric; when one list is a prefix of the other, the shorter is lower.
inline int comparePrerelease(std::string_view a, std::string_view b) noexcept {
  if (a.empty() || b.empty()) return static_cast<int>(a.empty()) - static_cast<int>(b.empty());
  while (!a.empty() && !b.empty()) {
    const std::string_view x = nextIdentifier(a);
    const std::string_view y = nextIdentifier(b);
    const bool x_num = allDigits(x);
    const bool y_num = allDigits(y);
    if (x_num != y_num) return x_num ? -1 : 1;
    const int c = x_num ? compareNumeric(x, y) : compareBytes(x, y);
    if (c != 0) return c;
  }
  return static_cast<int>(!a.empty()) - static_cast<int>(!b.empty());
}

// Precedence: major, minor, patch numerically, then the pre-release; build metadata ignored.
inline int comparePrecedence(const SemverParts& a, const SemverParts& b) noexcept {
  if (const int c = compareNumeric(a.major, b.major); c != 0) return c;
  if (const int c = compareNumeric(a.minor, b.minor); c != 0) return c;
  if (const int c = compareNumeric(a.patch, b.patch); c != 0) return c;
  return comparePrerelease(a.prerelease, b.prerelease);
}

// Reads a run of digits at the front of `text` into `out` (and drops it); false if none.
inline bool takeDigits(std::string_view& text, std::string_view& out) noexcept {
  const std::size_t len = spanOf(text, isDigit);
  if (len == 0) return false;
  out = text.substr(0, len);
  text.remove_prefix(len);
  return true;
}

// The order every dialect gives strings it cannot parse: below all versions, and among
// themselves byte-wise (so the order stays total, antisymmetric and transitive).
inline int compareWithInvalid(bool a_ok, bool b_ok, std::string_view a,
                              std::string_view b) noexcept {
  if (a_ok != b_ok) return a_ok ? 1 : -1;
  return compareBytes(a, b);
}

}  // namespace bulwark::version::detail
