// Issue 4 §6: binaries with forged sections. The test writes small ELF64 files with a Go build
// info (Go >= 1.18 inline format) and forges their headers: sections beyond the file, huge or
// overlapping sections, e_shnum huge, extended numbering with an absurd count, a .go.buildinfo
// outside the file or pointing outside every segment, a varint length of 2^62, and a .dep-v0
// that is a zlib bomb. Through the binary cataloger's API (extractor + summary parser) and
// `bulwark sbom` over an image of them all: no crash, the real build info is still found where
// the file has it, the bomb is a diagnostic, and memory stays bounded.
#include <elf.h>
#include <zlib.h>

#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "catalog/binary/binary_cataloger.h"
#include "unit/image/oci_layout_writer.h"
#include "unit/robustness/robustness_util.h"
#include "unit/robustness/zip_writer.h"

namespace bulwark::testing {
namespace {

constexpr std::uint64_t kBase = 0x400000;

struct Section {
  std::string name;
  std::uint32_t type = SHT_PROGBITS;
  std::string data;
  // Forged header values; the data is still placed in the file.
  std::optional<std::uint64_t> offset;
  std::optional<std::uint64_t> size;
};

struct Layout {
  std::string bytes;
  std::uint64_t shoff = 0;
  std::vector<std::uint64_t> offsets;  // of each section's data
};

// An ELF64 little-endian executable: one RW PT_LOAD over the whole file, then the sections'
// data (16-aligned), the section-name table, and the section headers (index 0 is SHT_NULL).
Layout buildElf(const std::vector<Section>& sections, bool program_header = true) {
  Layout out;
  std::string& bytes = out.bytes;
  bytes.assign(sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr), '\0');
  const auto align = [&] { bytes.resize((bytes.size() + 15) / 16 * 16, '\0'); };
  for (const auto& section : sections) {
    align();
    out.offsets.push_back(bytes.size());
    bytes += section.data;
  }
  std::string names(1, '\0');
  std::vector<std::uint32_t> name_offsets;
  for (const auto& section : sections) {
    name_offsets.push_back(static_cast<std::uint32_t>(names.size()));
    names += section.name + '\0';
  }
  const auto shstrtab_name = static_cast<std::uint32_t>(names.size());
  names += std::string(".shstrtab") + '\0';
  align();
  const std::uint64_t names_offset = bytes.size();
  bytes += names;
  if (bytes.size() < 2048) bytes.resize(2048, '\0');  // the extractor wants >= 1 KiB
  align();
  out.shoff = bytes.size();
  std::vector<Elf64_Shdr> headers(1);
  for (std::size_t i = 0; i < sections.size(); ++i) {
    Elf64_Shdr header{};
    header.sh_name = name_offsets[i];
    header.sh_type = sections[i].type;
    header.sh_offset = sections[i].offset.value_or(out.offsets[i]);
    header.sh_size = sections[i].size.value_or(sections[i].data.size());
    header.sh_addr = kBase + out.offsets[i];
    headers.push_back(header);
  }
  Elf64_Shdr strtab{};
  strtab.sh_name = shstrtab_name;
  strtab.sh_type = SHT_STRTAB;
  strtab.sh_offset = names_offset;
  strtab.sh_size = names.size();
  headers.push_back(strtab);
  bytes.append(reinterpret_cast<const char*>(headers.data()), headers.size() * sizeof(Elf64_Shdr));

  Elf64_Ehdr header{};
  std::memcpy(header.e_ident, ELFMAG, SELFMAG);
  header.e_ident[EI_CLASS] = ELFCLASS64;
  header.e_ident[EI_DATA] = ELFDATA2LSB;
  header.e_ident[EI_VERSION] = EV_CURRENT;
  header.e_type = ET_EXEC;
  header.e_machine = EM_X86_64;
  header.e_version = EV_CURRENT;
  header.e_ehsize = sizeof(Elf64_Ehdr);
  header.e_phoff = program_header ? sizeof(Elf64_Ehdr) : 0;
  header.e_phentsize = sizeof(Elf64_Phdr);
  header.e_phnum = program_header ? 1 : 0;
  header.e_shoff = out.shoff;
  header.e_shentsize = sizeof(Elf64_Shdr);
  header.e_shnum = static_cast<std::uint16_t>(headers.size());
  header.e_shstrndx = static_cast<std::uint16_t>(headers.size() - 1);
  std::memcpy(bytes.data(), &header, sizeof header);
  Elf64_Phdr load{};
  load.p_type = PT_LOAD;
  load.p_flags = PF_R | PF_W;
  load.p_offset = 0;
  load.p_vaddr = kBase;
  load.p_filesz = bytes.size();
  load.p_memsz = bytes.size();
  std::memcpy(bytes.data() + sizeof(Elf64_Ehdr), &load, sizeof load);
  return out;
}

std::string uvarint(std::uint64_t value) {
  std::string out;
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

constexpr std::string_view kModInfo =
    "path\texample.com/app\n"
    "mod\texample.com/app\tv1.4.0\th1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    "dep\tgithub.com/pkg/errors\tv0.9.1\th1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=\n";

// The inline build info: 32-byte header, then the version and the sentinel-wrapped module text.
std::string goBuildInfo(std::optional<std::uint64_t> forged_length = std::nullopt) {
  std::string out("\xff Go buildinf:", 14);
  out.push_back(8);  // pointer size
  out.push_back(2);  // flags: inline strings
  out.resize(32, '\0');
  const std::string version = "go1.22.1";
  out += uvarint(forged_length.value_or(version.size())) + version;
  const std::string sentinel(16, '\x30');
  const std::string modinfo = sentinel + std::string(kModInfo) + sentinel;
  out += uvarint(modinfo.size()) + modinfo;
  return out;
}

// The Go packages of a binary, via the extractor and the summary parser.
std::set<std::string> goPackages(const std::string& bytes, core::Diagnostics& diagnostics) {
  std::set<std::string> out;
  const std::string summary = catalog::extractBinarySummary("app", bytes);
  if (summary.empty()) return out;
  for (const auto& package : catalog::parseBinarySummary(summary, "app", diagnostics)) {
    out.insert(package.name + "@" + package.version);
  }
  return out;
}

const std::set<std::string> kGoPackages = {"stdlib@v1.22.1", "example.com/app@v1.4.0",
                                           "github.com/pkg/errors@v0.9.1"};

void patch64(std::string& bytes, std::size_t offset, std::uint64_t value) {
  std::memcpy(bytes.data() + offset, &value, sizeof value);
}
void patch16(std::string& bytes, std::size_t offset, std::uint16_t value) {
  std::memcpy(bytes.data() + offset, &value, sizeof value);
}

// zlib-wrapped deflate bomb: `total` bytes of zeros.
std::string zlibBomb(std::uint64_t total) {
  const Deflated raw = deflateBomb(total);
  std::string out("\x78\xda", 2);
  out += raw.bytes;
  const std::string chunk(1U << 20, '\0');
  const auto chunk_adler =
      adler32(1, reinterpret_cast<const Bytef*>(chunk.data()), static_cast<uInt>(chunk.size()));
  uLong adler = chunk_adler;
  for (std::uint64_t i = 1; i < total / chunk.size(); ++i) {
    adler = adler32_combine(adler, chunk_adler, static_cast<z_off_t>(chunk.size()));
  }
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(adler >> shift));
  return out;
}

struct Forged {
  std::string name;
  std::string bytes;
  bool keeps_build_info;  // the real build info is still reachable
};

std::vector<Forged> forgedBinaries() {
  std::vector<Forged> out;
  const Section info{".go.buildinfo", SHT_PROGBITS, goBuildInfo()};
  out.push_back({"good", buildElf({info}).bytes, true});
  // Sections whose offset or size lie beyond the file.
  out.push_back({"beyond",
                 buildElf({{".junk", SHT_PROGBITS, "x", 0xFFFFFFFFFFFF0000ULL, 16},
                           {".huge", SHT_PROGBITS, "y", 64, 0x7FFFFFFFFFFFFFFFULL},
                           info})
                     .bytes,
                 true});
  // .dep-v0 overlapping .go.buildinfo (same bytes): not zlib.
  {
    Layout first = buildElf({info, {".dep-v0", SHT_PROGBITS, "z"}});
    Layout overlap =
        buildElf({info, {".dep-v0", SHT_PROGBITS, "z", first.offsets[0], goBuildInfo().size()}});
    out.push_back({"overlap", overlap.bytes, true});
  }
  // e_shnum huge: the table cannot fit; the build info is found through the segment.
  {
    Layout elf = buildElf({info});
    patch16(elf.bytes, offsetof(Elf64_Ehdr, e_shnum), 0xFFFF);
    out.push_back({"shnum", elf.bytes, true});
  }
  // Extended numbering: e_shnum 0, section 0 claims 2^40 sections.
  {
    Layout elf = buildElf({info});
    patch16(elf.bytes, offsetof(Elf64_Ehdr, e_shnum), 0);
    patch64(elf.bytes, elf.shoff + offsetof(Elf64_Shdr, sh_size), 1ULL << 40);
    out.push_back({"extended", elf.bytes, true});
  }
  // e_shoff and e_phoff beyond the file.
  {
    Layout elf = buildElf({info});
    patch64(elf.bytes, offsetof(Elf64_Ehdr, e_shoff), 0xFFFFFFFFFFFFFFF0ULL);
    patch64(elf.bytes, offsetof(Elf64_Ehdr, e_phoff), 0xFFFFFFFFFFFFFFF0ULL);
    out.push_back({"offsets", elf.bytes, false});
  }
  // .go.buildinfo outside the file, no program header to fall back on.
  out.push_back({"info-outside",
                 buildElf({{".go.buildinfo", SHT_PROGBITS, goBuildInfo(), 1ULL << 40, 4096}},
                          /*program_header=*/false)
                     .bytes,
                 false});
  // Pointer-style build info (Go < 1.18) whose pointers lead outside every segment.
  {
    std::string old("\xff Go buildinf:", 14);
    old.push_back(8);
    old.push_back(0);
    std::string pointers(16, '\xEE');
    out.push_back(
        {"pointers", buildElf({{".go.buildinfo", SHT_PROGBITS, old + pointers}}).bytes, false});
  }
  // An inline length of 2^62.
  out.push_back({"varint",
                 buildElf({{".go.buildinfo", SHT_PROGBITS, goBuildInfo(1ULL << 62)}}).bytes,
                 false});
  // .dep-v0: 1 GiB of zeros in about 1 MB of zlib, beside a good build info.
  out.push_back(
      {"dep-bomb", buildElf({info, {".dep-v0", SHT_PROGBITS, zlibBomb(1ULL << 30)}}).bytes, true});
  // Truncated: the section headers promise more than is there; the segment still holds the
  // build info.
  out.push_back({"truncated", buildElf({info}).bytes.substr(0, 1100), true});
  return out;
}

TEST(RobustElf, ForgedSectionsThroughTheCatalogerApi) {
  for (const auto& forged : forgedBinaries()) {
    core::Diagnostics diagnostics;
    const auto found = goPackages(forged.bytes, diagnostics);
    if (forged.keeps_build_info) {
      EXPECT_EQ(found, kGoPackages) << forged.name;
    } else {
      EXPECT_TRUE(found.empty()) << forged.name;
    }
    std::set<std::string> kinds;
    for (const auto& diagnostic : diagnostics.sorted()) kinds.insert(diagnostic.kind);
    if (forged.name == "dep-bomb" || forged.name == "overlap") {
      EXPECT_EQ(kinds, (std::set<std::string>{"binary.malformed-cargo-auditable"})) << forged.name;
      for (const auto& diagnostic : diagnostics.sorted()) {
        EXPECT_NE(diagnostic.detail.find(std::to_string(catalog::kMaxDepV0JsonBytes)),
                  std::string::npos)
            << diagnostic.detail;
      }
    } else {
      EXPECT_TRUE(kinds.empty()) << forged.name;
    }
  }
}

TEST(RobustElf, InflateIsCappedByCounting) {
  // The bomb's inflate stops at the cap: nullopt rather than 1 GiB.
  const std::string bomb = zlibBomb(1ULL << 30);
  EXPECT_LT(bomb.size(), catalog::kMaxDepV0Bytes);
  EXPECT_FALSE(catalog::inflateZlib(bomb, catalog::kMaxDepV0JsonBytes).has_value());
  // Under a cap it would fit, the same stream inflates whole (the bomb is a real zlib stream).
  const std::string small = zlibBomb(8ULL << 20);
  const auto inflated = catalog::inflateZlib(small, 8ULL << 20);
  ASSERT_TRUE(inflated.has_value());
  EXPECT_EQ(inflated->size(), 8ULL << 20);
}

TEST(RobustElf, ForgedBinariesInAnImage) {
  TempDir dir("elf");
  TarBuilder layer;
  for (const auto& forged : forgedBinaries()) {
    layer.file("usr/local/bin/" + forged.name, forged.bytes, 0755);
  }
  const auto layout = dir.path() / "image";
  writeOciLayout(layout, {layer.finish()});
  const auto run =
      runBulwarkChild({"sbom", "oci:" + layout.string(), "--format", "json"}, dir.path());
  ASSERT_FALSE(run.signaled) << run.err;
  EXPECT_EQ(run.status, 0) << run.err;
  const auto doc = parseOutput(run);
  const auto found = packagesOf(doc);
  for (const auto& forged : forgedBinaries()) {
    const std::string path = "usr/local/bin/" + forged.name;
    EXPECT_EQ(found.count({"stdlib", "v1.22.1", path}), forged.keeps_build_info ? 1U : 0U) << path;
  }
  EXPECT_TRUE(hasDiagnostic(doc, "binary.malformed-cargo-auditable", "usr/local/bin/dep-bomb"))
      << doc["diagnostics"].dump();
  // The 1 GiB bomb costs at most the inflate cap (16 MiB) over an ordinary run.
  TarBuilder plain;
  plain.file("usr/local/bin/good", forgedBinaries()[0].bytes, 0755);
  const auto plain_layout = dir.path() / "plain";
  writeOciLayout(plain_layout, {plain.finish()});
  const auto baseline =
      runBulwarkChild({"sbom", "oci:" + plain_layout.string(), "--format", "json"}, dir.path());
  ASSERT_EQ(baseline.status, 0) << baseline.err;
  const std::uint64_t bound = (catalog::kMaxDepV0JsonBytes >> 10) + 48 * kKibPerMib;
  expectRssWithin(run, baseline.max_rss_kib, bound, "sbom, forged ELF files");
}

}  // namespace
}  // namespace bulwark::testing
