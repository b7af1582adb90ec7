#include "catalog/binary/elf_file.h"

#include <elf.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>

namespace bulwark::catalog::elf {

namespace {

template <typename T>
std::optional<T> load(std::string_view bytes, std::uint64_t offset) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return std::nullopt;
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

template <typename T>
T byteSwap(T value) {
  static_assert(std::is_unsigned_v<T> || std::is_signed_v<T>);
  if constexpr (sizeof(T) == 1) {
    return value;
  } else if constexpr (sizeof(T) == 2) {
    return static_cast<T>(__builtin_bswap16(static_cast<std::uint16_t>(value)));
  } else if constexpr (sizeof(T) == 4) {
    return static_cast<T>(__builtin_bswap32(static_cast<std::uint32_t>(value)));
  } else {
    return static_cast<T>(__builtin_bswap64(static_cast<std::uint64_t>(value)));
  }
}

// Reads one fixed-size ELF structure at `offset` and hands out its fields in host byte order.
struct Reader {
  std::string_view bytes;
  bool swap = false;
  template <typename T>
  [[nodiscard]] T fix(T value) const {
    return swap ? byteSwap(value) : value;
  }
};

// Whether [offset, offset + count * entsize) lies inside the buffer.
bool tableFits(std::string_view bytes, std::uint64_t offset, std::uint64_t count,
               std::uint64_t entsize) {
  if (count == 0) return true;
  if (count > kMaxHeaders || entsize > 0xffff) return false;
  const std::uint64_t total = count * entsize;  // both bounded: no overflow
  return offset <= bytes.size() && bytes.size() - offset >= total;
}

template <typename Ehdr, typename Shdr, typename Phdr>
bool parseTables(std::string_view bytes, const Reader& in, std::vector<Section>& sections,
                 std::vector<Segment>& segments) {
  const auto header = load<Ehdr>(bytes, 0);
  if (!header) return false;
  const std::uint64_t shoff = in.fix(header->e_shoff);
  const std::uint64_t phoff = in.fix(header->e_phoff);
  const std::uint64_t shentsize = in.fix(header->e_shentsize);
  const std::uint64_t phentsize = in.fix(header->e_phentsize);
  std::uint64_t shnum = in.fix(header->e_shnum);
  std::uint64_t phnum = in.fix(header->e_phnum);
  std::uint64_t shstrndx = in.fix(header->e_shstrndx);

  // Extended numbering: the real counts live in section header 0.
  if (shoff != 0 && shentsize >= sizeof(Shdr)) {
    if (const auto first = load<Shdr>(bytes, shoff)) {
      if (shnum == 0) shnum = in.fix(first->sh_size);
      if (shstrndx == SHN_XINDEX) shstrndx = in.fix(first->sh_link);
      if (phnum == PN_XNUM) phnum = in.fix(first->sh_info);
    }
  }
  if (shoff == 0) shnum = 0;
  if (phoff == 0) phnum = 0;

  if (phnum > 0 && phentsize >= sizeof(Phdr) && tableFits(bytes, phoff, phnum, phentsize)) {
    segments.reserve(phnum);
    for (std::uint64_t i = 0; i < phnum; ++i) {
      const auto raw = load<Phdr>(bytes, phoff + i * phentsize);
      if (!raw) break;
      Segment segment;
      segment.type = in.fix(raw->p_type);
      segment.flags = in.fix(raw->p_flags);
      segment.vaddr = in.fix(raw->p_vaddr);
      segment.offset = in.fix(raw->p_offset);
      segment.filesz = in.fix(raw->p_filesz);
      segment.memsz = in.fix(raw->p_memsz);
      segments.push_back(segment);
    }
  }

  if (shnum > 0 && shentsize >= sizeof(Shdr) && tableFits(bytes, shoff, shnum, shentsize)) {
    std::vector<std::uint32_t> name_offsets;
    sections.reserve(shnum);
    name_offsets.reserve(shnum);
    for (std::uint64_t i = 0; i < shnum; ++i) {
      const auto raw = load<Shdr>(bytes, shoff + i * shentsize);
      if (!raw) break;
      Section section;
      section.type = in.fix(raw->sh_type);
      section.addr = in.fix(raw->sh_addr);
      section.offset = in.fix(raw->sh_offset);
      section.size = in.fix(raw->sh_size);
      sections.push_back(section);
      name_offsets.push_back(in.fix(raw->sh_name));
    }
    // Names come from the section-name string table; a bad table leaves every name empty.
    if (shstrndx < sections.size() && sections[shstrndx].type != SHT_NOBITS) {
      const Section& table = sections[shstrndx];
      if (table.offset <= bytes.size() && bytes.size() - table.offset >= table.size) {
        const std::string_view strings = bytes.substr(table.offset, table.size);
        for (std::size_t i = 0; i < sections.size(); ++i) {
          if (name_offsets[i] >= strings.size()) continue;
          std::string_view name = strings.substr(name_offsets[i]);
          name = name.substr(0, name.find('\0'));
          sections[i].name = name;
        }
      }
    }
  }
  return true;
}

}  // namespace

std::optional<File> File::parse(std::string_view bytes) {
  if (bytes.size() < EI_NIDENT || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0) {
    return std::nullopt;
  }
  File file;
  file.bytes_ = bytes;
  const auto elf_class = static_cast<unsigned char>(bytes[EI_CLASS]);
  const auto elf_data = static_cast<unsigned char>(bytes[EI_DATA]);
  if (elf_class != ELFCLASS32 && elf_class != ELFCLASS64) return std::nullopt;
  if (elf_data != ELFDATA2LSB && elf_data != ELFDATA2MSB) return std::nullopt;
  file.is64_ = elf_class == ELFCLASS64;
  file.big_endian_ = elf_data == ELFDATA2MSB;
  const bool host_big = std::endian::native == std::endian::big;
  const Reader reader{bytes, file.big_endian_ != host_big};
  const bool ok = file.is64_ ? parseTables<Elf64_Ehdr, Elf64_Shdr, Elf64_Phdr>(
                                   bytes, reader, file.sections_, file.segments_)
                             : parseTables<Elf32_Ehdr, Elf32_Shdr, Elf32_Phdr>(
                                   bytes, reader, file.sections_, file.segments_);
  if (!ok) return std::nullopt;
  return file;
}

const Section* File::section(std::string_view name) const {
  const auto found = std::find_if(sections_.begin(), sections_.end(),
                                  [&](const Section& s) { return s.name == name; });
  return found == sections_.end() ? nullptr : &*found;
}

std::string_view File::contents(const Section& section) const {
  if (section.type == SHT_NOBITS || section.offset > bytes_.size() ||
      bytes_.size() - section.offset < section.size) {
    return {};
  }
  return bytes_.substr(section.offset, section.size);
}

std::string_view File::contents(const Segment& segment) const {
  if (segment.offset > bytes_.size()) return {};
  return bytes_.substr(segment.offset, std::min(segment.filesz, bytes_.size() - segment.offset));
}

std::string_view File::atAddress(std::uint64_t addr, std::uint64_t max) const {
  auto slice = [&](std::uint64_t base, std::uint64_t offset, std::uint64_t size) {
    const std::uint64_t skip = addr - base;
    if (offset > bytes_.size() || skip >= size) return std::string_view{};
    const std::uint64_t available = std::min(size, bytes_.size() - offset);
    if (skip >= available) return std::string_view{};
    return bytes_.substr(offset + skip, std::min(available - skip, max));
  };
  bool any_load = false;
  for (const Segment& segment : segments_) {
    if (segment.type != PT_LOAD) continue;
    any_load = true;
    if (addr >= segment.vaddr && addr - segment.vaddr < segment.filesz) {
      return slice(segment.vaddr, segment.offset, segment.filesz);
    }
  }
  if (any_load) return {};
  for (const Section& section : sections_) {
    if (section.type == SHT_NOBITS || section.addr == 0) continue;
    if (addr >= section.addr && addr - section.addr < section.size) {
      return slice(section.addr, section.offset, section.size);
    }
  }
  return {};
}

}  // namespace bulwark::catalog::elf
