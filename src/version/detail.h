// Small helpers shared by the scheme implementations (not part of the public API).
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>

namespace bulwark::version::detail {

// ASCII-only classification: versions are bytes, and the native tools all classify in the C
// locale, so bytes >= 0x80 are never digits or letters.
constexpr bool isDigit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool isLower(unsigned char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr bool isAlpha(unsigned char c) noexcept { return isLower(c) || (c >= 'A' && c <= 'Z'); }
constexpr bool isAlnum(unsigned char c) noexcept { return isDigit(c) || isAlpha(c); }

constexpr int sign(int value) noexcept { return (value > 0) - (value < 0); }

// Byte-wise lexical order (memcmp, then the shorter string first), as -1/0/+1.
inline int compareBytes(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  if (n != 0) {
    const int r = std::memcmp(a.data(), b.data(), n);
    if (r != 0) return sign(r);
  }
  return (a.size() > b.size()) - (a.size() < b.size());
}

// Compares two runs of ASCII digits as unbounded non-negative integers: leading zeros are
// ignored, then the longer run is larger, then the runs compare lexically. No overflow.
inline int compareNumeric(std::string_view a, std::string_view b) noexcept {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() > b.size() ? 1 : -1;
  return compareBytes(a, b);
}

// The length of the run of characters satisfying `pred` at the start of `text`.
template <class Pred>
constexpr std::size_t spanOf(std::string_view text, Pred pred) noexcept {
  std::size_t i = 0;
  while (i < text.size() && pred(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

inline bool allDigits(std::string_view text) noexcept {
  return spanOf(text, isDigit) == text.size();
}

}  // namespace bulwark::version::detail
