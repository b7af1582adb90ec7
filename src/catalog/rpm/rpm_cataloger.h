// The rpm cataloger: installed packages from the rpm database, whichever of its three formats
// the image uses (rpmdb.sqlite, ndb Packages.db, BerkeleyDB Packages), in var/lib/rpm or
// usr/lib/sysimage/rpm. Header blobs are decoded here; no rpm library or process is involved.
#pragma once

#include <memory>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

std::unique_ptr<Cataloger> makeRpmCataloger();

}  // namespace bulwark::catalog
