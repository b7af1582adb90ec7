#include "catalog/rpm/database.h"

#include "catalog/rpm/bdb.h"
#include "catalog/rpm/ndb.h"
#include "catalog/rpm/sqlite_db.h"

namespace bulwark::catalog::rpm {

std::optional<DatabaseKind> detectDatabase(std::string_view file) {
  if (file.starts_with(std::string_view("SQLite format 3\0", 16))) return DatabaseKind::Sqlite;
  if (file.starts_with("RpmP")) return DatabaseKind::Ndb;
  if (file.size() >= 16) {
    const std::string_view magic = file.substr(12, 4);
    if (magic == std::string_view("\x61\x15\x06\x00", 4) ||
        magic == std::string_view("\x00\x06\x15\x61", 4)) {
      return DatabaseKind::BerkeleyDb;
    }
  }
  return std::nullopt;
}

core::Status readDatabase(std::string_view file, std::string_view where, const BlobFn& blob,
                          core::Diagnostics& diagnostics) {
  const auto kind = detectDatabase(file);
  if (!kind) return core::fail(core::ErrorCode::Input, "not an rpm database (unknown format)");
  switch (*kind) {
    case DatabaseKind::BerkeleyDb: return readBdb(file, where, blob, diagnostics);
    case DatabaseKind::Ndb: return readNdb(file, where, blob, diagnostics);
    case DatabaseKind::Sqlite: return readSqlite(file, where, blob, diagnostics);
  }
  return core::fail(core::ErrorCode::Internal, "unhandled rpm database kind");
}

}  // namespace bulwark::catalog::rpm
