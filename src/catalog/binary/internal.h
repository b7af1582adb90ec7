// Pieces shared by the files of this folder (not a public interface).
#pragma once

#include "catalog/binary/binary_cataloger.h"
#include "catalog/binary/elf_file.h"

namespace bulwark::catalog::binary_detail {

// Fills go_version and go_modinfo when the file carries Go build info.
void findGoBuildInfo(const elf::File& file, BinarySummary& out);

}  // namespace bulwark::catalog::binary_detail
