// dpkg version ordering (Debian Policy §5.6.12; dpkg lib/dpkg/version.c).
//
// A version is `[epoch:]upstream[-revision]`:
//   - epoch: the digits before the first ':' (absent = 0), compared as integers;
//   - revision: the text after the last '-' (absent or empty = "", which compares equal to "0");
//   - upstream: the rest.
// Epochs compare first, then upstream, then revision, each of the last two with verrevcmp:
//   repeat until both strings are exhausted:
//     1. compare the leading non-digit runs character by character, weighting
//        '~' = -1 < end of run = 0 < letters (their ASCII code) < everything else (code + 256),
//        so `1.0~rc1 < 1.0 < 1.0a < 1.0+b1 < 1.0.1`;
//     2. compare the following digit runs as integers (leading zeros ignored, absent = 0).
//
// Deterministic answers for strings dpkg would reject (validDpkg says which):
//   - the epoch is read as dpkg's strtol() reads it ("+1:" is 1, "-0:" is 0); a prefix before
//     the first ':' that is not such a number is not an epoch (the ':' stays in upstream);
//     epochs of any length compare exactly;
//   - bytes >= 0x80 weigh their unsigned value (128..255): that is what dpkg and libapt-pkg
//     compute on platforms where `char` is signed (x86; `(signed char)c + 256`). On
//     unsigned-char platforms dpkg would weigh them c + 256; no valid version contains them;
//   - an embedded NUL byte is an ordinary "other" character (weight 256);
//   - blanks (space, tab) around the string are ignored, as dpkg trims them.
//
// libapt-pkg (a differential reference, tests/unit/version/differential_test.cpp, beside the
// dpkg binary itself) agrees with dpkg on well-formed versions. It differs on a few odd shapes,
// where we follow dpkg: it does not trim blanks, it does not read "+1:" or "-0:" as epochs, and:
//   - an empty revision ("1.0-"): `dpkg --compare-versions` refuses it ("revision number is
//     empty"), Dpkg::Version (Perl; the source of the dpkg.csv vectors `0foo- = 0foo`) compares
//     it equal to no revision, and libapt-pkg puts it below "1.0" (it maps a missing revision to
//     "0" but keeps the empty one, and its fragment compare orders "" before "0"). We follow
//     Dpkg::Version and the vectors;
//   - a non-numeric epoch ("a:1"): apt takes everything before the first ':' as the epoch; we
//     take no epoch (dpkg refuses the string).
// On a version that dpkg refuses (an error, not a warning) there is no dpkg answer to follow.
#include <climits>

#include "version/detail.h"
#include "version/scheme.h"

namespace bulwark::version {
namespace {

using detail::isAlpha;
using detail::isDigit;

// dpkg's order(): the weight of one character of a non-digit run; 0 for digit/end.
constexpr int order(unsigned char c) noexcept {
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c == '~') return -1;
  if (c >= 0x80) return c;  // (signed char)c + 256, as dpkg computes it on x86
  return c + 256;
}

int verrevcmp(std::string_view a, std::string_view b) noexcept {
  std::size_t i = 0;
  std::size_t j = 0;
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  while (i < n || j < m) {
    // 1. The non-digit run. Distinct characters have distinct weights, and a weight of 0 means
    //    "digit or end", so equal weights here mean both sides hold the same non-digit.
    while ((i < n && !isDigit(a[i])) || (j < m && !isDigit(b[j]))) {
      const int ac = i < n ? order(static_cast<unsigned char>(a[i])) : 0;
      const int bc = j < m ? order(static_cast<unsigned char>(b[j])) : 0;
      if (ac != bc) return ac < bc ? -1 : 1;
      ++i;
      ++j;
    }
    // 2. The digit run, as an integer of any length.
    while (i < n && a[i] == '0') ++i;
    while (j < m && b[j] == '0') ++j;
    int first_diff = 0;
    while (i < n && j < m && isDigit(a[i]) && isDigit(b[j])) {
      if (first_diff == 0) first_diff = a[i] - b[j];
      ++i;
      ++j;
    }
    if (i < n && isDigit(a[i])) return 1;
    if (j < m && isDigit(b[j])) return -1;
    if (first_diff != 0) return first_diff < 0 ? -1 : 1;
  }
  return 0;
}

struct DebVersion {
  std::string_view epoch;  // digits, possibly empty (= 0)
  std::string_view upstream;
  std::string_view revision;  // empty when absent
  bool has_revision = false;
};

constexpr bool isBlank(char c) noexcept { return c == ' ' || c == '\t'; }

// dpkg trims blanks (space, tab) around the whole string before parsing.
std::string_view trimBlanks(std::string_view v) noexcept {
  while (!v.empty() && isBlank(v.front())) v.remove_prefix(1);
  while (!v.empty() && isBlank(v.back())) v.remove_suffix(1);
  return v;
}

// dpkg reads the epoch with strtol(): an optional sign, then digits. "+1" is 1 and "-0" is 0;
// a negative epoch is refused. Returns the digits, or false when `prefix` is not an epoch.
bool epochDigits(std::string_view prefix, std::string_view* digits) noexcept {
  const bool minus = !prefix.empty() && prefix.front() == '-';
  if (!prefix.empty() && (prefix.front() == '+' || minus)) prefix.remove_prefix(1);
  if (prefix.empty() || !detail::allDigits(prefix)) return false;
  if (minus && prefix.find_first_not_of('0') != std::string_view::npos) return false;
  *digits = prefix;
  return true;
}

DebVersion split(std::string_view v) noexcept {
  DebVersion parts;
  v = trimBlanks(v);
  const std::size_t colon = v.find(':');
  if (colon != std::string_view::npos && epochDigits(v.substr(0, colon), &parts.epoch)) {
    v.remove_prefix(colon + 1);
  }
  const std::size_t dash = v.rfind('-');
  if (dash != std::string_view::npos) {
    parts.revision = v.substr(dash + 1);
    parts.has_revision = true;
    v = v.substr(0, dash);
  }
  parts.upstream = v;
  return parts;
}

bool fail(std::string_view* problem, std::string_view what) noexcept {
  if (problem != nullptr) *problem = what;
  return false;
}

}  // namespace

int compareDpkg(std::string_view a, std::string_view b) noexcept {
  if (a == b) return 0;
  const DebVersion x = split(a);
  const DebVersion y = split(b);
  if (const int r = detail::compareNumeric(x.epoch, y.epoch); r != 0) return r;
  if (const int r = verrevcmp(x.upstream, y.upstream); r != 0) return r;
  return verrevcmp(x.revision, y.revision);
}

bool validDpkg(std::string_view v, std::string_view* problem) noexcept {
  v = trimBlanks(v);
  if (v.empty()) return fail(problem, "version string is empty");
  for (const char c : v) {
    if (isBlank(c)) return fail(problem, "version string has embedded spaces");
  }
  const std::size_t colon = v.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view prefix = v.substr(0, colon);
    std::string_view epoch;
    if (prefix.empty() || prefix == "+" || prefix == "-") {
      return fail(problem, "epoch in version is empty");
    }
    if (!epochDigits(prefix, &epoch)) {
      return prefix.front() == '-' && detail::allDigits(prefix.substr(1))
                 ? fail(problem, "epoch in version is negative")
                 : fail(problem, "epoch in version is not number");
    }
    // dpkg stores the epoch in an int.
    if (detail::compareNumeric(epoch, "2147483647") > 0) {
      return fail(problem, "epoch in version is too big");
    }
    if (colon + 1 == v.size()) return fail(problem, "nothing after colon in version number");
  }
  const DebVersion parts = split(v);
  if (parts.has_revision && parts.revision.empty()) {
    return fail(problem, "revision number is empty");
  }
  if (parts.upstream.empty()) return fail(problem, "version number is empty");
  if (!isDigit(parts.upstream.front())) {
    return fail(problem, "version number does not start with digit");
  }
  for (const char c : parts.upstream) {
    if (!detail::isAlnum(c) && std::string_view(".-+~:").find(c) == std::string_view::npos) {
      return fail(problem, "invalid character in version number");
    }
  }
  for (const char c : parts.revision) {
    if (!detail::isAlnum(c) && std::string_view(".+~").find(c) == std::string_view::npos) {
      return fail(problem, "invalid character in revision number");
    }
  }
  return true;
}

}  // namespace bulwark::version
