// The catalogers bulwark runs (catalogers.def) and the files OS detection reads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

std::vector<std::unique_ptr<Cataloger>> allCatalogers();

}  // namespace bulwark::catalog
