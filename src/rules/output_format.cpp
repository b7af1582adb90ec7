#include "rules/output_format.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace bulwark::rules {

namespace {

constexpr std::array<std::string_view, 8> kTransformers = {
    "tolower", "toupper", "b64", "basename", "len", "join", "concat", "getopt"};
constexpr std::size_t kMaxWidth = 4096;

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isWordChar(char c) { return isAlpha(c) || isDigit(c) || c == '_'; }

class OutputParser {
 public:
  OutputParser(std::string_view text, const FieldKnown& known) : text_(text), known_(known) {}

  OutputTemplate run() {
    OutputTemplate out;
    std::string literal;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != '%') {
        literal += c;
        ++pos_;
        continue;
      }
      const std::size_t start = pos_;
      OutputSegment segment;
      if (!reference(segment)) {
        pos_ = start + 1;
        literal += '%';
        continue;
      }
      segment.field.offset = start;
      if (!literal.empty()) out.segments.push_back({false, std::move(literal), {}, 0});
      literal.clear();
      if (segment.field.name == "container.info" && segment.field.transformers.empty()) {
        out.warnings.push_back("%container.info is deprecated and prints nothing");
        continue;
      }
      out.segments.push_back(std::move(segment));
    }
    if (!literal.empty()) out.segments.push_back({false, std::move(literal), {}, 0});
    return out;
  }

 private:
  // After '%': [width] (transformer '(' reference ')' | field ['[' arg ']']). False (pos_
  // anywhere) when it is no reference.
  bool reference(OutputSegment& out) {
    ++pos_;  // '%'
    std::size_t width = 0;
    while (pos_ < text_.size() && isDigit(text_[pos_]) && width <= kMaxWidth) {
      width = width * 10 + static_cast<std::size_t>(text_[pos_] - '0');
      ++pos_;
    }
    out.width = std::min(width, kMaxWidth);
    out.is_field = true;
    return fieldExpr(out.field, 0);
  }

  bool fieldExpr(FieldExpr& out, std::size_t depth) {
    std::size_t end = pos_;
    while (end < text_.size() && isWordChar(text_[end])) ++end;
    const std::string_view word = text_.substr(pos_, end - pos_);
    if (std::find(kTransformers.begin(), kTransformers.end(), word) != kTransformers.end() &&
        end < text_.size() && text_[end] == '(' && depth < kMaxConditionDepth) {
      pos_ = end + 1;
      if (!fieldExpr(out, depth + 1) || pos_ >= text_.size() || text_[pos_] != ')') return false;
      ++pos_;
      out.transformers.insert(out.transformers.begin(), std::string(word));
      return true;
    }
    return field(out);
  }

  // The longest dotted name at pos_ that is a field, then an optional [arg].
  bool field(FieldExpr& out) {
    if (pos_ >= text_.size() || !isAlpha(text_[pos_])) return false;
    std::vector<std::size_t> ends;  // after each dotted word from the second on
    std::size_t end = pos_;
    for (;;) {
      while (end < text_.size() && isWordChar(text_[end])) ++end;
      if (end > pos_ && std::find(text_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                  text_.begin() + static_cast<std::ptrdiff_t>(end),
                                  '.') != text_.begin() + static_cast<std::ptrdiff_t>(end)) {
        ends.push_back(end);
      }
      if (end + 1 < text_.size() && text_[end] == '.' && isAlpha(text_[end + 1])) {
        ++end;
        continue;
      }
      break;
    }
    for (auto it = ends.rbegin(); it != ends.rend(); ++it) {
      const std::string_view name = text_.substr(pos_, *it - pos_);
      if (known_ && !known_(name)) continue;
      out.name = std::string(name);
      pos_ = *it;
      argument(out);
      return true;
    }
    return false;
  }

  void argument(FieldExpr& out) {
    if (pos_ >= text_.size() || text_[pos_] != '[') return;
    const std::size_t close = text_.find(']', pos_ + 1);
    if (close == std::string_view::npos || close == pos_ + 1) return;
    out.has_arg = true;
    out.arg = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
    pos_ = close + 1;
  }

  std::string_view text_;
  const FieldKnown& known_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<const FieldExpr*> OutputTemplate::fields() const {
  std::vector<const FieldExpr*> out;
  for (const auto& segment : segments) {
    if (!segment.is_field) continue;
    const bool seen = std::any_of(out.begin(), out.end(), [&](const FieldExpr* f) {
      return f->name == segment.field.name && f->arg == segment.field.arg &&
             f->has_arg == segment.field.has_arg && f->transformers == segment.field.transformers;
    });
    if (!seen) out.push_back(&segment.field);
  }
  return out;
}

OutputTemplate parseOutput(std::string_view text, const FieldKnown& known) {
  const bool cut = text.size() > kMaxConditionBytes;
  OutputTemplate out = OutputParser(text.substr(0, kMaxConditionBytes), known).run();
  if (cut) {
    out.warnings.push_back(fmt::format("output longer than {} bytes is cut", kMaxConditionBytes));
  }
  return out;
}

std::string renderOutput(const OutputTemplate& output, const AppendValue& append) {
  std::string out;
  out.reserve(256);  // most alerts fit: no regrowing on the way
  renderOutput(output, append, out);
  return out;
}

void renderOutput(const OutputTemplate& output, const AppendValue& append, std::string& out) {
  for (const auto& segment : output.segments) {
    if (!segment.is_field) {
      out += segment.text;
      continue;
    }
    const std::size_t start = out.size();
    if (!append(segment.field, out)) {
      out.resize(start);
      out += "<NA>";
    }
    if (segment.width > 0) out.resize(start + segment.width, ' ');
  }
}

}  // namespace bulwark::rules
