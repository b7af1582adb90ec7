#include "catalog/python/python_text.h"

#include <cstdint>

namespace bulwark::catalog::python {

namespace {

bool isAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isNameChar(char c) { return isAsciiAlnum(c) || c == '.' || c == '_' || c == '-'; }

void appendUtf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0U | (code >> 6U)));
    out.push_back(static_cast<char>(0x80U | (code & 0x3FU)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0U | (code >> 12U)));
    out.push_back(static_cast<char>(0x80U | ((code >> 6U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | (code & 0x3FU)));
  } else {
    out.push_back(static_cast<char>(0xF0U | (code >> 18U)));
    out.push_back(static_cast<char>(0x80U | ((code >> 12U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | ((code >> 6U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | (code & 0x3FU)));
  }
}

}  // namespace

std::string_view stripUtf8Bom(std::string_view content) {
  if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);
  return content;
}

std::string decodeUnicodeText(std::string_view content) {
  const bool little = content.starts_with("\xFF\xFE");
  const bool big = content.starts_with("\xFE\xFF");
  if (!little && !big) return std::string(stripUtf8Bom(content));
  constexpr std::uint32_t kReplacement = 0xFFFD;
  std::string out;
  out.reserve(content.size() / 2);
  const auto unit_at = [&](std::size_t i) -> std::uint32_t {
    const auto lo = static_cast<std::uint8_t>(content[little ? i : i + 1]);
    const auto hi = static_cast<std::uint8_t>(content[little ? i + 1 : i]);
    return (static_cast<std::uint32_t>(hi) << 8U) | lo;
  };
  std::size_t i = 2;
  while (i + 1 < content.size()) {
    const std::uint32_t unit = unit_at(i);
    i += 2;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      if (i + 1 < content.size()) {
        const std::uint32_t low = unit_at(i);
        if (low >= 0xDC00 && low <= 0xDFFF) {
          i += 2;
          appendUtf8(out, 0x10000U + ((unit - 0xD800U) << 10U) + (low - 0xDC00U));
          continue;
        }
      }
      appendUtf8(out, kReplacement);
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      appendUtf8(out, kReplacement);
    } else {
      appendUtf8(out, unit);
    }
  }
  return out;
}

std::string_view leadingName(std::string_view requirement) {
  std::size_t start = 0;
  while (start < requirement.size() && (requirement[start] == ' ' || requirement[start] == '\t')) {
    ++start;
  }
  std::size_t end = start;
  while (end < requirement.size() && isNameChar(requirement[end])) ++end;
  return requirement.substr(start, end - start);
}

std::string normalizeName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool separator = false;
  for (const char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      separator = true;
      continue;
    }
    if (separator) out.push_back('-');
    separator = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  if (separator) out.push_back('-');
  return out;
}

bool isValidName(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!isNameChar(c)) return false;
  }
  return true;
}

bool isPinnedVersion(std::string_view version) {
  constexpr std::size_t kMaxVersionLength = 128;
  if (version.empty() || version.size() > kMaxVersionLength) return false;
  std::string_view rest = version;
  if (rest.front() == 'v' || rest.front() == 'V') rest.remove_prefix(1);
  if (rest.empty() || rest.front() < '0' || rest.front() > '9') return false;
  for (const char c : rest) {
    if (!isAsciiAlnum(c) && c != '.' && c != '!' && c != '+' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace bulwark::catalog::python
