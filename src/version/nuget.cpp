// NuGet version ordering, after NuGet.Versioning (NuGet/NuGet.Client,
// src/NuGet.Core/NuGet.Versioning: NuGetVersionFactory.cs TryParse, SemanticVersionFactory.cs
// ParseSections/IsValidPart, VersionComparer.cs Compare/CompareRelease) on .NET (Core).
//
// Parsing (NuGetVersion.TryParse):
//   * the string is trimmed of white space (String.Trim: ASCII \t \n \v \f \r and space, and
//     the Unicode spaces U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
//     U+205F, U+3000, here in UTF-8);
//   * the first '-' or '+' ends the numeric part; after a '-', the first '+' ends the release
//     labels and the rest is build metadata. A '-' or '+' that is the last character stays in
//     the part before it (and so makes the version invalid);
//   * the numeric part, with ".0" appended when it has no '.', is read by System.Version:
//     2 to 4 '.'-separated components, each an Int32 >= 0 as Int32.TryParse reads it with
//     NumberStyles.Integer: optional blanks (space, \t-\r) around the digits and trailing NUL
//     characters. Leading zeros are fine ("1.01" == "1.1");
//   * release labels and metadata: '.'-separated, each non-empty and only [0-9A-Za-z-]; an
//     all-digit release label longer than one character must not start with '0'.
//   So "v1.0" is invalid (no leading 'v'), as are "1.0.0-", "1.2.3.4.5" and "1.0-beta..1".
//
// Ordering (VersionComparer.Default): major, minor, patch, revision numerically (missing = 0);
// then a version without release labels is greater; then the labels pairwise: a label is
// numeric when Int32.TryParse accepts it (an optional '-' sign and digits within Int32 range,
// so "-1" is numeric and "99999999999" is not); two numeric labels compare as integers, a
// numeric label is less than a non-numeric one, two non-numeric labels compare ordinally
// ignoring case. When one list of labels is a prefix of the other, the longer one is greater.
// Build metadata never counts.
//
// Invalid strings (NuGet would refuse them) sort before all valid versions and among
// themselves by their bytes: a total, transitive order that keeps them out of every range
// that has a valid lower bound. validNuget() tells callers which strings those are.
#include "version/nuget.h"

#include <cstddef>
#include <cstdint>

#include "version/detail.h"

namespace bulwark::version {
namespace {

using detail::isDigit;

constexpr bool isNetBlank(unsigned char c) noexcept { return c == ' ' || (c >= 0x09 && c <= 0x0d); }

// The length of the UTF-8 white space character (char.IsWhiteSpace) that `text` starts with,
// or 0.
std::size_t leadingSpace(std::string_view text) noexcept {
  if (text.empty()) return 0;
  const auto c0 = static_cast<unsigned char>(text[0]);
  if (isNetBlank(c0)) return 1;
  if (text.size() >= 2 && c0 == 0xc2) {
    const auto c1 = static_cast<unsigned char>(text[1]);
    return c1 == 0x85 || c1 == 0xa0 ? 2 : 0;
  }
  if (text.size() < 3) return 0;
  const auto c1 = static_cast<unsigned char>(text[1]);
  const auto c2 = static_cast<unsigned char>(text[2]);
  if (c0 == 0xe1 && c1 == 0x9a && c2 == 0x80) return 3;  // U+1680
  if (c0 == 0xe2 && c1 == 0x80 && (c2 <= 0x8a || c2 == 0xa8 || c2 == 0xa9 || c2 == 0xaf)) {
    return c2 >= 0x80 ? 3 : 0;  // U+2000-U+200A, U+2028, U+2029, U+202F
  }
  if (c0 == 0xe2 && c1 == 0x81 && c2 == 0x9f) return 3;  // U+205F
  if (c0 == 0xe3 && c1 == 0x80 && c2 == 0x80) return 3;  // U+3000
  return 0;
}

// The length of the white space character that `text` ends with, or 0.
std::size_t trailingSpace(std::string_view text) noexcept {
  for (std::size_t len = 1; len <= 3 && len <= text.size(); ++len) {
    if (leadingSpace(text.substr(text.size() - len)) == len) return len;
  }
  return 0;
}

std::string_view trim(std::string_view text) noexcept {
  for (std::size_t n = leadingSpace(text); n != 0; n = leadingSpace(text)) text.remove_prefix(n);
  for (std::size_t n = trailingSpace(text); n != 0; n = trailingSpace(text)) {
    text.remove_suffix(n);
  }
  return text;
}

constexpr std::int64_t kInt32Max = 2147483647;

// Digits as an integer when at most `limit`, else -1.
std::int64_t digitValue(std::string_view digits, std::int64_t limit) noexcept {
  while (!digits.empty() && digits.front() == '0') digits.remove_prefix(1);
  if (digits.size() > 10) return -1;
  std::int64_t value = 0;
  for (const char c : digits) value = value * 10 + (c - '0');
  return value <= limit ? value : -1;
}

// One System.Version component: Int32.TryParse(NumberStyles.Integer) and >= 0.
bool parseComponent(std::string_view text, std::uint32_t* out) noexcept {
  std::size_t i = 0;
  while (i < text.size() && isNetBlank(static_cast<unsigned char>(text[i]))) ++i;
  const std::size_t start = i;
  while (i < text.size() && isDigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == start) return false;
  const std::int64_t value = digitValue(text.substr(start, i - start), kInt32Max);
  while (i < text.size() && isNetBlank(static_cast<unsigned char>(text[i]))) ++i;
  while (i < text.size() && text[i] == '\0') ++i;
  if (i != text.size() || value < 0) return false;
  *out = static_cast<std::uint32_t>(value);
  return true;
}

bool isLabelChar(unsigned char c) noexcept { return detail::isAlnum(c) || c == '-'; }

// SemanticVersion.IsValid(): '.'-separated parts, each IsValidPart().
bool validParts(std::string_view text, bool allow_leading_zeros) noexcept {
  for (;;) {
    const std::size_t dot = text.find('.');
    const std::string_view part = text.substr(0, dot);
    if (part.empty()) return false;
    if (!allow_leading_zeros && part.size() > 1 && part[0] == '0' && detail::allDigits(part)) {
      return false;
    }
    for (const char c : part) {
      if (!isLabelChar(static_cast<unsigned char>(c))) return false;
    }
    if (dot == std::string_view::npos) return true;
    text.remove_prefix(dot + 1);
  }
}

struct Parsed {
  std::uint32_t parts[4] = {0, 0, 0, 0};
  bool prerelease = false;
  std::string_view labels;  // the release labels, when prerelease
};

// NuGetVersion.TryParse(); nullptr on success, else why not.
const char* parse(std::string_view text, Parsed* out) noexcept {
  text = trim(text);
  if (text.empty()) return "empty version";
  std::string_view numbers = text;
  std::string_view metadata;
  bool has_metadata = false;
  const std::size_t split = text.find_first_of("-+");
  if (split != std::string_view::npos && split + 1 < text.size()) {
    numbers = text.substr(0, split);
    std::string_view rest = text.substr(split + 1);
    if (text[split] == '-') {
      const std::size_t plus = rest.find('+');
      out->prerelease = true;
      if (plus != std::string_view::npos && plus + 1 < rest.size()) {
        out->labels = rest.substr(0, plus);
        metadata = rest.substr(plus + 1);
        has_metadata = true;
      } else {
        out->labels = rest;  // a final '+' stays in the labels (and is refused there)
      }
    } else {
      metadata = rest;
      has_metadata = true;
    }
  }
  if (numbers.empty()) return "no version number before '-' or '+'";
  if (split != std::string_view::npos && split + 1 == text.size()) {
    return "version ends with '-' or '+'";
  }
  // System.Version: 2 to 4 components; a single number gets ".0" appended.
  std::size_t count = 0;
  for (std::string_view rest = numbers;;) {
    const std::size_t dot = rest.find('.');
    if (count == 4) return "more than 4 version numbers";
    if (!parseComponent(rest.substr(0, dot), &out->parts[count])) {
      return "version number is not an integer between 0 and 2147483647";
    }
    ++count;
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (out->prerelease && !validParts(out->labels, false)) {
    return "release label empty, not [0-9A-Za-z-], or numeric with a leading zero";
  }
  if (has_metadata && !validParts(metadata, true))
    return "build metadata empty or not [0-9A-Za-z-]";
  return nullptr;
}

// Int32.TryParse() on a release label (only [0-9A-Za-z-] reaches here).
bool labelNumber(std::string_view label, std::int64_t* value) noexcept {
  const bool negative = !label.empty() && label.front() == '-';
  if (negative) label.remove_prefix(1);
  if (label.empty() || !detail::allDigits(label)) return false;
  const std::int64_t magnitude = digitValue(label, negative ? kInt32Max + 1 : kInt32Max);
  if (magnitude < 0) return false;
  *value = negative ? -magnitude : magnitude;
  return true;
}

constexpr unsigned char fold(unsigned char c) noexcept {
  return c >= 'a' && c <= 'z' ? static_cast<unsigned char>(c - 'a' + 'A') : c;
}

// StringComparer.OrdinalIgnoreCase on ASCII.
int compareIgnoringCase(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char ca = fold(static_cast<unsigned char>(a[i]));
    const unsigned char cb = fold(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return (a.size() > b.size()) - (a.size() < b.size());
}

// VersionComparer.CompareRelease().
int compareLabel(std::string_view a, std::string_view b) noexcept {
  std::int64_t na = 0;
  std::int64_t nb = 0;
  const bool a_numeric = labelNumber(a, &na);
  const bool b_numeric = labelNumber(b, &nb);
  if (a_numeric && b_numeric) return (na > nb) - (na < nb);
  if (a_numeric != b_numeric) return a_numeric ? -1 : 1;
  return compareIgnoringCase(a, b);
}

// VersionComparer.CompareReleaseLabels().
int compareLabels(std::string_view a, std::string_view b) noexcept {
  for (;;) {
    const std::size_t da = a.find('.');
    const std::size_t db = b.find('.');
    const int r = compareLabel(a.substr(0, da), b.substr(0, db));
    if (r != 0) return r;
    const bool a_more = da != std::string_view::npos;
    const bool b_more = db != std::string_view::npos;
    if (!a_more || !b_more) return (a_more ? 1 : 0) - (b_more ? 1 : 0);
    a.remove_prefix(da + 1);
    b.remove_prefix(db + 1);
  }
}

}  // namespace

int compareNuget(std::string_view a, std::string_view b) noexcept {
  Parsed pa;
  Parsed pb;
  const bool a_valid = parse(a, &pa) == nullptr;
  const bool b_valid = parse(b, &pb) == nullptr;
  if (!a_valid || !b_valid) {
    if (a_valid != b_valid) return a_valid ? 1 : -1;
    return detail::compareBytes(a, b);
  }
  for (std::size_t i = 0; i < 4; ++i) {
    if (pa.parts[i] != pb.parts[i]) return pa.parts[i] < pb.parts[i] ? -1 : 1;
  }
  if (pa.prerelease != pb.prerelease) return pa.prerelease ? -1 : 1;
  return pa.prerelease ? compareLabels(pa.labels, pb.labels) : 0;
}

bool validNuget(std::string_view v, std::string_view* problem) noexcept {
  Parsed parsed;
  const char* why = parse(v, &parsed);
  if (why == nullptr) return true;
  if (problem != nullptr) *problem = why;
  return false;
}

}  // namespace bulwark::version
