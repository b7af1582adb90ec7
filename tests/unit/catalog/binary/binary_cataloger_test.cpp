// Go build info and cargo-auditable (.dep-v0) data read from ELF executables.
#include "catalog/binary/binary_cataloger.h"

#include <sys/wait.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "catalog/binary/elf_file.h"
#include "elf_builder.h"
#include "testdata.h"

namespace bulwark::catalog {
namespace {

namespace fs = std::filesystem;
using testing::buildElf;
using testing::ElfSectionSpec;
using testing::ElfSpec;
using testing::kElfBase;

using NameVersions = std::set<std::pair<std::string, std::string>>;

NameVersions nameVersions(const std::vector<model::Package>& packages) {
  NameVersions out;
  for (const auto& package : packages) out.emplace(package.name, package.version);
  return out;
}

// The 16-byte sentinels Go puts around the module text (any 16 bytes do for the reader).
const std::string kSentinelStart(
    "0w\xaf\x0c\x92t\x08\x02"
    "A\xe1\xc1\x07\xe6\xd6\x18\xe6",
    16);
const std::string kSentinelEnd(
    "\xf9"
    "2C1\x86\x18 r\x00\x82"
    "B\x10"
    "A\x16\xd8\xf2",
    16);

std::string uvarint(std::uint64_t value) {
  std::string out;
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

std::string goHeader(std::uint8_t pointer_size, std::uint8_t flags) {
  std::string header("\xff Go buildinf:", 14);
  header.push_back(static_cast<char>(pointer_size));
  header.push_back(static_cast<char>(flags));
  header.resize(32, '\0');
  return header;
}

// Go >= 1.18: the header then two varint-prefixed strings.
std::string inlineBuildInfo(std::string_view version, std::string_view modinfo) {
  const std::string framed = kSentinelStart + std::string(modinfo) + kSentinelEnd;
  return goHeader(8, 2) + uvarint(version.size()) + std::string(version) + uvarint(framed.size()) +
         framed;
}

constexpr std::string_view kModInfo =
    "path\texample.com/app\n"
    "mod\texample.com/app\tv1.4.0\th1:abc=\n"
    "dep\tgithub.com/a/b\tv1.0.0\th1:x=\n"
    "dep\tgithub.com/c/d\tv0.3.0\n"
    "=>\tgithub.com/fork/d\tv0.3.1\th1:y=\n"
    "dep\texample.com/local\tv0.0.1\n"
    "=>\t../local\t(devel)\t\n"
    "build\t-compiler=gc\n"
    "build\tGOOS=linux\n";

const NameVersions kModInfoPackages = {{"stdlib", "v1.21.5"},
                                       {"github.com/a/b", "v1.0.0"},
                                       {"github.com/fork/d", "v0.3.1"},
                                       {"example.com/app", "v1.4.0"}};

std::vector<model::Package> catalogSummary(const std::string& summary,
                                           core::Diagnostics& diagnostics) {
  return parseBinarySummary(summary, "usr/bin/app", diagnostics);
}

// ---------------------------------------------------------------- ELF reading, synthetic files

TEST(BinaryElf, InlineBuildInfoEveryClassAndByteOrder) {
  for (const bool is64 : {true, false}) {
    for (const bool big : {false, true}) {
      ElfSpec spec{is64,
                   big,
                   true,
                   {{".text", std::string(100, '\x90')},
                    {".go.buildinfo", inlineBuildInfo("go1.21.5", kModInfo)}}};
      const std::string elf = buildElf(spec);
      const BinarySummary summary = summarizeElf(elf);
      EXPECT_EQ(summary.go_version, "go1.21.5") << is64 << big;
      EXPECT_EQ(summary.go_modinfo, kModInfo) << is64 << big;
      core::Diagnostics diagnostics;
      const auto packages = catalogSummary(extractBinarySummary("usr/bin/app", elf), diagnostics);
      EXPECT_EQ(nameVersions(packages), kModInfoPackages);
      EXPECT_EQ(diagnostics.size(), 0U);
    }
  }
}

// Before Go 1.18 the header holds pointers to Go string headers {data, len}.
std::string pointerFormatElf(bool is64, bool big, std::string_view version,
                             std::string_view modinfo) {
  const std::size_t word = is64 ? 8 : 4;
  const std::string framed = kSentinelStart + std::string(modinfo) + kSentinelEnd;
  ElfSpec spec{is64, big, true, {{".go.buildinfo", ""}, {".data", ""}}};
  spec.sections[0].data = goHeader(static_cast<std::uint8_t>(word), big ? 1 : 0);
  const std::uint64_t data_addr = kElfBase + testing::elfSectionOffset(spec, 1);
  // .data: two string headers, then the bytes of both strings.
  std::string data(4 * word, '\0');
  const std::uint64_t version_bytes = data_addr + data.size();
  const std::uint64_t modinfo_bytes = version_bytes + version.size();
  testing::putInteger(data, 0, version_bytes, word, big);
  testing::putInteger(data, word, version.size(), word, big);
  testing::putInteger(data, 2 * word, modinfo_bytes, word, big);
  testing::putInteger(data, 3 * word, framed.size(), word, big);
  data += version;
  data += framed;
  spec.sections[1].data = data;
  testing::putInteger(spec.sections[0].data, 16, data_addr, word, big);
  testing::putInteger(spec.sections[0].data, 16 + word, data_addr + 2 * word, word, big);
  return buildElf(spec);
}

TEST(BinaryElf, PointerFormatBeforeGo118) {
  for (const bool is64 : {true, false}) {
    for (const bool big : {false, true}) {
      const BinarySummary summary =
          summarizeElf(pointerFormatElf(is64, big, "go1.16.15", kModInfo));
      EXPECT_EQ(summary.go_version, "go1.16.15") << is64 << big;
      EXPECT_EQ(summary.go_modinfo, kModInfo) << is64 << big;
    }
  }
}

TEST(BinaryElf, DataSegmentSearchedWhenNoBuildInfoSection) {
  // Section headers renamed away: the header is found 16-byte aligned in the writable segment.
  ElfSpec spec{
      true, false, true, {{".junk", std::string(48, 'j') + inlineBuildInfo("go1.20", "")}}};
  const BinarySummary summary = summarizeElf(buildElf(spec));
  EXPECT_EQ(summary.go_version, "go1.20");
  EXPECT_EQ(summary.go_modinfo, "");
  core::Diagnostics diagnostics;
  EXPECT_EQ(nameVersions(catalogSummary(encodeBinarySummary(summary), diagnostics)),
            (NameVersions{{"stdlib", "v1.20"}}));
  // Not 16-byte aligned: Go does not accept it either.
  spec.sections[0].data = std::string(40, 'j') + inlineBuildInfo("go1.20", "");
  EXPECT_TRUE(summarizeElf(buildElf(spec)).empty());
}

TEST(BinaryElf, NotElfOrNoBuildInfoGivesEmptySummary) {
  EXPECT_EQ(extractBinarySummary("bin/sh", "#!/bin/sh\necho hi\n"), "");
  EXPECT_EQ(extractBinarySummary("bin/x", std::string(4096, '\0')), "");
  ElfSpec spec{true, false, true, {{".text", std::string(2000, '\x90')}}};
  EXPECT_EQ(extractBinarySummary("bin/x", buildElf(spec)), "");
}

TEST(BinaryElf, WantsExecutablesOfSaneSize) {
  EXPECT_TRUE(wantsBinary("usr/bin/app", 0755, 4096));
  EXPECT_TRUE(wantsBinary("app", 0100, 1024));
  EXPECT_FALSE(wantsBinary("usr/lib/libx.so", 0644, 4096));
  EXPECT_FALSE(wantsBinary("usr/bin/tiny", 0755, 1023));
  EXPECT_FALSE(wantsBinary("usr/bin/huge", 0755, kMaxBinaryBytes + 1));
  const image::Extractor extractor = binaryExtractor();
  EXPECT_EQ(extractor.name, "binary");
  EXPECT_EQ(extractor.max_file_bytes, kMaxBinaryBytes);
}

// ---------------------------------------------------------------- Go module text

TEST(GoBuildInfo, StdlibVersionSpelling) {
  core::Diagnostics diagnostics;
  EXPECT_EQ(nameVersions(parseGoBuildInfo("go1.22.3 X:boringcrypto", "", "b", diagnostics)),
            (NameVersions{{"stdlib", "v1.22.3"}}));
  EXPECT_EQ(nameVersions(parseGoBuildInfo("devel go1.23-abc", "", "b", diagnostics)),
            NameVersions{});
}

TEST(GoBuildInfo, DevelMainModuleTakesLdflagsVersion) {
  core::Diagnostics diagnostics;
  const std::string modinfo =
      "mod\texample.com/app\t(devel)\t\n"
      "dep\tgithub.com/a/b\tv1.0.0\th1:x=\n"
      "build\t-ldflags=\"-s -w -X main.version=1.2.3 -X example.com/app/internal/x.commit=abc\"\n";
  auto packages = parseGoBuildInfo("go1.21.0", modinfo, "b", diagnostics);
  EXPECT_EQ(nameVersions(packages), (NameVersions{{"stdlib", "v1.21.0"},
                                                  {"github.com/a/b", "v1.0.0"},
                                                  {"example.com/app", "1.2.3"}}));
  const auto main = std::find_if(packages.begin(), packages.end(),
                                 [](const auto& p) { return p.name == "example.com/app"; });
  ASSERT_NE(main, packages.end());
  EXPECT_EQ(main->depends, (std::vector<std::string>{"github.com/a/b", "stdlib"}));
  EXPECT_EQ(main->location.path, "b");
  EXPECT_EQ(main->type, model::PackageType::Go);

  // Two candidates in the same group: no version, so the main module is left out.
  const std::string ambiguous =
      "mod\texample.com/app\t(devel)\t\n"
      "build\t-ldflags=\"-X main.version=1.2.3 -X 'version.Version=1.2.4'\"\n";
  EXPECT_EQ(nameVersions(parseGoBuildInfo("go1.21.0", ambiguous, "b", diagnostics)),
            (NameVersions{{"stdlib", "v1.21.0"}}));
  // "<main>/cmd/..." keys win over the generic ones; non-semver values are ignored.
  const std::string cmd =
      "mod\texample.com/app\tv0.0.0-20240101000000-abcdefabcdef\t\n"
      "build\t-ldflags=\"-X main.version=1.2.3 -X example.com/app/cmd/app.version=v3.0.0 "
      "-X other.version=notsemver\"\n";
  EXPECT_EQ(nameVersions(parseGoBuildInfo("go1.21.0", cmd, "b", diagnostics)),
            (NameVersions{{"stdlib", "v1.21.0"}, {"example.com/app", "v3.0.0"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(GoBuildInfo, MalformedLinesAreDiagnosedAndSkipped) {
  core::Diagnostics diagnostics;
  const std::string modinfo =
      "dep\tonly-one-column\n"
      "=>\tgithub.com/x/y\tv1.0.0\th1:z=\n"  // follows a bad line: no module to replace
      "dep\tgithub.com/ok/ok\tv1.0.0\n"
      "=>\ttoo\tfew\n"
      "what\tis\tthis\n"
      "dep\t\tDevel\n";  // old toolchains: the main module as an empty dep, skipped
  const auto packages = parseGoBuildInfo("go1.13", modinfo, "b", diagnostics);
  EXPECT_EQ(nameVersions(packages),
            (NameVersions{{"stdlib", "v1.13"}, {"github.com/ok/ok", "v1.0.0"}}));
  EXPECT_EQ(diagnostics.size(), 4U);
  for (const auto& diagnostic : diagnostics.sorted()) {
    EXPECT_EQ(diagnostic.kind, "binary.malformed-go-buildinfo");
  }
}

// ---------------------------------------------------------------- real Go binaries

struct Command {
  int status = -1;
  std::string output;
};

Command run(const std::string& command) {
  Command result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool haveTool(const std::string& name) {
  return run("command -v " + name + " >/dev/null").status == 0;
}

void writeFile(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// The packages Trivy's rule gives for `go version -m` output, read independently of our parser:
// stdlib, each dep (or its replacement) with a version, the main module when versioned.
NameVersions fromGoVersionM(const std::string& output) {
  NameVersions out;
  std::string main_path;
  std::string main_version;
  std::string last_dep;
  std::string last_version;
  auto flush = [&] {
    if (!last_dep.empty() && !last_version.empty() && last_version != "(devel)") {
      out.emplace(last_dep, last_version);
    }
    last_dep.clear();
  };
  std::istringstream lines(output);
  std::string line;
  bool first = true;
  while (std::getline(lines, line)) {
    if (first) {
      const auto go = line.find(": go");
      if (go != std::string::npos) {
        const std::string version = line.substr(go + 4);
        out.emplace("stdlib", "v" + version.substr(0, version.find(' ')));  // Trivy's cut
      }
      first = false;
      continue;
    }
    std::vector<std::string> fields;
    std::istringstream columns(line);
    std::string field;
    while (columns >> field) fields.push_back(field);
    if (fields.empty()) continue;
    if (fields[0] == "dep" && fields.size() >= 3) {
      flush();
      last_dep = fields[1];
      last_version = fields[2];
    } else if (fields[0] == "=>" && fields.size() >= 3) {
      last_dep = fields[1];
      last_version = fields[2];
    } else if (fields[0] == "mod" && fields.size() >= 3) {
      main_path = fields[1];
      main_version = fields[2];
    }
  }
  flush();
  if (!main_path.empty() && main_version != "(devel)") out.emplace(main_path, main_version);
  return out;
}

class GoBinaries : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!haveTool("go")) GTEST_SKIP() << "go is not installed (Debian golang-go)";
    dir_ = fs::temp_directory_path() / ("bulwark-gobin-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    proxy_ = testing::fixtures() / "binary" / "goproxy";
    ASSERT_TRUE(fs::exists(proxy_)) << proxy_;
  }
  void TearDown() override {
    if (!dir_.empty()) {
      // The module cache is read-only; make it removable first.
      (void)run("chmod -R u+w '" + dir_.string() + "'");
      fs::remove_all(dir_);
    }
  }
  [[nodiscard]] std::string goEnv() const {
    return "env GOFLAGS=-mod=mod GOPROXY=file://" + proxy_.string() +
           " GOSUMDB=off GONOSUMDB='*' GOTOOLCHAIN=local GOCACHE='" + (dir_ / "cache").string() +
           "' GOPATH='" + (dir_ / "gopath").string() + "' HOME='" + dir_.string() + "' ";
  }
  fs::path dir_;
  fs::path proxy_;
};

TEST_F(GoBinaries, ModuleWithReplacesMatchesGoVersionM) {
  writeFile(dir_ / "local" / "go.mod", "module example.com/local\n\ngo 1.17\n");
  writeFile(dir_ / "local" / "local.go", "package local\n\nfunc Name() string { return \"l\" }\n");
  writeFile(dir_ / "app" / "go.mod",
            "module example.com/app\n\ngo 1.17\n\nrequire (\n\texample.com/dep v1.2.3\n"
            "\texample.com/local v0.0.1\n\texample.com/plain v0.1.0\n)\n\n"
            "replace example.com/dep v1.2.3 => example.com/dep v1.3.0\n\n"
            "replace example.com/local => ../local\n");
  writeFile(
      dir_ / "app" / "main.go",
      "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/dep\"\n\t\"example.com/local\"\n"
      "\t\"example.com/plain\"\n)\n\nvar version = \"dev\"\n\n"
      "func main() { fmt.Println(dep.Name(), local.Name(), plain.Name(), version) }\n");
  const fs::path binary = dir_ / "app.bin";
  const auto build =
      run("cd '" + (dir_ / "app").string() + "' && " + goEnv() +
          "go build -ldflags '-X main.version=v2.0.0' -o '" + binary.string() + "' .");
  ASSERT_EQ(build.status, 0) << build.output;
  const auto reference = run("go version -m '" + binary.string() + "'");
  ASSERT_EQ(reference.status, 0) << reference.output;

  const std::string content = testing::readFile(binary);
  const std::string summary = extractBinarySummary("app.bin", content);
  ASSERT_FALSE(summary.empty());
  EXPECT_LT(summary.size(), 4096U);  // a summary, not the binary
  core::Diagnostics diagnostics;
  const auto packages = parseBinarySummary(summary, "app.bin", diagnostics);
  EXPECT_EQ(diagnostics.size(), 0U);
  NameVersions expected = fromGoVersionM(reference.output);
  // The main module is "(devel)" in `go version -m`; its -ldflags stamp gives v2.0.0 (Trivy).
  expected.emplace("example.com/app", "v2.0.0");
  EXPECT_EQ(nameVersions(packages), expected) << reference.output;
  // Spot values, written out: replacement wins, local directory replacement is left out.
  EXPECT_TRUE(nameVersions(packages).contains({"example.com/dep", "v1.3.0"}));
  EXPECT_TRUE(nameVersions(packages).contains({"example.com/plain", "v0.1.0"}));
  EXPECT_FALSE(std::any_of(packages.begin(), packages.end(),
                           [](const auto& p) { return p.name == "../local"; }));
  EXPECT_EQ(packages.size(), 4U);  // stdlib, dep, plain, app

  // Truncations of a real binary: never a crash, and no build info once it is cut off.
  for (std::size_t cut = 0; cut < content.size(); cut += content.size() / 97 + 1) {
    const std::string partial = extractBinarySummary("app.bin", content.substr(0, cut));
    if (!partial.empty()) {
      core::Diagnostics more;
      (void)parseBinarySummary(partial, "app.bin", more);
    }
  }
}

TEST_F(GoBinaries, GopathModeBinaryHasOnlyStdlib) {
  writeFile(dir_ / "hello.go",
            "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(1) }\n");
  const fs::path binary = dir_ / "hello.bin";
  const auto build = run("cd '" + dir_.string() + "' && " + goEnv() +
                         "GO111MODULE=off go build -o '" + binary.string() + "' hello.go");
  ASSERT_EQ(build.status, 0) << build.output;
  const auto reference = run("go version -m '" + binary.string() + "'");
  ASSERT_EQ(reference.status, 0) << reference.output;
  core::Diagnostics diagnostics;
  const auto packages = parseBinarySummary(
      extractBinarySummary("hello.bin", testing::readFile(binary)), "hello.bin", diagnostics);
  EXPECT_EQ(nameVersions(packages), fromGoVersionM(reference.output));
  ASSERT_EQ(packages.size(), 1U);
  EXPECT_EQ(packages[0].name, "stdlib");
  EXPECT_TRUE(packages[0].version.starts_with("v1.")) << packages[0].version;
}

// Go's own reader (`go version -m`) over the synthetic files: both formats, both classes and
// byte orders, and the data-segment search agree with ours.
TEST_F(GoBinaries, SyntheticFilesAgreeWithGoVersionM) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const bool is64 : {true, false}) {
    for (const bool big : {false, true}) {
      const std::string tag = std::string(is64 ? "64" : "32") + (big ? "be" : "le");
      files.emplace_back(
          "inline" + tag,
          buildElf(ElfSpec{
              is64, big, true, {{".go.buildinfo", inlineBuildInfo("go1.21.5", kModInfo)}}}));
      files.emplace_back("pointer" + tag, pointerFormatElf(is64, big, "go1.16.15", kModInfo));
    }
  }
  files.emplace_back(
      "segment",
      buildElf(ElfSpec{true,
                       false,
                       true,
                       {{".junk", std::string(48, 'j') + inlineBuildInfo("go1.20", kModInfo)}}}));
  for (const auto& [name, content] : files) {
    const fs::path path = dir_ / name;
    writeFile(path, content);
    fs::permissions(path, fs::perms::owner_all);
    const auto reference = run("go version -m '" + path.string() + "'");
    ASSERT_EQ(reference.status, 0) << name << reference.output;
    core::Diagnostics diagnostics;
    const auto packages =
        parseBinarySummary(extractBinarySummary(name, content), name, diagnostics);
    EXPECT_EQ(nameVersions(packages), fromGoVersionM(reference.output)) << name;
    EXPECT_EQ(packages.size(), 4U) << name;
  }
}

// Every executable of this machine's /usr/bin and the Go tool directory (Debian-built Go
// programs such as skopeo and umoci among thousands of other ELF files): we find Go build info
// in exactly the files `go version -m DIR` reports, with the same packages.
TEST_F(GoBinaries, MachineExecutablesAgreeWithGoVersionM) {
  const auto goroot = run("go env GOROOT");
  ASSERT_EQ(goroot.status, 0) << goroot.output;
  std::string root = goroot.output;
  while (!root.empty() && (root.back() == '\n' || root.back() == '\r')) root.pop_back();
  std::size_t go_files = 0;
  for (const fs::path& directory : {fs::path("/usr/bin"), fs::path(root) / "bin"}) {
    if (!fs::is_directory(directory)) continue;
    const auto reference = run("go version -m '" + directory.string() + "'");
    // Blocks: "PATH: goVERSION" then tab-indented lines.
    std::map<std::string, std::string> blocks;
    std::istringstream lines(reference.output);
    std::string line;
    std::string current;
    while (std::getline(lines, line)) {
      if (!line.empty() && line[0] != '\t') {
        const auto colon = line.rfind(": go");
        if (colon == std::string::npos) {
          current.clear();
          continue;
        }
        current = line.substr(0, colon);
        blocks[current] = line.substr(colon) + "\n";
        blocks[current].insert(0, "x");
      } else if (!current.empty()) {
        blocks[current] += line + "\n";
      }
    }
    std::map<std::string, NameVersions> ours;
    for (const auto& item : fs::directory_iterator(directory)) {
      std::error_code error;
      const auto status = item.status(error);  // `go version DIR` follows symlinks too
      if (error || !fs::is_regular_file(status)) continue;
      const auto size = item.file_size(error);
      const auto mode = static_cast<std::uint32_t>(status.permissions());
      if (error || !wantsBinary(item.path().string(), mode, size) || size > (64U << 20)) continue;
      const std::string summary =
          extractBinarySummary(item.path().string(), testing::readFile(item.path()));
      if (summary.empty()) continue;
      core::Diagnostics diagnostics;
      ours[item.path().string()] = nameVersions(parseBinarySummary(summary, "x", diagnostics));
      EXPECT_EQ(diagnostics.size(), 0U) << item.path();
    }
    std::map<std::string, NameVersions> theirs;
    for (const auto& [path, block] : blocks) {
      if (fs::file_size(path) > (64U << 20)) continue;
      theirs[path] = fromGoVersionM(block);
      // A main module stamped with -ldflags (Trivy's rule for "(devel)" and v0.0.0 pseudo
      // versions): ours must carry the version written there, `go version -m` knows nothing
      // of it. Compare the rest exactly.
      std::string main_path;
      std::istringstream block_lines(block);
      std::string block_line;
      std::string ldflags;
      while (std::getline(block_lines, block_line)) {
        if (block_line.starts_with("\tmod\t")) {
          main_path = block_line.substr(5, block_line.find('\t', 5) - 5);
        }
        if (block_line.starts_with("\tbuild\t-ldflags=")) ldflags = block_line;
      }
      if (main_path.empty() || ldflags.empty()) continue;
      for (auto* set : {&ours[path], &theirs[path]}) {
        for (auto it = set->begin(); it != set->end();) {
          if (it->first != main_path) {
            ++it;
            continue;
          }
          if (set == &ours[path]) {
            const bool stamped = ldflags.find("=" + it->second) != std::string::npos;
            const bool from_mod = block.find("\t" + it->second + "\t") != std::string::npos;
            EXPECT_TRUE(stamped || from_mod) << path << " " << it->second;
          }
          it = set->erase(it);
        }
      }
    }
    EXPECT_EQ(ours, theirs) << directory;
    go_files += theirs.size();
  }
  EXPECT_GE(go_files, 2U);  // at least go and gofmt
}

// ---------------------------------------------------------------- Rust: cargo-auditable

std::string zlibCompress(std::string_view data) {
  uLongf size = compressBound(data.size());
  std::string out(size, '\0');
  EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                      reinterpret_cast<const Bytef*>(data.data()), data.size(), 9),
            Z_OK);
  out.resize(size);
  return out;
}

// The JSON cargo-auditable embeds (format 0: kind defaults to runtime, root to false).
constexpr std::string_view kAuditJson = R"({"packages":[
 {"name":"hello","version":"0.1.0","source":"local","dependencies":[1,2,3],"root":true},
 {"name":"serde","version":"1.0.197","source":"crates.io","dependencies":[2]},
 {"name":"serde_derive","version":"1.0.197","source":"crates.io","kind":"build"},
 {"name":"smallvec","version":"1.13.1","source":"crates.io","kind":"runtime"}
]})";

TEST(CargoAuditable, RuntimePackagesWithDepends) {
  core::Diagnostics diagnostics;
  const auto packages = parseCargoAuditableJson(kAuditJson, "usr/bin/hello", diagnostics);
  EXPECT_EQ(diagnostics.size(), 0U);
  EXPECT_EQ(nameVersions(packages),
            (NameVersions{{"hello", "0.1.0"}, {"serde", "1.0.197"}, {"smallvec", "1.13.1"}}));
  ASSERT_EQ(packages.size(), 3U);
  EXPECT_EQ(packages[0].type, model::PackageType::Cargo);
  EXPECT_EQ(packages[0].depends, (std::vector<std::string>{"serde", "smallvec"}));
  EXPECT_TRUE(packages[1].depends.empty());  // serde_derive is a build dependency
}

// A real ELF (a C program compiled here) given a `.dep-v0` section the way cargo-auditable
// lays it out: `objcopy --add-section .dep-v0=FILE` with FILE the zlib-compressed JSON.
// (Debian has no cargo-auditable, so the section is written by the test.)
TEST(CargoAuditable, ObjcopySectionInCompiledBinary) {
  if (!haveTool("cc") || !haveTool("objcopy")) GTEST_SKIP() << "cc or objcopy missing";
  const fs::path dir = fs::temp_directory_path() / ("bulwark-rsbin-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  writeFile(dir / "main.c", "int main(void) { return 0; }\n");
  writeFile(dir / "deps.zlib", zlibCompress(kAuditJson));
  const auto build = run("cd '" + dir.string() +
                         "' && cc -o plain main.c && objcopy --add-section .dep-v0=deps.zlib "
                         "--set-section-flags .dep-v0=noload,readonly plain audited");
  ASSERT_EQ(build.status, 0) << build.output;
  const std::string audited = testing::readFile(dir / "audited");
  const std::string plain = testing::readFile(dir / "plain");
  fs::remove_all(dir);

  EXPECT_EQ(extractBinarySummary("plain", plain), "");
  const std::string summary = extractBinarySummary("usr/bin/hello", audited);
  ASSERT_FALSE(summary.empty());
  core::Diagnostics diagnostics;
  const auto packages = parseBinarySummary(summary, "usr/bin/hello", diagnostics);
  EXPECT_EQ(diagnostics.size(), 0U);
  EXPECT_EQ(nameVersions(packages),
            (NameVersions{{"hello", "0.1.0"}, {"serde", "1.0.197"}, {"smallvec", "1.13.1"}}));
}

// ---------------------------------------------------------------- hostile input

TEST(BinaryHostile, SectionOffsetsPastTheEnd) {
  ElfSpec spec{true,
               false,
               true,
               {{".go.buildinfo", inlineBuildInfo("go1.21.5", kModInfo)},
                {".dep-v0", zlibCompress(kAuditJson)}}};
  std::string elf = buildElf(spec);
  // Point every section header's sh_offset and sh_size at absurd values.
  const auto shoff = *reinterpret_cast<const std::uint64_t*>(elf.data() + 40);
  for (std::size_t i = 1; i <= 2; ++i) {
    testing::putInteger(elf, shoff + i * 64 + 24, 0xfffffffffffff000ULL, 8, false);
    testing::putInteger(elf, shoff + i * 64 + 32, 0x7fffffffULL, 8, false);
  }
  // The segment search still finds the Go header (it is in the mapped bytes); .dep-v0 is gone.
  const BinarySummary summary = summarizeElf(elf);
  EXPECT_EQ(summary.go_version, "go1.21.5");
  EXPECT_EQ(summary.go_modinfo, kModInfo);
  EXPECT_TRUE(summary.rust_dep_v0.empty());
  // Section header table itself past the end: not an error, just no sections.
  testing::putInteger(elf, 40, 0xffffffffffffff00ULL, 8, false);
  EXPECT_TRUE(elf::File::parse(elf).has_value());
  EXPECT_TRUE(elf::File::parse(elf)->sections().empty());
  // Headers cut short.
  for (std::size_t cut = 0; cut < 80; ++cut) {
    EXPECT_EQ(extractBinarySummary("x", elf.substr(0, cut)), "");
  }
}

TEST(BinaryHostile, HugeVarintsAndLengths) {
  std::string info = goHeader(8, 2) + std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
  ElfSpec spec{true, false, true, {{".go.buildinfo", info}}};
  EXPECT_TRUE(summarizeElf(buildElf(spec)).empty());
  // Eleven continuation bytes: not a varint.
  spec.sections[0].data = goHeader(8, 2) + std::string(11, '\x80');
  EXPECT_TRUE(summarizeElf(buildElf(spec)).empty());
  // A length longer than the section.
  spec.sections[0].data = goHeader(8, 2) + uvarint(1000) + "go1.21";
  EXPECT_TRUE(summarizeElf(buildElf(spec)).empty());
  // Modinfo length past the end: the version survives, the modules do not.
  spec.sections[0].data = goHeader(8, 2) + uvarint(6) + "go1.21" + uvarint(1ULL << 40);
  const BinarySummary summary = summarizeElf(buildElf(spec));
  EXPECT_EQ(summary.go_version, "go1.21");
  EXPECT_EQ(summary.go_modinfo, "");
  // Pointer format with a string header claiming 2^60 bytes, and pointers to nowhere.
  std::string elf = pointerFormatElf(true, false, "go1.16", kModInfo);
  const std::uint64_t data_offset = testing::elfSectionOffset(
      ElfSpec{true, false, true, {{".go.buildinfo", goHeader(8, 0)}, {".data", ""}}}, 1);
  testing::putInteger(elf, data_offset + 8, 1ULL << 60, 8, false);
  EXPECT_TRUE(summarizeElf(elf).empty());
  testing::putInteger(elf, testing::elfSectionOffset(ElfSpec{true, false, true, {}}, 0) + 16,
                      0xdeadbeefdeadbeefULL, 8, false);
  EXPECT_TRUE(summarizeElf(elf).empty());
  // Unknown pointer size.
  spec.sections[0].data = goHeader(3, 0) + std::string(32, '\0');
  EXPECT_TRUE(summarizeElf(buildElf(spec)).empty());
}

TEST(BinaryHostile, ZlibBombIsCapped) {
  const std::string zeros(kMaxDepV0JsonBytes + 1, ' ');
  const std::string bomb = zlibCompress(zeros);
  EXPECT_LT(bomb.size(), 64U << 10);
  EXPECT_FALSE(inflateZlib(bomb, kMaxDepV0JsonBytes).has_value());
  EXPECT_TRUE(inflateZlib(bomb, kMaxDepV0JsonBytes + 1).has_value());
  core::Diagnostics diagnostics;
  EXPECT_TRUE(parseDepV0(bomb, "x", diagnostics).empty());
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics.sorted()[0].kind, "binary.malformed-cargo-auditable");
  // Truncated and corrupt streams.
  const std::string good = zlibCompress(kAuditJson);
  EXPECT_TRUE(inflateZlib(good, 1 << 20).has_value());
  EXPECT_FALSE(inflateZlib(good.substr(0, good.size() / 2), 1 << 20).has_value());
  EXPECT_FALSE(inflateZlib("not zlib at all", 1 << 20).has_value());
  EXPECT_FALSE(inflateZlib("", 1 << 20).has_value());
}

TEST(BinaryHostile, BadAuditJson) {
  core::Diagnostics diagnostics;
  EXPECT_TRUE(parseCargoAuditableJson("{", "x", diagnostics).empty());
  EXPECT_TRUE(parseCargoAuditableJson("[]", "x", diagnostics).empty());
  EXPECT_TRUE(parseCargoAuditableJson(std::string(100000, '['), "x", diagnostics).empty());
  const auto packages = parseCargoAuditableJson(
      R"({"packages":[1,{"name":"a"},{"name":"b","version":"1","dependencies":[7,-1,"x",0]}]})",
      "x", diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  EXPECT_EQ(packages[0].name, "b");
  EXPECT_EQ(packages[0].depends, std::vector<std::string>{});  // index 0 is not a package
  EXPECT_EQ(diagnostics.size(), 8U);  // 3 documents, 2 packages, 3 bad indexes
}

TEST(BinaryHostile, MalformedSummaries) {
  for (const std::string summary :
       {"garbage", "bulwark-binary 1\ngo-version 99\ngo1", "bulwark-binary 1\ngo-version x\n",
        "bulwark-binary 1\ngo-version 3\ngo1X", "bulwark-binary 1\nno-space\n"}) {
    core::Diagnostics diagnostics;
    EXPECT_TRUE(parseBinarySummary(summary, "x", diagnostics).empty()) << summary;
    EXPECT_EQ(diagnostics.size(), 1U) << summary;
  }
  // Round trip, with an unknown record skipped.
  BinarySummary summary{"go1.21", "dep\ta\tv1.0.0\n", "zz"};
  const auto decoded = decodeBinarySummary(encodeBinarySummary(summary) + "future 2\nab\n");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->go_version, "go1.21");
  EXPECT_EQ(decoded->go_modinfo, "dep\ta\tv1.0.0\n");
  EXPECT_EQ(decoded->rust_dep_v0, "zz");
}

// ---------------------------------------------------------------- the cataloger

TEST(BinaryCataloger, ReadsExtractorSummaries) {
  const auto cataloger = makeBinaryCataloger();
  EXPECT_EQ(cataloger->name(), "binary");
  EXPECT_TRUE(cataloger->patterns().empty());
  ASSERT_EQ(cataloger->extractors().size(), 1U);
  const image::Extractor extractor = cataloger->extractors()[0];
  ElfSpec spec{true, false, true, {{".go.buildinfo", inlineBuildInfo("go1.21.5", kModInfo)}}};
  image::FsView view;
  image::FileEntry entry;
  entry.mode = 0755;
  entry.layer_digest = "sha256:abc";
  entry.content = extractor.extract("usr/bin/app", buildElf(spec));
  entry.extracted_by = extractor.name;
  view.put("usr/bin/app", entry);
  core::Diagnostics diagnostics;
  std::vector<model::Package> packages;
  cataloger->catalog(view, model::Distro{}, packages, diagnostics);
  EXPECT_EQ(nameVersions(packages), kModInfoPackages);
  for (const auto& package : packages) {
    EXPECT_EQ(package.location.path, "usr/bin/app");
    EXPECT_EQ(package.location.layer_digest, "sha256:abc");
  }
}

}  // namespace
}  // namespace bulwark::catalog
