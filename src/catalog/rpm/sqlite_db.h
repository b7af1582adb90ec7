// Reader of `rpmdb.sqlite` (rpm >= 4.16): rows of Packages(hnum, blob), read with SQLite from
// memory (sqlite3_deserialize), read-only, defensive, with a bound on the work a query may do.
#pragma once

#include "catalog/rpm/database.h"

namespace bulwark::catalog::rpm {

// `rpmdb.sqlite`: table Packages(hnum, blob), opened read-only from memory.
core::Status readSqlite(std::string_view file, std::string_view where, const BlobFn& blob,
                        core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog::rpm
