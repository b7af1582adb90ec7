#include "vulndb/feeds/osv/osv.h"

#include <archive.h>
#include <archive_entry.h>

#include <array>
#include <cctype>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "core/text.h"
#include "vulndb/advisory_json.h"
#include "vulndb/ecosystem.h"
#include "vulndb/feeds/json_util.h"

namespace bulwark::vulndb::feeds {

namespace {

namespace dom = simdjson::dom;
using detail::getString;
using model::Advisory;
using model::AffectedPackage;
using model::RangeEvent;
using model::VersionRange;

constexpr std::string_view kSource = "osv";
constexpr std::size_t kMaxArchiveMembers = 10'000'000;

// OSV ecosystems that name a language package registry; kept as they are.
constexpr std::string_view kLanguageEcosystems[] = {
    "npm",      "PyPI",         "Go",      "crates.io",   "Maven",          "RubyGems",
    "NuGet",    "Packagist",    "Pub",     "Hex",         "Hackage",        "CRAN",
    "SwiftURL", "Bioconductor", "GHC",     "ConanCenter", "GitHub Actions", "Julia",
    "Linux",    "OSS-Fuzz",     "Bitnami", "VSCode",      "opam",
};

// OSV operating-system ecosystem names → the distribution ids of ecosystem.h.
struct OsName {
  std::string_view osv;
  std::string_view id;
};
constexpr std::array<OsName, 12> kOsEcosystems = {{
    {"Debian", "debian"},
    {"Alpine", "alpine"},
    {"Ubuntu", "ubuntu"},
    {"Rocky Linux", "rocky"},
    {"AlmaLinux", "almalinux"},
    {"Mariner", "mariner"},
    {"Azure Linux", "azurelinux"},
    {"Photon OS", "photon"},
    {"Oracle Linux", "ol"},
    {"Mageia", "mageia"},
    {"openEuler", "openeuler"},
    {"Red Hat", "rhel"},
}};

bool isReleaseLike(std::string_view text) {
  if (text.empty()) return false;
  if (text.front() == 'v') text.remove_prefix(1);
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text.front())) == 0) return false;
  for (const char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0 && c != '.') return false;
  }
  return true;
}

std::string_view rangeTypeName(VersionRange::Type type) {
  switch (type) {
    case VersionRange::Type::Ecosystem: return "ECOSYSTEM";
    case VersionRange::Type::Semver: return "SEMVER";
    case VersionRange::Type::Git: return "GIT";
  }
  return "?";
}

// Reads one OSV record. Returns false with `error` set when the record is malformed.
class RecordReader {
 public:
  RecordReader(std::string_view where, core::Diagnostics& diagnostics)
      : where_(where), diagnostics_(diagnostics) {}

  bool read(dom::element element, Advisory& advisory, std::string& error) {
    dom::object object;
    if (element.get(object) != simdjson::SUCCESS) return fail(error, "record is not an object");
    advisory.source = kSource;
    for (const auto field : object) {
      const std::string_view key = field.key;
      const dom::element value = field.value;
      if (value.is_null()) continue;
      if (key == "id") {
        if (!getString(value, advisory.id)) return fail(error, "\"id\" is not a string");
      } else if (key == "aliases") {
        if (!readStrings(value, advisory.aliases)) return fail(error, "bad \"aliases\"");
      } else if (key == "related") {
        if (!readStrings(value, advisory.related)) return fail(error, "bad \"related\"");
      } else if (key == "modified") {
        if (!getString(value, advisory.modified)) return fail(error, "bad \"modified\"");
      } else if (key == "published") {
        if (!getString(value, advisory.published)) return fail(error, "bad \"published\"");
      } else if (key == "withdrawn") {
        if (!getString(value, advisory.withdrawn)) return fail(error, "bad \"withdrawn\"");
      } else if (key == "summary") {
        if (!getString(value, advisory.summary)) return fail(error, "bad \"summary\"");
      } else if (key == "details") {
        if (!getString(value, advisory.details)) return fail(error, "bad \"details\"");
      } else if (key == "severity") {
        if (!readSeverities(value, advisory.severities)) return fail(error, "bad \"severity\"");
      } else if (key == "affected") {
        if (!readAffected(value, advisory, error)) return false;
      } else if (key == "references") {
        if (!readReferences(value, advisory.references)) return fail(error, "bad \"references\"");
      } else if (key == "database_specific") {
        if (const auto word = severityWord(value); !word.empty()) {
          advisory.severities.push_back({.type = "database_specific",
                                         .vector = word,
                                         .severity = model::parseSeverity(word),
                                         .source = std::string(kSource)});
        }
        // GHSA records: "cwe_ids": ["CWE-79"]; a bad list loses the weaknesses, not the record.
        std::vector<std::string> cwes;
        dom::element cwe_ids;
        if (value["cwe_ids"].get(cwe_ids) == simdjson::SUCCESS && readStrings(cwe_ids, cwes)) {
          advisory.cwes = normalizeCwes(cwes);
        }
      }
    }
    if (advisory.id.empty()) return fail(error, "record has no \"id\"");
    return true;
  }

 private:
  static bool fail(std::string& error, std::string_view detail) {
    error = detail;
    return false;
  }

  static bool readStrings(dom::element value, std::vector<std::string>& out) {
    dom::array array;
    if (value.get(array) != simdjson::SUCCESS) return false;
    for (const auto item : array) {
      std::string text;
      if (!getString(item, text)) return false;
      out.push_back(std::move(text));
    }
    return true;
  }

  // A severity word in a *_specific object: "severity" (GHSA, PyPI) or "urgency" (Debian).
  static std::string severityWord(dom::element value, std::string_view key = "severity") {
    dom::object object;
    if (value.get(object) != simdjson::SUCCESS) return {};
    std::string word;
    if (getString(object[key], word)) return word;
    return {};
  }

  static bool readSeverities(dom::element value, std::vector<model::SeverityScore>& out) {
    dom::array array;
    if (value.get(array) != simdjson::SUCCESS) return false;
    for (const auto item : array) {
      model::SeverityScore score;
      score.source = kSource;
      if (!getString(item["type"], score.type) || !getString(item["score"], score.vector)) {
        return false;
      }
      // CVSS vectors are scored later; other types ("Ubuntu": "medium") carry a word.
      if (!score.type.starts_with("CVSS")) score.severity = model::parseSeverity(score.vector);
      out.push_back(std::move(score));
    }
    return true;
  }

  static bool readReferences(dom::element value, std::vector<std::string>& out) {
    dom::array array;
    if (value.get(array) != simdjson::SUCCESS) return false;
    for (const auto item : array) {
      std::string url;
      if (!getString(item["url"], url)) return false;
      out.push_back(std::move(url));
    }
    return true;
  }

  static bool readRange(dom::element value, VersionRange& range, std::string& error) {
    std::string type;
    if (!getString(value["type"], type)) return fail(error, "range without \"type\"");
    if (type == "ECOSYSTEM") {
      range.type = VersionRange::Type::Ecosystem;
    } else if (type == "SEMVER") {
      range.type = VersionRange::Type::Semver;
    } else if (type == "GIT") {
      range.type = VersionRange::Type::Git;
    } else {
      return fail(error, fmt::format("unknown range type \"{}\"", core::printable(type)));
    }
    dom::array events;
    if (value["events"].get(events) != simdjson::SUCCESS) {
      return fail(error, "range without \"events\"");
    }
    for (const auto event : events) {
      dom::object object;
      if (event.get(object) != simdjson::SUCCESS) return fail(error, "event is not an object");
      for (const auto field : object) {
        RangeEvent parsed;
        if (field.key == "introduced") {
          parsed.kind = RangeEvent::Kind::Introduced;
        } else if (field.key == "fixed") {
          parsed.kind = RangeEvent::Kind::Fixed;
        } else if (field.key == "last_affected") {
          parsed.kind = RangeEvent::Kind::LastAffected;
        } else if (field.key == "limit") {
          parsed.kind = RangeEvent::Kind::Limit;
        } else {
          continue;  // unknown event keys are ignored, as the schema allows extensions
        }
        if (!getString(field.value, parsed.version)) return fail(error, "event version");
        range.events.push_back(std::move(parsed));
      }
    }
    return true;
  }

  bool readAffected(dom::element value, Advisory& advisory, std::string& error) {
    dom::array array;
    if (value.get(array) != simdjson::SUCCESS) return fail(error, "\"affected\" is not an array");
    for (const auto item : array) {
      dom::object object;
      if (item.get(object) != simdjson::SUCCESS) return fail(error, "affected entry");
      AffectedPackage package;
      std::string osv_ecosystem;
      for (const auto field : object) {
        const std::string_view key = field.key;
        const dom::element entry = field.value;
        if (entry.is_null()) continue;
        if (key == "package") {
          dom::object pkg;
          if (entry.get(pkg) != simdjson::SUCCESS) return fail(error, "\"package\"");
          for (const auto part : pkg) {
            if (part.value.is_null()) continue;
            std::string* target = part.key == "ecosystem" ? &osv_ecosystem
                                  : part.key == "name"    ? &package.name
                                  : part.key == "purl"    ? &package.purl
                                                          : nullptr;
            if (target != nullptr && !getString(part.value, *target)) {
              return fail(error, fmt::format("package.{} is not a string", part.key));
            }
          }
        } else if (key == "ranges") {
          dom::array ranges;
          if (entry.get(ranges) != simdjson::SUCCESS) return fail(error, "\"ranges\"");
          for (const auto range_value : ranges) {
            VersionRange range;
            if (!readRange(range_value, range, error)) return false;
            package.ranges.push_back(std::move(range));
          }
        } else if (key == "versions") {
          if (!readStrings(entry, package.versions)) return fail(error, "\"versions\"");
        } else if (key == "database_specific" || key == "ecosystem_specific") {
          if (auto word = severityWord(entry); !word.empty()) {
            package.severity = model::parseSeverity(word);
          }
          if (auto urgency = severityWord(entry, "urgency"); !urgency.empty()) {
            package.severity = model::parseSeverity(urgency);
            package.urgency = std::move(urgency);
          }
        }
      }
      package.ecosystem = mapOsvEcosystem(osv_ecosystem);
      if (package.ecosystem.empty()) {
        package.ecosystem = osv_ecosystem;
        if (osv_ecosystem.empty()) {
          unevaluable(advisory, "affected entry without a package ecosystem");
        } else {
          unevaluable(advisory,
                      fmt::format("unknown ecosystem \"{}\"", core::printable(osv_ecosystem)));
        }
      } else if (package.name.empty()) {
        unevaluable(advisory, "affected entry without a package name");
      }
      checkRanges(advisory, package);
      for (const auto& range : package.ranges) {
        for (const auto& event : range.events) {
          if (event.kind == RangeEvent::Kind::Fixed && package.fixed_version.empty() &&
              range.type != VersionRange::Type::Git) {
            package.fixed_version = event.version;
          }
        }
      }
      advisory.affected.push_back(std::move(package));
    }
    return true;
  }

  // OSV rules: a range needs an "introduced" event, and "fixed" and "last_affected" must not
  // both appear in one range.
  void checkRanges(const Advisory& advisory, const AffectedPackage& package) {
    for (const auto& range : package.ranges) {
      bool introduced = false;
      bool fixed = false;
      bool last_affected = false;
      for (const auto& event : range.events) {
        introduced |= event.kind == RangeEvent::Kind::Introduced;
        fixed |= event.kind == RangeEvent::Kind::Fixed;
        last_affected |= event.kind == RangeEvent::Kind::LastAffected;
      }
      if (!introduced) {
        unevaluable(advisory,
                    fmt::format("{} range of {} has no \"introduced\" event",
                                rangeTypeName(range.type), core::printable(package.name)));
      } else if (fixed && last_affected) {
        unevaluable(advisory,
                    fmt::format("{} range of {} has both \"fixed\" and "
                                "\"last_affected\"",
                                rangeTypeName(range.type), core::printable(package.name)));
      }
    }
  }

  void unevaluable(const Advisory& advisory, std::string reason) {
    diagnostics_.add(std::string(kUnevaluable), fmt::format("{}#{}", where_, advisory.id),
                     std::move(reason));
  }

  std::string_view where_;
  core::Diagnostics& diagnostics_;
};

// Parses a document: one record or an array of records.
core::Status parseDocument(dom::parser& parser, std::string_view bytes, std::string_view where,
                           const AdvisorySink& sink, core::Diagnostics& diagnostics) {
  simdjson::padded_string storage;
  auto root = detail::parseJson(parser, storage, bytes, where);
  if (!root) return tl::unexpected(root.error());
  RecordReader reader(where, diagnostics);
  const auto deliver = [&](dom::element element, std::size_t index, bool in_array) {
    Advisory advisory;
    std::string error;
    if (reader.read(element, advisory, error)) {
      sink(std::move(advisory));
      return;
    }
    std::string location = in_array ? fmt::format("{}#{}", where, index) : std::string(where);
    if (!advisory.id.empty()) location += fmt::format("#{}", core::printable(advisory.id));
    diagnostics.add("osv.malformed-record", std::move(location), std::move(error));
  };
  dom::array array;
  if (root->get(array) == simdjson::SUCCESS) {
    std::size_t index = 0;
    for (const auto element : array) deliver(element, index++, true);
    return {};
  }
  if (root->type() != dom::element_type::OBJECT) {
    return core::fail(core::ErrorCode::Input, "{}: not an OSV record (object or array)", where);
  }
  deliver(*root, 0, false);
  return {};
}

struct ArchiveDeleter {
  void operator()(struct archive* archive) const { archive_read_free(archive); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveDeleter>;

ArchivePtr newZipReader() {
  ArchivePtr archive(archive_read_new());
  if (archive) archive_read_support_format_zip(archive.get());
  return archive;
}

// Reads every *.json member of an opened zip, in archive order.
core::Status readZipMembers(struct archive* archive, std::string_view where,
                            const AdvisorySink& sink, core::Diagnostics& diagnostics) {
  dom::parser parser;
  std::string buffer;
  std::array<char, std::size_t{64} * 1024> block{};
  for (std::size_t members = 0; members < kMaxArchiveMembers; ++members) {
    struct archive_entry* entry = nullptr;
    const int status = archive_read_next_header(archive, &entry);
    if (status == ARCHIVE_EOF) return {};
    if (status < ARCHIVE_WARN) {
      return core::fail(core::ErrorCode::Input, "{}: unreadable zip: {}", where,
                        archive_error_string(archive) ? archive_error_string(archive) : "?");
    }
    const char* raw_name = archive_entry_pathname(entry);
    const std::string name = raw_name != nullptr ? core::printable(raw_name) : std::string("?");
    const std::string member = fmt::format("{}!{}", where, name);
    if (archive_entry_filetype(entry) != AE_IFREG || !name.ends_with(".json")) continue;
    if (archive_entry_size_is_set(entry) != 0 &&
        archive_entry_size(entry) > static_cast<la_int64_t>(kMaxArchiveMemberBytes)) {
      diagnostics.add("osv.oversized-member", member,
                      fmt::format("member larger than {} bytes skipped", kMaxArchiveMemberBytes));
      continue;
    }
    buffer.clear();
    bool oversized = false;
    for (;;) {
      const la_ssize_t got = archive_read_data(archive, block.data(), block.size());
      if (got == 0) break;
      if (got < 0) {
        return core::fail(core::ErrorCode::Input, "{}: unreadable zip member: {}", member,
                          archive_error_string(archive) ? archive_error_string(archive) : "?");
      }
      if (buffer.size() + static_cast<std::size_t>(got) > kMaxArchiveMemberBytes) {
        oversized = true;
        break;
      }
      buffer.append(block.data(), static_cast<std::size_t>(got));
    }
    if (oversized) {
      diagnostics.add("osv.oversized-member", member,
                      fmt::format("member larger than {} bytes skipped", kMaxArchiveMemberBytes));
      continue;
    }
    if (auto parsed = parseDocument(parser, buffer, member, sink, diagnostics); !parsed) {
      diagnostics.add("osv.malformed-record", member, parsed.error().message);
    }
  }
  return core::fail(core::ErrorCode::Limit, "{}: more than {} zip members", where,
                    kMaxArchiveMembers);
}

}  // namespace

std::string mapOsvEcosystem(std::string_view osv_ecosystem) {
  const auto parts = core::split(osv_ecosystem, ':');
  if (parts.empty()) return {};
  const std::string_view base = parts.front();
  if (base == "SUSE" || base == "openSUSE") return suseEcosystem(osv_ecosystem);
  for (const auto language : kLanguageEcosystems) {
    if (base == language) return std::string(language);
  }
  for (const auto& os : kOsEcosystems) {
    if (base != os.osv) continue;
    // The release is the first component that looks like one: "Ubuntu:Pro:18.04:LTS" → 18.04,
    // "Alpine:v3.19" → v3.19, "Red Hat:rhel_e4s:9.2::appstream" → 9.2.
    for (std::size_t i = 1; i < parts.size(); ++i) {
      if (isReleaseLike(parts[i])) return osEcosystem(os.id, parts[i]);
    }
    return {};
  }
  return {};
}

bool detectOsv(std::string_view /*path*/, std::string_view head) {
  const char first = detail::firstNonBlank(head);
  if (first != '{' && first != '[') return false;
  if (head.find("\"id\"") == std::string_view::npos) return false;
  // Other JSON formats that also carry an "id": NVD, CVE JSON 5.
  for (const std::string_view other : {"\"cveMetadata\"", "\"vulnerabilities\"", "\"CVE_Items\""}) {
    if (head.find(other) != std::string_view::npos) return false;
  }
  return head.find("\"modified\"") != std::string_view::npos ||
         head.find("\"affected\"") != std::string_view::npos ||
         head.find("\"schema_version\"") != std::string_view::npos;
}

core::Status parseOsv(std::string_view bytes, std::string_view where, const AdvisorySink& sink,
                      core::Diagnostics& diagnostics) {
  thread_local dom::parser parser;  // reused: its buffers grow to the largest record seen
  return parseDocument(parser, bytes, where, sink, diagnostics);
}

bool detectOsvZip(std::string_view path, std::string_view head) {
  return head.starts_with(std::string_view("PK\x03\x04", 4)) ||
         (head.empty() && path.ends_with(".zip"));
}

core::Status parseOsvZip(std::string_view bytes, std::string_view where, const AdvisorySink& sink,
                         core::Diagnostics& diagnostics) {
  auto archive = newZipReader();
  if (!archive) return core::fail(core::ErrorCode::Internal, "libarchive: out of memory");
  if (archive_read_open_memory(archive.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return core::fail(
        core::ErrorCode::Input, "{}: not a zip archive: {}", where,
        archive_error_string(archive.get()) ? archive_error_string(archive.get()) : "?");
  }
  return readZipMembers(archive.get(), where, sink, diagnostics);
}

core::Status parseOsvZipFile(const std::filesystem::path& path, const AdvisorySink& sink,
                             core::Diagnostics& diagnostics) {
  auto archive = newZipReader();
  if (!archive) return core::fail(core::ErrorCode::Internal, "libarchive: out of memory");
  const std::string where = path.string();
  if (archive_read_open_filename(archive.get(), where.c_str(), 1 << 16) != ARCHIVE_OK) {
    return core::fail(
        core::ErrorCode::Input, "{}: not a readable zip archive: {}", where,
        archive_error_string(archive.get()) ? archive_error_string(archive.get()) : "?");
  }
  return readZipMembers(archive.get(), where, sink, diagnostics);
}

}  // namespace bulwark::vulndb::feeds
