#include "elf_builder.h"

#include <elf.h>

namespace bulwark::testing {

namespace {

std::uint64_t align16(std::uint64_t value) { return (value + 15) & ~std::uint64_t{15}; }
std::uint64_t headerBytes(const ElfSpec& spec) {
  return spec.is64 ? sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr)
                   : sizeof(Elf32_Ehdr) + sizeof(Elf32_Phdr);
}

}  // namespace

void putInteger(std::string& out, std::size_t offset, std::uint64_t value, std::size_t size,
                bool big_endian) {
  if (out.size() < offset + size) out.resize(offset + size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    const auto byte = static_cast<char>((value >> (8 * i)) & 0xffU);
    out[offset + (big_endian ? size - 1 - i : i)] = byte;
  }
}

std::uint64_t elfSectionOffset(const ElfSpec& spec, std::size_t index) {
  std::uint64_t offset = align16(headerBytes(spec));
  for (std::size_t i = 0; i < index; ++i) offset = align16(offset + spec.sections[i].data.size());
  return offset;
}

std::string buildElf(const ElfSpec& spec) {
  const bool be = spec.big_endian;
  std::string out(headerBytes(spec), '\0');
  // Section data, then the name table, then the section headers.
  std::string names(1, '\0');
  std::vector<std::uint64_t> offsets;
  std::vector<std::uint32_t> name_offsets;
  for (std::size_t i = 0; i < spec.sections.size(); ++i) {
    const std::uint64_t offset = elfSectionOffset(spec, i);
    out.resize(offset, '\0');
    out += spec.sections[i].data;
    offsets.push_back(offset);
    name_offsets.push_back(static_cast<std::uint32_t>(names.size()));
    names += spec.sections[i].name;
    names.push_back('\0');
  }
  const auto strtab_name = static_cast<std::uint32_t>(names.size());
  names += ".shstrtab";
  names.push_back('\0');
  out.resize(align16(out.size()), '\0');
  const std::uint64_t strtab_offset = out.size();
  out += names;
  out.resize(align16(out.size()), '\0');
  const std::uint64_t shoff = out.size();
  const std::size_t shentsize = spec.is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
  const std::size_t count = spec.sections.size() + 2;  // null + sections + .shstrtab
  const std::size_t word = spec.is64 ? 8 : 4;
  out.resize(shoff + count * shentsize, '\0');
  auto section_header = [&](std::size_t index, std::uint32_t name, std::uint32_t type,
                            std::uint64_t addr, std::uint64_t offset, std::uint64_t size) {
    const std::size_t at = shoff + index * shentsize;
    putInteger(out, at, name, 4, be);
    putInteger(out, at + 4, type, 4, be);
    // sh_flags (word), sh_addr, sh_offset, sh_size follow at word-sized strides.
    putInteger(out, at + 8 + word, addr, word, be);
    putInteger(out, at + 8 + 2 * word, offset, word, be);
    putInteger(out, at + 8 + 3 * word, size, word, be);
  };
  for (std::size_t i = 0; i < spec.sections.size(); ++i) {
    section_header(i + 1, name_offsets[i], spec.sections[i].type, kElfBase + offsets[i], offsets[i],
                   spec.sections[i].data.size());
  }
  section_header(count - 1, strtab_name, SHT_STRTAB, 0, strtab_offset, names.size());

  // ELF header.
  out[0] = '\x7f';
  out[1] = 'E';
  out[2] = 'L';
  out[3] = 'F';
  out[EI_CLASS] = static_cast<char>(spec.is64 ? ELFCLASS64 : ELFCLASS32);
  out[EI_DATA] = static_cast<char>(be ? ELFDATA2MSB : ELFDATA2LSB);
  out[EI_VERSION] = EV_CURRENT;
  putInteger(out, 16, ET_EXEC, 2, be);
  putInteger(out, 18, spec.is64 ? EM_X86_64 : EM_386, 2, be);
  putInteger(out, 20, EV_CURRENT, 4, be);
  const std::size_t ehsize = spec.is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
  const std::size_t phentsize = spec.is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
  // e_entry, e_phoff, e_shoff are words from offset 24.
  putInteger(out, 24 + word, spec.load_segment ? ehsize : 0, word, be);
  putInteger(out, 24 + 2 * word, shoff, word, be);
  const std::size_t tail = 24 + 3 * word + 4;  // after e_flags
  putInteger(out, tail, ehsize, 2, be);
  putInteger(out, tail + 2, phentsize, 2, be);
  putInteger(out, tail + 4, spec.load_segment ? 1 : 0, 2, be);
  putInteger(out, tail + 6, shentsize, 2, be);
  putInteger(out, tail + 8, count, 2, be);
  putInteger(out, tail + 10, count - 1, 2, be);

  if (spec.load_segment) {
    const std::size_t at = ehsize;
    putInteger(out, at, PT_LOAD, 4, be);
    if (spec.is64) {
      putInteger(out, at + 4, PF_R | PF_W, 4, be);
      putInteger(out, at + 8, 0, 8, be);            // p_offset
      putInteger(out, at + 16, kElfBase, 8, be);    // p_vaddr
      putInteger(out, at + 24, kElfBase, 8, be);    // p_paddr
      putInteger(out, at + 32, out.size(), 8, be);  // p_filesz
      putInteger(out, at + 40, out.size(), 8, be);  // p_memsz
    } else {
      putInteger(out, at + 4, 0, 4, be);             // p_offset
      putInteger(out, at + 8, kElfBase, 4, be);      // p_vaddr
      putInteger(out, at + 12, kElfBase, 4, be);     // p_paddr
      putInteger(out, at + 16, out.size(), 4, be);   // p_filesz
      putInteger(out, at + 20, out.size(), 4, be);   // p_memsz
      putInteger(out, at + 24, PF_R | PF_W, 4, be);  // p_flags
    }
  }
  return out;
}

}  // namespace bulwark::testing
