#include "core/text.h"

#include <charconv>
#include <ctime>

#include <fmt/format.h>

#include "core/utf8.h"

namespace bulwark::core {

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto pos = text.find(separator, start);
    parts.push_back(text.substr(start, pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

namespace {

// Matches one path segment against one pattern segment ('*' and '?' only).
bool segmentMatch(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool globSegments(const std::vector<std::string_view>& pattern, std::size_t pi,
                  const std::vector<std::string_view>& path, std::size_t ti) {
  while (pi < pattern.size()) {
    if (pattern[pi] == "**") {
      // Collapse consecutive "**" and try every split point (bounded by path depth).
      while (pi + 1 < pattern.size() && pattern[pi + 1] == "**") ++pi;
      for (std::size_t k = ti; k <= path.size(); ++k) {
        if (globSegments(pattern, pi + 1, path, k)) return true;
      }
      return false;
    }
    if (ti >= path.size() || !segmentMatch(pattern[pi], path[ti])) return false;
    ++pi;
    ++ti;
  }
  return ti == path.size();
}

}  // namespace

bool globMatch(std::string_view pattern, std::string_view path) {
  if (pattern.find('*') == std::string_view::npos && pattern.find('?') == std::string_view::npos) {
    return pattern == path;
  }
  return globSegments(split(pattern, '/'), 0, split(path, '/'), 0);
}

std::optional<std::uint64_t> parseUnsigned(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

std::string asciiLower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) {
        out += fmt::format("\\x{:02x}", c);
      } else {
        out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    const std::size_t length = utf8SequenceLength(text.substr(i));
    if (length == 0) {
      out += fmt::format("\\x{:02x}", c);  // not UTF-8: escaped byte by byte
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

std::optional<std::int64_t> parseDurationSeconds(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  std::int64_t unit = 1;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = std::int64_t{7} * 86400; break;
    default: unit = 0; break;
  }
  if (unit != 0) {
    text.remove_suffix(1);
  } else {
    unit = 1;
  }
  const auto number = parseUnsigned(text);
  // A century is more than any database age anyone means; beyond it the product could overflow.
  if (!number || *number > static_cast<std::uint64_t>(100LL * 365 * 86400 / unit)) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(*number) * unit;
}

std::optional<std::int64_t> parseUtcTimestamp(std::string_view text) {
  std::tm tm{};
  const std::string copy(trim(text));
  const char* end = ::strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr || (*end != 'Z' && *end != '\0')) return std::nullopt;
  return static_cast<std::int64_t>(::timegm(&tm));
}

std::vector<std::string> shellWords(std::string_view text, char escape) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    if (quote == 0 && space) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == escape && i + 1 < text.size() && quote != '\'') {
      word += text[++i];
    } else if (quote == 0 && (c == '"' || c == '\'')) {
      quote = c;
    } else if (quote != 0 && c == quote) {
      quote = 0;
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

bool jsonNestingWithin(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace bulwark::core
