// Files embedded in the binary at build time (cmake/Embed.cmake): the shipped declarative
// content under data/ (YARA rules, checks, secret rules), so that `bulwark` works from any
// directory with nothing installed beside it.
#pragma once

#include <string_view>

namespace bulwark::core {

struct EmbeddedFile {
  std::string_view path;  // relative to data/: "yara/miners.yar"
  std::string_view content;
};

}  // namespace bulwark::core
