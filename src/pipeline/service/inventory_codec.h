// The stored form of an inventory (store::ScanResult::inventory_json): compact JSON that decodes
// back to the same model::Inventory, so that re-evaluation matches a stored image again without
// pulling or reading it.
//
//   {"v":1,                                     format version (decoders refuse others)
//    "t":{target},  "d":{distro},  "p":[package…],  "g":[[kind, where, detail]…],  "gn":N}
//
// Keys are short and empty values are left out; a package's layer is written as an index into
// the target's layers ("li") when it is one of them, else as the digest ("ld"). Every field of
// model::Inventory round-trips, with two exceptions kept out on purpose:
//   - Package::files (what dpkg/apk/rpm list as installed) is written only with
//     InventoryCodecOptions::files: ownership of language packages is settled at scan time, so
//     matching never reads it, and it is most of an image's inventory by size;
//   - strings that are not valid UTF-8 are written with U+FFFD in place of the bad bytes (as the
//     JSON report writes them).
// At most kMaxStoredDiagnostics diagnostics are kept; "gn" is the count before that cap (see
// decodeInventory's diagnostic_count).
//
// Decoding reads stored text that may be corrupt or forged: every type is checked, sizes are
// bounded (kMaxInventoryJsonBytes, kMaxStoredPackages), and anything wrong is ErrorCode::Input.
// It parses with simdjson (the whole text is validated, UTF-8 included, before anything is read;
// no recursion and no depth limit, so unknown members nested however deep are ignored) and reads
// as the nlohmann decoder it replaced did: when a member name repeats in an object the LAST one
// counts; a leading UTF-8 byte order mark is skipped; a NUL byte ends the text. Two differences
// on text no encoder writes: an integer beyond 64 bits (which nlohmann read as a double) makes
// the text "not JSON", and "-0" reads as the count 0.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"
#include "model/package.h"

namespace bulwark::pipeline::service {

inline constexpr int kInventoryCodecVersion = 1;
inline constexpr std::size_t kMaxInventoryJsonBytes = 64U << 20;
inline constexpr std::size_t kMaxStoredPackages = 1'000'000;
inline constexpr std::size_t kMaxStoredDiagnostics = 1000;

struct InventoryCodecOptions {
  bool files = false;  // keep Package::files
};

std::string encodeInventory(const model::Inventory& inventory,
                            const InventoryCodecOptions& options = {});

// The inventory, or ErrorCode::Input naming what is wrong ("stored inventory: p[3].n: not a
// string"). `diagnostic_count`, when given, receives the count the encoder saw ("gn"), which may
// exceed the diagnostics kept.
core::Result<model::Inventory> decodeInventory(std::string_view text,
                                               std::size_t* diagnostic_count = nullptr);

// Only what decides which packages matching asks the database about (match::touchedBy): the
// distro, and each package's type, name and source name; everything else is skipped unread
// (simdjson), at a fraction of decodeInventory's cost. Re-evaluation uses it to find the stored
// inventories a database update cannot change. The same checks on what it reads.
core::Result<model::Inventory> decodeLookupInventory(std::string_view text);

}  // namespace bulwark::pipeline::service
