#include "catalog/java/java_archive_cataloger.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <optional>
#include <utility>

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include "catalog/common/lockfile_files.h"
#include "core/archive_member.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

constexpr std::string_view kNestedSeparator = "!/";
constexpr std::size_t kMaxPomPropertiesBytes = 64U << 10;
constexpr std::size_t kMaxManifestBytes = 1U << 20;
constexpr std::size_t kMaxAttributeBytes = 4U << 10;

constexpr std::array<std::string_view, 8> kArchiveExtensions = {".jar", ".war", ".ear", ".par",
                                                                ".sar", ".jpi", ".hpi", ".kar"};

// The main-section attributes Trivy reads (the name with its colon, matched as a line prefix).
constexpr std::array<std::string_view, 10> kManifestKeys = {
    "Implementation-Version:",   "Implementation-Title:",  "Implementation-Vendor:",
    "Implementation-Vendor-Id:", "Specification-Version:", "Specification-Title:",
    "Specification-Vendor:",     "Bundle-Version:",        "Bundle-Name:",
    "Bundle-SymbolicName:"};

constexpr std::array<std::string_view, 3> kPomKeys = {"groupId=", "artifactId=", "version="};

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trimSpace(std::string_view text) {
  while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view baseName(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Lines split at CRLF, LF or a lone CR (the manifest grammar); `line` returns false to stop.
template <typename Fn>
void forEachManifestLine(std::string_view text, Fn&& line) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = start;
    while (end < text.size() && text[end] != '\n' && text[end] != '\r') ++end;
    if (!line(text.substr(start, end - start))) return;
    if (end < text.size() && text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') {
      ++end;
    }
    start = end + 1;
  }
}

// The main section's attributes, unfolded (continuation lines start with one space).
template <typename Fn>
void forEachManifestAttribute(std::string_view text, Fn&& attribute) {
  std::string attr;
  bool have = false;
  forEachManifestLine(text, [&](std::string_view line) {
    if (line.empty()) return false;
    if (line.front() == ' ') {
      if (have && attr.size() + line.size() <= kMaxAttributeBytes) attr.append(line.substr(1));
      return true;
    }
    if (have) attribute(std::string_view(attr));
    attr.assign(line.substr(0, kMaxAttributeBytes));
    have = true;
    return true;
  });
  if (have) attribute(std::string_view(attr));
}

bool isManifestKeyLine(std::string_view line) {
  return std::any_of(kManifestKeys.begin(), kManifestKeys.end(),
                     [&](std::string_view key) { return line.starts_with(key); });
}

std::string reduceManifest(std::string_view text) {
  std::string out;
  forEachManifestAttribute(text, [&](std::string_view attr) {
    if (!isManifestKeyLine(attr)) return;
    out.append(attr);
    out.push_back('\n');
  });
  return out;
}

// pom.properties lines as Trivy reads them: split at LF (a CR before it dropped), trimmed.
template <typename Fn>
void forEachPomLine(std::string_view text, Fn&& line) {
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    line(trimSpace(text.substr(start, end - start)));
    start = end + 1;
  }
}

std::string reducePomProperties(std::string_view text) {
  std::string out;
  forEachPomLine(text, [&](std::string_view line) {
    for (const auto key : kPomKeys) {
      if (line.starts_with(key)) {
        out.append(line.substr(0, kMaxAttributeBytes));
        out.push_back('\n');
        return;
      }
    }
  });
  return out;
}

// ---- The summary: records of length-prefixed fields.

void putField(std::string& out, std::string_view field) {
  const auto size = static_cast<std::uint32_t>(field.size());
  for (int shift = 0; shift < 32; shift += 8) {
    out.push_back(static_cast<char>((size >> shift) & 0xFFU));
  }
  out.append(field);
}

bool getField(std::string_view& in, std::string_view& field) {
  if (in.size() < 4) return false;
  std::uint32_t size = 0;
  for (int i = 0; i < 4; ++i) {
    size |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[static_cast<std::size_t>(i)]))
            << (8 * i);
  }
  in.remove_prefix(4);
  if (size > in.size()) return false;
  field = in.substr(0, size);
  in.remove_prefix(size);
  return true;
}

// ---- Reading archives from memory with libarchive.

struct ArchiveCloser {
  void operator()(archive* handle) const { archive_read_free(handle); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

struct Walk {
  std::string summary;
  std::uint64_t bytes_left = kMaxJavaDecompressedBytes;
  std::uint64_t entries_left = kMaxJavaArchiveEntries;
  bool stopped = false;  // a global bound was hit: nothing more is read
  bool full = false;     // the summary reached its bound

  void record(char kind, std::initializer_list<std::string_view> fields) {
    if (full) return;
    std::size_t size = 1;
    for (const auto field : fields) size += 4 + field.size();
    if (summary.size() + size > kMaxJavaSummaryBytes) {
      full = true;
      stopped = true;
      // Room is kept for this one last record.
      summary.push_back('D');
      putField(summary, "");
      putField(summary, "java.summary-limit");
      putField(summary, fmt::format("more than {} bytes of metadata; the rest is not read",
                                    kMaxJavaSummaryBytes));
      return;
    }
    summary.push_back(kind);
    for (const auto field : fields) putField(summary, field);
  }
  void problem(std::string_view where, std::string_view kind, std::string_view detail) {
    record('D', {where, kind, detail});
  }
};

enum class ReadStatus { Ok, TooLarge, Budget, Error };

// The current member's data, at most `cap` bytes, counted against the walk's budget.
ReadStatus readMember(archive* handle, std::size_t cap, Walk& walk, std::string& out) {
  out.clear();
  std::array<char, 64U << 10> buffer{};
  for (;;) {
    const la_ssize_t got = archive_read_data(handle, buffer.data(), buffer.size());
    if (got < 0) return ReadStatus::Error;
    if (got == 0) return ReadStatus::Ok;
    const auto size = static_cast<std::size_t>(got);
    if (size > walk.bytes_left) {
      walk.bytes_left = 0;
      return ReadStatus::Budget;
    }
    walk.bytes_left -= size;
    if (out.size() + size > cap) return ReadStatus::TooLarge;
    out.append(buffer.data(), size);
  }
}

// Reads past the current member, counting it against the budget; false when the budget ran out
// (a read error is left for the next header to report).
bool drainMember(archive* handle, Walk& walk) {
  std::array<char, 64U << 10> buffer{};
  for (;;) {
    const la_ssize_t got = archive_read_data(handle, buffer.data(), buffer.size());
    if (got <= 0) return true;
    const auto size = static_cast<std::uint64_t>(got);
    if (size > walk.bytes_left) {
      walk.bytes_left = 0;
      return false;
    }
    walk.bytes_left -= size;
  }
}

std::string joinArchive(std::string_view parent, std::string_view member) {
  if (parent.empty()) return std::string(member);
  return fmt::format("{}{}{}", parent, kNestedSeparator, member);
}

void walkArchive(std::string_view bytes, const std::string& where, int depth, Walk& walk) {
  ArchivePtr handle(archive_read_new());
  if (!handle) {
    walk.problem(where, "java.archive-error", "cannot allocate an archive reader");
    return;
  }
  archive_read_support_format_zip(handle.get());
  if (archive_read_open_memory(handle.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    const char* error = archive_error_string(handle.get());
    walk.problem(where, "java.malformed-archive",
                 fmt::format("not a readable zip archive: {}",
                             core::printable(error != nullptr ? error : "unknown error")));
    return;
  }
  std::string data;
  for (;;) {
    if (walk.stopped) return;
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(handle.get(), &entry);
    if (status == ARCHIVE_EOF) return;
    if (status == ARCHIVE_FATAL || status == ARCHIVE_RETRY || entry == nullptr) {
      const char* error = archive_error_string(handle.get());
      walk.problem(where, "java.malformed-archive",
                   fmt::format("archive ends early or is damaged: {}",
                               core::printable(error != nullptr ? error : "unknown error")));
      return;
    }
    if (walk.entries_left == 0) {
      walk.problem(
          where, "java.archive-limit",
          fmt::format("more than {} entries; the rest is not read", kMaxJavaArchiveEntries));
      walk.stopped = true;
      return;
    }
    --walk.entries_left;
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    const std::string name = core::archiveMemberName(entry);
    if (name.empty() || name.find(kNestedSeparator) != std::string::npos) continue;
    const std::string_view base = baseName(name);
    const bool is_pom = base == "pom.properties";
    const bool is_manifest = name == "META-INF/MANIFEST.MF";
    const bool is_nested = !is_pom && !is_manifest && isJavaArchiveName(name);
    // A member of unknown size (a streamed entry with a data descriptor) can only be skipped by
    // inflating it: that counts against the budget too, so a bomb there stops the walk.
    const auto skipped = [&] {
      if (archive_entry_size_is_set(entry) != 0 || drainMember(handle.get(), walk)) return true;
      walk.problem(joinArchive(where, name), "java.archive-limit",
                   fmt::format("more than {} bytes decompressed in one archive (a zip bomb?); "
                               "the rest is not read",
                               kMaxJavaDecompressedBytes));
      walk.stopped = true;
      return false;
    };
    if (!is_pom && !is_manifest && !is_nested) {
      if (!skipped()) return;
      continue;
    }
    if (is_nested && depth >= kMaxJavaArchiveDepth) {
      walk.problem(
          joinArchive(where, name), "java.archive-depth",
          fmt::format("archives nested more than {} deep are not read", kMaxJavaArchiveDepth));
      if (!skipped()) return;
      continue;
    }
    const std::size_t cap = is_pom        ? kMaxPomPropertiesBytes
                            : is_manifest ? kMaxManifestBytes
                                          : static_cast<std::size_t>(kMaxJavaNestedArchiveBytes);
    const ReadStatus read = readMember(handle.get(), cap, walk, data);
    const std::string member_where = joinArchive(where, name);
    switch (read) {
      case ReadStatus::Ok: break;
      case ReadStatus::TooLarge:
        walk.problem(member_where, "java.member-too-large",
                     fmt::format("more than {} bytes uncompressed; skipped", cap));
        if (!skipped()) return;
        continue;
      case ReadStatus::Budget:
        walk.problem(member_where, "java.archive-limit",
                     fmt::format("more than {} bytes decompressed in one archive (a zip bomb?); "
                                 "the rest is not read",
                                 kMaxJavaDecompressedBytes));
        walk.stopped = true;
        return;
      case ReadStatus::Error: {
        const char* error = archive_error_string(handle.get());
        walk.problem(member_where, "java.malformed-archive",
                     fmt::format("cannot read the member: {}",
                                 core::printable(error != nullptr ? error : "unknown error")));
        continue;
      }
    }
    if (is_pom) {
      // Nothing is recorded for what says nothing, so an archive without metadata has an empty
      // summary and is not kept.
      const std::string reduced = reducePomProperties(data);
      if (!reduced.empty()) walk.record('P', {where, name, reduced});
    } else if (is_manifest) {
      const std::string reduced = reduceManifest(data);
      if (!reduced.empty()) walk.record('M', {where, reduced});
    } else {
      const std::string nested = std::move(data);
      data = std::string();
      walkArchive(nested, member_where, depth + 1, walk);
    }
  }
}

// ---- Parsing summaries into packages (Trivy's rules).

struct Manifest {
  std::string implementation_version, implementation_title, implementation_vendor,
      implementation_vendor_id, specification_title, specification_version, specification_vendor,
      bundle_name, bundle_version, bundle_symbolic_name;

  void add(std::string_view line) {
    // Skips attributes without a value and variables ("Bundle-Name: %bundleName").
    std::string_view rest = line;
    int fields = 0;
    std::string_view second;
    while (fields < 2) {
      while (!rest.empty() && isSpace(rest.front())) rest.remove_prefix(1);
      if (rest.empty()) break;
      std::size_t end = 0;
      while (end < rest.size() && !isSpace(rest[end])) ++end;
      if (fields == 1) second = rest.substr(0, end);
      rest.remove_prefix(end);
      ++fields;
    }
    if (fields <= 1 || second.starts_with('%')) return;
    const std::pair<std::string_view, std::string*> targets[] = {
        {"Implementation-Version:", &implementation_version},
        {"Implementation-Title:", &implementation_title},
        {"Implementation-Vendor:", &implementation_vendor},
        {"Implementation-Vendor-Id:", &implementation_vendor_id},
        {"Specification-Version:", &specification_version},
        {"Specification-Title:", &specification_title},
        {"Specification-Vendor:", &specification_vendor},
        {"Bundle-Version:", &bundle_version},
        {"Bundle-Name:", &bundle_name},
        {"Bundle-SymbolicName:", &bundle_symbolic_name},
    };
    for (const auto& [key, target] : targets) {
      if (line.starts_with(key)) {
        target->assign(line.substr(key.size()));
        return;
      }
    }
  }

  [[nodiscard]] std::string groupId() const {
    std::string_view group;
    if (!implementation_vendor_id.empty()) {
      group = implementation_vendor_id;
    } else if (!bundle_symbolic_name.empty()) {
      group = bundle_symbolic_name;
      const auto dot = group.rfind('.');
      if (dot != std::string_view::npos) group = group.substr(0, dot);
    } else if (!implementation_vendor.empty()) {
      group = implementation_vendor;
    } else {
      group = specification_vendor;
    }
    return std::string(trimSpace(group));
  }
  [[nodiscard]] std::string artifactId() const {
    const std::string& value = !implementation_title.empty()  ? implementation_title
                               : !specification_title.empty() ? specification_title
                                                              : bundle_name;
    return std::string(trimSpace(value));
  }
  [[nodiscard]] std::string version() const {
    const std::string& value = !implementation_version.empty()  ? implementation_version
                               : !specification_version.empty() ? specification_version
                                                                : bundle_version;
    return std::string(trimSpace(value));
  }
};

Manifest parseManifest(std::string_view text) {
  Manifest manifest;
  forEachManifestAttribute(text, [&](std::string_view attr) { manifest.add(attr); });
  return manifest;
}

struct Gav {
  std::string group, artifact, version;
};

Gav parsePomProperties(std::string_view text) {
  Gav gav;
  forEachPomLine(text, [&](std::string_view line) {
    if (line.starts_with(kPomKeys[0])) {
      gav.group.assign(line.substr(kPomKeys[0].size()));
    } else if (line.starts_with(kPomKeys[1])) {
      gav.artifact.assign(line.substr(kPomKeys[1].size()));
    } else if (line.starts_with(kPomKeys[2])) {
      gav.version.assign(line.substr(kPomKeys[2].size()));
    }
  });
  return gav;
}

struct ArchiveFindings {
  std::vector<Gav> poms;
  std::optional<Manifest> manifest;
};

model::Package makePackage(const Gav& gav, std::string_view location) {
  model::Package package;
  package.type = model::PackageType::Maven;
  package.name = fmt::format("{}:{}", gav.group, gav.artifact);
  package.version = gav.version;
  package.location.path = std::string(location);
  return package;
}

bool asciiDigit(char c) { return c >= '0' && c <= '9'; }
// Go's \s: [\t\n\f\r ].
bool goSpace(char c) { return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '; }
bool groupChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || asciiDigit(c) || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

bool isJavaArchiveName(std::string_view path) noexcept {
  const std::string_view base = baseName(path);
  return std::any_of(kArchiveExtensions.begin(), kArchiveExtensions.end(), [&](std::string_view e) {
    if (base.size() <= e.size()) return false;
    const std::string_view tail = base.substr(base.size() - e.size());
    return std::equal(tail.begin(), tail.end(), e.begin(), [](char a, char b) {
      return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
    });
  });
}

bool wantsJavaArchive(std::string_view path, std::uint32_t /*mode*/, std::uint64_t size) noexcept {
  return size <= kMaxJavaArchiveFileBytes && isJavaArchiveName(path);
}

std::string summarizeJavaArchive(std::string_view /*path*/, std::string_view content) {
  try {
    Walk walk;
    walkArchive(content, std::string(), 0, walk);
    return std::move(walk.summary);
  } catch (...) {
    // Allocation failure: say so rather than throw out of a layer walk.
    std::string out;
    out.push_back('D');
    putField(out, "");
    putField(out, "java.archive-error");
    putField(out, "the archive could not be read (out of memory)");
    return out;
  }
}

JavaFileNameProperties parseJavaFileName(std::string_view path) {
  // ^([a-zA-Z0-9._-]*[^-*])-(\d\S*(?:-SNAPSHOT)?).jar$ — the greedy first group takes the last
  // "-<digit>" whose left part fits and whose right part has no space.
  const std::string_view name = baseName(path);
  if (name.size() < 4 || !name.ends_with("jar")) return {};
  const std::string_view stem = name.substr(0, name.size() - 4);
  // The longest prefix of group characters bounds where the first group can end.
  std::size_t group_run = 0;
  while (group_run < stem.size() && groupChar(stem[group_run])) ++group_run;
  // Trailing part without spaces: the version can start no earlier than this.
  std::size_t no_space_from = stem.size();
  while (no_space_from > 0 && !goSpace(stem[no_space_from - 1])) --no_space_from;
  for (std::size_t dash = stem.size(); dash-- > 1;) {
    if (stem[dash] != '-' || dash + 1 >= stem.size() || !asciiDigit(stem[dash + 1])) continue;
    if (dash + 1 < no_space_from) break;  // a space in the version; shorter groups too
    const char last = stem[dash - 1];
    if (last == '-' || last == '*') continue;
    if (dash - 1 > group_run) continue;  // characters before the last must be group characters
    // The ".jar" dot is any character but a newline.
    if (name[name.size() - 4] == '\n') return {};
    return {std::string(stem.substr(0, dash)), std::string(stem.substr(dash + 1))};
  }
  return {};
}

std::string_view javaOuterArchivePath(std::string_view location_path) noexcept {
  const auto separator = location_path.find(kNestedSeparator);
  return separator == std::string_view::npos ? location_path : location_path.substr(0, separator);
}

std::vector<model::Package> parseJavaArchiveSummary(std::string_view summary, std::string_view path,
                                                    core::Diagnostics& diagnostics) {
  // Archives in the order first seen; each with what it holds.
  std::vector<std::pair<std::string, ArchiveFindings>> archives;
  std::map<std::string, std::size_t, std::less<>> index;
  auto findings = [&](std::string_view archive) -> ArchiveFindings& {
    const auto it = index.find(archive);
    if (it != index.end()) return archives[it->second].second;
    index.emplace(std::string(archive), archives.size());
    archives.emplace_back(std::string(archive), ArchiveFindings{});
    return archives.back().second;
  };
  auto location = [&](std::string_view archive) {
    return archive.empty() ? std::string(path)
                           : fmt::format("{}{}{}", path, kNestedSeparator, archive);
  };

  std::string_view in = summary;
  while (!in.empty()) {
    const char kind = in.front();
    in.remove_prefix(1);
    std::string_view archive;
    std::string_view a;
    std::string_view b;
    bool ok = getField(in, archive);
    if (kind == 'P' || kind == 'D') {
      ok = ok && getField(in, a) && getField(in, b);
    } else if (kind == 'M') {
      ok = ok && getField(in, a);
    } else {
      ok = false;
    }
    if (!ok) {
      diagnostics.add("java.malformed-summary", std::string(path),
                      "the archive summary is damaged; the rest is ignored");
      break;
    }
    if (kind == 'P') {
      findings(archive).poms.push_back(parsePomProperties(b));
    } else if (kind == 'M') {
      findings(archive).manifest = parseManifest(a);
    } else {
      diagnostics.add(std::string(a), location(archive), std::string(b));
    }
  }

  std::vector<model::Package> packages;
  for (const auto& [archive, found] : archives) {
    const std::string where = location(archive);
    const JavaFileNameProperties file = parseJavaFileName(archive.empty() ? path : archive);
    bool own_pom = false;
    for (const Gav& gav : found.poms) {
      if (gav.group.empty() || gav.artifact.empty() || gav.version.empty()) continue;
      packages.push_back(makePackage(gav, where));
      if (file.artifact_id == gav.artifact && file.version == gav.version) own_pom = true;
    }
    if (own_pom || !found.manifest) continue;
    const Gav gav{found.manifest->groupId(), found.manifest->artifactId(),
                  found.manifest->version()};
    if (gav.group.empty() || gav.artifact.empty() || gav.version.empty()) continue;
    packages.push_back(makePackage(gav, where));
  }

  // Trivy's removePackageDuplicates: one per name, location and version (Trivy compares the
  // versions as Maven does; spelled differently in one archive, both are kept here — catalogers
  // do not depend on version schemes, DESIGN.md).
  std::vector<model::Package> unique;
  unique.reserve(packages.size());
  for (auto& package : packages) {
    const bool seen = std::any_of(unique.begin(), unique.end(), [&](const model::Package& kept) {
      return kept.name == package.name && kept.location.path == package.location.path &&
             kept.version == package.version;
    });
    if (!seen) unique.push_back(std::move(package));
  }
  return unique;
}

std::vector<model::Package> parseJavaArchive(std::string_view content, std::string_view path,
                                             core::Diagnostics& diagnostics) {
  return parseJavaArchiveSummary(summarizeJavaArchive(path, content), path, diagnostics);
}

namespace {

// A zip starts with a local file header (or, empty, the end-of-central-directory record).
bool zipHead(std::string_view head) noexcept {
  return head.starts_with("PK\x03\x04") || head.starts_with("PK\x05\x06");
}

class JavaArchiveCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "java-archive"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override { return {}; }
  std::vector<std::string_view> projectPatterns() const override {
    return {kPomPattern, kGradleLockfilePattern, kGradleLegacyLockfilePattern, kSbtLockPattern};
  }
  std::vector<image::Extractor> extractors() const override {
    return {image::Extractor{kJavaArchiveExtractor, &wantsJavaArchive, &summarizeJavaArchive,
                             kMaxJavaArchiveFileBytes, &zipHead}};
  }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    for (const auto& [path, entry] : fs.extracted(kJavaArchiveExtractor)) {
      for (auto& package : parseJavaArchiveSummary(entry->content, path, diagnostics)) {
        package.location.layer_digest = entry->layer_digest;
        packages.push_back(std::move(package));
      }
    }
    catalogPomFiles(fs, kPomPattern, packages, diagnostics);
    catalogFiles(fs, kGradleLockfilePattern, &parseGradleLockfile, packages, diagnostics);
    catalogFiles(fs, kGradleLegacyLockfilePattern, &parseGradleLockfile, packages, diagnostics);
    catalogFiles(fs, kSbtLockPattern, &parseSbtLockfile, packages, diagnostics);
  }

 private:
  static constexpr std::string_view kPomPattern = "**/pom.xml";
  static constexpr std::string_view kGradleLockfilePattern = "**/gradle.lockfile";
  // Gradle before 6.0: one file per configuration.
  static constexpr std::string_view kGradleLegacyLockfilePattern =
      "**/gradle/dependency-locks/*.lockfile";
  static constexpr std::string_view kSbtLockPattern = "**/build.sbt.lock";
};

}  // namespace

std::unique_ptr<Cataloger> makeJavaArchiveCataloger() {
  return std::make_unique<JavaArchiveCataloger>();
}

}  // namespace bulwark::catalog
