// PEP 440 versions and specifiers (pep440.h has the grammar, the order and the normal form).
//
// Versions are parsed on the fly into views of the input (Parts): no allocation, linear time.
// The parser reproduces packaging's regular expression, including the way its backtracking
// assigns numbers to groups; the choices it makes are all "take the longest match here":
//   - a pre-release word is the longest of the words that fits ("alpha" over "a", "preview"
//     over "pre"): a shorter word would leave letters that nothing after it can take;
//   - the optional separator after a pre/post/dev word is taken, and the digits after it are
//     that part's number ("1.0a-1" is 1.0a1, not 1.0a0.post1, exactly as Python's greedy
//     matcher decides); what follows can still take its own optional separator;
//   - "-N" right after the pre-release (or release) is the implicit post-release.
//
// Specifier containment (Pep440Specifiers::contains) allocates: it mirrors packaging's
// string-based algorithms (canonicalize_version, _version_split, _pad_version for ".*" and
// "~="), whose corner cases are defined by those very string operations.
#include "version/pep440.h"

#include <algorithm>
#include <array>
#include <cstddef>

#include "version/detail.h"

namespace bulwark::version {
namespace {

using detail::compareBytes;
using detail::compareNumeric;
using detail::isAlnum;
using detail::isDigit;

// --- whitespace: what Python's str.isspace() (and the regex \s) accepts, as UTF-8 ----------

// The multi-byte UTF-8 encodings of Python whitespace characters.
constexpr std::array<std::string_view, 15> kUnicodeSpaces = {
    "\xc2\x85",     "\xc2\xa0",     "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81",
    "\xe2\x80\x82", "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86",
    "\xe2\x80\x87", "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a", "\xe3\x80\x80",
};
constexpr std::array<std::string_view, 4> kMoreUnicodeSpaces = {"\xe2\x80\xa8", "\xe2\x80\xa9",
                                                                "\xe2\x80\xaf", "\xe2\x81\x9f"};

constexpr bool isAsciiSpace(unsigned char c) noexcept {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

// Byte length of the whitespace character that `text` starts with (0 if none).
// Every non-ASCII space starts with a byte >= 0x80 and ends with a continuation byte, so an
// ASCII byte at that end settles it without comparing (versions are compared millions of times
// when stored inventories are matched again).
std::size_t spaceAtFront(std::string_view text) noexcept {
  if (text.empty()) return 0;
  const auto front = static_cast<unsigned char>(text.front());
  if (front < 0x80) return isAsciiSpace(front) ? 1 : 0;
  for (const std::string_view space : kUnicodeSpaces) {
    if (text.starts_with(space)) return space.size();
  }
  for (const std::string_view space : kMoreUnicodeSpaces) {
    if (text.starts_with(space)) return space.size();
  }
  return 0;
}

// Byte length of the whitespace character that `text` ends with (0 if none).
std::size_t spaceAtBack(std::string_view text) noexcept {
  if (text.empty()) return 0;
  const auto back = static_cast<unsigned char>(text.back());
  if (back < 0x80) return isAsciiSpace(back) ? 1 : 0;
  for (const std::string_view space : kUnicodeSpaces) {
    if (text.ends_with(space)) return space.size();
  }
  for (const std::string_view space : kMoreUnicodeSpaces) {
    if (text.ends_with(space)) return space.size();
  }
  return 0;
}

// Python's str.strip().
std::string_view strip(std::string_view text) noexcept {
  while (const std::size_t n = spaceAtFront(text)) text.remove_prefix(n);
  while (const std::size_t n = spaceAtBack(text)) text.remove_suffix(n);
  return text;
}

bool hasSpace(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (spaceAtFront(text.substr(i)) != 0) return true;
  }
  return false;
}

// --- parsing ---------------------------------------------------------------------------------

constexpr char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Whether `text` starts with the lower-case ASCII `word`, in any case.
bool startsWithWord(std::string_view text, std::string_view word) noexcept {
  if (text.size() < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (lower(text[i]) != word[i]) return false;
  }
  return true;
}

constexpr bool isSeparator(char c) noexcept { return c == '-' || c == '_' || c == '.'; }

enum class Pre : std::uint8_t { DevOnly, Alpha, Beta, Rc, None };  // in sort order

struct Parts {
  std::string_view epoch;    // digits; empty when absent (0)
  std::string_view release;  // digits {"." digits}
  std::size_t release_count = 0;
  Pre pre = Pre::None;
  std::string_view pre_n;  // digits, may be empty (0)
  bool post = false;
  std::string_view post_n;
  bool dev = false;
  std::string_view dev_n;
  bool local = false;
  std::string_view local_text;  // alnum+ {sep alnum+}

  bool isPrerelease() const noexcept { return dev || (pre != Pre::None && pre != Pre::DevOnly); }
};

// A cursor over the text being parsed.
struct Cursor {
  std::string_view text;
  std::size_t at = 0;

  bool done() const noexcept { return at >= text.size(); }
  char peek(std::size_t ahead = 0) const noexcept {
    return at + ahead < text.size() ? text[at + ahead] : '\0';
  }
  std::string_view digits() noexcept {
    const std::size_t n = detail::spanOf(text.substr(at), isDigit);
    const std::string_view out = text.substr(at, n);
    at += n;
    return out;
  }
  std::string_view rest() const noexcept { return text.substr(at); }
  void skipSeparator() noexcept {
    if (!done() && isSeparator(peek())) ++at;
  }
};

// Tries `[sep] word [sep] [digits]` for the longest of `words` that fits; on success sets
// `word_index` and `number` and moves the cursor, else leaves it alone.
template <std::size_t N>
bool takeLabel(Cursor& c, const std::array<std::string_view, N>& words, std::size_t& word_index,
               std::string_view& number) noexcept {
  Cursor probe = c;
  probe.skipSeparator();
  std::size_t best = N;
  for (std::size_t i = 0; i < N; ++i) {
    if (startsWithWord(probe.rest(), words[i]) &&
        (best == N || words[i].size() > words[best].size())) {
      best = i;
    }
  }
  if (best == N) return false;
  probe.at += words[best].size();
  probe.skipSeparator();
  number = probe.digits();
  word_index = best;
  c = probe;
  return true;
}

constexpr std::array<std::string_view, 8> kPreWords = {"a",     "b",    "c",   "rc",
                                                       "alpha", "beta", "pre", "preview"};
constexpr std::array<Pre, 8> kPreKinds = {Pre::Alpha, Pre::Beta, Pre::Rc, Pre::Rc,
                                          Pre::Alpha, Pre::Beta, Pre::Rc, Pre::Rc};
constexpr std::array<std::string_view, 3> kPostWords = {"post", "rev", "r"};
constexpr std::array<std::string_view, 1> kDevWords = {"dev"};

enum class Problem : std::uint8_t { None, Empty, Release, Local, Trailing };

// Parses `text` (no surrounding whitespace: callers strip it) into `out`.
Problem parseExact(std::string_view text, Parts& out) noexcept {
  out = Parts{};
  if (text.empty()) return Problem::Empty;
  Cursor c{text};
  if (c.peek() == 'v' || c.peek() == 'V') ++c.at;
  std::string_view first = c.digits();
  if (first.empty()) return Problem::Release;
  if (c.peek() == '!') {
    ++c.at;
    out.epoch = first;
    first = c.digits();
    if (first.empty()) return Problem::Release;
  }
  const std::size_t release_start = c.at - first.size();
  out.release_count = 1;
  while (c.peek() == '.' && isDigit(c.peek(1))) {
    ++c.at;
    c.digits();
    ++out.release_count;
  }
  out.release = text.substr(release_start, c.at - release_start);

  std::size_t word = 0;
  std::string_view number;
  if (takeLabel(c, kPreWords, word, number)) {
    out.pre = kPreKinds[word];
    out.pre_n = number;
  }
  if (c.peek() == '-' && isDigit(c.peek(1))) {
    ++c.at;
    out.post = true;
    out.post_n = c.digits();
  } else if (takeLabel(c, kPostWords, word, number)) {
    out.post = true;
    out.post_n = number;
  }
  if (takeLabel(c, kDevWords, word, number)) {
    out.dev = true;
    out.dev_n = number;
  }
  if (out.pre == Pre::None && !out.post && out.dev) out.pre = Pre::DevOnly;
  if (c.peek() == '+') {
    ++c.at;
    const std::size_t start = c.at;
    for (;;) {
      const std::size_t n = detail::spanOf(c.rest(), isAlnum);
      if (n == 0) return Problem::Local;
      c.at += n;
      if (!(isSeparator(c.peek()) && isAlnum(static_cast<unsigned char>(c.peek(1))))) break;
      ++c.at;
    }
    out.local = true;
    out.local_text = text.substr(start, c.at - start);
  }
  return c.done() ? Problem::None : Problem::Trailing;
}

Problem parse(std::string_view text, Parts& out) noexcept { return parseExact(strip(text), out); }

std::string_view describe(Problem problem) noexcept {
  switch (problem) {
    case Problem::Empty: return "empty version";
    case Problem::Release: return "no release number ([v][N!]N{.N} expected)";
    case Problem::Local: return "bad local version label after '+'";
    case Problem::Trailing: return "not a PEP 440 version: unexpected text after the release";
    case Problem::None: break;
  }
  return "";
}

// --- comparison ------------------------------------------------------------------------------

// Splits off the text up to the next of `separators` (or the end).
std::string_view nextPart(std::string_view& rest, std::string_view separators) noexcept {
  const std::size_t end = rest.find_first_of(separators);
  const std::string_view part = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return part;
}

// Release numbers compared as if zero-padded to the same length (== trailing zeros dropped).
int compareRelease(std::string_view a, std::string_view b) noexcept {
  while (!a.empty() || !b.empty()) {
    const std::string_view x = nextPart(a, ".");
    const std::string_view y = nextPart(b, ".");
    if (const int r = compareNumeric(x, y); r != 0) return r;
  }
  return 0;
}

int compareLowered(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(lower(a[i]));
    const auto y = static_cast<unsigned char>(lower(b[i]));
    if (x != y) return x < y ? -1 : 1;
  }
  return (a.size() > b.size()) - (a.size() < b.size());
}

// Local labels: numeric parts above alphanumeric ones; a prefix sorts first.
int compareLocal(std::string_view a, std::string_view b) noexcept {
  while (!a.empty() && !b.empty()) {
    const std::string_view x = nextPart(a, ".-_");
    const std::string_view y = nextPart(b, ".-_");
    const bool x_numeric = detail::allDigits(x);
    const bool y_numeric = detail::allDigits(y);
    int r = 0;
    if (x_numeric != y_numeric) {
      r = x_numeric ? 1 : -1;
    } else {
      r = x_numeric ? compareNumeric(x, y) : compareLowered(x, y);
    }
    if (r != 0) return r;
  }
  return (!a.empty()) - (!b.empty());
}

int compareFlag(bool a, bool b) noexcept { return (a && !b) - (!a && b); }

// packaging's _cmpkey order; `with_local` false drops the local labels of both sides.
int compareParts(const Parts& a, const Parts& b, bool with_local = true) noexcept {
  if (const int r = compareNumeric(a.epoch, b.epoch); r != 0) return r;
  if (const int r = compareRelease(a.release, b.release); r != 0) return r;
  if (a.pre != b.pre) return a.pre < b.pre ? -1 : 1;
  if (a.pre != Pre::None && a.pre != Pre::DevOnly) {
    if (const int r = compareNumeric(a.pre_n, b.pre_n); r != 0) return r;
  }
  if (const int r = compareFlag(a.post, b.post); r != 0) return r;
  if (a.post) {
    if (const int r = compareNumeric(a.post_n, b.post_n); r != 0) return r;
  }
  if (a.dev != b.dev) return a.dev ? -1 : 1;  // no dev part sorts last
  if (a.dev) {
    if (const int r = compareNumeric(a.dev_n, b.dev_n); r != 0) return r;
  }
  if (!with_local) return 0;
  if (const int r = compareFlag(a.local, b.local); r != 0) return r;
  return a.local ? compareLocal(a.local_text, b.local_text) : 0;
}

// Version(x.base_version) == Version(y.base_version): same epoch and release.
bool sameBase(const Parts& a, const Parts& b) noexcept {
  return compareNumeric(a.epoch, b.epoch) == 0 && compareRelease(a.release, b.release) == 0;
}

// --- normal form -----------------------------------------------------------------------------

void appendNumber(std::string& out, std::string_view digits) {
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  out += digits.empty() ? std::string_view("0") : digits;
}

bool isZero(std::string_view digits) noexcept {
  return digits.find_first_not_of('0') == std::string_view::npos;
}

// str(Version) (with_local) or Version.public, with canonicalize_version's optional removal
// of trailing ".0" release numbers.
std::string canonical(const Parts& v, bool with_local, bool strip_trailing_zero) {
  std::string out;
  if (!isZero(v.epoch)) {
    appendNumber(out, v.epoch);
    out += '!';
  }
  std::string_view release = v.release;
  std::size_t count = v.release_count;
  std::string release_text;
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) release_text += '.';
    appendNumber(release_text, nextPart(release, "."));
  }
  if (strip_trailing_zero) {  // re.sub(r"(\.0)+$", "", release)
    while (release_text.size() >= 2 && release_text.ends_with(".0")) {
      release_text.resize(release_text.size() - 2);
    }
  }
  out += release_text;
  switch (v.pre) {
    case Pre::Alpha: out += 'a'; break;
    case Pre::Beta: out += 'b'; break;
    case Pre::Rc: out += "rc"; break;
    default: break;
  }
  if (v.pre == Pre::Alpha || v.pre == Pre::Beta || v.pre == Pre::Rc) appendNumber(out, v.pre_n);
  if (v.post) {
    out += ".post";
    appendNumber(out, v.post_n);
  }
  if (v.dev) {
    out += ".dev";
    appendNumber(out, v.dev_n);
  }
  if (with_local && v.local) {
    out += '+';
    std::string_view rest = v.local_text;
    for (bool first = true; !rest.empty(); first = false) {
      const std::string_view part = nextPart(rest, ".-_");
      if (!first) out += '.';
      if (detail::allDigits(part)) {
        appendNumber(out, part);
      } else {
        for (const char ch : part) out += lower(ch);
      }
    }
  }
  return out;
}

// canonicalize_version(text, strip_trailing_zero): invalid text comes back unchanged.
std::string canonicalize(std::string_view text, bool strip_trailing_zero) {
  Parts parts;
  if (parse(text, parts) != Problem::None) return std::string(text);
  return canonical(parts, /*with_local=*/true, strip_trailing_zero);
}

// --- specifiers: packaging's string algorithms -----------------------------------------------

// _version_split: split at '.', and split an item like "1rc2" (^[0-9]+(a|b|c|rc)[0-9]+$) in two.
std::vector<std::string> versionSplit(std::string_view version) {
  std::vector<std::string> out;
  for (;;) {
    const std::size_t dot = version.find('.');
    const std::string_view item = version.substr(0, dot);
    const std::size_t digits = detail::spanOf(item, isDigit);
    std::size_t letters = 0;
    if (digits > 0) {
      const std::string_view tail = item.substr(digits);
      if (tail.starts_with("rc")) {
        letters = 2;
      } else if (tail.starts_with("a") || tail.starts_with("b") || tail.starts_with("c")) {
        letters = 1;
      }
    }
    if (letters != 0 && item.size() > digits + letters &&
        detail::allDigits(item.substr(digits + letters))) {
      out.emplace_back(item.substr(0, digits));
      out.emplace_back(item.substr(digits));
    } else {
      out.emplace_back(item);
    }
    if (dot == std::string_view::npos) break;
    version.remove_prefix(dot + 1);
  }
  return out;
}

bool isDigitString(const std::string& text) noexcept {  // Python's str.isdigit() on ASCII
  return !text.empty() && detail::allDigits(text);
}

// _compare_equal with a spec ending in ".*": `prefix` is the spec without the ".*".
bool prefixMatch(const Parts& candidate, std::string_view prefix) {
  const std::vector<std::string> spec = versionSplit(canonicalize(prefix, false));
  const std::vector<std::string> have =
      versionSplit(canonical(candidate, /*with_local=*/false, /*strip_trailing_zero=*/true));
  // _pad_version: zero-pad the candidate's leading numeric items to the spec's count.
  const auto numeric_count = [](const std::vector<std::string>& items) {
    return static_cast<std::size_t>(std::find_if_not(items.begin(), items.end(), isDigitString) -
                                    items.begin());
  };
  const std::size_t have_numeric = numeric_count(have);
  const std::size_t spec_numeric = numeric_count(spec);
  std::vector<std::string> padded(have.begin(),
                                  have.begin() + static_cast<std::ptrdiff_t>(have_numeric));
  if (spec_numeric > have_numeric) padded.resize(spec_numeric, "0");
  padded.insert(padded.end(), have.begin() + static_cast<std::ptrdiff_t>(have_numeric), have.end());
  if (padded.size() > spec.size()) padded.resize(spec.size());
  return padded == spec;
}

// The "X.*" prefix that ~=X.Y means: the spec's items up to the first suffix item, minus the
// last one (packaging's _compare_compatible, on the spec text as written).
std::string compatiblePrefix(std::string_view spec) {
  const std::vector<std::string> items = versionSplit(spec);
  std::size_t keep = 0;
  while (keep < items.size()) {
    const std::string& item = items[keep];
    const bool suffix = item.starts_with("dev") || item.starts_with("a") || item.starts_with("b") ||
                        item.starts_with("rc") || item.starts_with("post");
    if (suffix) break;
    ++keep;
  }
  std::string prefix;
  for (std::size_t i = 0; i + 1 < keep; ++i) {
    if (i != 0) prefix += '.';
    prefix += items[i];
  }
  return prefix;
}

bool equalTo(const Parts& candidate, std::string_view spec) {
  if (spec.ends_with(".*")) return prefixMatch(candidate, spec.substr(0, spec.size() - 2));
  Parts want;
  if (parse(spec, want) != Problem::None) return false;  // not reached: validated at parse
  return compareParts(candidate, want, /*with_local=*/want.local) == 0;
}

bool clauseContains(const Pep440Specifier& clause, const Parts& candidate,
                    std::string_view candidate_text) {
  const std::string_view spec = clause.version;
  if (clause.op == Pep440Operator::Equal) return equalTo(candidate, spec);
  if (clause.op == Pep440Operator::NotEqual) return !equalTo(candidate, spec);
  if (clause.op == Pep440Operator::Arbitrary) {
    const std::string normal = normalizePep440(candidate_text);
    return normal.size() == spec.size() && compareLowered(normal, spec) == 0;
  }
  Parts want;
  if (parse(spec, want) != Problem::None) return false;  // not reached: validated at parse
  const int public_order = compareParts(candidate, want, /*with_local=*/false);
  switch (clause.op) {
    case Pep440Operator::LessEqual: return public_order <= 0;
    case Pep440Operator::GreaterEqual: return public_order >= 0;
    case Pep440Operator::Compatible:
      return public_order >= 0 && prefixMatch(candidate, compatiblePrefix(spec));
    case Pep440Operator::Less:
      if (compareParts(candidate, want) >= 0) return false;
      return want.isPrerelease() || !candidate.isPrerelease() || !sameBase(candidate, want);
    case Pep440Operator::Greater:
      if (compareParts(candidate, want) <= 0) return false;
      if (!want.post && candidate.post && sameBase(candidate, want)) return false;
      return !(candidate.local && sameBase(candidate, want));
    default: return false;
  }
}

// Specifier.prereleases: whether the clause names a pre-release (==, >=, <=, ~=, ===).
bool namesPrerelease(const Pep440Specifier& clause) noexcept {
  std::string_view text = clause.version;
  switch (clause.op) {
    case Pep440Operator::Equal:
      if (text.ends_with(".*")) text.remove_suffix(2);
      break;
    case Pep440Operator::GreaterEqual:
    case Pep440Operator::LessEqual:
    case Pep440Operator::Compatible:
    case Pep440Operator::Arbitrary: break;
    default: return false;
  }
  Parts parts;
  // packaging raises InvalidVersion for "===" with a non-version; such a clause matches
  // nothing, so the set's answer is false either way.
  return parse(text, parts) == Problem::None && parts.isPrerelease();
}

// Validates one clause's version text for its operator (the Specifier regex).
bool validClauseVersion(Pep440Operator op, std::string_view text) noexcept {
  if (op == Pep440Operator::Arbitrary) {
    return !hasSpace(text) && text.find_first_of(";)") == std::string_view::npos;
  }
  Parts parts;
  if ((op == Pep440Operator::Equal || op == Pep440Operator::NotEqual) && text.ends_with(".*")) {
    return parseExact(text.substr(0, text.size() - 2), parts) == Problem::None &&
           parts.pre == Pre::None && !parts.post && !parts.dev && !parts.local;
  }
  if (parseExact(text, parts) != Problem::None) return false;
  if (op == Pep440Operator::Equal || op == Pep440Operator::NotEqual) return true;
  if (parts.local) return false;
  return op != Pep440Operator::Compatible || parts.release_count >= 2;
}

core::Result<Pep440Specifier> parseClause(std::string_view clause) {
  struct OperatorText {
    std::string_view text;
    Pep440Operator op;
  };
  static constexpr OperatorText kOperators[] = {
      {"===", Pep440Operator::Arbitrary}, {"~=", Pep440Operator::Compatible},
      {"==", Pep440Operator::Equal},      {"!=", Pep440Operator::NotEqual},
      {"<=", Pep440Operator::LessEqual},  {">=", Pep440Operator::GreaterEqual},
      {"<", Pep440Operator::Less},        {">", Pep440Operator::Greater},
  };
  for (const OperatorText& candidate : kOperators) {
    if (!clause.starts_with(candidate.text)) continue;
    const std::string_view version = strip(clause.substr(candidate.text.size()));
    if (!validClauseVersion(candidate.op, version)) break;
    return Pep440Specifier{candidate.op, std::string(version)};
  }
  return core::fail(core::ErrorCode::Input, "invalid PEP 440 specifier '{}'",
                    clause.substr(0, 200));
}

}  // namespace

int comparePep440(std::string_view a, std::string_view b) noexcept {
  Parts x;
  Parts y;
  const bool valid_a = parse(a, x) == Problem::None;
  const bool valid_b = parse(b, y) == Problem::None;
  if (valid_a && valid_b) return compareParts(x, y);
  if (valid_a != valid_b) return valid_a ? 1 : -1;
  return compareBytes(a, b);
}

bool validPep440(std::string_view v, std::string_view* problem) noexcept {
  Parts parts;
  const Problem result = parse(v, parts);
  if (result != Problem::None && problem != nullptr) *problem = describe(result);
  return result == Problem::None;
}

std::string normalizePep440(std::string_view v) {
  Parts parts;
  if (parse(v, parts) != Problem::None) return {};
  return canonical(parts, /*with_local=*/true, /*strip_trailing_zero=*/false);
}

bool isPep440Prerelease(std::string_view v) noexcept {
  Parts parts;
  return parse(v, parts) == Problem::None && parts.isPrerelease();
}

bool Pep440Specifiers::contains(std::string_view version, Pep440Prereleases prereleases) const {
  Parts candidate;
  if (parse(version, candidate) != Problem::None) return false;
  const bool allow = prereleases == Pep440Prereleases::Include ||
                     (prereleases == Pep440Prereleases::Auto && prereleases_);
  if (!allow && candidate.isPrerelease()) return false;
  return std::all_of(clauses_.begin(), clauses_.end(), [&](const Pep440Specifier& clause) {
    return clauseContains(clause, candidate, version);
  });
}

core::Result<Pep440Specifiers> parsePep440Specifiers(std::string_view text) {
  if (text.size() > kMaxPep440SpecifierBytes) {
    return core::fail(core::ErrorCode::Limit, "PEP 440 specifier of {} bytes (limit {})",
                      text.size(), kMaxPep440SpecifierBytes);
  }
  Pep440Specifiers set;
  std::string_view rest = text;
  for (bool more = true; more;) {
    const std::size_t comma = rest.find(',');
    more = comma != std::string_view::npos;
    const std::string_view clause = strip(rest.substr(0, comma));
    if (more) rest.remove_prefix(comma + 1);
    if (clause.empty()) continue;
    auto parsed = parseClause(clause);
    if (!parsed) return tl::unexpected(std::move(parsed.error()));
    set.prereleases_ = set.prereleases_ || namesPrerelease(*parsed);
    set.clauses_.push_back(std::move(*parsed));
  }
  return set;
}

}  // namespace bulwark::version
