// rpm version ordering (rpm rpmio/rpmvercmp.c and rpmio/rpmver.c, rpm 4.18).
//
// rpmvercmp(a, b) compares one version (or release) string:
//   identical strings are equal; otherwise loop:
//     - skip separators: every byte that is not an ASCII letter or digit, '~' or '^'
//       (so `1.0 = 1_0 = 1+0`);
//     - '~' sorts before anything, even the end of the string: if only one side is at '~' it
//       is older; if both are, consume both and continue (`1.0~rc1 < 1.0`);
//     - '^' sorts after the end of the string but before anything else: if only one side is
//       at '^' it is newer when the other side has ended, older otherwise; if both are,
//       consume both (`1.0 < 1.0^git1 < 1.0.1`);
//     - if either side has ended, stop;
//     - take a segment from each side: a digit run if a's segment starts with a digit, else a
//       letter run. If b has no segment of that kind, the numeric side is newer. Digit runs
//       compare as integers of any length, letter runs by strcmp;
//   at the end, the side with characters left is newer (separators only count as "left" when
//   the loop stopped on them, as in rpm).
//
// A full EVR `[epoch:]version[-release]` is split as rpm's parseEVR does: the epoch is the run
// of leading digits when a ':' follows it (empty = 0, absent = 0); the release is what follows
// the last '-'. Epochs compare as integers, then versions with rpmvercmp, then releases with
// rpmvercmp when both have one; when only one side has a release (even an empty one, "1.0-"),
// that side is newer, as rpmverCmp() and Python's rpm.labelCompare do. (Dependency ranges, where
// a missing release matches any release, are a matcher concern, not an ordering.)
//
// Deterministic answers where rpm has none: rpmverParse("") fails; we compare "" as the version
// "" with no release. Embedded NUL bytes are separators (C rpm would stop at them).
#include "version/detail.h"
#include "version/scheme.h"

namespace bulwark::version {
namespace {

using detail::isAlnum;
using detail::isAlpha;
using detail::isDigit;

constexpr bool isSeparator(char c) noexcept { return !isAlnum(c) && c != '~' && c != '^'; }

int rpmvercmp(std::string_view a, std::string_view b) noexcept {
  if (a == b) return 0;
  std::size_t i = 0;
  std::size_t j = 0;
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  while (i < n || j < m) {
    while (i < n && isSeparator(a[i])) ++i;
    while (j < m && isSeparator(b[j])) ++j;

    const bool a_tilde = i < n && a[i] == '~';
    const bool b_tilde = j < m && b[j] == '~';
    if (a_tilde || b_tilde) {
      if (!a_tilde) return 1;
      if (!b_tilde) return -1;
      ++i;
      ++j;
      continue;
    }

    const bool a_caret = i < n && a[i] == '^';
    const bool b_caret = j < m && b[j] == '^';
    if (a_caret || b_caret) {
      if (i == n) return -1;
      if (j == m) return 1;
      if (!a_caret) return 1;
      if (!b_caret) return -1;
      ++i;
      ++j;
      continue;
    }

    if (i == n || j == m) break;

    // a[i] is a letter or a digit here (separators, '~' and '^' were handled above).
    const std::size_t a_start = i;
    const std::size_t b_start = j;
    const bool numeric = isDigit(a[i]);
    if (numeric) {
      while (i < n && isDigit(a[i])) ++i;
      while (j < m && isDigit(b[j])) ++j;
    } else {
      while (i < n && isAlpha(a[i])) ++i;
      while (j < m && isAlpha(b[j])) ++j;
    }
    // b's segment is of the other kind: numeric segments are newer than alpha ones.
    if (j == b_start) return numeric ? 1 : -1;

    const std::string_view sa = a.substr(a_start, i - a_start);
    const std::string_view sb = b.substr(b_start, j - b_start);
    const int r = numeric ? detail::compareNumeric(sa, sb) : detail::compareBytes(sa, sb);
    if (r != 0) return r;
  }
  if (i == n && j == m) return 0;
  return i == n ? -1 : 1;
}

struct Evr {
  std::string_view epoch;  // digits; empty = 0
  std::string_view version;
  std::string_view release;
  bool has_release = false;
};

Evr splitEvr(std::string_view evr) noexcept {
  Evr parts;
  const std::size_t digits = detail::spanOf(evr, detail::isDigit);
  if (digits < evr.size() && evr[digits] == ':') {
    parts.epoch = evr.substr(0, digits);
    evr.remove_prefix(digits + 1);
  }
  const std::size_t dash = evr.rfind('-');
  if (dash != std::string_view::npos) {
    parts.release = evr.substr(dash + 1);
    parts.has_release = true;
    evr = evr.substr(0, dash);
  }
  parts.version = evr;
  return parts;
}

bool fail(std::string_view* problem, std::string_view what) noexcept {
  if (problem != nullptr) *problem = what;
  return false;
}

// Characters rpmbuild accepts in Version and Release (besides macro syntax, which is expanded
// before a package is built).
bool validRpmChars(std::string_view text) noexcept {
  for (const char c : text) {
    if (!isAlnum(c) && std::string_view("._+~^").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace

int compareRpmSegment(std::string_view a, std::string_view b) noexcept { return rpmvercmp(a, b); }

int compareRpm(std::string_view a, std::string_view b) noexcept {
  if (a == b) return 0;
  const Evr x = splitEvr(a);
  const Evr y = splitEvr(b);
  if (const int r = detail::compareNumeric(x.epoch, y.epoch); r != 0) return r;
  if (const int r = rpmvercmp(x.version, y.version); r != 0) return r;
  if (x.has_release && y.has_release) return rpmvercmp(x.release, y.release);
  return static_cast<int>(x.has_release) - static_cast<int>(y.has_release);
}

bool validRpm(std::string_view v, std::string_view* problem) noexcept {
  if (v.empty()) return fail(problem, "version string is empty");
  const std::size_t colon = v.find(':');
  if (colon != std::string_view::npos) {
    if (colon == 0) return fail(problem, "epoch is empty");
    if (!detail::allDigits(v.substr(0, colon))) return fail(problem, "epoch is not a number");
  }
  const Evr parts = splitEvr(v);
  if (parts.version.empty()) return fail(problem, "version is empty");
  if (parts.has_release && parts.release.empty()) return fail(problem, "release is empty");
  if (!validRpmChars(parts.version)) return fail(problem, "invalid character in version");
  if (!validRpmChars(parts.release)) return fail(problem, "invalid character in release");
  return true;
}

}  // namespace bulwark::version
