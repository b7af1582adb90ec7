// Go build info: found and decoded the way Go's debug/buildinfo does (read for reference, not
// copied), parsed the way runtime/debug.ParseBuildInfo reads the module lines.
#include <elf.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "catalog/binary/binary_cataloger.h"
#include "catalog/binary/elf_file.h"
#include "catalog/binary/internal.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

constexpr std::string_view kMagic("\xff Go buildinf:", 14);
constexpr std::size_t kHeaderBytes = 32;
constexpr std::size_t kAlign = 16;
constexpr std::size_t kSearchBytes = 64 << 10;
constexpr std::uint8_t kFlagBigEndian = 1;
constexpr std::uint8_t kFlagInline = 2;

// Where the linker put the build info: its own section, or the start of the data segment.
std::string_view buildInfoRegion(const elf::File& file) {
  if (const elf::Section* section = file.section(".go.buildinfo")) {
    const std::string_view bytes = file.contents(*section);
    if (!bytes.empty()) return bytes;  // else a forged header: try the segment as Go would
  }
  for (const elf::Segment& segment : file.segments()) {
    if (segment.type == PT_LOAD && (segment.flags & (PF_X | PF_W)) == PF_W) {
      return file.contents(segment);
    }
  }
  return {};
}

// An unsigned LEB128 varint (encoding/binary.Uvarint); nullopt when truncated or > 64 bits.
std::optional<std::uint64_t> readUvarint(std::string_view& data) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 10 && i < data.size(); ++i) {
    const auto byte = static_cast<std::uint8_t>(data[i]);
    if (i == 9 && byte > 1) return std::nullopt;
    value |= std::uint64_t{byte & 0x7fU} << (7 * i);
    if ((byte & 0x80U) == 0) {
      data.remove_prefix(i + 1);
      return value;
    }
  }
  return std::nullopt;
}

// A varint-prefixed string; empty when it does not fit.
std::string_view readInlineString(std::string_view& data, std::size_t max) {
  const auto length = readUvarint(data);
  if (!length || *length > data.size() || *length > max) {
    data = {};
    return {};
  }
  const std::string_view out = data.substr(0, *length);
  data.remove_prefix(*length);
  return out;
}

std::uint64_t readPointer(std::string_view bytes, std::size_t size, bool big_endian) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const auto byte = static_cast<std::uint8_t>(bytes[big_endian ? i : size - 1 - i]);
    value = (value << 8) | byte;
  }
  return value;
}

// A Go string header {data, len} at `addr`, then the bytes it points to (before Go 1.18).
std::string_view readPointedString(const elf::File& file, std::uint64_t addr,
                                   std::size_t pointer_size, bool big_endian, std::size_t max) {
  const std::string_view header = file.atAddress(addr, 2 * pointer_size);
  if (header.size() < 2 * pointer_size) return {};
  const std::uint64_t data = readPointer(header, pointer_size, big_endian);
  const std::uint64_t length = readPointer(header.substr(pointer_size), pointer_size, big_endian);
  if (length == 0 || length > max) return {};
  const std::string_view text = file.atAddress(data, length);
  return text.size() == length ? text : std::string_view{};
}

}  // namespace

namespace binary_detail {

void findGoBuildInfo(const elf::File& file, BinarySummary& out) {
  const std::string_view region = buildInfoRegion(file);
  const std::size_t limit = std::min(region.size(), kSearchBytes + kHeaderBytes);
  std::size_t at = std::string_view::npos;
  for (std::size_t i = 0; i + kHeaderBytes <= limit; i += kAlign) {
    if (region.substr(i, kMagic.size()) == kMagic) {
      at = i;
      break;
    }
  }
  if (at == std::string_view::npos) return;
  const auto pointer_size = static_cast<std::uint8_t>(region[at + 14]);
  const auto flags = static_cast<std::uint8_t>(region[at + 15]);
  std::string_view version;
  std::string_view modinfo;
  if ((flags & kFlagInline) != 0) {
    std::string_view rest = region.substr(at + kHeaderBytes);
    version = readInlineString(rest, kMaxGoVersionBytes);
    modinfo = readInlineString(rest, kMaxGoModInfoBytes + 32);
  } else {
    if (pointer_size != 4 && pointer_size != 8) return;
    const bool big_endian = (flags & kFlagBigEndian) != 0;
    const std::string_view pointers = region.substr(at + 16, std::size_t{2} * pointer_size);
    const std::uint64_t version_addr = readPointer(pointers, pointer_size, big_endian);
    const std::uint64_t modinfo_addr =
        readPointer(pointers.substr(pointer_size), pointer_size, big_endian);
    version = readPointedString(file, version_addr, pointer_size, big_endian, kMaxGoVersionBytes);
    modinfo =
        readPointedString(file, modinfo_addr, pointer_size, big_endian, kMaxGoModInfoBytes + 32);
  }
  if (version.empty()) return;
  // The module text sits between two 16-byte sentinels, the second after a newline.
  if (modinfo.size() >= 33 && modinfo[modinfo.size() - 17] == '\n') {
    modinfo = modinfo.substr(16, modinfo.size() - 32);
  } else {
    modinfo = {};
  }
  out.go_version = std::string(version);
  out.go_modinfo = std::string(modinfo);
}

}  // namespace binary_detail

namespace {

struct Module {
  std::string path;
  std::string version;
  std::optional<std::pair<std::string, std::string>> replace;  // path, version
};

// The value of a `build` setting: strconv.Quote'd when it has spaces or quotes.
std::string unquote(std::string_view text) {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return std::string(text);
  std::string out;
  text = text.substr(1, text.size() - 2);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out.push_back(text[i]);
      continue;
    }
    const char next = text[++i];
    switch (next) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      default: out.push_back(next); break;
    }
  }
  return out;
}

bool isNumber(std::string_view text, bool allow_leading_zero) {
  if (text.empty()) return false;
  if (!allow_leading_zero && text.size() > 1 && text[0] == '0') return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isIdentifiers(std::string_view text, bool numeric_no_leading_zero) {
  for (const auto part : core::split(text, '.')) {
    if (part.empty()) return false;
    const bool all_alnum = std::all_of(part.begin(), part.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
    });
    if (!all_alnum) return false;
    if (numeric_no_leading_zero && isNumber(part, true) && !isNumber(part, false)) return false;
  }
  return true;
}

// golang.org/x/mod/semver.IsValid: v MAJOR[.MINOR[.PATCH[-pre][+build]]].
bool isGoSemver(std::string_view version) {
  if (!version.starts_with('v')) return false;
  version.remove_prefix(1);
  std::string_view build;
  std::string_view pre;
  if (const auto plus = version.find('+'); plus != std::string_view::npos) {
    build = version.substr(plus + 1);
    version = version.substr(0, plus);
    if (!isIdentifiers(build, false)) return false;
  }
  if (const auto dash = version.find('-'); dash != std::string_view::npos) {
    pre = version.substr(dash + 1);
    version = version.substr(0, dash);
    if (!isIdentifiers(pre, true)) return false;
  }
  const auto parts = core::split(version, '.');
  if (parts.size() > 3) return false;
  if ((!pre.empty() || !build.empty()) && parts.size() != 3) return false;
  return std::all_of(parts.begin(), parts.end(),
                     [](std::string_view part) { return isNumber(part, false); });
}

// The main module's version stamped with `-ldflags -X <pkg>.version=<semver>`, chosen as
// Trivy's gobinary parser does: keys under "<main>/cmd/" first, then keys whose package is
// main/common/version/cmd, then any; two candidates in the winning group mean none.
std::string ldflagsVersion(std::string_view main_path, std::string_view ldflags) {
  const std::vector<std::string> words = core::shellWords(ldflags);
  std::map<std::string, std::string, std::less<>> stamped;
  auto take = [&](std::string_view value) {
    for (const auto pair : core::split(value, ',')) {
      const auto equals = pair.find('=');
      if (equals == std::string_view::npos) continue;
      stamped.insert_or_assign(std::string(pair.substr(0, equals)),
                               std::string(pair.substr(equals + 1)));
    }
  };
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string_view word = words[i];
    if (word == "-X" || word == "--X") {
      if (i + 1 < words.size()) take(words[++i]);
    } else if (word.starts_with("-X=")) {
      take(word.substr(3));
    } else if (word.starts_with("-X") && !word.starts_with("--")) {
      take(word.substr(2));
    }
  }
  std::array<std::vector<std::string>, 3> found;
  for (const auto& [raw_key, raw_value] : stamped) {
    std::string_view key = raw_key;
    std::string_view value = raw_value;
    while (key.starts_with('\'')) key.remove_prefix(1);
    while (value.ends_with('\'')) value.remove_suffix(1);
    const std::string lower = core::asciiLower(key);
    if (!lower.ends_with(".version") && !lower.ends_with(".ver")) continue;
    if (!isGoSemver(value) && !isGoSemver(fmt::format("v{}", value))) continue;
    std::string_view prefix = lower;
    if (const auto slash = prefix.rfind('/'); slash != std::string_view::npos && slash > 0) {
      prefix = prefix.substr(slash + 1);
    }
    prefix = prefix.substr(0, prefix.find('.'));
    std::size_t group = 2;
    if (key.starts_with(fmt::format("{}/cmd/", main_path))) {
      group = 0;
    } else if (prefix == "main" || prefix == "common" || prefix == "version" || prefix == "cmd") {
      group = 1;
    }
    found[group].emplace_back(value);
  }
  for (const auto& versions : found) {
    if (versions.empty()) continue;
    return versions.size() == 1 ? versions.front() : std::string{};
  }
  return {};
}

std::string checkVersion(std::string_view version) {
  return version == "(devel)" ? std::string{} : std::string(version);
}

}  // namespace

std::vector<model::Package> parseGoBuildInfo(std::string_view go_version, std::string_view modinfo,
                                             std::string_view path,
                                             core::Diagnostics& diagnostics) {
  std::optional<Module> main;
  std::vector<Module> deps;
  Module* last = nullptr;
  std::string ldflags;
  core::forEachLine(modinfo, [&](std::string_view line, std::size_t number) {
    auto malformed = [&](std::string_view detail) {
      diagnostics.add("binary.malformed-go-buildinfo", fmt::format("{}:{}", path, number),
                      fmt::format("{}: {}", detail, core::printable(line.substr(0, 200))));
    };
    if (line.empty()) return;
    const auto tab = line.find('\t');
    const std::string_view verb = line.substr(0, tab);
    const std::string_view rest = tab == std::string_view::npos ? "" : line.substr(tab + 1);
    if (verb == "go" || verb == "path") return;
    if (verb == "mod" || verb == "dep") {
      const auto fields = core::split(rest, '\t');
      if (fields.size() != 2 && fields.size() != 3) {
        last = nullptr;
        return malformed("expected 2 or 3 columns");
      }
      Module module{std::string(fields[0]), std::string(fields[1]), std::nullopt};
      if (verb == "mod") {
        main = std::move(module);
        last = &*main;
      } else {
        deps.push_back(std::move(module));
        last = &deps.back();
      }
      return;
    }
    if (verb == "=>") {
      const auto fields = core::split(rest, '\t');
      if (fields.size() != 3) return malformed("expected 3 columns for a replacement");
      if (last == nullptr || last->replace) {
        return malformed("replacement with no module on the previous line");
      }
      last->replace = std::make_pair(std::string(fields[0]), std::string(fields[1]));
      last = nullptr;
      return;
    }
    if (verb == "build") {
      const auto equals = rest.find('=');
      if (equals == std::string_view::npos) return malformed("build setting without '='");
      if (unquote(rest.substr(0, equals)) == "-ldflags") ldflags = unquote(rest.substr(equals + 1));
      return;
    }
    malformed("unexpected line");
  });

  std::vector<model::Package> out;
  auto add = [&](std::string name, std::string version) {
    model::Package package;
    package.type = model::PackageType::Go;
    package.name = std::move(name);
    package.version = std::move(version);
    package.location.path = std::string(path);
    out.push_back(std::move(package));
  };
  // "go1.22.3 X:boringcrypto" -> "v1.22.3", the spelling of module versions.
  if (go_version.starts_with("go") && go_version.size() > 2) {
    std::string_view number = go_version.substr(2);
    number = number.substr(0, number.find(' '));
    add("stdlib", fmt::format("v{}", number));
  }
  for (const Module& dep : deps) {
    if (dep.path.empty()) continue;  // old toolchains list the main module as a dep ("", "Devel")
    const std::string& name = dep.replace ? dep.replace->first : dep.path;
    std::string version = checkVersion(dep.replace ? dep.replace->second : dep.version);
    if (name.empty() || version.empty()) continue;
    add(name, std::move(version));
  }
  if (main && !main->path.empty()) {
    std::string version = checkVersion(main->version);
    const std::string stamped = ldflags.empty() ? "" : ldflagsVersion(main->path, ldflags);
    if (version.empty() || (version.starts_with("v0.0.0") && !stamped.empty())) version = stamped;
    if (!version.empty()) {
      std::set<std::string> names;
      for (const auto& package : out) names.insert(package.name);
      add(main->path, std::move(version));
      out.back().depends.assign(names.begin(), names.end());
    }
  }
  return out;
}

}  // namespace bulwark::catalog
