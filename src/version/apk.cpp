// apk version ordering (apk-tools src/version.c, the token algorithm of apk-tools 2.12 / 3).
//
// Grammar of a valid version:  digits {.digits} [letter] {_suffix[digits]} [~hex] [-rdigits]
//   e.g. 1.2.3a_rc1_p2~1a2b3c-r4
// A version is read as a sequence of typed tokens. The token types, in this order:
//   InitialDigit  the leading digit run                      "1"
//   Digit         a '.' and the digit run after it          ".2"
//   Letter        one lower-case letter after digits        "a"
//   Suffix        '_' and one of the known words            "_rc"
//   SuffixNo      the digit run right after a suffix        "1"
//   CommitHash    '~' and a run of lower-case hex digits    "~1a2b3c"
//   RevisionNo    "-r" and a digit run                      "-r4"
//   End           the end of the string
//   Invalid       anything else, and any token out of order (a letter after a suffix, a '.'
//                 after a letter, a second hash, "-x", "_foo", "1.", an upper-case letter...)
// Each token may only follow tokens that come earlier in that list (Digit may repeat, Suffix
// and SuffixNo may alternate), which is what makes a version valid.
//
// Comparison walks both token streams in step while the two current tokens have the same type
// (and are not End/Invalid), comparing their values:
//   InitialDigit, SuffixNo, RevisionNo  as integers;
//   Digit       as integers, except that when either run starts with '0' both compare as
//               strings (memcmp, then the shorter first): `1.01 < 1.1`, `1.002 < 1.01`;
//   Letter      by character;  Suffix by rank:
//               alpha < beta < pre < rc < (no suffix) < cvs < svn < git < hg < p;
//   CommitHash  as strings.
// The first difference decides. When the types differ (or a stream ends or turns invalid):
//   same type (both End, or both Invalid)  -> equal;
//   one side is at a pre-release suffix (alpha, beta, pre, rc) -> that side is older;
//   otherwise the side whose token type comes later in the list above is older. So a version
//   that goes on with more components is newer (`1.0 < 1.0.1`, `1.0 < 1.0-r1`), a version that
//   goes on with a pre-release suffix is older (`1.0_rc1 < 1.0`), and a version that turns
//   invalid where the other goes on or ends is older (`1.0 < 1.0bc`).
// Invalid versions therefore get apk's deterministic answer: they compare by their valid
// prefix, and are older than any version that continues validly at the point they fail.
//
// One deliberate difference: apk-tools parses digit runs into a fixed-width integer that wraps
// around (2^32 or 2^64 depending on the release); we compare digit runs exactly, of any length,
// which agrees with apk on every number below 2^32.
#include <cstdint>

#include "version/detail.h"
#include "version/scheme.h"

namespace bulwark::version {
namespace {

using detail::isDigit;
using detail::isLower;

enum class Token : std::uint8_t {
  InitialDigit,
  Digit,
  Letter,
  Suffix,
  SuffixNo,
  CommitHash,
  RevisionNo,
  End,
  Invalid,
};

// Suffix ranks; None (no suffix) is the pivot between pre- and post-release suffixes.
enum class Suffix : std::uint8_t { Invalid, Alpha, Beta, Pre, Rc, None, Cvs, Svn, Git, Hg, P };

Suffix suffixRank(std::string_view word) noexcept {
  struct Entry {
    std::string_view word;
    Suffix rank;
  };
  static constexpr Entry kSuffixes[] = {
      {"alpha", Suffix::Alpha}, {"beta", Suffix::Beta}, {"pre", Suffix::Pre},
      {"rc", Suffix::Rc},       {"cvs", Suffix::Cvs},   {"svn", Suffix::Svn},
      {"git", Suffix::Git},     {"hg", Suffix::Hg},     {"p", Suffix::P},
  };
  for (const Entry& entry : kSuffixes) {
    if (entry.word == word) return entry.rank;
  }
  return Suffix::Invalid;
}

constexpr bool isHexDigit(unsigned char c) noexcept { return isDigit(c) || (c >= 'a' && c <= 'f'); }

// The tokenizer: `rest` is what is left of the string, `token`/`value`/`suffix` the current
// token. Each step consumes at least one byte or ends in End/Invalid, so a loop over it is
// bounded by the length of the string.
struct Tokenizer {
  std::string_view rest;
  Token token = Token::InitialDigit;
  std::string_view value;
  Suffix suffix = Suffix::None;

  explicit Tokenizer(std::string_view text) noexcept : rest(text) { takeDigits(); }

  void takeDigits() noexcept {
    const std::size_t len = detail::spanOf(rest, isDigit);
    value = rest.substr(0, len);
    rest.remove_prefix(len);
    if (len == 0) token = Token::Invalid;
  }

  void next() noexcept {
    if (rest.empty()) {
      token = Token::End;
      return;
    }
    const char c = rest.front();
    if (isLower(c)) {
      if (token > Token::Digit) return invalid();
      value = rest.substr(0, 1);
      rest.remove_prefix(1);
      token = Token::Letter;
    } else if (c == '.' || isDigit(c)) {
      if (c == '.') {
        if (token > Token::Digit) return invalid();
        rest.remove_prefix(1);
      }
      if (token == Token::InitialDigit || token == Token::Digit) {
        token = Token::Digit;
      } else if (token == Token::Suffix) {
        token = Token::SuffixNo;
      } else {
        return invalid();
      }
      takeDigits();
    } else if (c == '_') {
      if (token > Token::SuffixNo) return invalid();
      rest.remove_prefix(1);
      const std::size_t len = detail::spanOf(rest, isLower);
      value = rest.substr(0, len);
      rest.remove_prefix(len);
      suffix = suffixRank(value);
      if (suffix == Suffix::Invalid) return invalid();
      token = Token::Suffix;
    } else if (c == '~') {
      if (token >= Token::CommitHash) return invalid();
      rest.remove_prefix(1);
      const std::size_t len = detail::spanOf(rest, isHexDigit);
      if (len == 0) return invalid();
      value = rest.substr(0, len);
      rest.remove_prefix(len);
      token = Token::CommitHash;
    } else if (c == '-') {
      if (token >= Token::RevisionNo) return invalid();
      if (rest.size() < 2 || rest[1] != 'r') return invalid();
      rest.remove_prefix(2);
      token = Token::RevisionNo;
      takeDigits();
    } else {
      invalid();
    }
  }

  void invalid() noexcept { token = Token::Invalid; }
};

// Compares the values of two tokens of the same type (apk's token_cmp).
int compareTokens(const Tokenizer& a, const Tokenizer& b) noexcept {
  switch (a.token) {
    case Token::Digit:
      if (a.value.front() == '0' || b.value.front() == '0') {
        return detail::compareBytes(a.value, b.value);
      }
      [[fallthrough]];
    case Token::InitialDigit:
    case Token::SuffixNo:
    case Token::RevisionNo: return detail::compareNumeric(a.value, b.value);
    case Token::Letter: return detail::compareBytes(a.value, b.value);
    case Token::Suffix: return (a.suffix > b.suffix) - (a.suffix < b.suffix);
    default: return detail::compareBytes(a.value, b.value);
  }
}

bool isPreRelease(const Tokenizer& t) noexcept {
  return t.token == Token::Suffix && t.suffix < Suffix::None;
}

}  // namespace

int compareApk(std::string_view a, std::string_view b) noexcept {
  if (a == b) return 0;
  Tokenizer ta(a);
  Tokenizer tb(b);
  while (ta.token == tb.token && ta.token < Token::End) {
    if (const int r = compareTokens(ta, tb); r != 0) return r;
    ta.next();
    tb.next();
  }
  if (ta.token == tb.token) return 0;
  if (isPreRelease(ta)) return -1;
  if (isPreRelease(tb)) return 1;
  return ta.token > tb.token ? -1 : 1;
}

bool validApk(std::string_view v, std::string_view* problem) noexcept {
  Tokenizer t(v);
  while (t.token < Token::End) t.next();
  if (t.token == Token::End) return true;
  if (problem != nullptr) {
    *problem = v.empty() || !isDigit(v.front())
                   ? std::string_view("version does not start with a digit")
                   : std::string_view("not digits{.digits}[letter]{_suffix[N]}[~hash][-rN]");
  }
  return false;
}

}  // namespace bulwark::version
