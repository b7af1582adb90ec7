#include "catalog/rpm/sqlite_db.h"

#include <cstring>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <sqlite3.h>

namespace bulwark::catalog::rpm {

namespace {

using core::ErrorCode;
using core::fail;

constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};
constexpr std::size_t kSqliteHeaderSize = 100;
// The query may run at most this many virtual-machine steps per byte of database (plus a
// floor): plenty for a table scan, fatal to a schema crafted to loop.
constexpr int kProgressInterval = 1000;
constexpr std::uint64_t kStepsPerByte = 64;
constexpr std::uint64_t kMinSteps = 10'000'000;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

struct StepBudget {
  std::uint64_t remaining = 0;
};

int onProgress(void* context) {
  auto* budget = static_cast<StepBudget*>(context);
  if (budget->remaining < static_cast<std::uint64_t>(kProgressInterval)) return 1;  // interrupt
  budget->remaining -= kProgressInterval;
  return 0;
}

}  // namespace

core::Status readSqlite(std::string_view file, std::string_view where, const BlobFn& blob,
                        core::Diagnostics& diagnostics) {
  if (file.size() < kSqliteHeaderSize || file.substr(0, kSqliteMagic.size()) != kSqliteMagic) {
    return fail(ErrorCode::Input, "not an SQLite database");
  }
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(raw);
    return fail(ErrorCode::Internal, "cannot open an in-memory SQLite handle");
  }
  DbPtr db(raw);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_VIEW, 0, nullptr);

  // SQLite takes ownership of a copy it can free. rpm writes in WAL mode; the in-memory VFS has
  // no WAL, so the copy's header is switched to the rollback journal (bytes 18 and 19). Pages
  // still in a -wal file beside the database are not seen, as with any reader of the file alone.
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(file.size()));
  if (copy == nullptr)
    return fail(ErrorCode::Limit, "no memory for a {}-byte database", file.size());
  std::memcpy(copy, file.data(), file.size());
  if (copy[18] == 2) copy[18] = 1;
  if (copy[19] == 2) copy[19] = 1;
  const int rc =
      sqlite3_deserialize(db.get(), "main", copy, static_cast<sqlite3_int64>(file.size()),
                          static_cast<sqlite3_int64>(file.size()),
                          SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY);
  if (rc != SQLITE_OK) {
    return fail(ErrorCode::Input, "SQLite refused the database: {}", sqlite3_errstr(rc));
  }
  sqlite3_exec(db.get(), "PRAGMA cell_size_check=ON; PRAGMA query_only=ON;", nullptr, nullptr,
               nullptr);

  StepBudget budget{kMinSteps + kStepsPerByte * file.size()};
  sqlite3_progress_handler(db.get(), kProgressInterval, onProgress, &budget);

  auto prepare = [&](const char* sql) -> core::Result<StmtPtr> {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql, -1, &stmt, nullptr) != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return fail(ErrorCode::Input, "SQLite database unreadable: {}", sqlite3_errmsg(db.get()));
    }
    return StmtPtr(stmt);
  };

  // Packages must be a plain table: a view or virtual table could hide arbitrary work.
  auto kind = prepare("SELECT type FROM sqlite_master WHERE name = 'Packages'");
  if (!kind) return tl::unexpected(kind.error());
  const int kind_rc = sqlite3_step(kind->get());
  if (kind_rc != SQLITE_ROW) {
    return kind_rc == SQLITE_DONE
               ? fail(ErrorCode::Input, "SQLite database has no Packages table")
               : fail(ErrorCode::Input, "SQLite schema unreadable: {}", sqlite3_errmsg(db.get()));
  }
  const auto* type = reinterpret_cast<const char*>(sqlite3_column_text(kind->get(), 0));
  if (type == nullptr || std::string_view(type) != "table") {
    return fail(ErrorCode::Input, "Packages is a {}, not a table", type ? type : "null");
  }
  kind->reset();

  auto rows = prepare("SELECT hnum, blob FROM Packages");
  if (!rows) return tl::unexpected(rows.error());
  std::uint64_t row = 0;
  while (true) {
    const int step = sqlite3_step(rows->get());
    if (step == SQLITE_DONE) break;
    if (step != SQLITE_ROW) {
      diagnostics.add(std::string(kMalformedDatabase), fmt::format("{}: row {}", where, row + 1),
                      fmt::format("reading stopped: {}", sqlite3_errmsg(db.get())));
      break;
    }
    ++row;
    const sqlite3_int64 hnum = sqlite3_column_int64(rows->get(), 0);
    if (sqlite3_column_type(rows->get(), 1) != SQLITE_BLOB || hnum <= 0) {
      diagnostics.add(std::string(kMalformedDatabase), fmt::format("{}: record {}", where, hnum),
                      "row without a header blob or with a bad hnum");
      continue;
    }
    const void* data = sqlite3_column_blob(rows->get(), 1);
    const int size = sqlite3_column_bytes(rows->get(), 1);
    if (data == nullptr || size <= 0) continue;
    blob(static_cast<std::uint64_t>(hnum),
         std::string_view(static_cast<const char*>(data), static_cast<std::size_t>(size)));
  }
  return {};
}

}  // namespace bulwark::catalog::rpm
