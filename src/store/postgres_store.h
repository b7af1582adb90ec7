// The PostgreSQL backend of Store (libpqxx 6): several servers and workers share one database;
// jobs are claimed with SELECT … FOR UPDATE SKIP LOCKED.
#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"
#include "store/store.h"

namespace bulwark::store {

// `url`: a libpq connection URI ("postgres://user:pw@127.0.0.1:5432/bulwark"). Migrates.
core::Result<std::unique_ptr<Store>> openPostgresStore(std::string_view url);

// Migrates the database at `url` to schema `version` only (1..kSchemaVersion): for migration
// tests, which fill an old schema and then open it with openPostgresStore.
core::Status migratePostgresStore(std::string_view url, int version);

}  // namespace bulwark::store
