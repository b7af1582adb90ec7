// Reader of BerkeleyDB hash databases, the classic rpmdb `Packages`: metadata page, bucket
// pages with their chains, H_KEYDATA and H_OFFPAGE items, overflow page chains. Every page
// number and offset is checked against the file; every page is read at most once per walk,
// so cyclic chains end.
#pragma once

#include "catalog/rpm/database.h"

namespace bulwark::catalog::rpm {

// BerkeleyDB hash database (the classic `Packages`), either byte order.
core::Status readBdb(std::string_view file, std::string_view where, const BlobFn& blob,
                     core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog::rpm
