// A bounds-checked view of an ELF file (32- or 64-bit, either byte order) held in memory: its
// section headers (with names) and program headers. Every offset and size is validated against
// the buffer; nothing here reads outside it, whatever the bytes say.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace bulwark::catalog::elf {

struct Section {
  std::string_view name;
  std::uint32_t type = 0;  // SHT_*
  std::uint64_t addr = 0;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

struct Segment {
  std::uint32_t type = 0;   // PT_*
  std::uint32_t flags = 0;  // PF_*
  std::uint64_t vaddr = 0;
  std::uint64_t offset = 0;
  std::uint64_t filesz = 0;
  std::uint64_t memsz = 0;
};

// Files with more headers than this are treated as not ELF (real files have a few dozen).
inline constexpr std::uint64_t kMaxHeaders = 1U << 16;

class File {
 public:
  // nullopt when `bytes` is not a well-formed ELF header (headers that point outside the
  // buffer are dropped, not trusted).
  static std::optional<File> parse(std::string_view bytes);

  [[nodiscard]] bool is64() const { return is64_; }
  [[nodiscard]] bool bigEndian() const { return big_endian_; }
  [[nodiscard]] const std::vector<Section>& sections() const { return sections_; }
  [[nodiscard]] const std::vector<Segment>& segments() const { return segments_; }

  // The first section called `name`, or nullptr.
  [[nodiscard]] const Section* section(std::string_view name) const;
  // The file bytes of a section (empty for SHT_NOBITS or one that lies outside the file).
  [[nodiscard]] std::string_view contents(const Section& section) const;
  // The file-backed bytes of a segment.
  [[nodiscard]] std::string_view contents(const Segment& segment) const;
  // The bytes from virtual address `addr` to the end of the PT_LOAD segment holding it (file
  // backed part only; falls back to section addresses when there are no program headers), at
  // most `max` bytes; empty when no segment maps the address.
  [[nodiscard]] std::string_view atAddress(std::uint64_t addr, std::uint64_t max) const;

 private:
  std::string_view bytes_;
  bool is64_ = false;
  bool big_endian_ = false;
  std::vector<Section> sections_;
  std::vector<Segment> segments_;
};

}  // namespace bulwark::catalog::elf
