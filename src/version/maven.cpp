// Maven version ordering: ComparableVersion of maven-artifact 3.8.7, reimplemented without
// building its item tree (no allocation, linear time).
//
// What ComparableVersion does (read from the 3.8.7 class files; cf. the reference notes §4.6):
// the string is lower-cased and cut into items. '.' ends an item, '-' ends an item and opens a
// nested list, and so does every digit<->non-digit transition; an empty item ("1..2", "-1")
// is the integer 0. A letter run directly followed by a digit opens a new list first when the
// current list already holds items ("1.0.x1" reads like "1.0-x-1"), and so does a trailing
// letter run ("1.0.x" like "1.0-x"). Because a new list always becomes the last element of the
// list it opens in and parsing never returns to the outer list, the tree is a chain of lists:
//   list = item* [list]
// Items:
//   numbers  leading zeros stripped (but an all-zero run keeps its length), then by length:
//            <= 9 digits an int item, <= 18 a long item, else a BigInteger item. Numbers of
//            the same kind compare by value; of different kinds int < long < BigInteger
//            whatever the values ("0000000000" is a long 0, greater than any int item).
//   strings  qualifiers: a single 'a', 'b' or 'm' directly followed by a digit means alpha,
//            beta, milestone; aliases ga/final/release = "" and cr = rc. Order:
//            alpha < beta < milestone < rc < snapshot < "" < sp < any other string, and other
//            strings compare among themselves lexically (after lower-casing).
//   Cross-kind: number > list > string.
// Normalization (innermost list first): walking back from the end of each list, null items
// (number 0, the "" qualifier, an empty list) are removed until a non-null item that is not a
// list. So a list loses its trailing nulls and an empty child list, but a non-empty child list
// also lets the nulls before it go: "1.0-1" == "1-1" and "1.0-0" == "1".
// Comparison of two lists goes item by item, a missing item being "null": a number vs null is
// 0 for zero else +1; a string vs null compares its qualifier with ""; a list vs null is its
// first item vs null that is not 0.
//
// Here each version is read by a Cursor that yields the normalized chain as a flat stream:
// scalar items, Child (the current list ends in a non-empty child list, entered at once), and
// End. Deciding whether a null item survives normalization needs to know what follows it; the
// cursor looks ahead (on a copy of its tokenizer) to the next non-null item and remembers what
// it found, so every token is read at most twice.
//
// Case: ComparableVersion lower-cases with Java's Locale.ENGLISH rules on UTF-16 text; we fold
// ASCII letters only and compare all other bytes as they are. The two agree on every ASCII
// string (and on any bytes whose Latin-1 reading has no upper-case letters); they differ only
// for non-ASCII upper-case letters and non-ASCII decimal digits, which Maven versions do not use.
#include "version/maven.h"

#include <cstddef>
#include <cstdint>

#include "version/detail.h"

namespace bulwark::version {
namespace {

using detail::isDigit;

enum class Kind : std::uint8_t { Number, String, Boundary, End };

// One raw token of ComparableVersion's parser. A Boundary opens a nested list.
struct Token {
  Kind kind = Kind::End;
  bool followed_by_digit = false;  // String only: a letter run ended by a digit ("a1")
  std::string_view text;           // Number: the digits; String: the original bytes
  std::uint64_t ordinal = 0;       // position in the token stream, from 1
};

constexpr std::string_view kZero = "0";

// ComparableVersion.parseVersion() as a token stream. Each next() call consumes at least one
// byte or returns End, so loops over it are bounded by the length of the string.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) noexcept : text_(text) {}

  Token next() noexcept {
    while (head_ == count_) {
      head_ = count_ = 0;
      if (pos_ < text_.size()) {
        step();
      } else if (!finished_) {
        finish();
      } else {
        Token end;
        end.ordinal = ordinal_;
        return end;
      }
    }
    Token token = queue_[head_++];
    token.ordinal = ++ordinal_;
    return token;
  }

 private:
  void push(Kind kind, std::string_view text = {}, bool followed_by_digit = false) noexcept {
    Token& token = queue_[count_++];
    token.kind = kind;
    token.text = text;
    token.followed_by_digit = followed_by_digit;
  }

  // The item text_[start_, end) at a separator or at the end (parseItem()).
  void pushItem(std::size_t end) noexcept {
    if (end == start_) {
      push(Kind::Number, kZero);
    } else {
      push(is_digit_ ? Kind::Number : Kind::String, text_.substr(start_, end - start_));
    }
    list_has_items_ = true;
  }

  void step() noexcept {
    const char c = text_[pos_];
    if (c == '.' || c == '-') {
      pushItem(pos_);
      start_ = pos_ + 1;
      if (c == '-') {
        push(Kind::Boundary);
        list_has_items_ = false;
      }
    } else if (isDigit(static_cast<unsigned char>(c))) {
      if (!is_digit_ && pos_ > start_) {
        if (list_has_items_) push(Kind::Boundary);
        push(Kind::String, text_.substr(start_, pos_ - start_), true);
        start_ = pos_;
        push(Kind::Boundary);
        list_has_items_ = false;
      }
      is_digit_ = true;
    } else {
      if (is_digit_ && pos_ > start_) {
        push(Kind::Number, text_.substr(start_, pos_ - start_));
        start_ = pos_;
        push(Kind::Boundary);
        list_has_items_ = false;
      }
      is_digit_ = false;
    }
    ++pos_;
  }

  void finish() noexcept {
    finished_ = true;
    if (text_.size() > start_) {
      if (!is_digit_ && list_has_items_) push(Kind::Boundary);
      pushItem(text_.size());
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t start_ = 0;
  bool is_digit_ = false;
  bool list_has_items_ = false;
  bool finished_ = false;
  std::uint8_t head_ = 0;
  std::uint8_t count_ = 0;
  std::uint64_t ordinal_ = 0;
  Token queue_[3];
};

// --- items ---------------------------------------------------------------------------------

// Int < Long < Big, as ComparableVersion orders its three integer item types.
enum class Width : std::uint8_t { Int, Long, Big };

Width widthOf(std::string_view digits) noexcept {
  std::size_t len =
      digits.size() - detail::spanOf(digits, [](unsigned char c) { return c == '0'; });
  if (len == 0) len = digits.size();  // stripLeadingZeroes() keeps an all-zero run as it is
  if (len <= 9) return Width::Int;
  return len <= 18 ? Width::Long : Width::Big;
}

bool isZero(std::string_view digits) noexcept {
  return detail::spanOf(digits, [](unsigned char c) { return c == '0'; }) == digits.size();
}

int compareNumbers(std::string_view a, std::string_view b) noexcept {
  const Width wa = widthOf(a);
  const Width wb = widthOf(b);
  if (wa != wb) return wa < wb ? -1 : 1;
  return detail::compareNumeric(a, b);
}

constexpr unsigned char lower(unsigned char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

bool equalsFolded(std::string_view text, std::string_view lower_word) noexcept {
  if (text.size() != lower_word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (lower(static_cast<unsigned char>(text[i])) != static_cast<unsigned char>(lower_word[i])) {
      return false;
    }
  }
  return true;
}

// The qualifier's place in alpha < beta < milestone < rc < snapshot < "" < sp < other.
constexpr int kReleaseRank = 5;
constexpr int kUnknownRank = 7;

int qualifierRank(const Token& token) noexcept {
  const std::string_view text = token.text;
  if (token.followed_by_digit && text.size() == 1) {
    switch (lower(static_cast<unsigned char>(text[0]))) {
      case 'a': return 0;
      case 'b': return 1;
      case 'm': return 2;
      default: break;
    }
  }
  struct Entry {
    std::string_view word;
    int rank;
  };
  static constexpr Entry kQualifiers[] = {
      {"alpha", 0},    {"beta", 1}, {"milestone", 2}, {"rc", 3},      {"cr", 3},
      {"snapshot", 4}, {"ga", 5},   {"final", 5},     {"release", 5}, {"sp", 6},
  };
  for (const Entry& entry : kQualifiers) {
    if (equalsFolded(text, entry.word)) return entry.rank;
  }
  return kUnknownRank;
}

// Lexical order of the lower-cased strings (Java String.compareTo on the lower-cased text).
int compareFolded(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char ca = lower(static_cast<unsigned char>(a[i]));
    const unsigned char cb = lower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return (a.size() > b.size()) - (a.size() < b.size());
}

int compareStrings(const Token& a, const Token& b) noexcept {
  const int ra = qualifierRank(a);
  const int rb = qualifierRank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  return ra == kUnknownRank ? compareFolded(a.text, b.text) : 0;
}

// A scalar item against a missing one (Item.compareTo(null)).
int compareWithNull(const Token& token) noexcept {
  if (token.kind == Kind::Number) return isZero(token.text) ? 0 : 1;
  return detail::sign(qualifierRank(token) - kReleaseRank);
}

bool isNull(const Token& token) noexcept { return compareWithNull(token) == 0; }

// Two scalar items.
int compareItems(const Token& a, const Token& b) noexcept {
  if (a.kind == Kind::Number) return b.kind == Kind::Number ? compareNumbers(a.text, b.text) : 1;
  return b.kind == Kind::Number ? -1 : compareStrings(a, b);
}

// --- the normalized stream -----------------------------------------------------------------

// Yields Number/String items that survive normalization, Boundary for "the current list ends
// in a non-empty child list" and End when nothing non-null is left.
class Cursor {
 public:
  explicit Cursor(std::string_view text) noexcept : tokens_(text) {}

  Token next() noexcept {
    while (!done_) {
      const Token token = tokens_.next();
      if (token.kind == Kind::End) break;
      const bool scalar = token.kind != Kind::Boundary;
      if (scalar && !isNull(token)) return token;
      // A null item or a boundary: what survives depends on the next non-null item.
      if (!ahead_valid_ || token.ordinal > next_non_null_) lookAhead(token);
      if (next_non_null_ == kNone) break;  // only nulls and boundaries left: all trimmed
      if (!scalar) return token;           // the child list holds a non-null item: it stays
      // A null item stays unless a list boundary comes before the next non-null item (then it
      // trails its list, and trailing nulls go even when a non-empty child list follows).
      if (last_boundary_ <= token.ordinal) return token;
    }
    done_ = true;
    return Token{};
  }

 private:
  static constexpr std::uint64_t kNone = UINT64_MAX;

  void lookAhead(const Token& from) noexcept {
    Tokenizer copy = tokens_;
    last_boundary_ = from.kind == Kind::Boundary ? from.ordinal : 0;
    next_non_null_ = kNone;
    for (;;) {
      const Token token = copy.next();
      if (token.kind == Kind::End) break;
      if (token.kind == Kind::Boundary) {
        last_boundary_ = token.ordinal;
      } else if (!isNull(token)) {
        next_non_null_ = token.ordinal;
        break;
      }
    }
    ahead_valid_ = true;
  }

  Tokenizer tokens_;
  std::uint64_t next_non_null_ = 0;
  std::uint64_t last_boundary_ = 0;
  bool ahead_valid_ = false;
  bool done_ = false;
};

// The rest of a stream against nothing (ListItem.compareTo(null) on what is left): the first
// item that is not 0 against null decides.
int restAgainstNull(Cursor& cursor, Token token) noexcept {
  for (; token.kind != Kind::End; token = cursor.next()) {
    if (token.kind == Kind::Boundary) continue;
    const int r = compareWithNull(token);
    if (r != 0) return r;
  }
  return 0;
}

}  // namespace

int compareMaven(std::string_view a, std::string_view b) noexcept {
  Cursor left(a);
  Cursor right(b);
  for (;;) {
    const Token x = left.next();
    const Token y = right.next();
    if (x.kind == Kind::End) return y.kind == Kind::End ? 0 : -restAgainstNull(right, y);
    if (y.kind == Kind::End) return restAgainstNull(left, x);
    if (x.kind == Kind::Boundary || y.kind == Kind::Boundary) {
      if (x.kind == y.kind) continue;  // both lists end in a child list: compare those
      // A list against a scalar: number > list > string.
      if (x.kind == Kind::Boundary) return y.kind == Kind::Number ? -1 : 1;
      return x.kind == Kind::Number ? 1 : -1;
    }
    const int r = compareItems(x, y);
    if (r != 0) return r;
  }
}

bool validMaven(std::string_view v, std::string_view* problem) noexcept {
  const auto fail = [problem](std::string_view why) {
    if (problem != nullptr) *problem = why;
    return false;
  };
  if (v.empty()) return fail("empty version");
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (c <= 0x20 || c == 0x7f) return fail("control character or blank in version");
    if (std::string_view("\\/:\"<>|?*").find(static_cast<char>(c)) != std::string_view::npos) {
      return fail("character not allowed in a Maven version (\\ / : \" < > | ? *)");
    }
    if (c == '$' && i + 1 < v.size() && v[i + 1] == '{') {
      return fail("unresolved ${...} expression in version");
    }
  }
  return true;
}

}  // namespace bulwark::version
