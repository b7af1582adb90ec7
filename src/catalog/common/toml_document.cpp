#include "catalog/common/toml_document.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "core/text.h"

namespace bulwark::catalog {

namespace {

// toml++ builds and destroys nested tables recursively: a dotted key with thousands of parts
// ("[a.a.a...]", "x = {a.a.a... = 1}") would exhaust the stack. Keys nest only across '.' on one
// line (inline tables are single-line; arrays nest at most TOML_MAX_NESTED_VALUES deep), so
// lines with more unquoted dots than any lockfile or manifest has are refused before parsing.
constexpr std::size_t kMaxKeyDepth = 64;

// The most '.' outside strings and comments on any one line.
std::size_t deepestKey(std::string_view content) {
  enum class State { Normal, Basic, Literal, MultiBasic, MultiLiteral, Comment };
  State state = State::Normal;
  std::size_t deepest = 0;
  std::size_t dots = 0;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const char c = content[i];
    const std::string_view rest = content.substr(i);
    if (c == '\n') {
      dots = 0;
      if (state != State::MultiBasic && state != State::MultiLiteral) state = State::Normal;
      continue;
    }
    switch (state) {
      case State::Normal:
        if (c == '#') {
          state = State::Comment;
        } else if (rest.starts_with("\"\"\"")) {
          state = State::MultiBasic;
          i += 2;
        } else if (rest.starts_with("'''")) {
          state = State::MultiLiteral;
          i += 2;
        } else if (c == '"') {
          state = State::Basic;
        } else if (c == '\'') {
          state = State::Literal;
        } else if (c == '.') {
          deepest = std::max(deepest, ++dots);
        }
        break;
      case State::Basic:
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          state = State::Normal;
        }
        break;
      case State::Literal:
        if (c == '\'') state = State::Normal;
        break;
      case State::MultiBasic:
        if (c == '\\') {
          ++i;
        } else if (rest.starts_with("\"\"\"")) {
          state = State::Normal;
          i += 2;
        }
        break;
      case State::MultiLiteral:
        if (rest.starts_with("'''")) {
          state = State::Normal;
          i += 2;
        }
        break;
      case State::Comment: break;
    }
  }
  return deepest;
}

}  // namespace

std::optional<toml::table> readToml(std::string_view content, std::string_view path,
                                    std::string_view kind_prefix, std::size_t max_bytes,
                                    core::Diagnostics& diagnostics) {
  const std::string where(path);
  if (content.size() > max_bytes) {
    diagnostics.add(
        fmt::format("{}.too-large", kind_prefix), where,
        fmt::format("{} bytes, over the {} byte limit; not parsed", content.size(), max_bytes));
    return std::nullopt;
  }
  if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);
  if (const auto depth = deepestKey(content); depth > kMaxKeyDepth) {
    diagnostics.add(
        fmt::format("{}.malformed", kind_prefix), where,
        fmt::format("a line with {} dotted key parts (at most {} read)", depth, kMaxKeyDepth));
    return std::nullopt;
  }
  try {
    return toml::parse(content, where);
  } catch (const toml::parse_error& error) {
    diagnostics.add(fmt::format("{}.malformed", kind_prefix),
                    fmt::format("{}:{}", where, error.source().begin.line),
                    fmt::format("invalid TOML: {}", core::printable(error.description())));
  } catch (const std::exception& error) {
    diagnostics.add(fmt::format("{}.malformed", kind_prefix), where,
                    fmt::format("could not be read: {}", core::printable(error.what())));
  }
  return std::nullopt;
}

}  // namespace bulwark::catalog
