// RubyGems version ordering (rubygems lib/rubygems/version.rb, RubyGems 3.3 in Debian 12's ruby)
// and requirements (lib/rubygems/requirement.rb).
//
// Gem::Version.new(s) strips blanks, reads a blank string as "0" and replaces every '-' by
// ".pre.". Its segments are the runs of ASCII digits (numbers) and ASCII letters (strings) of
// the result, anything else separates them: "1.0.0-rc1" -> 1 0 0 pre rc 1. The first string
// segment starts the pre-release part. <=> compares the *canonical* segments: the numeric part
// before the first string and the part from the first string on, each with its trailing zero
// numbers dropped, concatenated ("1.0.0.a.0" -> 1 a; "1.0" -> 1). Position by position, a
// missing segment counts as the number 0; numbers compare as integers (any size), strings
// byte-wise, and a string is older than a number. So "1.0" == "1.0.0", "1.0.a" < "1.0",
// "1.a" == "1.0.a", "1.0-1" < "1", "1.a10" > "1.a9", "1.A" < "1.a".
//
// We compute the canonical segments on the fly: a run of zero numbers in the numeric part is
// held back until the next segment shows whether a non-zero number follows (keep them) or a
// string or the end (drop them). Nothing is allocated.
//
// Strings Gem::Version refuses (ArgumentError: "1a", "1..0", "1.0-", "v1", "1 0", "", bytes that
// are not ASCII letters/digits/blanks/./-) have no RubyGems answer. We apply the same segment
// rules to whatever they contain, with '-' still read as "pre" and every other byte that is not
// an ASCII letter or digit a separator: "1..0" == "1.0", "v1" < "0" (its first segment is a
// string), a string with no segment at all ("", "!!") == "0". This is deterministic,
// antisymmetric and transitive (one total preorder over all byte strings), and agrees with
// RubyGems on every string RubyGems accepts. validGem tells callers which strings those are.
//
// Requirements: Gem::Requirement.parse reads `\s*(op)?\s*(version)\s*` with the operators
// = != > < >= <= ~> (none means =). "~> r" means `v >= r && v.release < r.bump`, where
// v.release drops everything from v's first string segment on and r.bump drops r's string
// segments and its last numeric segment (unless it is the only one) and adds one to the new
// last one: "~> 1.2.3" is >= 1.2.3 and < 1.3; "~> 1.2" is >= 1.2 and < 2; "~> 1" is >= 1
// and < 2.
#include "version/gem.h"

#include <cstddef>
#include <string>
#include <vector>

#include "version/detail.h"

namespace bulwark::version {
namespace {

using detail::isAlpha;
using detail::isDigit;

// Ruby's \s: space, \t, \n, \v, \f, \r.
constexpr bool isRubySpace(unsigned char c) noexcept {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

enum class Kind : std::uint8_t { Number, String, End };

struct Segment {
  Kind kind = Kind::End;
  std::string_view text;  // digits (leading zeros kept) or letters; "" for End
};

bool isZero(const Segment& s) noexcept {
  return s.kind == Kind::Number &&
         detail::spanOf(s.text, [](unsigned char c) { return c == '0'; }) == s.text.size();
}

// The raw segments of a version: digit runs, letter runs, and "pre" for each '-'.
class RawSegments {
 public:
  explicit RawSegments(std::string_view text) noexcept : rest_(text) {}

  Segment next() noexcept {
    for (;;) {
      if (rest_.empty()) return {};
      const auto c = static_cast<unsigned char>(rest_.front());
      if (isDigit(c)) return take(Kind::Number, detail::spanOf(rest_, isDigit));
      if (isAlpha(c)) return take(Kind::String, detail::spanOf(rest_, isAlpha));
      rest_.remove_prefix(1);
      if (c == '-') return {Kind::String, "pre"};
    }
  }

 private:
  Segment take(Kind kind, std::size_t len) noexcept {
    const Segment s{kind, rest_.substr(0, len)};
    rest_.remove_prefix(len);
    return s;
  }

  std::string_view rest_;
};

// The canonical segments (see the file comment); after the last one, End forever.
class CanonicalSegments {
 public:
  explicit CanonicalSegments(std::string_view text) noexcept : raw_(text) {}

  Segment next() noexcept {
    if (held_zeros_ > 0) {
      --held_zeros_;
      return {Kind::Number, "0"};
    }
    if (has_held_) {
      has_held_ = false;
      return held_;
    }
    Segment s = raw_.next();
    if (!in_strings_ && isZero(s)) {
      std::size_t zeros = 1;
      Segment after = raw_.next();
      while (isZero(after)) {
        ++zeros;
        after = raw_.next();
      }
      if (after.kind == Kind::Number) {  // a non-zero number follows: the zeros stay
        held_zeros_ = zeros - 1;
        held_ = after;
        has_held_ = true;
        return s;
      }
      s = after;  // a string or the end follows: the zeros go
    }
    if (s.kind == Kind::String) in_strings_ = true;
    return s;
  }

 private:
  RawSegments raw_;
  bool in_strings_ = false;
  std::size_t held_zeros_ = 0;
  bool has_held_ = false;
  Segment held_;
};

// The end of `text` after Ruby's VERSION_PATTERN matched at its start, or npos:
//   [0-9]+ (\.[0-9a-zA-Z]+)* (-[0-9A-Za-z-]+ (\.[0-9A-Za-z-]+)*)?
std::size_t matchVersionPattern(std::string_view text) noexcept {
  const auto alnum_or_dash = [](unsigned char c) { return detail::isAlnum(c) || c == '-'; };
  std::size_t i = detail::spanOf(text, isDigit);
  if (i == 0) return std::string_view::npos;
  while (i + 1 < text.size() && text[i] == '.' &&
         detail::isAlnum(static_cast<unsigned char>(text[i + 1]))) {
    i += 1 + detail::spanOf(text.substr(i + 1), detail::isAlnum);
  }
  if (i + 1 < text.size() && text[i] == '-' &&
      alnum_or_dash(static_cast<unsigned char>(text[i + 1]))) {
    i += 1 + detail::spanOf(text.substr(i + 1), alnum_or_dash);
    while (i + 1 < text.size() && text[i] == '.' &&
           alnum_or_dash(static_cast<unsigned char>(text[i + 1]))) {
      i += 1 + detail::spanOf(text.substr(i + 1), alnum_or_dash);
    }
  }
  return i;
}

std::string_view trimRubySpace(std::string_view text) noexcept {
  text.remove_prefix(detail::spanOf(text, isRubySpace));
  while (!text.empty() && isRubySpace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// Gem::Version#release: the part before the first string segment (a letter or '-').
std::string_view releasePart(std::string_view version) noexcept {
  for (std::size_t i = 0; i < version.size(); ++i) {
    const auto c = static_cast<unsigned char>(version[i]);
    if (isAlpha(c) || c == '-') return version.substr(0, i);
  }
  return version;
}

// Gem::Version#bump of a valid version: numeric segments before the first string, the last one
// dropped unless it is the only one, the new last one plus one; joined with '.'.
std::string bumpOf(std::string_view version) {
  std::vector<std::string_view> numbers;
  RawSegments raw(version);
  for (Segment s = raw.next(); s.kind == Kind::Number; s = raw.next()) numbers.push_back(s.text);
  if (numbers.empty()) return "1";  // unreachable for valid versions ("0".bump is "1")
  if (numbers.size() > 1) numbers.pop_back();
  std::string out;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    if (i != 0) out += '.';
    out += numbers[i];
  }
  // Decimal increment of the last digit run.
  std::size_t k = out.size();
  while (k > 0 && out[k - 1] == '9') out[--k] = '0';
  if (k > 0 && out[k - 1] != '.') {
    ++out[k - 1];
  } else {
    out.insert(k, 1, '1');
  }
  return out;
}

struct OpName {
  std::string_view text;
  GemOp op;
};

// Longest first, so that ">=" is not read as ">" (the regexp backtracks to the same result).
constexpr OpName kOps[] = {
    {">=", GemOp::Ge}, {"<=", GemOp::Le}, {"~>", GemOp::Pessimistic}, {"!=", GemOp::Ne},
    {">", GemOp::Gt},  {"<", GemOp::Lt},  {"=", GemOp::Eq},
};

core::Result<GemConstraint> parseClause(std::string_view clause) {
  std::string_view rest = clause;
  rest.remove_prefix(detail::spanOf(rest, isRubySpace));
  GemConstraint out;
  for (const OpName& op : kOps) {
    if (rest.substr(0, op.text.size()) == op.text) {
      out.op = op.op;
      rest.remove_prefix(op.text.size());
      break;
    }
  }
  rest.remove_prefix(detail::spanOf(rest, isRubySpace));
  const std::size_t end = matchVersionPattern(rest);
  if (end == std::string_view::npos ||
      detail::spanOf(rest.substr(end), isRubySpace) != rest.size() - end) {
    return core::fail(core::ErrorCode::Input, "ill-formed RubyGems requirement clause '{}'",
                      clause);
  }
  out.version = std::string(rest.substr(0, end));
  if (out.op == GemOp::Pessimistic) out.bump = bumpOf(out.version);
  return out;
}

}  // namespace

int compareGem(std::string_view a, std::string_view b) noexcept {
  if (a == b) return 0;
  CanonicalSegments ca(a);
  CanonicalSegments cb(b);
  for (;;) {
    const Segment x = ca.next();
    const Segment y = cb.next();
    if (x.kind == Kind::End && y.kind == Kind::End) return 0;
    const bool x_string = x.kind == Kind::String;
    const bool y_string = y.kind == Kind::String;
    int r = 0;
    if (x_string && y_string) {
      r = detail::compareBytes(x.text, y.text);
    } else if (x_string) {
      r = -1;
    } else if (y_string) {
      r = 1;
    } else {
      r = detail::compareNumeric(x.text, y.text);  // End reads as "" = 0
    }
    if (r != 0) return r;
  }
}

bool validGem(std::string_view v, std::string_view* problem) noexcept {
  const std::string_view core = trimRubySpace(v);
  if (core.empty()) return true;  // blank: Gem::Version reads it as "0"
  const char* what = nullptr;
  if (!isDigit(static_cast<unsigned char>(core.front()))) {
    what = "version does not start with a digit";
  } else if (matchVersionPattern(core) != core.size()) {
    what = "not digits{.alnum}[-alnum-{.alnum-}] (Gem::Version would raise ArgumentError)";
  }
  if (what == nullptr) return true;
  if (problem != nullptr) *problem = what;
  return false;
}

bool GemRequirement::satisfiedBy(std::string_view version) const noexcept {
  for (const GemConstraint& c : constraints) {
    const int r = compareGem(version, c.version);
    bool ok = false;
    switch (c.op) {
      case GemOp::Eq: ok = r == 0; break;
      case GemOp::Ne: ok = r != 0; break;
      case GemOp::Gt: ok = r > 0; break;
      case GemOp::Lt: ok = r < 0; break;
      case GemOp::Ge: ok = r >= 0; break;
      case GemOp::Le: ok = r <= 0; break;
      case GemOp::Pessimistic:
        ok = r >= 0 && compareGem(releasePart(trimRubySpace(version)), c.bump) < 0;
        break;
    }
    if (!ok) return false;
  }
  return true;
}

core::Result<GemRequirement> parseGemRequirement(std::string_view text) {
  GemRequirement out;
  if (trimRubySpace(text).empty()) {
    return core::fail(core::ErrorCode::Input, "empty RubyGems requirement");
  }
  std::string_view rest = text;
  for (;;) {
    const std::size_t comma = rest.find(',');
    auto clause = parseClause(rest.substr(0, comma));
    if (!clause) return tl::unexpected(std::move(clause.error()));
    out.constraints.push_back(std::move(*clause));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace bulwark::version
