#include "vulndb/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <zdict.h>
#include <zstd.h>

#include "core/sha256.h"
#include "vulndb/advisory_json.h"
#include "vulndb/ecosystem.h"

namespace bulwark::vulndb {

using core::ErrorCode;
namespace fs = std::filesystem;

namespace {

// Schema 4. An advisory's package statements are grouped: one `statements` row per distinct
// (status, severity, fixed version, urgency, ranges, versions, arches, module stream, purl),
// with the packages it covers; `affected` maps (package, advisory, seq) to it and is the lookup
// index itself (WITHOUT ROWID, clustered on the package). seq is the statement's position in
// the advisory as imported, so lookups and exports keep the feed's order. A statement's id is
// advisory rowid * kStatementsPerAdvisory + its number within the advisory: an advisory's
// statements are one rowid range, found without an index. Aliases are indexed both ways: by
// alias for `advisories(id)` (enrichment, export), by advisory for every lookup's alias list.
constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE feeds(name TEXT NOT NULL, location TEXT NOT NULL, imported_at TEXT NOT NULL,
                   advisories INTEGER NOT NULL, PRIMARY KEY(name, location)) WITHOUT ROWID;
CREATE TABLE sources(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE advisories(
  rowid INTEGER PRIMARY KEY,
  source INTEGER NOT NULL, id TEXT NOT NULL, modified TEXT NOT NULL, severity INTEGER NOT NULL,
  digest INTEGER NOT NULL, UNIQUE(id, source));
CREATE TABLE dictionaries(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE advisory_text(advisory INTEGER PRIMARY KEY REFERENCES advisories(rowid),
                           codec INTEGER NOT NULL, document BLOB NOT NULL);
CREATE TABLE aliases(alias TEXT NOT NULL, advisory INTEGER NOT NULL,
                     PRIMARY KEY(alias, advisory)) WITHOUT ROWID;
CREATE INDEX aliases_by_advisory ON aliases(advisory);
CREATE TABLE ecosystems(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE packages(id INTEGER PRIMARY KEY, ecosystem INTEGER NOT NULL, name TEXT NOT NULL,
                      UNIQUE(ecosystem, name));
CREATE TABLE statements(
  id INTEGER PRIMARY KEY, packages BLOB NOT NULL,
  status INTEGER NOT NULL, severity INTEGER NOT NULL, fixed_version TEXT NOT NULL,
  urgency TEXT NOT NULL, ranges TEXT NOT NULL, versions TEXT NOT NULL, arches TEXT NOT NULL,
  module_stream TEXT NOT NULL, purl TEXT NOT NULL);
CREATE TABLE affected(package INTEGER NOT NULL, advisory INTEGER NOT NULL, seq INTEGER NOT NULL,
                      statement INTEGER NOT NULL,
                      PRIMARY KEY(package, advisory, seq)) WITHOUT ROWID;
)sql";

// Each commit's changes (DatabaseWriter::Impl::recordBuild; Database::changesSince): the last
// Database::kKeptBuilds builds of this file, each with the build before it (empty for a new
// file) and, when `complete`, the packages it changed. Created on the writer's first update of
// a file that predates them; readers treat their absence as "no history".
constexpr const char* kHistorySchema = R"sql(
CREATE TABLE IF NOT EXISTS builds(seq INTEGER PRIMARY KEY, build_id TEXT NOT NULL,
                                  previous TEXT NOT NULL, complete INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS build_changes(seq INTEGER NOT NULL, package INTEGER NOT NULL,
                                         PRIMARY KEY(seq, package)) WITHOUT ROWID;
)sql";

// Statements of one advisory: ids [rowid * k, rowid * k + k). Advisory rowids stay far below
// the limit (2^43) that keeps the product in 63 bits.
constexpr std::int64_t kStatementsPerAdvisory = std::int64_t{1} << 20;
constexpr std::int64_t kMaxAdvisoryRowid = std::int64_t{1} << 42;

std::string nowUtc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

struct Db {
  sqlite3* handle = nullptr;
  ~Db() {
    // close_v2: even a statement still alive somewhere cannot keep the connection open.
    if (handle != nullptr) sqlite3_close_v2(handle);
  }
};

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    status_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  [[nodiscard]] bool ok() const { return status_ == SQLITE_OK; }
  Statement& bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bindBlob(int i, std::string_view bytes) {
    sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, std::int64_t value) {
    sqlite3_bind_int64(stmt_, i, value);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p == nullptr
               ? std::string()
               : std::string(reinterpret_cast<const char*>(p),
                             static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::string blob(int column) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return p == nullptr
               ? std::string()
               : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  [[nodiscard]] std::string error() const { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int status_ = SQLITE_ERROR;
};

core::Status exec(sqlite3* db, const char* sql, std::string_view what) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    return core::fail(ErrorCode::Io, "{}: {}", what, text);
  }
  return {};
}

// ---- Compact encodings ----------------------------------------------------------------------
// Lists and ranges in `affected` are stored pre-split, so a lookup parses no JSON:
//   list   = item (US item)*                      (US = 0x1f; empty list = empty string)
//   ranges = range (GS range)*                    (GS = 0x1d)
//   range  = type-letter event (RS event)*        (E ecosystem, S semver, G git; RS = 0x1e)
//   event  = kind-letter version                  (i introduced, f fixed, l last_affected, m limit)
//   "="    = the commonest statement, one ecosystem range "introduced 0, fixed <fixed_version>",
//            without repeating the fixed version the row already holds.
// Control characters never occur in versions or names; the writer drops them.
constexpr char kUnitSep = '\x1f';
constexpr char kRecordSep = '\x1e';
constexpr char kGroupSep = '\x1d';

void appendClean(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
}

std::vector<std::string_view> splitOn(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    out.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::string encodeList(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += kUnitSep;
    appendClean(out, items[i]);
  }
  return out;
}

std::vector<std::string> decodeList(std::string_view text) {
  std::vector<std::string> out;
  for (const auto item : splitOn(text, kUnitSep)) out.emplace_back(item);
  return out;
}

constexpr std::string_view kFixedOnly = "=";

bool isFixedOnly(const std::vector<model::VersionRange>& ranges, std::string_view fixed) {
  using Kind = model::RangeEvent::Kind;
  return !fixed.empty() && ranges.size() == 1 &&
         ranges[0].type == model::VersionRange::Type::Ecosystem && ranges[0].events.size() == 2 &&
         ranges[0].events[0].kind == Kind::Introduced && ranges[0].events[0].version == "0" &&
         ranges[0].events[1].kind == Kind::Fixed && ranges[0].events[1].version == fixed &&
         std::all_of(fixed.begin(), fixed.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x20; });
}

std::string encodeRanges(const std::vector<model::VersionRange>& ranges, std::string_view fixed) {
  using Kind = model::RangeEvent::Kind;
  using Type = model::VersionRange::Type;
  if (isFixedOnly(ranges, fixed)) return std::string(kFixedOnly);
  std::string out;
  for (std::size_t r = 0; r < ranges.size(); ++r) {
    if (r != 0) out += kGroupSep;
    const auto& range = ranges[r];
    out += range.type == Type::Semver ? 'S' : range.type == Type::Git ? 'G' : 'E';
    for (std::size_t e = 0; e < range.events.size(); ++e) {
      if (e != 0) out += kRecordSep;
      const auto& event = range.events[e];
      out += event.kind == Kind::Introduced     ? 'i'
             : event.kind == Kind::Fixed        ? 'f'
             : event.kind == Kind::LastAffected ? 'l'
                                                : 'm';
      appendClean(out, event.version);
    }
  }
  return out;
}

std::optional<std::vector<model::VersionRange>> decodeRanges(std::string_view text,
                                                             const std::string& fixed) {
  using Kind = model::RangeEvent::Kind;
  using Type = model::VersionRange::Type;
  std::vector<model::VersionRange> out;
  if (text == kFixedOnly) {
    if (fixed.empty()) return std::nullopt;
    out.push_back({Type::Ecosystem, {{Kind::Introduced, "0"}, {Kind::Fixed, fixed}}});
    return out;
  }
  for (const auto part : splitOn(text, kGroupSep)) {
    if (part.empty()) return std::nullopt;
    model::VersionRange range;
    switch (part.front()) {
      case 'E': range.type = Type::Ecosystem; break;
      case 'S': range.type = Type::Semver; break;
      case 'G': range.type = Type::Git; break;
      default: return std::nullopt;
    }
    if (part.size() > 1) {
      for (const auto item : splitOn(part.substr(1), kRecordSep)) {
        if (item.empty()) return std::nullopt;
        model::RangeEvent event;
        switch (item.front()) {
          case 'i': event.kind = Kind::Introduced; break;
          case 'f': event.kind = Kind::Fixed; break;
          case 'l': event.kind = Kind::LastAffected; break;
          case 'm': event.kind = Kind::Limit; break;
          default: return std::nullopt;
        }
        event.version = std::string(item.substr(1));
        range.events.push_back(std::move(event));
      }
    }
    out.push_back(std::move(range));
  }
  return out;
}

// A statement's packages: (package id, seq) pairs, each number an unsigned LEB128 varint.
void appendVarint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

std::optional<std::vector<std::pair<std::int64_t, std::int64_t>>> decodePackageList(
    std::string_view bytes) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  std::size_t at = 0;
  auto next = [&]() -> std::optional<std::int64_t> {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      if (at >= bytes.size()) return std::nullopt;
      const auto byte = static_cast<unsigned char>(bytes[at++]);
      value |= static_cast<std::uint64_t>(byte & 0x7fU) << shift;
      if ((byte & 0x80U) == 0) return static_cast<std::int64_t>(value & (~0ULL >> 1));
    }
    return std::nullopt;
  };
  while (at < bytes.size()) {
    const auto package = next();
    const auto seq = package ? next() : std::nullopt;
    if (!seq) return std::nullopt;
    out.emplace_back(*package, *seq);
  }
  return out;
}

// ---- Documents ---------------------------------------------------------------------------------
// advisory_text.document holds the advisory's JSON without its affected packages (those are
// the statements) and without what `advisories` already holds (id, source, modified).
// codec: 0 raw, 1 zstd, >= 2 zstd with dictionaries.id = codec.
constexpr std::int64_t kCodecRaw = 0;
constexpr std::int64_t kCodecZstd = 1;
constexpr int kZstdLevel = 9;
// A dictionary is trained once per database, when the first kPendingBytes of documents have
// arrived (or at commit), from kTrainingBytes of them taken evenly across all of them: the
// first documents of an import are usually one feed, a poor sample of the others.
constexpr std::size_t kPendingBytes = std::size_t{32} << 20;
constexpr std::size_t kTrainingBytes = std::size_t{8} << 20;
constexpr std::size_t kMinTrainingSamples = 256;
constexpr std::size_t kDictionaryBytes = std::size_t{112} << 10;
constexpr std::size_t kMaxDocumentBytes = std::size_t{64} << 20;

std::string documentOf(const model::Advisory& advisory) {
  model::Advisory text = advisory;
  text.affected.clear();
  text.id.clear();
  text.source.clear();
  text.modified.clear();
  return advisoryToJson(text);
}

// A stable 63-bit digest of everything stored about an advisory: "same content" on re-import.
std::int64_t contentDigest(const model::Advisory& advisory) {
  const std::string hex = core::sha256Hex(advisoryToJson(advisory)).substr(0, 15);
  return static_cast<std::int64_t>(std::stoull(hex, nullptr, 16));
}

// "file:" URI of a path (RFC 3986 percent-encoding of what a URI path cannot hold as is).
std::string fileUri(const std::string& path, std::string_view query) {
  std::string uri = "file:";
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || std::string_view("/-._~").find(c) != std::string_view::npos) {
      uri += c;
    } else {
      uri += fmt::format("%{:02X}", byte);
    }
  }
  return uri + "?" + std::string(query);
}

core::Result<std::unique_ptr<Db>> openFile(const std::string& path, int flags) {
  auto db = std::make_unique<Db>();
  // A database file never changes once written: writers build a new file and rename it over the
  // old one (DatabaseWriter::commit), and an open reader keeps the old inode. Readers can
  // therefore open it immutable: no file locks and no change checks on every query, which
  // otherwise cost a third of matching time.
  const bool read_only = (flags & SQLITE_OPEN_READONLY) != 0;
  const std::string name = read_only ? fileUri(path, "immutable=1") : path;
  if (read_only) flags |= SQLITE_OPEN_URI;
  if (sqlite3_open_v2(name.c_str(), &db->handle, flags, nullptr) != SQLITE_OK) {
    return core::fail(ErrorCode::Io, "{}: cannot open: {}", path,
                      db->handle != nullptr ? sqlite3_errmsg(db->handle) : "out of memory");
  }
  sqlite3_busy_timeout(db->handle, 5000);
  return db;
}

}  // namespace

std::string defaultDatabasePath() {
  const char* cache = std::getenv("XDG_CACHE_HOME");
  std::string base;
  if (cache != nullptr && *cache != '\0') {
    base = cache;
  } else {
    const char* home = std::getenv("HOME");
    base = std::string(home != nullptr ? home : ".") + "/.cache";
  }
  return base + "/bulwark/db/bulwark.db";
}

// ---------------------------------------------------------------------------------------------

namespace {

struct DDictFree {
  void operator()(ZSTD_DDict* dict) const { ZSTD_freeDDict(dict); }
};
struct CDictFree {
  void operator()(ZSTD_CDict* dict) const { ZSTD_freeCDict(dict); }
};
struct CCtxFree {
  void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* context) const { ZSTD_freeDCtx(context); }
};

// The aliases column of the lookups: a sorted US-separated list.
constexpr const char* kAliasesColumn =
    "(SELECT group_concat(alias, char(31)) FROM "
    " (SELECT alias FROM aliases WHERE advisory = a.rowid ORDER BY alias))";

class AdvisoryReader;

// Fills `a` from columns [first, first + 9) of a `statements` row:
// status, fixed_version, urgency, severity, ranges, versions, arches, module_stream, purl.
bool readAffected(const Statement& row, int first, model::AffectedPackage& a) {
  a.status = static_cast<model::AffectedStatus>(row.integer(first));
  a.fixed_version = row.text(first + 1);
  a.urgency = row.text(first + 2);
  a.severity = static_cast<model::Severity>(row.integer(first + 3));
  auto ranges = decodeRanges(row.text(first + 4), a.fixed_version);
  if (!ranges) return false;
  a.ranges = std::move(*ranges);
  a.versions = decodeList(row.text(first + 5));
  a.arches = decodeList(row.text(first + 6));
  a.module_stream = row.text(first + 7);
  a.purl = row.text(first + 8);
  return true;
}

}  // namespace

struct Database::Impl {
  std::string path;
  std::unique_ptr<Db> db;  // declared first: closed after the statements below are finalized
  std::unique_ptr<Statement> affecting;  // prepared once; a scan runs thousands of lookups
  // advisories(id): prepared on first use and kept, with the reader's package-name cache
  // (enrichment asks once per finding; re-evaluation once per finding of every stored image).
  std::unique_ptr<Statement> by_id;
  std::unique_ptr<AdvisoryReader> reader;
  // Answers already read: matching many inventories with one Database (re-evaluation, a
  // worker) asks for the same packages and advisories again and again. Bounded: emptied when
  // full. Safe because the file never changes under an open Database (see openFile).
  std::unordered_map<std::string, std::vector<AffectedRecord>> affecting_cache;
  std::unordered_map<std::string, std::vector<model::Advisory>> advisory_cache;
  static constexpr std::size_t kMaxCachedPackages = 20000;
  static constexpr std::size_t kMaxCachedAdvisories = 4000;
  std::map<std::int64_t, std::unique_ptr<ZSTD_DDict, DDictFree>> dictionaries;
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx;

  core::Result<std::string> decode(std::int64_t codec, std::string blob);
  // A row of (rowid, codec, document, id, source, modified) → the whole advisory.
  core::Result<model::Advisory> load(AdvisoryReader& reader, const Statement& row);
};

core::Result<std::string> Database::Impl::decode(std::int64_t codec, std::string blob) {
  if (codec == kCodecRaw) return blob;
  const unsigned long long size = ZSTD_getFrameContentSize(blob.data(), blob.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
      size > kMaxDocumentBytes) {
    return core::fail(ErrorCode::Input, "{}: corrupt database: bad compressed document", path);
  }
  if (!dctx) dctx.reset(ZSTD_createDCtx());
  std::string out(static_cast<std::size_t>(size), '\0');
  std::size_t written = 0;
  if (codec == kCodecZstd) {
    written = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), blob.data(), blob.size());
  } else {
    auto found = dictionaries.find(codec);
    if (found == dictionaries.end()) {
      Statement query(db->handle, "SELECT data FROM dictionaries WHERE id = ?1");
      query.bind(1, codec);
      if (!query.ok() || query.step() != SQLITE_ROW) {
        return core::fail(ErrorCode::Input, "{}: corrupt database: dictionary {} missing", path,
                          codec);
      }
      const std::string data = query.blob(0);
      std::unique_ptr<ZSTD_DDict, DDictFree> dict(ZSTD_createDDict(data.data(), data.size()));
      if (!dict) {
        return core::fail(ErrorCode::Input, "{}: corrupt database: dictionary {}", path, codec);
      }
      found = dictionaries.emplace(codec, std::move(dict)).first;
    }
    written = ZSTD_decompress_usingDDict(dctx.get(), out.data(), out.size(), blob.data(),
                                         blob.size(), found->second.get());
  }
  if (ZSTD_isError(written) != 0U || written != out.size()) {
    return core::fail(ErrorCode::Input, "{}: corrupt database: bad compressed document", path);
  }
  return out;
}

Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

core::Result<Database> Database::open(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return core::fail(ErrorCode::NotFound,
                      "{}: no vulnerability database (create one with `bulwark db import`)", path);
  }
  auto db = openFile(path, SQLITE_OPEN_READONLY);
  if (!db) return tl::unexpected(db.error());
  int schema = 0;
  {
    Statement version((*db)->handle, "SELECT value FROM meta WHERE key = 'schema_version'");
    if (!version.ok() || version.step() != SQLITE_ROW) {
      return core::fail(ErrorCode::Input, "{}: not a bulwark vulnerability database", path);
    }
    schema = std::atoi(version.text(0).c_str());
  }
  // Every schema change makes older files unreadable here (never misread): they are rebuilt
  // from the feeds, which is what an update does anyway.
  if (schema > kSchemaVersion) {
    return core::fail(ErrorCode::Input,
                      "{}: written by a newer bulwark (schema {}, this one reads {})", path, schema,
                      kSchemaVersion);
  }
  if (schema < kSchemaVersion) {
    return core::fail(ErrorCode::Input,
                      "{}: schema {} is too old (this bulwark reads {}); rebuild it with "
                      "`bulwark db update` or `bulwark db import`",
                      path, schema, kSchemaVersion);
  }
  Database out;
  out.impl_ = std::make_unique<Impl>();
  out.impl_->path = path;
  out.impl_->db = std::move(*db);
  out.impl_->affecting = std::make_unique<Statement>(
      out.impl_->db->handle,
      fmt::format("SELECT a.id, src.name, a.severity, s.status, s.fixed_version, s.urgency, "
                  "s.severity, s.ranges, s.versions, s.arches, s.module_stream, s.purl, {} "
                  "FROM affected f JOIN advisories a ON a.rowid = f.advisory "
                  "JOIN sources src ON src.id = a.source "
                  "JOIN statements s ON s.id = f.advisory * {} + f.statement "
                  "WHERE f.package = (SELECT p.id FROM packages p WHERE p.ecosystem = "
                  "(SELECT id FROM ecosystems WHERE name = ?1) AND p.name = ?2) "
                  "ORDER BY a.id, src.name, f.seq",
                  kAliasesColumn, kStatementsPerAdvisory)
          .c_str());
  if (!out.impl_->affecting->ok()) {
    return core::fail(ErrorCode::Input, "{}: corrupt database: {}", path,
                      out.impl_->affecting->error());
  }
  return out;
}

core::Result<std::vector<AffectedRecord>> Database::affecting(std::string_view ecosystem,
                                                              std::string_view package) const {
  std::string cache_key;
  cache_key.reserve(ecosystem.size() + 1 + package.size());
  cache_key.append(ecosystem).append(1, '\0').append(package);
  if (const auto cached = impl_->affecting_cache.find(cache_key);
      cached != impl_->affecting_cache.end()) {
    return cached->second;
  }
  Statement& query = *impl_->affecting;
  query.reset();
  const std::string key = packageKey(ecosystem, package);
  query.bind(1, ecosystem).bind(2, key);
  std::vector<AffectedRecord> out;
  int status = SQLITE_ROW;
  while ((status = query.step()) == SQLITE_ROW) {
    AffectedRecord record;
    record.advisory_id = query.text(0);
    record.source = query.text(1);
    record.advisory_severity = static_cast<model::Severity>(query.integer(2));
    auto& a = record.affected;
    a.ecosystem = std::string(ecosystem);
    a.name = std::string(package);
    if (!readAffected(query, 3, a)) {
      query.reset();
      return core::fail(ErrorCode::Input, "{}: corrupt database: ranges of {}", impl_->path,
                        record.advisory_id);
    }
    for (auto& alias : decodeList(query.text(12))) record.aliases.push_back(std::move(alias));
    out.push_back(std::move(record));
  }
  const std::string error = status == SQLITE_DONE ? std::string() : query.error();
  query.reset();
  if (status != SQLITE_DONE) {
    return core::fail(ErrorCode::Input, "{}: corrupt database: {}", impl_->path, error);
  }
  if (impl_->affecting_cache.size() >= Impl::kMaxCachedPackages) impl_->affecting_cache.clear();
  impl_->affecting_cache.emplace(std::move(cache_key), out);
  return out;
}

namespace {

// Reads whole advisories back: the document, then its statements expanded to one affected
// package per (package, seq), in seq order.
class AdvisoryReader {
 public:
  AdvisoryReader(sqlite3* db, std::string path)
      : path_(std::move(path)),
        statements_(db,
                    "SELECT packages, status, fixed_version, urgency, severity, ranges, versions, "
                    "arches, module_stream, purl FROM statements WHERE id >= ?1 AND id < ?2 "
                    "ORDER BY id"),
        package_(db,
                 "SELECT e.name, p.name FROM packages p JOIN ecosystems e ON e.id = p.ecosystem "
                 "WHERE p.id = ?1") {}

  [[nodiscard]] std::string error() const {
    return statements_.ok() ? package_.error() : statements_.error();
  }
  [[nodiscard]] bool ok() const { return statements_.ok() && package_.ok(); }

  core::Status addAffected(std::int64_t rowid, model::Advisory& advisory) {
    std::vector<std::pair<std::int64_t, model::AffectedPackage>> rows;
    statements_.bind(1, rowid * kStatementsPerAdvisory)
        .bind(2, (rowid + 1) * kStatementsPerAdvisory);
    int status = SQLITE_ROW;
    while ((status = statements_.step()) == SQLITE_ROW) {
      model::AffectedPackage a;
      const auto packages = decodePackageList(statements_.blob(0));
      if (!packages || !readAffected(statements_, 1, a)) {
        statements_.reset();
        return corrupt(advisory.id);
      }
      for (const auto& [package, seq] : *packages) {
        auto name = packageName(package);
        if (!name) {
          statements_.reset();
          return corrupt(advisory.id);
        }
        model::AffectedPackage copy = a;
        copy.ecosystem = name->first;
        copy.name = name->second;
        rows.emplace_back(seq, std::move(copy));
      }
    }
    statements_.reset();
    if (status != SQLITE_DONE) return corrupt(advisory.id);
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    for (auto& [seq, a] : rows) advisory.affected.push_back(std::move(a));
    return {};
  }

 private:
  core::Status corrupt(const std::string& id) const {
    return core::fail(ErrorCode::Input, "{}: corrupt database: package statements of {}", path_,
                      id);
  }
  std::optional<std::pair<std::string, std::string>> packageName(std::int64_t id) {
    if (auto found = names_.find(id); found != names_.end()) return found->second;
    package_.bind(1, id);
    std::optional<std::pair<std::string, std::string>> out;
    if (package_.step() == SQLITE_ROW) out.emplace(package_.text(0), package_.text(1));
    package_.reset();
    if (out && names_.size() < kMaxCachedNames) names_.emplace(id, *out);
    return out;
  }

  static constexpr std::size_t kMaxCachedNames = 1U << 18;
  std::string path_;
  Statement statements_;
  Statement package_;
  std::unordered_map<std::int64_t, std::pair<std::string, std::string>> names_;
};

}  // namespace

core::Result<model::Advisory> Database::Impl::load(AdvisoryReader& reader, const Statement& row) {
  const std::int64_t rowid = row.integer(0);
  auto document = decode(row.integer(1), row.blob(2));
  if (!document) return tl::unexpected(document.error());
  auto advisory = advisoryFromJson(*document);
  if (!advisory) return tl::unexpected(advisory.error());
  advisory->id = row.text(3);
  advisory->source = row.text(4);
  advisory->modified = row.text(5);
  if (auto ok = reader.addAffected(rowid, *advisory); !ok) return tl::unexpected(ok.error());
  return advisory;
}

core::Result<std::vector<model::Advisory>> Database::advisories(std::string_view id) const {
  if (const auto cached = impl_->advisory_cache.find(std::string(id));
      cached != impl_->advisory_cache.end()) {
    return cached->second;
  }
  sqlite3* db = impl_->db->handle;
  if (!impl_->by_id) {
    impl_->by_id = std::make_unique<Statement>(
        db,
        "SELECT a.rowid, t.codec, t.document, a.id, src.name, a.modified "
        "FROM advisories a "
        "JOIN sources src ON src.id = a.source "
        "JOIN advisory_text t ON t.advisory = a.rowid "
        "WHERE a.id = ?1 OR a.rowid IN (SELECT advisory FROM aliases WHERE alias = ?1) "
        "ORDER BY src.name, a.id");
    impl_->reader = std::make_unique<AdvisoryReader>(db, impl_->path);
  }
  Statement& query = *impl_->by_id;
  AdvisoryReader& reader = *impl_->reader;
  if (!query.ok() || !reader.ok()) {
    return core::fail(ErrorCode::Input, "{}: corrupt database: {}", impl_->path,
                      query.ok() ? reader.error() : query.error());
  }
  query.bind(1, id);
  std::vector<model::Advisory> out;
  while (query.step() == SQLITE_ROW) {
    auto advisory = impl_->load(reader, query);
    if (!advisory) {
      query.reset();
      return tl::unexpected(advisory.error());
    }
    out.push_back(std::move(*advisory));
  }
  query.reset();
  if (impl_->advisory_cache.size() >= Impl::kMaxCachedAdvisories) impl_->advisory_cache.clear();
  impl_->advisory_cache.emplace(std::string(id), out);
  return out;
}

core::Status Database::forEachAdvisory(
    const std::function<core::Status(const model::Advisory&)>& visit) const {
  sqlite3* db = impl_->db->handle;
  Statement query(db,
                  "SELECT a.rowid, t.codec, t.document, a.id, src.name, a.modified "
                  "FROM advisories a "
                  "JOIN sources src ON src.id = a.source "
                  "JOIN advisory_text t ON t.advisory = a.rowid ORDER BY src.name, a.id");
  AdvisoryReader reader(db, impl_->path);
  if (!query.ok() || !reader.ok()) {
    return core::fail(ErrorCode::Input, "{}: corrupt database: {}", impl_->path,
                      query.ok() ? reader.error() : query.error());
  }
  int status = SQLITE_ROW;
  while ((status = query.step()) == SQLITE_ROW) {
    auto advisory = impl_->load(reader, query);
    if (!advisory) return tl::unexpected(advisory.error());
    if (auto ok = visit(*advisory); !ok) return ok;
  }
  if (status != SQLITE_DONE) {
    return core::fail(ErrorCode::Input, "{}: corrupt database: {}", impl_->path, query.error());
  }
  return {};
}

core::Result<DatabaseMetadata> Database::metadata() const {
  DatabaseMetadata out;
  Statement meta(impl_->db->handle, "SELECT key, value FROM meta");
  if (!meta.ok()) {
    return core::fail(ErrorCode::Input, "{}: corrupt database: {}", impl_->path, meta.error());
  }
  while (meta.step() == SQLITE_ROW) {
    const std::string key = meta.text(0);
    if (key == "schema_version") out.schema_version = std::atoi(meta.text(1).c_str());
    if (key == "build_id") out.build_id = meta.text(1);
    if (key == "built_at") out.built_at = meta.text(1);
  }
  return out;
}

bool BuildChanges::touches(std::string_view ecosystem, std::string_view package) const {
  std::string key(ecosystem);
  key += '\0';
  key += packageKey(ecosystem, package);
  return keys_.count(key) != 0;
}

core::Result<std::optional<BuildChanges>> Database::changesSince(std::string_view build_id) const {
  auto meta = metadata();
  if (!meta) return tl::unexpected(meta.error());
  BuildChanges changes;
  if (build_id.empty()) return std::optional<BuildChanges>();
  if (build_id == meta->build_id) return std::optional<BuildChanges>(std::move(changes));
  sqlite3* db = impl_->db->handle;
  // Newest first: each build must name the one after it as its own id, back to `build_id`.
  Statement builds(db, "SELECT seq, build_id, previous, complete FROM builds ORDER BY seq DESC");
  if (!builds.ok()) return std::optional<BuildChanges>();  // a file from before the history
  std::vector<std::int64_t> seqs;
  std::string expected = meta->build_id;
  bool reached = false;
  int status = SQLITE_ROW;
  while (!reached && (status = builds.step()) == SQLITE_ROW) {
    if (builds.text(1) != expected || builds.integer(3) == 0) break;
    seqs.push_back(builds.integer(0));
    expected = builds.text(2);
    reached = expected == build_id;
  }
  if (!reached) {
    if (status != SQLITE_ROW && status != SQLITE_DONE) {
      return core::fail(ErrorCode::Input, "{}: corrupt database: {}", impl_->path, builds.error());
    }
    return std::optional<BuildChanges>();
  }
  Statement packages(db,
                     "SELECT e.name, p.name FROM build_changes c "
                     "JOIN packages p ON p.id = c.package JOIN ecosystems e ON e.id = p.ecosystem "
                     "WHERE c.seq = ?1");
  if (!packages.ok()) {
    return core::fail(ErrorCode::Input, "{}: corrupt database: {}", impl_->path, packages.error());
  }
  for (const std::int64_t seq : seqs) {
    packages.bind(1, seq);
    while ((status = packages.step()) == SQLITE_ROW) {
      changes.keys_.insert(packages.text(0) + '\0' + packages.text(1));
    }
    packages.reset();
    if (status != SQLITE_DONE) {
      return core::fail(ErrorCode::Input, "{}: corrupt database: {}", impl_->path,
                        packages.error());
    }
  }
  return std::optional<BuildChanges>(std::move(changes));
}

core::Result<DatabaseStats> Database::stats() const {
  DatabaseStats stats;
  sqlite3* db = impl_->db->handle;
  auto meta = metadata();
  if (!meta) return tl::unexpected(meta.error());
  stats.schema_version = meta->schema_version;
  stats.build_id = meta->build_id;
  stats.built_at = meta->built_at;
  auto count = [&](const char* sql) -> std::uint64_t {
    Statement q(db, sql);
    return q.ok() && q.step() == SQLITE_ROW ? static_cast<std::uint64_t>(q.integer(0)) : 0;
  };
  stats.advisories = count("SELECT count(*) FROM advisories");
  stats.affected = count("SELECT count(*) FROM affected");
  {
    Statement q(db,
                "SELECT src.name, count(*) FROM advisories a JOIN sources src ON src.id = a.source "
                "GROUP BY src.name ORDER BY src.name");
    while (q.ok() && q.step() == SQLITE_ROW) {
      stats.per_source.emplace_back(q.text(0), static_cast<std::uint64_t>(q.integer(1)));
    }
  }
  {
    Statement q(db,
                "SELECT e.name, count(*) FROM affected f JOIN packages p ON p.id = f.package "
                "JOIN ecosystems e ON e.id = p.ecosystem GROUP BY e.name ORDER BY e.name");
    while (q.ok() && q.step() == SQLITE_ROW) {
      stats.per_ecosystem.emplace_back(q.text(0), static_cast<std::uint64_t>(q.integer(1)));
    }
  }
  {
    Statement q(db,
                "SELECT name, location, imported_at, advisories FROM feeds ORDER BY name, "
                "location");
    while (q.ok() && q.step() == SQLITE_ROW) {
      stats.feeds.push_back(
          FeedRecord{q.text(0), q.text(1), q.text(2), static_cast<std::uint64_t>(q.integer(3))});
    }
  }
  struct stat st {};
  if (::stat(impl_->path.c_str(), &st) == 0)
    stats.file_bytes = static_cast<std::uint64_t>(st.st_size);
  return stats;
}

// ---------------------------------------------------------------------------------------------

struct DatabaseWriter::Impl {
  std::string target;
  std::string temp;
  std::unique_ptr<Db> db;  // declared first: closed after the statements are finalized
  bool committed = false;
  std::unique_ptr<Statement> find, insert, update, insert_text, remove_text, insert_statement,
      insert_affected, find_statements, remove_affected, remove_statements, insert_alias,
      remove_aliases, remove_advisory, find_ecosystem, insert_ecosystem, find_source, insert_source,
      find_package, insert_package, find_aliases;
  // What this build changes (recordBuild), tracked only when it extends an earlier build and
  // until kMaxTrackedAdvisories advisories changed (beyond that, readers re-match everything
  // anyway): package ids of the changed advisories' statements, before and after, and the
  // ids and aliases those advisories carried.
  std::string previous_build;
  bool track_changes = false;
  std::size_t changed_advisories = 0;
  std::unordered_set<std::int64_t> changed_packages;
  std::unordered_set<std::string> changed_ids;
  static constexpr std::size_t kMaxTrackedAdvisories = 50'000;
  // Interned names: ecosystems and sources by name, packages by ecosystem id + NUL + name.
  std::unordered_map<std::string, std::int64_t> ecosystems, sources, packages;

  // Documents wait here (raw) until there are enough of them to train the dictionary; once it
  // exists, documents are compressed as they arrive.
  std::map<std::int64_t, std::string> pending;
  std::size_t pending_bytes = 0;
  std::int64_t dictionary_id = 0;
  std::unique_ptr<ZSTD_CDict, CDictFree> cdict;
  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx{ZSTD_createCCtx()};

  void finalizeStatements() {
    for (auto* s : {&find,
                    &insert,
                    &update,
                    &insert_text,
                    &remove_text,
                    &insert_statement,
                    &insert_affected,
                    &find_statements,
                    &remove_affected,
                    &remove_statements,
                    &insert_alias,
                    &remove_aliases,
                    &remove_advisory,
                    &find_ecosystem,
                    &insert_ecosystem,
                    &find_source,
                    &insert_source,
                    &find_package,
                    &insert_package,
                    &find_aliases}) {
      s->reset();
    }
  }
  ~Impl() {
    finalizeStatements();
    db.reset();
    if (!committed && !temp.empty()) {
      std::error_code ignored;
      fs::remove(temp, ignored);
      fs::remove(temp + "-journal", ignored);
    }
  }

  core::Result<std::int64_t> ecosystemId(const std::string& name);
  core::Result<std::int64_t> sourceId(const std::string& name);
  core::Result<std::int64_t> packageId(std::int64_t ecosystem, const std::string& name);
  core::Result<std::vector<std::int64_t>> packagesOf(std::int64_t rowid, std::string_view what);
  core::Status removeStatements(std::int64_t rowid, std::string_view what);
  core::Status noteChanged(std::optional<std::int64_t> stored, const model::Advisory& advisory);
  core::Status recordBuild(const std::string& build_id);
  core::Status insertStatements(std::int64_t rowid, const model::Advisory& advisory);
  core::Status loadDictionary();
  core::Status trainDictionary();
  core::Status writeDocument(std::int64_t rowid, const std::string& document);
  core::Status storeDocument(std::int64_t rowid, std::string document);
  core::Status flushPending();
};

DatabaseWriter::DatabaseWriter(DatabaseWriter&&) noexcept = default;
DatabaseWriter& DatabaseWriter::operator=(DatabaseWriter&&) noexcept = default;
DatabaseWriter::~DatabaseWriter() = default;

namespace {

core::Status stepDone(Statement& statement, std::string_view what) {
  const int status = statement.step();
  statement.reset();
  if (status != SQLITE_DONE) {
    return core::fail(ErrorCode::Io, "{}: {}", what, statement.error());
  }
  return {};
}

// The advisory-level severity: the strongest statement of any source, for sorting and filters.
model::Severity overallSeverity(const model::Advisory& advisory) {
  model::Severity best = model::Severity::Unknown;
  for (const auto& s : advisory.severities) best = std::max(best, s.severity);
  return best;
}

}  // namespace

namespace {

// The id of a row of a name table (ecosystems, sources, packages), inserted when new. `bind`
// binds the name's columns to `find` and to `insert`.
template <typename Bind>
core::Result<std::int64_t> intern(sqlite3* db, std::unordered_map<std::string, std::int64_t>& cache,
                                  const std::string& key, Statement& find, Statement& insert,
                                  const Bind& bind) {
  if (auto found = cache.find(key); found != cache.end()) return found->second;
  bind(find);
  std::optional<std::int64_t> id;
  if (find.step() == SQLITE_ROW) id = find.integer(0);
  find.reset();
  if (!id) {
    bind(insert);
    if (auto ok = stepDone(insert, key); !ok) return tl::unexpected(ok.error());
    id = sqlite3_last_insert_rowid(db);
  }
  cache.emplace(key, *id);
  return *id;
}

// What makes two package statements of one advisory the same row: every column but the name.
struct StatementColumns {
  std::int64_t status = 0;
  std::int64_t severity = 0;
  std::string ranges, versions, arches;
};

void appendKeyPart(std::string& key, std::string_view part) {
  key += std::to_string(part.size());
  key += ':';
  key += part;
}

}  // namespace

core::Result<std::int64_t> DatabaseWriter::Impl::ecosystemId(const std::string& name) {
  return intern(db->handle, ecosystems, name, *find_ecosystem, *insert_ecosystem,
                [&](Statement& s) { s.bind(1, name); });
}

core::Result<std::int64_t> DatabaseWriter::Impl::sourceId(const std::string& name) {
  return intern(db->handle, sources, name, *find_source, *insert_source,
                [&](Statement& s) { s.bind(1, name); });
}

core::Result<std::int64_t> DatabaseWriter::Impl::packageId(std::int64_t ecosystem,
                                                           const std::string& name) {
  std::string key = std::to_string(ecosystem);
  key += '\0';
  key += name;
  return intern(db->handle, packages, key, *find_package, *insert_package,
                [&](Statement& s) { s.bind(1, ecosystem).bind(2, name); });
}

// The package ids an advisory's stored statements cover, each once, in order.
core::Result<std::vector<std::int64_t>> DatabaseWriter::Impl::packagesOf(std::int64_t rowid,
                                                                         std::string_view what) {
  const std::int64_t first = rowid * kStatementsPerAdvisory;
  std::vector<std::int64_t> covered;
  find_statements->bind(1, first).bind(2, first + kStatementsPerAdvisory);
  int status = SQLITE_ROW;
  while ((status = find_statements->step()) == SQLITE_ROW) {
    const auto packages = decodePackageList(find_statements->blob(0));
    if (!packages) {
      find_statements->reset();
      return core::fail(ErrorCode::Input, "{}: corrupt database: package statements of {}", temp,
                        what);
    }
    for (const auto& [package, seq] : *packages) covered.push_back(package);
  }
  find_statements->reset();
  if (status != SQLITE_DONE) return core::fail(ErrorCode::Io, "{}: {}", what, temp);
  std::sort(covered.begin(), covered.end());
  covered.erase(std::unique(covered.begin(), covered.end()), covered.end());
  return covered;
}

core::Status DatabaseWriter::Impl::removeStatements(std::int64_t rowid, std::string_view what) {
  auto covered = packagesOf(rowid, what);
  if (!covered) return tl::unexpected(covered.error());
  for (const std::int64_t package : *covered) {
    if (track_changes) changed_packages.insert(package);
    remove_affected->bind(1, package).bind(2, rowid);
    if (auto ok = stepDone(*remove_affected, what); !ok) return ok;
  }
  const std::int64_t first = rowid * kStatementsPerAdvisory;
  remove_statements->bind(1, first).bind(2, first + kStatementsPerAdvisory);
  return stepDone(*remove_statements, what);
}

// Notes one inserted, updated or withdrawn advisory: its ids and aliases, new and (for a stored
// one, read before its rows go) old. The packages of its statements are noted by
// removeStatements and insertStatements.
core::Status DatabaseWriter::Impl::noteChanged(std::optional<std::int64_t> stored,
                                               const model::Advisory& advisory) {
  if (!track_changes) return {};
  if (++changed_advisories > kMaxTrackedAdvisories) {
    track_changes = false;
    changed_packages.clear();
    changed_ids.clear();
    return {};
  }
  changed_ids.insert(advisory.id);
  changed_ids.insert(advisory.aliases.begin(), advisory.aliases.end());
  if (!stored) return {};
  find_aliases->bind(1, *stored);
  int status = SQLITE_ROW;
  while ((status = find_aliases->step()) == SQLITE_ROW) changed_ids.insert(find_aliases->text(0));
  find_aliases->reset();
  if (status != SQLITE_DONE) return core::fail(ErrorCode::Io, "{}: {}", advisory.id, temp);
  return {};
}

// Appends this build to `builds` with what it changed, and forgets builds older than the last
// Database::kKeptBuilds. Enrichment reads advisories by id, so the packages of every advisory
// that shares an id or alias with a changed one count as changed too.
core::Status DatabaseWriter::Impl::recordBuild(const std::string& build_id) {
  sqlite3* handle = db->handle;
  const bool complete = track_changes && !previous_build.empty();
  if (complete) {
    Statement related(handle,
                      "SELECT advisory FROM aliases WHERE alias = ?1 "
                      "UNION SELECT rowid FROM advisories WHERE id = ?1");
    if (!related.ok()) return core::fail(ErrorCode::Io, "{}: {}", temp, related.error());
    std::set<std::int64_t> advisories;
    for (const auto& id : changed_ids) {
      related.bind(1, id);
      int status = SQLITE_ROW;
      while ((status = related.step()) == SQLITE_ROW) advisories.insert(related.integer(0));
      related.reset();
      if (status != SQLITE_DONE) return core::fail(ErrorCode::Io, "{}: {}", temp, id);
    }
    for (const std::int64_t rowid : advisories) {
      auto covered = packagesOf(rowid, "build changes");
      if (!covered) return tl::unexpected(covered.error());
      changed_packages.insert(covered->begin(), covered->end());
    }
  }
  Statement insert_build(handle,
                         "INSERT INTO builds(build_id, previous, complete) VALUES(?1, ?2, ?3)");
  insert_build.bind(1, build_id).bind(2, previous_build).bind(3, std::int64_t{complete ? 1 : 0});
  if (auto ok = stepDone(insert_build, "builds"); !ok) return ok;
  const std::int64_t seq = sqlite3_last_insert_rowid(handle);
  if (complete) {
    Statement insert_change(handle, "INSERT INTO build_changes(seq, package) VALUES(?1, ?2)");
    std::vector<std::int64_t> packages(changed_packages.begin(), changed_packages.end());
    std::sort(packages.begin(), packages.end());
    for (const std::int64_t package : packages) {
      insert_change.bind(1, seq).bind(2, package);
      if (auto ok = stepDone(insert_change, "build changes"); !ok) return ok;
    }
  }
  for (const char* sql :
       {"DELETE FROM build_changes WHERE seq <= ?1", "DELETE FROM builds WHERE seq <= ?1"}) {
    Statement prune(handle, sql);
    prune.bind(1, seq - Database::kKeptBuilds);
    if (auto ok = stepDone(prune, "builds"); !ok) return ok;
  }
  return {};
}

core::Status DatabaseWriter::Impl::insertStatements(std::int64_t rowid,
                                                    const model::Advisory& advisory) {
  if (rowid >= kMaxAdvisoryRowid) {
    return core::fail(ErrorCode::Input, "{}: too many advisories in one database", temp);
  }
  struct Group {
    const model::AffectedPackage* first = nullptr;
    StatementColumns columns;
    std::string packages;  // (package id, seq) varint pairs
  };
  std::vector<Group> groups;
  std::unordered_map<std::string, std::size_t> by_key;
  struct Row {
    std::int64_t package, seq, statement;
  };
  std::vector<Row> rows;
  rows.reserve(advisory.affected.size());
  for (std::size_t seq = 0; seq < advisory.affected.size(); ++seq) {
    const auto& a = advisory.affected[seq];
    auto ecosystem = ecosystemId(a.ecosystem);
    if (!ecosystem) return tl::unexpected(ecosystem.error());
    auto package = packageId(*ecosystem, packageKey(a.ecosystem, a.name));
    if (!package) return tl::unexpected(package.error());
    StatementColumns columns{
        static_cast<std::int64_t>(a.status), static_cast<std::int64_t>(a.severity),
        encodeRanges(a.ranges, a.fixed_version), encodeList(a.versions), encodeList(a.arches)};
    std::string key = std::to_string(columns.status) + ',' + std::to_string(columns.severity);
    for (const std::string_view part :
         {std::string_view(a.fixed_version), std::string_view(a.urgency),
          std::string_view(columns.ranges), std::string_view(columns.versions),
          std::string_view(columns.arches), std::string_view(a.module_stream),
          std::string_view(a.purl)}) {
      appendKeyPart(key, part);
    }
    auto [found, inserted] = by_key.emplace(std::move(key), groups.size());
    if (inserted) {
      if (groups.size() >= static_cast<std::size_t>(kStatementsPerAdvisory)) {
        return core::fail(ErrorCode::Input, "{}: more than {} distinct package statements",
                          advisory.id, kStatementsPerAdvisory);
      }
      groups.push_back(Group{&a, std::move(columns), {}});
    }
    auto& group = groups[found->second];
    appendVarint(group.packages, static_cast<std::uint64_t>(*package));
    appendVarint(group.packages, seq);
    rows.push_back(
        Row{*package, static_cast<std::int64_t>(seq), static_cast<std::int64_t>(found->second)});
  }
  for (std::size_t k = 0; k < groups.size(); ++k) {
    const auto& g = groups[k];
    insert_statement->bind(1, rowid * kStatementsPerAdvisory + static_cast<std::int64_t>(k))
        .bindBlob(2, g.packages)
        .bind(3, g.columns.status)
        .bind(4, g.columns.severity)
        .bind(5, g.first->fixed_version)
        .bind(6, g.first->urgency)
        .bind(7, g.columns.ranges)
        .bind(8, g.columns.versions)
        .bind(9, g.columns.arches)
        .bind(10, g.first->module_stream)
        .bind(11, g.first->purl);
    if (auto ok = stepDone(*insert_statement, advisory.id); !ok) return ok;
  }
  for (const auto& row : rows) {
    if (track_changes) changed_packages.insert(row.package);
    insert_affected->bind(1, row.package).bind(2, rowid).bind(3, row.seq).bind(4, row.statement);
    if (auto ok = stepDone(*insert_affected, advisory.id); !ok) return ok;
  }
  return {};
}

core::Status DatabaseWriter::Impl::loadDictionary() {
  Statement latest(db->handle, "SELECT id, data FROM dictionaries ORDER BY id DESC LIMIT 1");
  if (!latest.ok()) return core::fail(ErrorCode::Input, "{}: {}", temp, latest.error());
  if (latest.step() != SQLITE_ROW) return {};
  const std::string data = latest.blob(1);
  cdict.reset(ZSTD_createCDict(data.data(), data.size(), kZstdLevel));
  if (!cdict) return core::fail(ErrorCode::Input, "{}: corrupt compression dictionary", temp);
  dictionary_id = latest.integer(0);
  return {};
}

core::Status DatabaseWriter::Impl::trainDictionary() {
  std::string samples;
  std::vector<std::size_t> sizes;
  const std::size_t stride = std::max<std::size_t>(1, pending_bytes / kTrainingBytes + 1);
  std::size_t index = 0;
  for (const auto& [rowid, document] : pending) {
    if (index++ % stride != 0) continue;
    samples += document;
    sizes.push_back(document.size());
  }
  std::string dictionary(kDictionaryBytes, '\0');
  const std::size_t size =
      ZDICT_trainFromBuffer(dictionary.data(), dictionary.size(), samples.data(), sizes.data(),
                            static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(size) != 0U) return {};  // too little to learn from: plain zstd instead
  dictionary.resize(size);
  Statement next(db->handle, "SELECT coalesce(max(id), 1) + 1 FROM dictionaries");
  if (!next.ok() || next.step() != SQLITE_ROW) {
    return core::fail(ErrorCode::Io, "{}: {}", temp, next.error());
  }
  const std::int64_t id = next.integer(0);
  Statement insert_dictionary(db->handle, "INSERT INTO dictionaries(id, data) VALUES(?1, ?2)");
  insert_dictionary.bind(1, id).bindBlob(2, dictionary);
  if (auto ok = stepDone(insert_dictionary, "dictionaries"); !ok) return ok;
  cdict.reset(ZSTD_createCDict(dictionary.data(), dictionary.size(), kZstdLevel));
  if (!cdict) return core::fail(ErrorCode::Io, "{}: cannot load the new dictionary", temp);
  dictionary_id = id;
  return {};
}

core::Status DatabaseWriter::Impl::writeDocument(std::int64_t rowid, const std::string& document) {
  std::string compressed(ZSTD_compressBound(document.size()), '\0');
  std::size_t size = 0;
  std::int64_t codec = kCodecZstd;
  if (cdict) {
    size = ZSTD_compress_usingCDict(cctx.get(), compressed.data(), compressed.size(),
                                    document.data(), document.size(), cdict.get());
    codec = dictionary_id;
  } else {
    size = ZSTD_compressCCtx(cctx.get(), compressed.data(), compressed.size(), document.data(),
                             document.size(), kZstdLevel);
  }
  if (ZSTD_isError(size) != 0U || size >= document.size()) {
    insert_text->bind(1, rowid).bind(2, kCodecRaw).bindBlob(3, document);
  } else {
    compressed.resize(size);
    insert_text->bind(1, rowid).bind(2, codec).bindBlob(3, compressed);
  }
  return stepDone(*insert_text, "advisory_text");
}

core::Status DatabaseWriter::Impl::storeDocument(std::int64_t rowid, std::string document) {
  if (cdict) return writeDocument(rowid, document);
  pending_bytes += document.size();
  pending[rowid] = std::move(document);
  if (pending_bytes < kPendingBytes) return {};
  return flushPending();
}

core::Status DatabaseWriter::Impl::flushPending() {
  if (pending.empty()) return {};
  if (!cdict && pending.size() >= kMinTrainingSamples) {
    if (auto ok = trainDictionary(); !ok) return ok;
  }
  for (const auto& [rowid, document] : pending) {
    if (auto ok = writeDocument(rowid, document); !ok) return ok;
  }
  pending.clear();
  pending_bytes = 0;
  return {};
}

core::Result<DatabaseWriter> DatabaseWriter::begin(const std::string& target) {
  DatabaseWriter writer;
  writer.impl_ = std::make_unique<Impl>();
  auto& impl = *writer.impl_;
  impl.target = target;
  const fs::path parent = fs::path(target).parent_path();
  std::error_code error;
  if (!parent.empty()) fs::create_directories(parent, error);
  std::random_device random;
  impl.temp = fmt::format("{}.new-{}-{:08x}", target, ::getpid(), random());
  const bool existing = fs::exists(target, error);
  if (existing) {
    // Check what is there before copying it: an unreadable database is not extended.
    auto current = Database::open(target);
    if (!current) return tl::unexpected(current.error());
    auto metadata = current->metadata();
    if (!metadata) return tl::unexpected(metadata.error());
    impl.previous_build = metadata->build_id;
    impl.track_changes = !impl.previous_build.empty();
    fs::copy_file(target, impl.temp, fs::copy_options::overwrite_existing, error);
    if (error) {
      return core::fail(ErrorCode::Io, "{}: cannot copy to {}: {}", target, impl.temp,
                        error.message());
    }
  }
  if (!impl.cctx) return core::fail(ErrorCode::Io, "out of memory");
  auto db = openFile(impl.temp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db) return tl::unexpected(db.error());
  impl.db = std::move(*db);
  sqlite3* handle = impl.db->handle;
  if (auto ok = exec(handle, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF;", impl.temp);
      !ok) {
    return tl::unexpected(ok.error());
  }
  if (!existing) {
    // 8 KiB pages: fewer page headers and half-empty page tails than 4 KiB (measured in
    // docs/performance.md); set before the first table makes the page size permanent.
    if (auto ok = exec(handle, "PRAGMA page_size=8192", impl.temp); !ok) {
      return tl::unexpected(ok.error());
    }
    if (auto ok = exec(handle, kSchema, impl.temp); !ok) return tl::unexpected(ok.error());
  }
  if (auto ok = exec(handle, kHistorySchema, impl.temp); !ok) return tl::unexpected(ok.error());
  if (auto ok = exec(handle, "BEGIN", impl.temp); !ok) return tl::unexpected(ok.error());
  auto prepare = [&](std::unique_ptr<Statement>& statement, const char* sql) {
    statement = std::make_unique<Statement>(handle, sql);
    return statement->ok();
  };
  const bool prepared =
      prepare(impl.find,
              "SELECT rowid, modified, digest FROM advisories "
              "WHERE id = ?2 AND source = (SELECT id FROM sources WHERE name = ?1)") &&
      prepare(impl.insert,
              "INSERT INTO advisories(source, id, modified, severity, digest) "
              "VALUES(?1, ?2, ?3, ?4, ?5)") &&
      prepare(impl.update,
              "UPDATE advisories SET modified = ?2, severity = ?3, digest = ?4 WHERE rowid = ?1") &&
      prepare(impl.insert_text,
              "INSERT INTO advisory_text(advisory, codec, document) VALUES(?1, ?2, ?3)") &&
      prepare(impl.remove_text, "DELETE FROM advisory_text WHERE advisory = ?1") &&
      prepare(impl.insert_statement,
              "INSERT INTO statements(id, packages, status, severity, fixed_version, urgency, "
              "ranges, versions, arches, module_stream, purl) "
              "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)") &&
      prepare(impl.insert_affected,
              "INSERT INTO affected(package, advisory, seq, statement) VALUES(?1, ?2, ?3, ?4)") &&
      prepare(impl.find_statements, "SELECT packages FROM statements WHERE id >= ?1 AND id < ?2") &&
      prepare(impl.remove_affected, "DELETE FROM affected WHERE package = ?1 AND advisory = ?2") &&
      prepare(impl.remove_statements, "DELETE FROM statements WHERE id >= ?1 AND id < ?2") &&
      prepare(impl.insert_alias, "INSERT OR IGNORE INTO aliases(alias, advisory) VALUES(?1, ?2)") &&
      prepare(impl.remove_aliases, "DELETE FROM aliases WHERE advisory = ?1") &&
      prepare(impl.find_aliases, "SELECT alias FROM aliases WHERE advisory = ?1") &&
      prepare(impl.remove_advisory, "DELETE FROM advisories WHERE rowid = ?1") &&
      prepare(impl.find_ecosystem, "SELECT id FROM ecosystems WHERE name = ?1") &&
      prepare(impl.insert_ecosystem, "INSERT INTO ecosystems(name) VALUES(?1)") &&
      prepare(impl.find_source, "SELECT id FROM sources WHERE name = ?1") &&
      prepare(impl.insert_source, "INSERT INTO sources(name) VALUES(?1)") &&
      prepare(impl.find_package, "SELECT id FROM packages WHERE ecosystem = ?1 AND name = ?2") &&
      prepare(impl.insert_package, "INSERT INTO packages(ecosystem, name) VALUES(?1, ?2)");
  if (!prepared) return core::fail(ErrorCode::Input, "{}: {}", impl.temp, sqlite3_errmsg(handle));
  if (auto ok = impl.loadDictionary(); !ok) return tl::unexpected(ok.error());
  return writer;
}

core::Result<DatabaseWriter::Outcome> DatabaseWriter::put(const model::Advisory& advisory) {
  auto& impl = *impl_;
  if (advisory.id.empty()) return core::fail(ErrorCode::Input, "advisory without an id");
  impl.find->bind(1, advisory.source).bind(2, advisory.id);
  std::optional<std::int64_t> existing;
  std::string stored_modified;
  std::int64_t stored_digest = 0;
  if (impl.find->step() == SQLITE_ROW) {
    existing = impl.find->integer(0);
    stored_modified = impl.find->text(1);
    stored_digest = impl.find->integer(2);
  }
  impl.find->reset();

  auto remove_rows = [&](std::int64_t rowid) -> core::Status {
    if (auto ok = impl.removeStatements(rowid, advisory.id); !ok) return ok;
    for (Statement* s : {impl.remove_aliases.get(), impl.remove_text.get()}) {
      s->bind(1, rowid);
      if (auto ok = stepDone(*s, advisory.id); !ok) return ok;
    }
    if (auto found = impl.pending.find(rowid); found != impl.pending.end()) {
      impl.pending_bytes -= found->second.size();
      impl.pending.erase(found);
    }
    return {};
  };

  if (!advisory.withdrawn.empty()) {
    if (!existing) return Outcome::Unchanged;
    if (auto ok = impl.noteChanged(existing, advisory); !ok) return tl::unexpected(ok.error());
    if (auto ok = remove_rows(*existing); !ok) return tl::unexpected(ok.error());
    impl.remove_advisory->bind(1, *existing);
    if (auto ok = stepDone(*impl.remove_advisory, advisory.id); !ok) {
      return tl::unexpected(ok.error());
    }
    return Outcome::Withdrawn;
  }
  // RFC 3339 timestamps in UTC compare as strings.
  if (existing && !stored_modified.empty() && advisory.modified < stored_modified) {
    return Outcome::Unchanged;
  }
  const auto severity = static_cast<std::int64_t>(overallSeverity(advisory));
  const std::int64_t digest = contentDigest(advisory);
  std::int64_t rowid = 0;
  if (existing) {
    if (stored_digest == digest) return Outcome::Unchanged;  // same content
    if (auto ok = impl.noteChanged(existing, advisory); !ok) return tl::unexpected(ok.error());
    if (auto ok = remove_rows(*existing); !ok) return tl::unexpected(ok.error());
    impl.update->bind(1, *existing).bind(2, advisory.modified).bind(3, severity).bind(4, digest);
    if (auto ok = stepDone(*impl.update, advisory.id); !ok) return tl::unexpected(ok.error());
    rowid = *existing;
  } else {
    if (auto ok = impl.noteChanged(std::nullopt, advisory); !ok) return tl::unexpected(ok.error());
    auto source = impl.sourceId(advisory.source);
    if (!source) return tl::unexpected(source.error());
    impl.insert->bind(1, *source)
        .bind(2, advisory.id)
        .bind(3, advisory.modified)
        .bind(4, severity)
        .bind(5, digest);
    if (auto ok = stepDone(*impl.insert, advisory.id); !ok) return tl::unexpected(ok.error());
    rowid = sqlite3_last_insert_rowid(impl.db->handle);
  }
  if (auto ok = impl.storeDocument(rowid, documentOf(advisory)); !ok) {
    return tl::unexpected(ok.error());
  }
  for (const auto& alias : advisory.aliases) {
    impl.insert_alias->bind(1, alias).bind(2, rowid);
    if (auto ok = stepDone(*impl.insert_alias, advisory.id); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  if (auto ok = impl.insertStatements(rowid, advisory); !ok) return tl::unexpected(ok.error());
  return existing ? Outcome::Updated : Outcome::Inserted;
}

core::Status DatabaseWriter::recordFeed(const FeedRecord& feed) {
  Statement upsert(impl_->db->handle,
                   "INSERT OR REPLACE INTO feeds(name, location, imported_at, advisories) "
                   "VALUES(?1, ?2, ?3, ?4)");
  upsert.bind(1, feed.name)
      .bind(2, feed.location)
      .bind(3, feed.imported_at.empty() ? nowUtc() : feed.imported_at)
      .bind(4, static_cast<std::int64_t>(feed.advisories));
  return stepDone(upsert, "feeds");
}

core::Status DatabaseWriter::commit() {
  auto& impl = *impl_;
  if (auto ok = impl.flushPending(); !ok) return ok;
  const std::string built_at = nowUtc();
  const std::string build_id =
      core::sha256Hex(impl.temp + built_at + std::to_string(::getpid())).substr(0, 16);
  if (auto ok = impl.recordBuild(build_id); !ok) return ok;
  {
    Statement meta(impl.db->handle, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
    for (const auto& [key, value] : std::initializer_list<std::pair<std::string, std::string>>{
             {"schema_version", std::to_string(kSchemaVersion)},
             {"build_id", build_id},
             {"built_at", built_at}}) {
      meta.bind(1, key).bind(2, value);
      if (auto ok = stepDone(meta, "meta"); !ok) return ok;
    }
  }
  if (auto ok = exec(impl.db->handle, "COMMIT", impl.temp); !ok) return ok;
  impl.finalizeStatements();
  // Rebuild the copy packed: indexes filled in key order, no free pages left by replaced rows.
  if (auto ok = exec(impl.db->handle, "VACUUM", impl.temp); !ok) return ok;
  impl.db.reset();  // closes the connection
  // Durable before it replaces anything: fsync the new file, rename, fsync the directory.
  const int fd = ::open(impl.temp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    return core::fail(ErrorCode::Io, "{}: cannot sync the new database", impl.temp);
  }
  ::close(fd);
  if (::rename(impl.temp.c_str(), impl.target.c_str()) != 0) {
    return core::fail(ErrorCode::Io, "{}: cannot replace the database", impl.target);
  }
  impl.committed = true;
  const std::string dir = fs::path(impl.target).parent_path().string();
  const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

}  // namespace bulwark::vulndb
