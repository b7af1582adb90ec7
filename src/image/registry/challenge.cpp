#include "image/registry/challenge.h"

#include <cctype>

#include "core/text.h"

namespace bulwark::image::registry {
namespace {

bool isTokenChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (std::isalnum(u) != 0) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
  }
}

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  void skipSpace() {
    while (!done() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  void skipSpaceAndCommas() {
    while (!done() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == ',')) ++pos_;
  }
  std::string_view token() {
    const std::size_t start = pos_;
    while (!done() && isTokenChar(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // token68 := 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
  std::string_view token68() {
    const std::size_t start = pos_;
    while (!done() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 ||
                       std::string_view("-._~+/").find(text_[pos_]) != std::string_view::npos)) {
      ++pos_;
    }
    while (!done() && text_[pos_] == '=') ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // Reads a quoted-string starting at '"'; an unterminated one runs to the end.
  std::string quoted() {
    std::string out;
    ++pos_;  // opening quote
    while (!done()) {
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c == '\\' && !done()) {
        out.push_back(text_[pos_++]);
      } else {
        out.push_back(c);
      }
    }
    return out;
  }
  std::size_t pos() const { return pos_; }
  void seek(std::size_t pos) { pos_ = pos; }
  // Skips to just past the next ',' (or the end): recovery from an unreadable item.
  void skipItem() {
    while (!done() && text_[pos_] != ',') {
      if (text_[pos_] == '"') {
        quoted();
      } else {
        ++pos_;
      }
    }
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<Challenge> parseChallenges(std::string_view header) {
  std::vector<Challenge> out;
  if (header.size() > kMaxChallengeHeaderBytes) header = header.substr(0, kMaxChallengeHeaderBytes);
  Cursor in(header);
  // Every step of both loops consumes at least one character or ends, so they are bounded.
  while (!in.done() && out.size() < kMaxChallenges) {
    in.skipSpaceAndCommas();
    if (in.done()) break;
    const std::string_view scheme = in.token();
    if (scheme.empty()) {
      in.skipItem();
      continue;
    }
    Challenge challenge;
    challenge.scheme = core::asciiLower(scheme);
    bool first = true;
    while (!in.done()) {
      const std::size_t before = in.pos();
      in.skipSpaceAndCommas();
      const bool after_comma =
          header.substr(before, in.pos() - before).find(',') != std::string_view::npos;
      if (in.done()) break;
      const bool may_be_token68 = first && !after_comma;
      const std::size_t name_start = in.pos();
      const std::string_view name = in.token();
      in.skipSpace();
      if (name.empty()) {
        if (may_be_token68) challenge.token68 = std::string(in.token68());
        in.skipItem();
        first = false;
        continue;
      }
      if (in.peek() != '=') {
        if (may_be_token68) {  // "Negotiate abc/def==" or "Basic abc"
          in.seek(name_start);
          challenge.token68 = std::string(in.token68());
          in.skipItem();
          first = false;
          continue;
        }
        in.seek(name_start);  // the scheme of the next challenge
        break;
      }
      in.seek(in.pos() + 1);
      in.skipSpace();
      std::string value;
      if (in.peek() == '"') {
        value = in.quoted();
      } else {
        value = std::string(in.token());
        if (value.empty() && may_be_token68) {  // "Basic YWxhZGRpbg=="
          in.seek(name_start);
          challenge.token68 = std::string(in.token68());
          in.skipItem();
          first = false;
          continue;
        }
      }
      if (challenge.params.size() < kMaxChallengeParams) {
        challenge.params.emplace(core::asciiLower(name), std::move(value));
      }
      first = false;
      in.skipSpace();
      if (!in.done() && in.peek() != ',') in.skipItem();
    }
    out.push_back(std::move(challenge));
  }
  return out;
}

}  // namespace bulwark::image::registry
