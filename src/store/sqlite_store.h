// The SQLite backend of Store: the embedded default, one file in WAL mode.
#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"
#include "store/store.h"

namespace bulwark::store {

// Opens (creating it and its parent directories) and migrates the database at `path`.
core::Result<std::unique_ptr<Store>> openSqliteStore(std::string_view path);

}  // namespace bulwark::store
