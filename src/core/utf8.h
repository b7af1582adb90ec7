// UTF-8 well-formedness, byte by byte (for escaping or repairing text, not for decoding).
#pragma once

#include <cstddef>
#include <string_view>

namespace bulwark::core {

// Length of the well-formed UTF-8 sequence at the start of `text` (Unicode 15, table 3-7: no
// overlong forms, no surrogates, nothing above U+10FFFF): 1 for ASCII, 2–4 otherwise, 0 when
// the bytes there are not one (or `text` is empty).
constexpr std::size_t utf8SequenceLength(std::string_view text) {
  if (text.empty()) return 0;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  }
  return length;
}

// Well-formed UTF-8 with no control character but tab and newline: what a person typed as a
// reason or comment (NUL, escapes and other control bytes refused).
constexpr bool plainText(std::string_view text) {
  while (!text.empty()) {
    const std::size_t length = utf8SequenceLength(text);
    if (length == 0) return false;
    const auto byte = static_cast<unsigned char>(text.front());
    if (length == 1 && (byte < 0x20 || byte == 0x7f) && byte != '\t' && byte != '\n') {
      return false;
    }
    text.remove_prefix(length);
  }
  return true;
}

}  // namespace bulwark::core
