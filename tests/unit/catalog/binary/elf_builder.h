// Builds small synthetic ELF files for tests: an ELF header, one PT_LOAD (read+write) segment
// mapping the whole file at kElfBase, the given sections and a section-name table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bulwark::testing {

inline constexpr std::uint64_t kElfBase = 0x400000;

struct ElfSectionSpec {
  std::string name;
  std::string data;
  std::uint32_t type = 1;  // SHT_PROGBITS
};

struct ElfSpec {
  bool is64 = true;
  bool big_endian = false;
  bool load_segment = true;
  std::vector<ElfSectionSpec> sections;
};

// The file offset at which section `index` of `spec` will be placed (its address is
// kElfBase + offset).
std::uint64_t elfSectionOffset(const ElfSpec& spec, std::size_t index);
std::string buildElf(const ElfSpec& spec);
// Writes `value` as `size` bytes at `offset` in the chosen byte order.
void putInteger(std::string& out, std::size_t offset, std::uint64_t value, std::size_t size,
                bool big_endian);

}  // namespace bulwark::testing
