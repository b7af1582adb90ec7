// Composer version ordering: composer/semver 3.3 (Debian 12's php-composer-semver)
// VersionParser::normalize() followed by Comparator, which is PHP's version_compare() on the
// normalized strings with a rule for dev- branches.
//
// normalize(v), step by step (each regexp of VersionParser.php is matched by hand below, with
// PCRE's semantics: `$` also matches before a final "\n", `.` does not match "\n", \s is ASCII
// blank, /i is ASCII case folding):
//   1. trim " \t\n\r\0\x0B";
//   2. "X as Y" (an alias: `^([^,\s]++) ++as ++([^,\s]++)$`) keeps X;
//   3. a trailing stability flag "@stable|@RC|@beta|@alpha|@dev" (any case) is cut off;
//   4. "master", "trunk", "default" become "dev-master" etc.; a version starting with "dev-"
//      (any case) is a branch: "dev-" + the rest, nothing more is done to it;
//   5. build metadata "+..." is cut off (`^([^,\s+]++)\+[^\s]++$`);
//   6. classical: `v?` + 1-5 digits + up to three ".digits" + a modifier: the version becomes
//      the four numbers (missing ones ".0", digits kept as written);
//   7. else date-like: `v?` + 4 digits + 1-6 times ([.:-]?2 digits) + optional ([.:-]?1-3
//      digits) + a modifier: the digits with every separator turned into '.';
//   8. the modifier (`[._-]?((stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?
//      ([.-]?dev)?`) appends "-" + the expanded stability (a -> alpha, b -> beta, p/pl ->
//      patch, rc -> RC) + its number without the leading separator, then "-dev" if present;
//      a stability written exactly "stable" returns the numbers alone;
//   9. else "(.*?)[.-]?dev": if what precedes "dev" is a numeric branch ("1.2", "v1.x",
//      "2.*"), the version becomes its four numbers, 'x'/'*'/missing as 9999999, + "-dev"
//      ("1.x-dev" -> "1.9999999.9999999.9999999-dev");
//  10. anything else makes normalize() throw: the version is invalid.
//
// Comparator::compare(a, op, b) on normalized strings: two dev- branches are equal when they are
// identical and otherwise incomparable (neither <, = nor >); everything else is
// version_compare(): both strings are canonicalized ('-', '_', '+' and other non-alphanumerics
// become '.', and a '.' is put between a digit and a non-digit), then compared part by part:
// two numbers numerically (strtol(), so beyond LONG_MAX all numbers are equal), two words by
// their special-form rank (prefix match: dev 0 < alpha/a 1 < beta/b 2 < RC/rc 3 < # 4 < pl/p 5;
// other words -1), a number against a word as rank 4; when one side runs out, the other is
// newer if its next part is a number and otherwise by that word's rank against 4:
//   1.0.0.0-dev < 1.0.0.0-alpha1 < 1.0.0.0-beta2 < 1.0.0.0-RC1 < 1.0.0.0 < 1.0.0.0-patch1.
// A dev- branch is older than every numbered version ("dev" ranks 0, numbers 4).
//
// bulwark's total order on top: distinct dev- branches compare by name, byte-wise; strings
// normalize() refuses are older than every valid version and compare byte-wise among
// themselves. Nothing is allocated: normalize() produces a list of (at most 10) pieces of the
// input and of static text, and version_compare() streams over them.
//
// Known difference: PHP runs these regexps with PCRE's backtracking limits; on inputs of many
// kilobytes PHP may give up matching (and throw) where the regexp, and bulwark, would match.
#include "version/composer.h"

#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>

#include "version/detail.h"

namespace bulwark::version {
namespace {

using detail::isAlpha;
using detail::isDigit;

constexpr bool isPcreSpace(unsigned char c) noexcept {
  return c == ' ' || (c >= '\t' && c <= '\r');
}
constexpr bool isPhpTrimmed(unsigned char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0' || c == '\x0B';
}

unsigned char at(std::string_view s, std::size_t i) noexcept {
  return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
}

constexpr unsigned char lower(unsigned char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c + 32) : c;
}

// ASCII case-insensitive: does `s` start with `word` at `i`?
bool ciPrefix(std::string_view s, std::size_t i, std::string_view word) noexcept {
  if (i > s.size() || s.size() - i < word.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (lower(static_cast<unsigned char>(s[i + k])) != lower(static_cast<unsigned char>(word[k]))) {
      return false;
    }
  }
  return true;
}

// PCRE's `$` (no /D, no /m) at position i: the end, or just before a final "\n".
bool atDollar(std::string_view s, std::size_t i) noexcept {
  return i == s.size() || (i + 1 == s.size() && s[i] == '\n');
}

std::size_t digitsAt(std::string_view s, std::size_t i) noexcept {
  return i < s.size() ? detail::spanOf(s.substr(i), isDigit) : 0;
}

std::string_view phpTrim(std::string_view s) noexcept {
  s.remove_prefix(detail::spanOf(s, isPhpTrimmed));
  while (!s.empty() && isPhpTrimmed(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct Piece {
  std::string_view text;
  bool dots = false;  // every non-digit reads as '.'
};

struct Normalized {
  enum class Form : std::uint8_t { Invalid, Branch, Numbered };
  Form form = Form::Invalid;
  std::string_view branch;  // Branch: the name after "dev-"
  std::array<Piece, 10> pieces{};
  std::size_t count = 0;

  void add(std::string_view text, bool dots = false) noexcept {
    if (count < pieces.size()) pieces[count++] = {text, dots};
  }
};

struct Modifier {
  std::string_view word;  // as written; empty when absent
  std::string_view numbers;
  bool dev = false;
};

// Possessive `((?:[.-]?\d+)*+)` at i: its length.
std::size_t stabilityNumbers(std::string_view s, std::size_t i) noexcept {
  std::size_t k = i;
  for (;;) {
    if (isDigit(at(s, k))) {
      k += digitsAt(s, k);
    } else if ((at(s, k) == '.' || at(s, k) == '-') && isDigit(at(s, k + 1))) {
      k += 1 + digitsAt(s, k + 1);
    } else {
      return k - i;
    }
  }
}

// The modifier regexp from `i` up to `$` at the end of `s` (which has no final "\n"), trying
// the alternatives in PCRE's order; false when it cannot match.
bool matchModifier(std::string_view s, std::size_t i, Modifier* out) noexcept {
  static constexpr std::string_view kWords[] = {"stable", "beta",  "b",  "RC", "alpha",
                                                "a",      "patch", "pl", "p",  ""};
  const unsigned char sep = at(s, i);
  const bool may_take = sep == '.' || sep == '_' || sep == '-';
  for (int take = may_take ? 1 : 0; take >= 0; --take) {
    const std::size_t j = i + static_cast<std::size_t>(take);
    for (const std::string_view word : kWords) {
      std::size_t k = j;
      Modifier m;
      if (!word.empty()) {
        if (!ciPrefix(s, j, word)) continue;
        m.word = s.substr(j, word.size());
        k += word.size();
        const std::size_t len = stabilityNumbers(s, k);
        m.numbers = s.substr(k, len);
        k += len;
      }
      const unsigned char c = at(s, k);
      if ((c == '.' || c == '-') && k + 4 == s.size() && ciPrefix(s, k + 1, "dev")) {
        m.dev = true;
      } else if (k + 3 == s.size() && ciPrefix(s, k, "dev")) {
        m.dev = true;
      } else if (k != s.size()) {
        continue;
      }
      *out = m;
      return true;
    }
  }
  return false;
}

std::string_view expandStability(std::string_view word) noexcept {
  struct Entry {
    std::string_view word;
    std::string_view expanded;
  };
  static constexpr Entry kTable[] = {
      {"stable", "stable"}, {"beta", "beta"},   {"b", "beta"},   {"rc", "RC"},   {"alpha", "alpha"},
      {"a", "alpha"},       {"patch", "patch"}, {"pl", "patch"}, {"p", "patch"},
  };
  for (const Entry& e : kTable) {
    if (e.word.size() == word.size() && ciPrefix(word, 0, e.word)) return e.expanded;
  }
  return "stable";  // unreachable: the modifier only captures the words above
}

// Appends the modifier (VersionParser::normalize's "add version modifiers" block).
void addModifier(const Modifier& m, Normalized* out) noexcept {
  if (!m.word.empty()) {
    if (m.word == "stable") return;
    out->add("-");
    out->add(expandStability(m.word));
    std::string_view numbers = m.numbers;
    while (!numbers.empty() && (numbers.front() == '.' || numbers.front() == '-')) {
      numbers.remove_prefix(1);
    }
    out->add(numbers);
  }
  if (m.dev) out->add("-dev");
}

bool matchClassical(std::string_view w, Normalized* out) noexcept {
  std::size_t i = (at(w, 0) == 'v' || at(w, 0) == 'V') ? 1 : 0;
  const std::size_t major = digitsAt(w, i);
  if (major == 0 || major > 5) return false;
  std::array<std::string_view, 3> groups{};
  std::size_t k = i + major;
  for (std::string_view& group : groups) {
    if (at(w, k) != '.' || !isDigit(at(w, k + 1))) break;
    const std::size_t len = 1 + digitsAt(w, k + 1);
    group = w.substr(k, len);
    k += len;
  }
  Modifier m;
  if (!matchModifier(w, k, &m)) return false;
  out->form = Normalized::Form::Numbered;
  out->add(w.substr(i, major));
  for (const std::string_view group : groups) out->add(group.empty() ? ".0" : group);
  addModifier(m, out);
  return true;
}

// `\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?` on a run of digits joined by single
// separators: chunks of 4, then m (1..6) of 2, then optionally 1-3 digits, separators only at
// chunk boundaries. The widest m admits the most separator positions.
bool isDateBody(std::string_view p) noexcept {
  std::size_t digits = 0;
  for (const char c : p) digits += isDigit(static_cast<unsigned char>(c)) ? 1 : 0;
  if (digits < 6 || digits > 19) return false;
  const std::size_t m = (digits - 4) / 2 < 6 ? (digits - 4) / 2 : 6;
  std::size_t seen = 0;
  for (const char c : p) {
    if (isDigit(static_cast<unsigned char>(c))) {
      ++seen;
    } else if (seen < 4 || seen > 4 + 2 * m || seen % 2 != 0) {
      return false;
    }
  }
  return true;
}

bool isDateSeparator(unsigned char c) noexcept { return c == '.' || c == ':' || c == '-'; }

bool matchDate(std::string_view w, Normalized* out) noexcept {
  const std::size_t i = (at(w, 0) == 'v' || at(w, 0) == 'V') ? 1 : 0;
  std::size_t k = i + digitsAt(w, i);
  if (k == i) return false;
  // The date part can only end where the modifier can start: after the longest run of digit
  // groups joined by single separators.
  while (isDateSeparator(at(w, k)) && isDigit(at(w, k + 1))) k += 1 + digitsAt(w, k + 1);
  const std::string_view body = w.substr(i, k - i);
  if (!isDateBody(body)) return false;
  Modifier m;
  if (!matchModifier(w, k, &m)) return false;
  out->form = Normalized::Form::Numbered;
  out->add(body, true);
  addModifier(m, out);
  return true;
}

// VersionParser::normalizeBranch() for a numeric branch ("1.2", "v2.x", "3.*"); false for a
// name it would prefix with "dev-".
bool numericBranch(std::string_view name, Normalized* out) noexcept {
  const std::string_view t = phpTrim(name);
  const std::size_t i = (at(t, 0) == 'v' || at(t, 0) == 'V') ? 1 : 0;
  const std::size_t major = digitsAt(t, i);
  if (major == 0) return false;
  std::array<std::string_view, 3> groups{};
  std::size_t k = i + major;
  for (std::string_view& group : groups) {
    if (at(t, k) != '.') break;
    const unsigned char c = at(t, k + 1);
    if (isDigit(c)) {
      group = t.substr(k + 1, digitsAt(t, k + 1));
    } else if (c == 'x' || c == 'X' || c == '*') {
      group = "9999999";
    } else {
      break;
    }
    k += 1 + (isDigit(c) ? group.size() : 1);
  }
  if (!atDollar(t, k)) return false;
  out->form = Normalized::Form::Numbered;
  out->add(t.substr(i, major));
  for (const std::string_view group : groups) {
    out->add(".");
    out->add(group.empty() ? std::string_view("9999999") : group);
  }
  out->add("-dev");
  return true;
}

// `(.*?)[.-]?dev$` (case-insensitive, unanchored) then normalizeBranch().
bool matchDevBranch(std::string_view v, Normalized* out) noexcept {
  std::size_t end = v.size();
  if (end > 0 && v[end - 1] == '\n') --end;
  if (end < 3 || !ciPrefix(v, end - 3, "dev")) return false;
  std::size_t stop = end - 3;
  if (stop > 0 && (v[stop - 1] == '.' || v[stop - 1] == '-')) --stop;
  const std::size_t newline = v.substr(0, stop).rfind('\n');
  const std::size_t start = newline == std::string_view::npos ? 0 : newline + 1;
  return numericBranch(v.substr(start, stop - start), out);
}

// `^([^,\s]++) ++as ++([^,\s]++)$`: the alias source, or "" when `v` is no alias.
std::string_view aliasSource(std::string_view v) noexcept {
  const auto name_char = [](unsigned char c) { return c != ',' && !isPcreSpace(c); };
  const std::size_t x = detail::spanOf(v, name_char);
  std::size_t k = x;
  const auto spaces = [&] {
    const std::size_t n = detail::spanOf(v.substr(k), [](unsigned char c) { return c == ' '; });
    k += n;
    return n;
  };
  if (x == 0 || spaces() == 0 || v.substr(k, 2) != "as") return {};
  k += 2;
  if (spaces() == 0) return {};
  const std::size_t y = detail::spanOf(v.substr(k), name_char);
  if (y == 0 || !atDollar(v, k + y)) return {};
  return v.substr(0, x);
}

// `@(?:stable|RC|beta|alpha|dev)$` (case-insensitive) removed the way normalize() does it: by
// the match's length from the end of the string.
std::string_view stripStabilityFlag(std::string_view v) noexcept {
  static constexpr std::string_view kFlags[] = {"stable", "RC", "beta", "alpha", "dev"};
  std::size_t end = v.size();
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) {
      if (end == 0 || v[end - 1] != '\n') break;
      --end;
    }
    for (const std::string_view flag : kFlags) {
      if (end >= flag.size() + 1 && v[end - flag.size() - 1] == '@' &&
          ciPrefix(v, end - flag.size(), flag)) {
        return v.substr(0, v.size() - flag.size() - 1);
      }
    }
  }
  return v;
}

// `^([^,\s+]++)\+[^\s]++$`: the version without its build metadata.
std::string_view stripBuildMetadata(std::string_view v) noexcept {
  const std::size_t x =
      detail::spanOf(v, [](unsigned char c) { return c != ',' && c != '+' && !isPcreSpace(c); });
  if (x == 0 || at(v, x) != '+') return v;
  const std::size_t y =
      detail::spanOf(v.substr(x + 1), [](unsigned char c) { return !isPcreSpace(c); });
  if (y == 0 || !atDollar(v, x + 1 + y)) return v;
  return v.substr(0, x);
}

Normalized normalize(std::string_view input) noexcept {
  Normalized out;
  std::string_view v = phpTrim(input);
  if (const std::string_view source = aliasSource(v); !source.empty()) v = source;
  v = stripStabilityFlag(v);
  if (v == "master" || v == "trunk" || v == "default") {
    out.form = Normalized::Form::Branch;
    out.branch = v;
    return out;
  }
  if (ciPrefix(v, 0, "dev-")) {
    out.form = Normalized::Form::Branch;
    out.branch = v.substr(4);
    return out;
  }
  v = stripBuildMetadata(v);
  // The classical and date regexps end in `$` and cannot consume "\n".
  std::string_view w = v;
  if (!w.empty() && w.back() == '\n') w.remove_suffix(1);
  if (matchClassical(w, &out)) return out;
  out = Normalized{};
  if (matchDate(w, &out)) return out;
  out = Normalized{};
  if (matchDevBranch(v, &out)) return out;
  return Normalized{};
}

// --- version_compare() over the pieces -----------------------------------------------------

// The bytes of the normalized string, as a C string (a NUL byte ends it).
class PieceReader {
 public:
  explicit PieceReader(const Normalized& n) noexcept : n_(n) {}

  int next() noexcept {
    while (piece_ < n_.count) {
      const Piece& p = n_.pieces[piece_];
      if (offset_ < p.text.size()) {
        const auto c = static_cast<unsigned char>(p.text[offset_++]);
        if (c == '\0') return -1;
        return p.dots && !isDigit(c) ? '.' : c;
      }
      ++piece_;
      offset_ = 0;
    }
    return -1;
  }

 private:
  const Normalized& n_;
  std::size_t piece_ = 0;
  std::size_t offset_ = 0;
};

// php_canonicalize_version() as a stream, with one byte of look-ahead.
class Canonical {
 public:
  explicit Canonical(const Normalized& n) noexcept : in_(n) {}

  int peek() noexcept {
    if (count_ == 0) fill();
    return count_ == 0 ? -1 : queue_[head_];
  }

  int get() noexcept {
    const int c = peek();
    if (count_ > 0) {
      head_ = (head_ + 1) % 2;
      --count_;
    }
    return c;
  }

 private:
  static bool isdig(int c) noexcept { return c >= '0' && c <= '9'; }
  static bool isndig(int c) noexcept { return !isdig(c) && c != '.'; }

  void emit(int c) noexcept {
    queue_[(head_ + count_) % 2] = c;
    ++count_;
    last_ = c;
  }
  void emitDot() noexcept {
    if (last_ != '.') emit('.');
  }

  void fill() noexcept {
    while (count_ == 0) {
      const int c = in_.next();
      if (c < 0) return;
      if (first_) {
        first_ = false;
        emit(c);
      } else if (c == '-' || c == '_' || c == '+') {
        emitDot();
      } else if ((isndig(lp_) && isdig(c)) || (isdig(lp_) && isndig(c))) {
        emitDot();
        emit(c);
      } else if (!detail::isAlnum(static_cast<unsigned char>(c))) {
        emitDot();
      } else {
        emit(c);
      }
      lp_ = c;
    }
  }

  PieceReader in_;
  bool first_ = true;
  int lp_ = 0;
  int last_ = 0;
  int queue_[2] = {0, 0};
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

struct Part {
  bool number = false;
  std::uint64_t value = 0;  // strtol(): saturates at LONG_MAX
  std::array<char, 5> head{};
  std::size_t head_len = 0;
};

// Reads one part (up to a '.' or the end); `dot` tells whether a '.' ended it.
Part readPart(Canonical& s, bool* dot) noexcept {
  Part p;
  *dot = false;
  bool first = true;
  bool in_digits = true;
  for (int c = s.get(); c >= 0; c = s.get()) {
    if (c == '.') {
      *dot = true;
      break;
    }
    if (first) p.number = c >= '0' && c <= '9';
    first = false;
    if (p.head_len < p.head.size()) p.head[p.head_len++] = static_cast<char>(c);
    if (p.number && in_digits) {
      if (c >= '0' && c <= '9') {
        constexpr auto kMax = static_cast<std::uint64_t>(LONG_MAX);
        const auto digit = static_cast<std::uint64_t>(c - '0');
        p.value = p.value > (kMax - digit) / 10 ? kMax : p.value * 10 + digit;
      } else {
        in_digits = false;
      }
    }
  }
  return p;
}

// compare_special_version_forms(): the rank of the first special form the part starts with.
int specialRank(const Part& p) noexcept {
  struct Form {
    std::string_view name;
    int rank;
  };
  static constexpr Form kForms[] = {{"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2},
                                    {"RC", 3},  {"rc", 3},    {"#", 4}, {"pl", 5},   {"p", 5}};
  const std::string_view head(p.head.data(), p.head_len);
  for (const Form& f : kForms) {
    if (head.substr(0, f.name.size()) == f.name) return f.rank;
  }
  return -1;
}

constexpr int kNumberRank = 4;  // "#N#"

int comparePart(const Part& a, const Part& b) noexcept {
  if (a.number && b.number) return (a.value > b.value) - (a.value < b.value);
  const int ra = a.number ? kNumberRank : specialRank(a);
  const int rb = b.number ? kNumberRank : specialRank(b);
  return detail::sign(ra - rb);
}

// php_version_compare(rest, "#N#") for the rest of a string whose next byte is not a digit.
int restAgainstNumber(Canonical& s) noexcept {
  for (;;) {
    if (s.peek() < 0) return -1;  // "" against "#N#"
    bool dot = false;
    const Part p = readPart(s, &dot);
    const int r = detail::sign((p.number ? kNumberRank : specialRank(p)) - kNumberRank);
    if (r != 0 || !dot) return r;
    const int c = s.peek();
    if (c >= '0' && c <= '9') return 1;
  }
}

int versionCompare(const Normalized& a, const Normalized& b) noexcept {
  Canonical sa(a);
  Canonical sb(b);
  if (sa.peek() < 0 || sb.peek() < 0) return (sa.peek() >= 0) - (sb.peek() >= 0);
  bool more_a = true;
  bool more_b = true;
  while (sa.peek() >= 0 && sb.peek() >= 0 && more_a && more_b) {
    const Part pa = readPart(sa, &more_a);
    const Part pb = readPart(sb, &more_b);
    if (const int r = comparePart(pa, pb); r != 0) return r;
  }
  if (more_a) {
    const int c = sa.peek();
    return c >= '0' && c <= '9' ? 1 : restAgainstNumber(sa);
  }
  if (more_b) {
    const int c = sb.peek();
    return c >= '0' && c <= '9' ? -1 : -restAgainstNumber(sb);
  }
  return 0;
}

}  // namespace

int compareComposer(std::string_view a, std::string_view b) noexcept {
  const Normalized na = normalize(a);
  const Normalized nb = normalize(b);
  using Form = Normalized::Form;
  if (na.form == Form::Invalid || nb.form == Form::Invalid) {
    if (na.form != nb.form) return na.form == Form::Invalid ? -1 : 1;
    return detail::compareBytes(a, b);
  }
  if (na.form == Form::Branch || nb.form == Form::Branch) {
    if (na.form != nb.form) return na.form == Form::Branch ? -1 : 1;
    return detail::compareBytes(na.branch, nb.branch);
  }
  return versionCompare(na, nb);
}

bool validComposer(std::string_view v, std::string_view* problem) noexcept {
  if (normalize(v).form != Normalized::Form::Invalid) return true;
  if (problem != nullptr) {
    *problem = "not a Composer version (VersionParser::normalize() would throw)";
  }
  return false;
}

core::Result<std::string> normalizeComposer(std::string_view v) {
  const Normalized n = normalize(v);
  if (n.form == Normalized::Form::Invalid) {
    return core::fail(core::ErrorCode::Input, "invalid Composer version '{}'", v);
  }
  if (n.form == Normalized::Form::Branch) return "dev-" + std::string(n.branch);
  std::string out;
  for (std::size_t i = 0; i < n.count; ++i) {
    for (const char c : n.pieces[i].text) {
      out += n.pieces[i].dots && !isDigit(static_cast<unsigned char>(c)) ? '.' : c;
    }
  }
  return out;
}

}  // namespace bulwark::version
