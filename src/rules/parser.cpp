#include "rules/parser.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace bulwark::rules {

namespace {

constexpr std::array<std::string_view, 4> kNumOps = {"<=", "<", ">=", ">"};
constexpr std::array<std::string_view, 3> kSymbolStrOps = {"==", "=", "!="};
constexpr std::array<std::string_view, 9> kWordStrOps = {"contains",   "icontains",   "bcontains",
                                                         "startswith", "bstartswith", "endswith",
                                                         "glob",       "iglob",       "regex"};
constexpr std::array<std::string_view, 3> kListOps = {"in", "intersects", "pmatch"};
constexpr std::array<std::string_view, 3> kModifiers = {"oneof", "anyof", "allof"};
constexpr std::array<std::string_view, 8> kTransformers = {
    "tolower", "toupper", "b64", "basename", "len", "join", "concat", "getopt"};

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\b'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isWordChar(char c) { return isAlpha(c) || isDigit(c) || c == '_'; }
bool isBareChar(char c) {
  return !isBlank(c) && c != '(' && c != ')' && c != ',' && c != '=' && c != '"' && c != '\'';
}

template <std::size_t N>
bool oneOf(const std::array<std::string_view, N>& set, std::string_view word) {
  return std::find(set.begin(), set.end(), word) != set.end();
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  tl::expected<std::unique_ptr<Node>, ParseError> run() {
    if (text_.size() > kMaxConditionBytes) {
      return tl::unexpected(
          ParseError{fmt::format("condition longer than {} bytes", kMaxConditionBytes), 0});
    }
    skipBlanks();
    if (atEnd()) return tl::unexpected(ParseError{"empty condition", 0});
    auto node = parseOr();
    if (!node) return tl::unexpected(error_);
    skipBlanks();
    if (!atEnd()) return fail(fmt::format("unexpected token after condition: {}", excerpt()));
    return node;
  }

 private:
  using NodePtr = std::unique_ptr<Node>;

  // Every parse function returns null after recording the error.
  tl::unexpected<ParseError> fail(std::string message) {
    if (!failed_) {
      failed_ = true;
      error_ = ParseError{std::move(message), pos_};
    }
    return tl::unexpected(error_);
  }
  NodePtr error(std::string message) {
    fail(std::move(message));
    return nullptr;
  }

  bool atEnd() const { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void skipBlanks() {
    while (!atEnd() && isBlank(text_[pos_])) ++pos_;
  }
  std::string excerpt() const {
    std::string out(text_.substr(pos_, 24));
    std::replace_if(
        out.begin(), out.end(), [](char c) { return isBlank(c); }, ' ');
    return fmt::format("'{}'", out);
  }

  // A keyword at pos_: the word, then a blank or '('.
  bool keyword(std::string_view word) const {
    if (text_.substr(pos_, word.size()) != word) return false;
    const std::size_t after = pos_ + word.size();
    if (after >= text_.size()) return false;
    return isBlank(text_[after]) || text_[after] == '(';
  }

  // The word (letters, digits, '_') starting at pos_, not consumed.
  std::string_view word() const {
    std::size_t end = pos_;
    if (end < text_.size() && isAlpha(text_[end])) {
      while (end < text_.size() && isWordChar(text_[end])) ++end;
    }
    return text_.substr(pos_, end - pos_);
  }

  bool enter() {
    if (++depth_ > kMaxConditionDepth) {
      fail(fmt::format("condition nested deeper than {}", kMaxConditionDepth));
      return false;
    }
    return true;
  }
  void leave() { --depth_; }

  // One level of `or`/`and`: operands separated by the keyword, each after a blank or '('.
  NodePtr parseBinary(NodeKind kind, std::string_view keyword_text, NodePtr (Parser::*operand)()) {
    const std::size_t start = pos_;
    NodePtr first = (this->*operand)();
    if (!first) return nullptr;
    std::vector<NodePtr> operands;
    operands.push_back(std::move(first));
    for (;;) {
      const std::size_t before = pos_;
      skipBlanks();
      if (!keyword(keyword_text)) {
        pos_ = before;
        break;
      }
      pos_ += keyword_text.size();
      skipBlanks();
      NodePtr next = (this->*operand)();
      if (!next) return nullptr;
      operands.push_back(std::move(next));
    }
    if (operands.size() == 1) return std::move(operands.front());
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->offset = start;
    node->children = std::move(operands);
    return node;
  }

  NodePtr parseOr() {
    if (!enter()) return nullptr;
    NodePtr node = parseBinary(NodeKind::Or, "or", &Parser::parseAnd);
    leave();
    return node;
  }
  NodePtr parseAnd() { return parseBinary(NodeKind::And, "and", &Parser::parseNot); }

  NodePtr parseNot() {
    if (!keyword("not")) return parseCheck();
    if (!enter()) return nullptr;
    const std::size_t start = pos_;
    pos_ += 3;
    skipBlanks();
    NodePtr operand = parseNot();
    leave();
    if (!operand) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = NodeKind::Not;
    node->offset = start;
    node->children.push_back(std::move(operand));
    return node;
  }

  NodePtr parseGroup() {
    ++pos_;  // '('
    skipBlanks();
    NodePtr inner = parseOr();
    if (!inner) return nullptr;
    skipBlanks();
    if (peek() != ')') return error(fmt::format("expected ')' but found {}", excerptOrEnd()));
    ++pos_;
    return inner;
  }

  std::string excerptOrEnd() const { return atEnd() ? "the end" : excerpt(); }

  NodePtr parseCheck() {
    if (atEnd()) return error("expected a check, a macro or '(' but found the end");
    if (peek() == '(') return parseGroup();  // parseOr counts the level
    const std::size_t start = pos_;
    const std::string_view name = word();
    if (name.empty())
      return error(fmt::format("expected a field or a macro but found {}", excerpt()));
    // A transformer applied to a field: `tolower(proc.name) = x`.
    if (oneOf(kTransformers, name) && peek(name.size()) == '(') {
      FieldExpr field;
      if (!parseFieldExpr(field)) return nullptr;
      return parseCondition(start, std::move(field));
    }
    // A field has a dot right after its first word; a macro does not.
    if (peek(name.size()) != '.') {
      pos_ += name.size();
      auto node = std::make_unique<Node>();
      node->kind = NodeKind::Macro;
      node->offset = start;
      node->identifier = std::string(name);
      return node;
    }
    FieldExpr field;
    if (!parseField(field)) return nullptr;
    return parseCondition(start, std::move(field));
  }

  // transformer '(' FieldExpr ')' | Field
  bool parseFieldExpr(FieldExpr& out) {
    const std::size_t start = pos_;
    const std::string_view name = word();
    if (oneOf(kTransformers, name) && peek(name.size()) == '(') {
      if (!enter()) return false;
      pos_ += name.size() + 1;
      skipBlanks();
      FieldExpr inner;
      const bool ok = parseFieldExpr(inner);
      leave();
      if (!ok) return false;
      skipBlanks();
      if (peek() != ')') {
        fail(fmt::format("expected ')' after the argument of {}() but found {}", name,
                         excerptOrEnd()));
        return false;
      }
      ++pos_;
      out = std::move(inner);
      out.transformers.insert(out.transformers.begin(), std::string(name));
      out.offset = start;
      return true;
    }
    return parseField(out);
  }

  bool parseField(FieldExpr& out) {
    const std::size_t start = pos_;
    std::size_t end = pos_;
    bool dotted = false;
    for (;;) {
      if (end >= text_.size() || !isAlpha(text_[end])) break;
      while (end < text_.size() && isWordChar(text_[end])) ++end;
      if (end < text_.size() && text_[end] == '.' && end + 1 < text_.size() &&
          isAlpha(text_[end + 1])) {
        dotted = true;
        ++end;
        continue;
      }
      break;
    }
    if (!dotted) {
      fail(fmt::format("expected a field name (class.field) but found {}", excerptOrEnd()));
      return false;
    }
    out.name = std::string(text_.substr(start, end - start));
    out.offset = start;
    pos_ = end;
    if (peek() != '[') return true;
    ++pos_;
    out.has_arg = true;
    if (peek() == '"' || peek() == '\'') {
      if (!parseQuoted(out.arg)) return false;
    } else {
      const std::size_t arg_start = pos_;
      while (!atEnd() && !isBlank(peek()) && peek() != '[' && peek() != ']' && peek() != '"' &&
             peek() != '\'') {
        ++pos_;
      }
      if (pos_ == arg_start) {
        fail("expected a field argument inside []");
        return false;
      }
      out.arg = std::string(text_.substr(arg_start, pos_ - arg_start));
    }
    if (peek() != ']') {
      fail(fmt::format("expected ']' after the argument of {} but found {}", out.name,
                       excerptOrEnd()));
      return false;
    }
    ++pos_;
    return true;
  }

  // Quoted string at pos_ (the quote char), unescaped into `out`.
  bool parseQuoted(std::string& out) {
    const char quote = peek();
    const std::size_t start = pos_;
    ++pos_;
    out.clear();
    while (!atEnd()) {
      const char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        return true;
      }
      if (c == '\\' && pos_ + 1 < text_.size()) {
        const char next = text_[pos_ + 1];
        if (next == 'x' && pos_ + 3 < text_.size() &&
            std::isxdigit(static_cast<unsigned char>(text_[pos_ + 2])) &&
            std::isxdigit(static_cast<unsigned char>(text_[pos_ + 3]))) {
          out.push_back(
              static_cast<char>(std::stoi(std::string(text_.substr(pos_ + 2, 2)), nullptr, 16)));
          pos_ += 4;
          continue;
        }
        if (next == quote || next == '\\') {
          out.push_back(next);
          pos_ += 2;
          continue;
        }
      }
      out.push_back(c);
      ++pos_;
    }
    pos_ = start;
    fail("unterminated quoted string");
    return false;
  }

  // StrValue: quoted or bare.
  bool parseStrValue(std::string& out, bool& quoted) {
    if (peek() == '"' || peek() == '\'') {
      quoted = true;
      return parseQuoted(out);
    }
    quoted = false;
    const std::size_t start = pos_;
    while (!atEnd() && isBareChar(peek())) ++pos_;
    if (pos_ == start) {
      fail(fmt::format("expected a value but found {}", excerptOrEnd()));
      return false;
    }
    out = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  bool parseNumber(std::string& out) {
    const std::size_t start = pos_;
    std::size_t i = pos_;
    if (i + 1 < text_.size() && text_[i] == '0' && (text_[i + 1] == 'x' || text_[i + 1] == 'X')) {
      i += 2;
      const std::size_t digits = i;
      while (i < text_.size() && (isDigit(text_[i]) || isAlpha(text_[i]))) ++i;
      if (i == digits) i = start;
    } else {
      if (i < text_.size() && (text_[i] == '+' || text_[i] == '-')) ++i;
      const std::size_t digits = i;
      while (i < text_.size() && isDigit(text_[i])) ++i;
      if (i == digits) {
        i = start;
      } else {
        if (i < text_.size() && text_[i] == '.') {
          ++i;
          while (i < text_.size() && isDigit(text_[i])) ++i;
        }
        if (i + 1 < text_.size() && (text_[i] == 'e' || text_[i] == 'E') &&
            (text_[i + 1] == '+' || text_[i + 1] == '-')) {
          std::size_t j = i + 2;
          const std::size_t exp = j;
          while (j < text_.size() && isDigit(text_[j])) ++j;
          if (j > exp) i = j;
        }
      }
    }
    // A number ends at a blank, ')' or the end.
    if (i == start || (i < text_.size() && !isBlank(text_[i]) && text_[i] != ')')) {
      fail(fmt::format("expected a number but found {}", excerptOrEnd()));
      return false;
    }
    out = std::string(text_.substr(start, i - start));
    pos_ = i;
    return true;
  }

  // '(' values ')' or a list name.
  bool parseListValue(Node& node) {
    if (peek() != '(') {
      const std::string_view name = word();
      if (name.empty() || peek(name.size()) == '.') {
        fail(fmt::format("expected a list '(…)' or a list name but found {}", excerptOrEnd()));
        return false;
      }
      pos_ += name.size();
      node.value_kind = ValueKind::ListRef;
      node.identifier = std::string(name);
      return true;
    }
    ++pos_;
    node.value_kind = ValueKind::List;
    skipBlanks();
    if (peek() == ')') {
      ++pos_;
      return true;
    }
    for (;;) {
      skipBlanks();
      std::string value;
      bool quoted = false;
      if (!parseStrValue(value, quoted)) return false;
      node.values.push_back(std::move(value));
      node.quoted.push_back(quoted);
      skipBlanks();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ')') {
        ++pos_;
        return true;
      }
      fail(fmt::format("expected ',' or ')' in a list but found {}", excerptOrEnd()));
      return false;
    }
  }

  // val(field) or transformer(field) on the right; pos_ at its first letter.
  bool tryRhsField(Node& node) {
    const std::string_view name = word();
    if (peek(name.size()) != '(') return false;
    if (name == "val") {
      pos_ += 4;
      skipBlanks();
      if (!parseFieldExpr(node.value_field)) return true;
      skipBlanks();
      if (peek() != ')') {
        fail(fmt::format("expected ')' after val( but found {}", excerptOrEnd()));
        return true;
      }
      ++pos_;
      node.value_kind = ValueKind::Field;
      node.value_is_val = true;
      return true;
    }
    if (oneOf(kTransformers, name)) {
      if (parseFieldExpr(node.value_field)) node.value_kind = ValueKind::Field;
      return true;
    }
    return false;
  }

  NodePtr parseCondition(std::size_t start, FieldExpr field) {
    auto node = std::make_unique<Node>();
    node->kind = NodeKind::Check;
    node->offset = start;
    node->field = std::move(field);
    skipBlanks();
    if (atEnd()) return error(fmt::format("expected an operator after {}", node->field.name));
    // Symbol operators first, longest match.
    for (const auto op : kNumOps) {
      if (text_.substr(pos_, op.size()) == op) {
        pos_ += op.size();
        node->op = std::string(op);
        skipBlanks();
        if (isAlpha(peek()) && tryRhsField(*node)) return failed_ ? nullptr : std::move(node);
        std::string number;
        if (!parseNumber(number)) return nullptr;
        node->value_kind = ValueKind::String;
        node->values.push_back(std::move(number));
        node->quoted.push_back(false);
        return node;
      }
    }
    std::string_view op;
    for (const auto candidate : kSymbolStrOps) {
      if (text_.substr(pos_, candidate.size()) == candidate) {
        op = candidate;
        break;
      }
    }
    bool list_op = false;
    if (op.empty()) {
      const std::string_view name = word();
      const bool followed =
          pos_ + name.size() < text_.size() &&
          (isBlank(text_[pos_ + name.size()]) || text_[pos_ + name.size()] == '(');
      if (name == "exists" &&
          (pos_ + name.size() == text_.size() || followed || text_[pos_ + name.size()] == ')')) {
        pos_ += name.size();
        node->op = "exists";
        return node;
      }
      if (oneOf(kWordStrOps, name) && followed) {
        op = name;
      } else if (oneOf(kListOps, name) && followed) {
        op = name;
        list_op = true;
      } else {
        return error(
            fmt::format("expected an operator after {} but found {}", node->field.name, excerpt()));
      }
    }
    pos_ += op.size();
    node->op = std::string(op);
    skipBlanks();
    if (list_op) {
      if (isAlpha(peek()) && tryRhsField(*node)) return failed_ ? nullptr : std::move(node);
      if (!parseListValue(*node)) return nullptr;
      return node;
    }
    const std::string_view next = word();
    if (oneOf(kModifiers, next) && pos_ + next.size() < text_.size() &&
        (isBlank(text_[pos_ + next.size()]) || text_[pos_ + next.size()] == '(')) {
      pos_ += next.size();
      node->modifier = std::string(next);
      skipBlanks();
      if (!parseListValue(*node)) return nullptr;
      return node;
    }
    if (isAlpha(peek()) && tryRhsField(*node)) return failed_ ? nullptr : std::move(node);
    std::string value;
    bool quoted = false;
    if (!parseStrValue(value, quoted)) return nullptr;
    node->value_kind = ValueKind::String;
    node->values.push_back(std::move(value));
    node->quoted.push_back(quoted);
    return node;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  bool failed_ = false;
  ParseError error_;
};

// A literal as it must be written to read back the same: bare when every character may be
// bare (and it is not empty), else double-quoted with \" \\ and \xHH for control bytes.
std::string literal(const std::string& value, bool quoted) {
  const bool bare_ok =
      !quoted && !value.empty() && std::all_of(value.begin(), value.end(), isBareChar);
  if (bare_ok) return value;
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string fieldText(const FieldExpr& field) {
  std::string out = field.name;
  if (field.has_arg) out += "[" + literal(field.arg, false) + "]";
  for (auto it = field.transformers.rbegin(); it != field.transformers.rend(); ++it) {
    out = *it + "(" + out + ")";
  }
  return out;
}

}  // namespace

tl::expected<std::unique_ptr<Node>, ParseError> parseCondition(std::string_view text) {
  return Parser(text).run();
}

std::string toString(const Node& node) {
  switch (node.kind) {
    case NodeKind::And:
    case NodeKind::Or: {
      std::string out = "(";
      for (std::size_t i = 0; i < node.children.size(); ++i) {
        if (i > 0) out += node.kind == NodeKind::And ? " and " : " or ";
        out += toString(*node.children[i]);
      }
      return out + ")";
    }
    case NodeKind::Not: return "not " + toString(*node.children.front());
    case NodeKind::Macro: return node.identifier;
    case NodeKind::Check: break;
  }
  std::string out = fieldText(node.field) + " " + node.op;
  if (!node.modifier.empty()) out += " " + node.modifier;
  switch (node.value_kind) {
    case ValueKind::None: break;
    case ValueKind::String: out += " " + literal(node.values.front(), node.quoted.front()); break;
    case ValueKind::ListRef: out += " " + node.identifier; break;
    case ValueKind::Field:
      out += node.value_is_val ? " val(" + fieldText(node.value_field) + ")"
                               : " " + fieldText(node.value_field);
      break;
    case ValueKind::List: {
      out += " (";
      for (std::size_t i = 0; i < node.values.size(); ++i) {
        if (i > 0) out += ", ";
        out += literal(node.values[i], node.quoted[i]);
      }
      out += ")";
      break;
    }
  }
  return out;
}

}  // namespace bulwark::rules
