// Reader of SUSE's ndb `Packages.db`: the RpmP header, slot pages, and blobs framed by a
// "BlbS" head and a "BlbE" tail carrying an adler32 checksum (rpm lib/backend/ndb/rpmpkg.c).
#pragma once

#include "catalog/rpm/database.h"

namespace bulwark::catalog::rpm {

// SUSE's ndb `Packages.db` (rpm lib/backend/ndb/rpmpkg.c).
core::Status readNdb(std::string_view file, std::string_view where, const BlobFn& blob,
                     core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog::rpm
