// node-semver 7.x (npm's `semver` package) versions and ranges; see npm.h.
//
// The range parser follows node-semver's classes/range.js step by step, each regular
// expression replaced by a small matcher with the same result (the expressions are anchored,
// and every place where backtracking could choose a shorter match ends on a character that the
// anchor rejects, so the greedy match is the match). The steps, for each ||-separated part:
//   1. strip build metadata (`+abc.def`) everywhere;
//   2. hyphen range `A - B` -> `>=A <=B` (with x-range and pre-release variants);
//   3. trimComparatorWhitespace: `> 1.2.3` -> `>1.2.3` (internal/trim-comparator-whitespace.js,
//      ported as is);
//   4. `~ 1` -> `~1`, `^ 1` -> `^1` (TILDETRIM, CARETTRIM);
//   5. per space-separated token: ^ then ~ then x-range desugaring, then one `*` removed;
//   6. `>=0.0.0` -> `` (any); each token becomes a comparator `[<|>][=]version` or ``;
//   7. a set holding `<0.0.0-0` is that null set alone; duplicate comparators go; `` goes
//      from sets with other comparators; null sets go from ranges with other sets; a set that
//      is just `` makes the whole range that set.
#include "version/npm.h"

#include <algorithm>

#include "version/semver_detail.h"

namespace bulwark::version {
namespace {

using detail::isDigit;
using detail::SemverParts;

constexpr std::size_t kMaxLength = 256;                    // node-semver MAX_LENGTH
constexpr std::size_t kMaxSafeBuildLength = 250;           // MAX_LENGTH - 6
constexpr std::string_view kMaxSafe = "9007199254740991";  // Number.MAX_SAFE_INTEGER

// --- versions ---------------------------------------------------------------------------------

// The byte length of the JavaScript whitespace character (String.prototype.trim, \s) that
// starts at s[i] in UTF-8, or 0.
std::size_t spaceAt(std::string_view s, std::size_t i) noexcept {
  auto byte = [&](std::size_t k) -> unsigned {
    return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u;
  };
  const unsigned c = byte(i);
  if (c == ' ' || (c >= 0x09 && c <= 0x0d)) return 1;
  if (c == 0xc2) return byte(i + 1) == 0xa0 ? 2 : 0;                         // U+00A0
  if (c == 0xe1) return byte(i + 1) == 0x9a && byte(i + 2) == 0x80 ? 3 : 0;  // U+1680
  if (c == 0xe2) {
    const unsigned c1 = byte(i + 1);
    const unsigned c2 = byte(i + 2);
    if (c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8a) || c2 == 0xa8 || c2 == 0xa9 || c2 == 0xaf)) {
      return 3;  // U+2000..200A, U+2028, U+2029, U+202F
    }
    return c1 == 0x81 && c2 == 0x9f ? 3 : 0;  // U+205F
  }
  if (c == 0xe3) return byte(i + 1) == 0x80 && byte(i + 2) == 0x80 ? 3 : 0;  // U+3000
  if (c == 0xef) return byte(i + 1) == 0xbb && byte(i + 2) == 0xbf ? 3 : 0;  // U+FEFF
  return 0;
}

// JavaScript's trim() on UTF-8 bytes.
std::string_view trimJs(std::string_view s) noexcept {
  for (std::size_t n = spaceAt(s, 0); n != 0 && !s.empty(); n = spaceAt(s, 0)) s.remove_prefix(n);
  while (!s.empty()) {
    const std::size_t n = s.size();
    if (spaceAt(s, n - 1) == 1) {
      s.remove_suffix(1);
    } else if (n >= 2 && spaceAt(s, n - 2) == 2) {
      s.remove_suffix(2);
    } else if (n >= 3 && spaceAt(s, n - 3) == 3) {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

// String.length: UTF-16 code units of the UTF-8 text (lead bytes, twice for 4-byte ones).
std::size_t utf16Length(std::string_view s) noexcept {
  std::size_t units = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c & 0xc0) != 0x80) ++units;
    if (c >= 0xf0) ++units;
  }
  return units;
}

// NUMERICIDENTIFIER within Number.MAX_SAFE_INTEGER.
bool takeNumber(std::string_view& text, std::string_view& out) noexcept {
  if (!detail::takeDigits(text, out)) return false;
  if (out.size() > 1 && out.front() == '0') return false;
  return detail::compareNumeric(out, kMaxSafe) <= 0;
}

// `new SemVer(text)` with loose = false.
bool parseVersion(std::string_view text, SemverParts& out, std::string_view* problem) noexcept {
  auto fail = [&](std::string_view why) {
    if (problem != nullptr) *problem = why;
    return false;
  };
  if (utf16Length(text) > kMaxLength) return fail("longer than 256 characters");
  text = trimJs(text);
  if (!text.empty() && text.front() == 'v') text.remove_prefix(1);
  out = SemverParts{};
  if (!takeNumber(text, out.major)) return fail("bad major version");
  if (text.empty() || text.front() != '.') return fail("expected MAJOR.MINOR.PATCH");
  text.remove_prefix(1);
  if (!takeNumber(text, out.minor)) return fail("bad minor version");
  if (text.empty() || text.front() != '.') return fail("expected MAJOR.MINOR.PATCH");
  text.remove_prefix(1);
  if (!takeNumber(text, out.patch)) return fail("bad patch version");
  if (!text.empty() && text.front() == '-') {
    out.prerelease = text.substr(1, text.find('+') - 1);
    if (!detail::validIdentifiers(out.prerelease, true)) return fail("bad pre-release");
    text.remove_prefix(1 + out.prerelease.size());
  }
  if (!text.empty() && text.front() == '+') {
    out.build = text.substr(1);
    if (!detail::validIdentifiers(out.build, false)) return fail("bad build metadata");
    text = {};
  }
  if (!text.empty()) return fail("unexpected character after the version");
  return true;
}

// --- range text helpers -----------------------------------------------------------------------

char at(std::string_view s, std::size_t i) noexcept { return i < s.size() ? s[i] : '\0'; }
bool isLdn(char c) noexcept { return detail::isIdentChar(static_cast<unsigned char>(c)); }
bool isLetter(char c) noexcept { return detail::isAlpha(static_cast<unsigned char>(c)); }
bool digitAt(std::string_view s, std::size_t i) noexcept {
  return isDigit(static_cast<unsigned char>(at(s, i)));
}

std::string_view trimSpaces(std::string_view s) noexcept {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// JavaScript `s.split(/\s+/)` where the only whitespace left is ' '.
std::vector<std::string> splitSpaces(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != ' ') {
      ++i;
      continue;
    }
    out.emplace_back(s.substr(start, i - start));
    while (i < s.size() && s[i] == ' ') ++i;
    start = i;
  }
  out.emplace_back(s.substr(start));
  return out;
}

std::string joinSpaces(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i != 0) out += ' ';
    out += parts[i];
  }
  return out;
}

// The decimal string of `digits` + 1 (JavaScript `+d + 1`; any result above
// Number.MAX_SAFE_INTEGER is rejected later, as node rejects it).
std::string plusOne(std::string_view digits) {
  std::string out(digits);
  for (std::size_t i = out.size(); i-- > 0;) {
    if (out[i] != '9') {
      ++out[i];
      return out;
    }
    out[i] = '0';
  }
  return "1" + out;
}

// BUILD (`\+([LDN]{1,cap}(?:\.[LDN]{1,cap})*)`) removed: every match when `global`, else the
// first.
std::string stripBuild(std::string_view s, bool global, std::size_t cap) {
  std::string out;
  std::size_t i = 0;
  bool done = false;
  while (i < s.size()) {
    if (done || s[i] != '+') {
      out += s[i++];
      continue;
    }
    auto ident_end = [&](std::size_t from) {
      std::size_t k = from;
      while (k < s.size() && k - from < cap && isLdn(s[k])) ++k;
      return k;
    };
    std::size_t end = ident_end(i + 1);
    if (end == i + 1) {
      out += s[i++];
      continue;
    }
    while (at(s, end) == '.') {
      const std::size_t next = ident_end(end + 1);
      if (next == end + 1) break;
      end = next;
    }
    i = end;
    done = !global;
  }
  return out;
}

// --- XRANGEPLAIN --------------------------------------------------------------------------------

// `[v=\s]*(X)(?:\.(X)(?:\.(X)(?:PRERELEASE)?BUILD?)?)?` with X = `0|[1-9]\d*|x|X|\*`, matched
// greedily at `pos`. Unset groups are null views (JavaScript `undefined`).
struct XRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string_view major;
  std::string_view minor;
  std::string_view patch;
  std::string_view pre;
};

std::size_t xidEnd(std::string_view s, std::size_t i) noexcept {
  const char c = at(s, i);
  if (c == '0' || c == 'x' || c == 'X' || c == '*') return i + 1;
  if (!isDigit(static_cast<unsigned char>(c))) return i;
  while (digitAt(s, i)) ++i;
  return i;
}

// PRERELEASEIDENTIFIER: a run of [0-9A-Za-z-] with a non-digit, or a numeric identifier.
std::size_t preIdentEnd(std::string_view s, std::size_t i) noexcept {
  std::size_t k = i;
  bool non_digit = false;
  while (k < s.size() && isLdn(s[k])) non_digit |= !isDigit(static_cast<unsigned char>(s[k++]));
  if (k == i || non_digit) return k;
  return s[i] == '0' ? i + 1 : k;
}

bool isX(std::string_view id) noexcept {
  return id.data() == nullptr || id.empty() || id == "x" || id == "X" || id == "*";
}

bool matchXRange(std::string_view s, std::size_t pos, XRange& out) noexcept {
  out = XRange{};
  out.begin = pos;
  std::size_t i = pos;
  while (i < s.size() && (s[i] == 'v' || s[i] == '=' || s[i] == ' ')) ++i;
  std::size_t end = xidEnd(s, i);
  if (end == i) return false;
  out.major = s.substr(i, end - i);
  if (at(s, end) == '.' && xidEnd(s, end + 1) != end + 1) {
    const std::size_t m_end = xidEnd(s, end + 1);
    out.minor = s.substr(end + 1, m_end - end - 1);
    end = m_end;
    if (at(s, end) == '.' && xidEnd(s, end + 1) != end + 1) {
      const std::size_t p_end = xidEnd(s, end + 1);
      out.patch = s.substr(end + 1, p_end - end - 1);
      end = p_end;
      if (at(s, end) == '-' && preIdentEnd(s, end + 1) != end + 1) {
        std::size_t k = preIdentEnd(s, end + 1);
        while (at(s, k) == '.') {
          const std::size_t next = preIdentEnd(s, k + 1);
          if (next == k + 1) break;
          k = next;
        }
        out.pre = s.substr(end + 1, k - end - 1);
        end = k;
      }
      if (at(s, end) == '+' && isLdn(at(s, end + 1))) {
        std::size_t k = end + 1;
        while (isLdn(at(s, k))) ++k;
        while (at(s, k) == '.' && isLdn(at(s, k + 1))) {
          ++k;
          while (isLdn(at(s, k))) ++k;
        }
        end = k;
      }
    }
  }
  out.end = end;
  return true;
}

std::string str(std::string_view s) { return std::string(s); }

// --- step 2: hyphen ranges (HYPHENRANGE + hyphenReplace) -------------------------------------

std::string replaceHyphen(const std::string& range) {
  const std::string_view s = range;
  XRange from;
  XRange to;
  const std::size_t start = at(s, 0) == ' ' ? 1 : 0;
  if (!matchXRange(s, start, from)) return range;
  std::size_t i = from.end;
  if (at(s, i) != ' ' || at(s, i + 1) != '-' || at(s, i + 2) != ' ') return range;
  if (!matchXRange(s, i + 3, to)) return range;
  i = to.end;
  if (at(s, i) == ' ') ++i;
  if (i != s.size()) return range;
  const std::string_view from_text = s.substr(from.begin, from.end - from.begin);
  const std::string_view to_text = s.substr(to.begin, to.end - to.begin);

  std::string lower;
  if (isX(from.major)) {
    lower = "";
  } else if (isX(from.minor)) {
    lower = ">=" + str(from.major) + ".0.0";
  } else if (isX(from.patch)) {
    lower = ">=" + str(from.major) + "." + str(from.minor) + ".0";
  } else {
    lower = ">=" + str(from_text);
  }
  std::string upper;
  if (isX(to.major)) {
    upper = "";
  } else if (isX(to.minor)) {
    upper = "<" + plusOne(to.major) + ".0.0-0";
  } else if (isX(to.patch)) {
    upper = "<" + str(to.major) + "." + plusOne(to.minor) + ".0-0";
  } else if (!to.pre.empty()) {
    upper = "<=" + str(to.major) + "." + str(to.minor) + "." + str(to.patch) + "-" + str(to.pre);
  } else {
    upper = "<=" + str(to_text);
  }
  return str(trimSpaces(lower + " " + upper));
}

// --- step 3: internal/trim-comparator-whitespace.js -------------------------------------------

bool isVersionPrefix(char c) noexcept { return c == 'v' || c == '=' || c == ' '; }
bool isVersionStart(char c) noexcept {
  return isDigit(static_cast<unsigned char>(c)) || c == 'x' || c == 'X' || c == '*';
}

class ComparatorTrimmer {
 public:
  explicit ComparatorTrimmer(std::string_view range) : s_(range) {}

  std::string run() {
    std::string result;
    std::size_t copy_from = 0;
    std::size_t cursor = 0;
    while (cursor < s_.size()) {
      const std::size_t match_start = cursor;
      if (s_[cursor] == '<' || s_[cursor] == '>') {
        ++cursor;
      } else if (!isVersionPrefix(s_[cursor]) && !isVersionStart(s_[cursor])) {
        ++cursor;
        continue;
      }
      while (cursor < s_.size() && isVersionPrefix(s_[cursor])) ++cursor;
      if (!isVersionStart(at(s_, cursor))) continue;
      const std::size_t ws = removableWhitespace(match_start);
      if (ws != kNone) {
        result.append(s_.substr(copy_from, ws - copy_from));
        copy_from = ws + 1;
      }
      cursor = versionEnd(cursor);
    }
    result.append(s_.substr(std::min(copy_from, s_.size())));
    return result;
  }

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  std::size_t digitsEnd(std::size_t start, std::size_t limit) {
    if (!digitAt(s_, start)) return start;
    if (start >= run_start_ && start < run_end_) return std::min(start + limit, run_end_);
    if (start >= prev_start_ && start < prev_end_) return std::min(start + limit, prev_end_);
    std::size_t end = start + 1;
    while (digitAt(s_, end)) ++end;
    prev_start_ = run_start_;
    prev_end_ = run_end_;
    run_start_ = start;
    run_end_ = end;
    return std::min(start + limit, end);
  }

  std::size_t versionNumberEnd(std::size_t start, bool loose) {
    if (!loose && at(s_, start) == '0') return start + 1;
    return digitsEnd(start, loose ? kMaxLength : kMaxLength + 1);
  }

  std::size_t prereleaseIdentEnd(std::size_t start, bool loose) {
    const std::size_t d = digitsEnd(start, kMaxLength);
    if (isLetter(at(s_, d)) || at(s_, d) == '-') {
      std::size_t end = d + 1;
      const std::size_t limit = end + kMaxSafeBuildLength;
      while (end < limit && isLdn(at(s_, end))) ++end;
      return end;
    }
    return versionNumberEnd(start, loose);
  }

  std::size_t prereleaseEnd(std::size_t start, bool loose) {
    const bool hyphen = at(s_, start) == '-';
    if (!loose && !hyphen) return start;
    const std::size_t ident_start = start + (hyphen ? 1 : 0);
    std::size_t end = prereleaseIdentEnd(ident_start, loose);
    if (end == ident_start) {
      if (!loose || !hyphen) return start;
      end = prereleaseIdentEnd(start, loose);
    }
    while (at(s_, end) == '.') {
      const std::size_t next = prereleaseIdentEnd(end + 1, loose);
      if (next == end + 1) break;
      end = next;
    }
    return end;
  }

  std::size_t buildIdentEnd(std::size_t start) const {
    std::size_t end = start;
    while (end - start < kMaxSafeBuildLength && isLdn(at(s_, end))) ++end;
    return end;
  }

  std::size_t buildEnd(std::size_t start) const {
    if (at(s_, start) != '+') return start;
    std::size_t end = buildIdentEnd(start + 1);
    if (end == start + 1) return start;
    while (at(s_, end) == '.') {
      const std::size_t next = buildIdentEnd(end + 1);
      if (next == end + 1) break;
      end = next;
    }
    return end;
  }

  std::size_t looseFullVersionEnd(std::size_t start) {
    std::size_t end = start;
    for (int component = 0; component < 3; ++component) {
      const std::size_t next = versionNumberEnd(end, true);
      if (next == end) return start;
      end = next;
      if (component < 2) {
        if (at(s_, end) != '.') return start;
        ++end;
      }
    }
    return buildEnd(prereleaseEnd(end, true));
  }

  std::size_t partialComponentEnd(std::size_t start) {
    if (digitAt(s_, start)) return versionNumberEnd(start, false);
    return isVersionStart(at(s_, start)) ? start + 1 : start;
  }

  std::size_t partialVersionEnd(std::size_t start) {
    std::size_t end = partialComponentEnd(start);
    for (int component = 0; component < 2; ++component) {
      if (at(s_, end) != '.') return end;
      const std::size_t next = partialComponentEnd(end + 1);
      if (next == end + 1) return end;
      end = next;
    }
    return buildEnd(prereleaseEnd(end, false));
  }

  std::size_t versionEnd(std::size_t start) {
    const std::size_t full = looseFullVersionEnd(start);
    return full != start ? full : partialVersionEnd(start);
  }

  std::size_t removableWhitespace(std::size_t match_start) const {
    std::size_t p = match_start;
    if (at(s_, p) == ' ') ++p;
    if (at(s_, p) == '<' || at(s_, p) == '>') ++p;
    if (at(s_, p) == '=') ++p;
    return at(s_, p) == ' ' ? p : kNone;
  }

  std::string_view s_;
  std::size_t run_start_ = kNone;
  std::size_t run_end_ = kNone;
  std::size_t prev_start_ = kNone;
  std::size_t prev_end_ = kNone;
};

// --- step 4: TILDETRIM / CARETTRIM (`(\s?)~>?\s` -> `$1~`, `(\s?)\^\s` -> `$1^`) -------------

std::string trimAfter(std::string_view s, char op) {
  auto op_at = [&](std::size_t j) -> std::size_t {  // end of `op >? \s` at j, or 0
    if (at(s, j) != op) return 0;
    if (at(s, j + 1) == ' ') return j + 2;
    if (op == '~' && at(s, j + 1) == '>' && at(s, j + 2) == ' ') return j + 3;
    return 0;
  };
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == ' ') {
      if (const std::size_t end = op_at(i + 1); end != 0) {
        out += ' ';
        out += op;
        i = end;
        continue;
      }
    }
    if (const std::size_t end = op_at(i); end != 0) {
      out += op;
      i = end;
      continue;
    }
    out += s[i++];
  }
  return out;
}

// --- step 5: parseComparator ------------------------------------------------------------------

// A whole-token match of `prefix XRANGEPLAIN` starting at `pos`.
bool wholeXRange(std::string_view s, std::size_t pos, XRange& x) noexcept {
  return matchXRange(s, pos, x) && x.end == s.size();
}

std::string replaceCaret(const std::string& comp) {
  XRange x;
  if (at(comp, 0) != '^' || !wholeXRange(comp, 1, x)) return comp;
  const std::string major_num = str(x.major);
  if (isX(x.major)) return "";
  if (isX(x.minor)) return ">=" + major_num + ".0.0 <" + plusOne(major_num) + ".0.0-0";
  const std::string m = str(x.minor);
  if (isX(x.patch)) {
    if (major_num == "0")
      return ">=" + major_num + "." + m + ".0 <" + major_num + "." + plusOne(m) + ".0-0";
    return ">=" + major_num + "." + m + ".0 <" + plusOne(major_num) + ".0.0-0";
  }
  const std::string p = str(x.patch);
  const std::string lower =
      ">=" + major_num + "." + m + "." + p + (x.pre.empty() ? "" : "-" + str(x.pre));
  if (major_num == "0") {
    if (m == "0") return lower + " <" + major_num + "." + m + "." + plusOne(p) + "-0";
    return lower + " <" + major_num + "." + plusOne(m) + ".0-0";
  }
  return lower + " <" + plusOne(major_num) + ".0.0-0";
}

std::string replaceTilde(const std::string& comp) {
  XRange x;
  if (at(comp, 0) != '~') return comp;
  const std::size_t start = at(comp, 1) == '>' ? 2 : 1;
  if (!wholeXRange(comp, start, x)) return comp;
  const std::string major_num = str(x.major);
  if (isX(x.major)) return "";
  if (isX(x.minor)) return ">=" + major_num + ".0.0 <" + plusOne(major_num) + ".0.0-0";
  const std::string m = str(x.minor);
  const std::string upper = " <" + major_num + "." + plusOne(m) + ".0-0";
  if (isX(x.patch)) return ">=" + major_num + "." + m + ".0" + upper;
  const std::string pre = x.pre.empty() ? "" : "-" + str(x.pre);
  return ">=" + major_num + "." + m + "." + str(x.patch) + pre + upper;
}

std::string replaceXRange(const std::string& token) {
  std::string comp = str(trimSpaces(token));
  std::size_t i = 0;
  if (at(comp, i) == '<' || at(comp, i) == '>') ++i;
  if (at(comp, i) == '=') ++i;
  std::string gtlt = comp.substr(0, i);
  if (at(comp, i) == ' ') ++i;
  XRange x;
  if (!wholeXRange(comp, i, x)) return comp;
  const bool invalid_order =
      (isX(x.major) && !isX(x.minor)) || (isX(x.minor) && !x.patch.empty() && !isX(x.patch));
  if (invalid_order) return comp;
  const bool x_major = isX(x.major);
  const bool x_minor = x_major || isX(x.minor);
  const bool x_patch = x_minor || isX(x.patch);
  if (gtlt == "=" && x_patch) gtlt = "";
  if (x_major) return gtlt == ">" || gtlt == "<" ? "<0.0.0-0" : "*";
  const std::string major_num = str(x.major);
  if (!gtlt.empty() && x_patch) {
    std::string major = major_num;
    std::string minor = x_minor ? "0" : str(x.minor);
    std::string patch = "0";
    std::string pre;
    if (gtlt == ">") {
      gtlt = ">=";
      if (x_minor) {
        major = plusOne(major_num);
        minor = "0";
      } else {
        minor = plusOne(minor);
      }
    } else if (gtlt == "<=") {
      gtlt = "<";
      if (x_minor) {
        major = plusOne(major_num);
      } else {
        minor = plusOne(minor);
      }
    }
    if (gtlt == "<") pre = "-0";
    return gtlt + major + "." + minor + "." + patch + pre;
  }
  if (x_minor) return ">=" + major_num + ".0.0 <" + plusOne(major_num) + ".0.0-0";
  if (x_patch) {
    const std::string m = str(x.minor);
    return ">=" + major_num + "." + m + ".0 <" + major_num + "." + plusOne(m) + ".0-0";
  }
  return comp;
}

// STAR (`(<|>)?=?\s?\*`): the first match removed.
std::string replaceStars(std::string_view token) {
  const std::string_view s = trimSpaces(token);
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::size_t j = i;
    if (s[j] == '<' || s[j] == '>') ++j;
    if (at(s, j) == '=') ++j;
    if (at(s, j) == ' ') ++j;
    if (at(s, j) == '*') return str(s.substr(0, i)) + str(s.substr(j + 1));
  }
  return str(s);
}

template <class Fn>
std::string mapTokens(std::string_view s, Fn fn) {
  std::vector<std::string> parts = splitSpaces(s);
  for (std::string& part : parts) part = fn(part);
  return joinSpaces(parts);
}

std::string parseComparator(std::string_view comp) {
  std::string s = stripBuild(comp, false, kMaxSafeBuildLength);
  s = mapTokens(trimSpaces(s), replaceCaret);
  s = mapTokens(trimSpaces(s), replaceTilde);
  s = mapTokens(s, replaceXRange);
  return replaceStars(s);
}

// --- step 6/7: comparators and sets -----------------------------------------------------------

struct Parsed {
  NpmComparator comparator;
  std::string value;  // node's Comparator.value: operator + version, "" for any
};

std::string_view opText(NpmOp op) noexcept {
  switch (op) {
    case NpmOp::Lt: return "<";
    case NpmOp::Le: return "<=";
    case NpmOp::Gt: return ">";
    case NpmOp::Ge: return ">=";
    case NpmOp::Any:
    case NpmOp::Eq: break;
  }
  return "";
}

core::Result<Parsed> makeComparator(std::string_view comp) {
  Parsed out;
  if (comp.empty()) return out;  // ANY
  std::size_t i = 0;
  if (comp[0] == '<' || comp[0] == '>') ++i;
  if (at(comp, i) == '=') ++i;
  const std::string_view op = comp.substr(0, i);
  SemverParts parts;
  std::string_view problem;
  if (!parseVersion(comp.substr(i), parts, &problem)) {
    return core::fail(core::ErrorCode::Input, "invalid comparator '{}': {}", comp, problem);
  }
  // No whitespace can be left in a token, so parseVersion() did not trim anything.
  if (op == "<") {
    out.comparator.op = NpmOp::Lt;
  } else if (op == "<=") {
    out.comparator.op = NpmOp::Le;
  } else if (op == ">") {
    out.comparator.op = NpmOp::Gt;
  } else if (op == ">=") {
    out.comparator.op = NpmOp::Ge;
  } else {
    out.comparator.op = NpmOp::Eq;
  }
  std::string& v = out.comparator.version;
  v.append(parts.major).append(".").append(parts.minor).append(".").append(parts.patch);
  if (!parts.prerelease.empty()) v.append("-").append(parts.prerelease);
  out.value = str(opText(out.comparator.op)) + v;
  return out;
}

constexpr std::string_view kNullSet = "<0.0.0-0";

// Range.parseRange(): one ||-separated part to its comparators (deduplicated by value).
core::Result<std::vector<Parsed>> parseRangePart(std::string_view part) {
  std::string range = stripBuild(part, true, std::string_view::npos);
  range = replaceHyphen(range);
  range = ComparatorTrimmer(range).run();
  range = trimAfter(range, '~');
  range = trimAfter(range, '^');
  std::vector<std::string> tokens;
  {
    std::string_view rest = range;
    std::vector<std::string> converted;
    for (;;) {  // JavaScript split(' ')
      const std::size_t space = rest.find(' ');
      converted.push_back(parseComparator(rest.substr(0, space)));
      if (space == std::string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
    tokens = splitSpaces(joinSpaces(converted));
  }
  // Every token must be a comparator (node builds them all before looking at any).
  std::vector<Parsed> all;
  all.reserve(tokens.size());
  for (const std::string& token : tokens) {
    const std::string_view comp = trimSpaces(token);
    auto parsed = makeComparator(comp == ">=0.0.0" ? std::string_view() : comp);
    if (!parsed) return tl::unexpected(parsed.error());
    all.push_back(std::move(*parsed));
  }
  std::vector<Parsed> out;
  for (Parsed& parsed : all) {
    if (parsed.value == kNullSet) return std::vector<Parsed>{std::move(parsed)};
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const Parsed& p) { return p.value == parsed.value; });
    if (!seen) out.push_back(std::move(parsed));
  }
  if (out.size() > 1) {
    out.erase(
        std::remove_if(out.begin(), out.end(), [](const Parsed& p) { return p.value.empty(); }),
        out.end());
  }
  return out;
}

// Normalises whitespace as `range.trim().replace(/\s+/g, ' ')`.
std::string normalizeSpaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = spaceAt(text, i);
    if (n == 0) {
      out += text[i++];
      continue;
    }
    while (n != 0) {
      i += n;
      n = spaceAt(text, i);
    }
    out += ' ';
  }
  return str(trimSpaces(out));
}

bool testComparator(const NpmComparator& c, const SemverParts& v) noexcept {
  if (c.op == NpmOp::Any) return true;
  SemverParts target;
  parseVersion(c.version, target, nullptr);
  const int r = detail::comparePrecedence(v, target);
  switch (c.op) {
    case NpmOp::Eq: return r == 0;
    case NpmOp::Lt: return r < 0;
    case NpmOp::Le: return r <= 0;
    case NpmOp::Gt: return r > 0;
    case NpmOp::Ge: return r >= 0;
    case NpmOp::Any: break;
  }
  return true;
}

}  // namespace

int compareNpm(std::string_view a, std::string_view b) noexcept {
  SemverParts pa;
  SemverParts pb;
  const bool a_ok = parseVersion(a, pa, nullptr);
  const bool b_ok = parseVersion(b, pb, nullptr);
  if (!a_ok || !b_ok) return detail::compareWithInvalid(a_ok, b_ok, a, b);
  return detail::comparePrecedence(pa, pb);
}

bool validNpm(std::string_view v, std::string_view* problem) noexcept {
  SemverParts parts;
  return parseVersion(v, parts, problem);
}

core::Result<NpmRange> parseNpmRange(std::string_view text) {
  if (text.size() > kMaxNpmRangeLength) {
    return core::fail(core::ErrorCode::Limit, "npm range longer than {} bytes", kMaxNpmRangeLength);
  }
  const std::string raw = normalizeSpaces(text);
  std::vector<std::vector<Parsed>> sets;
  std::string_view rest = raw;
  for (;;) {  // JavaScript split('||')
    const std::size_t bars = rest.find("||");
    auto set = parseRangePart(trimSpaces(rest.substr(0, bars)));
    if (!set) return core::withContext(set.error(), "npm range");
    if (!set->empty()) sets.push_back(std::move(*set));
    if (bars == std::string_view::npos) break;
    rest.remove_prefix(bars + 2);
  }
  if (sets.empty()) return core::fail(core::ErrorCode::Input, "invalid npm range '{}'", raw);
  if (sets.size() > 1) {
    std::vector<std::vector<Parsed>> kept;
    for (auto& set : sets) {
      if (set.front().value != kNullSet) kept.push_back(std::move(set));
    }
    if (kept.empty()) {
      sets.resize(1);
    } else {
      sets = std::move(kept);
      for (auto& set : sets) {
        if (set.size() == 1 && set.front().value.empty()) {
          std::vector<Parsed> any = std::move(set);
          sets.clear();
          sets.push_back(std::move(any));
          break;
        }
      }
    }
  }
  NpmRange range;
  for (auto& set : sets) {
    std::vector<NpmComparator>& out = range.sets_.emplace_back();
    for (Parsed& p : set) out.push_back(std::move(p.comparator));
  }
  return range;
}

bool NpmRange::satisfies(std::string_view version) const noexcept {
  SemverParts v;
  if (version.empty() || !parseVersion(version, v, nullptr)) return false;
  for (const std::vector<NpmComparator>& set : sets_) {
    const bool all = std::all_of(set.begin(), set.end(),
                                 [&](const NpmComparator& c) { return testComparator(c, v); });
    if (!all) continue;
    if (v.prerelease.empty()) return true;
    for (const NpmComparator& c : set) {
      if (c.op == NpmOp::Any) continue;
      SemverParts allowed;
      parseVersion(c.version, allowed, nullptr);
      if (!allowed.prerelease.empty() && allowed.major == v.major && allowed.minor == v.minor &&
          allowed.patch == v.patch) {
        return true;
      }
    }
  }
  return false;
}

std::string NpmRange::format() const {
  std::string out;
  for (std::size_t i = 0; i < sets_.size(); ++i) {
    if (i != 0) out += "||";
    for (std::size_t k = 0; k < sets_[i].size(); ++k) {
      if (k != 0) out += ' ';
      out.append(opText(sets_[i][k].op)).append(sets_[i][k].version);
    }
  }
  return out;
}

}  // namespace bulwark::version
