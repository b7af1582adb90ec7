// What the three rpm database readers (BerkeleyDB, ndb, sqlite) share: each walks one database
// file held in memory and hands every stored header blob to a callback. Problems confined to
// one page, slot or row become diagnostics (kind kMalformedDatabase, where = `where` plus the
// page or record) and the walk goes on; a file that cannot be read at all is an error.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "core/diagnostic.h"
#include "core/result.h"

namespace bulwark::catalog::rpm {

// Receives one header blob and the number the database files it under (BDB key, ndb package
// index, sqlite hnum). The view is valid only during the call.
using BlobFn = std::function<void(std::uint64_t record, std::string_view blob)>;

inline constexpr std::string_view kMalformedDatabase = "rpm.malformed-database";

enum class DatabaseKind { BerkeleyDb, Ndb, Sqlite };

// Tells the formats apart by their magic numbers; nullopt for anything else.
std::optional<DatabaseKind> detectDatabase(std::string_view file);

// Dispatches on detectDatabase().
core::Status readDatabase(std::string_view file, std::string_view where, const BlobFn& blob,
                          core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog::rpm
