// The SQLite backend of Store: the embedded default, one file in WAL mode.
#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"
#include "store/store.h"

namespace bulwark::store {

// Opens (creating it and its parent directories) and migrates the database at `path`.
core::Result<std::unique_ptr<Store>> openSqliteStore(std::string_view path);

// Creates or migrates the database at `path` to schema `version` only (1..kSchemaVersion) and
// closes it: for migration tests, which fill an old schema and then open it with
// openSqliteStore.
core::Status migrateSqliteStore(std::string_view path, int version);

}  // namespace bulwark::store
