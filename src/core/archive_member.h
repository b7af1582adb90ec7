// Helpers for archives read with libarchive from memory (Java archives, Python eggs, the
// malware scanner's zip members): member names as relative paths, errors as one safe line.
#pragma once

#include <cstring>
#include <string>
#include <string_view>

#include <archive.h>
#include <archive_entry.h>

#include "core/text.h"

namespace bulwark::core {

inline constexpr std::size_t kMaxArchiveMemberNameBytes = 4U << 10;

// The member's path: its UTF-8 form when libarchive has one, cut at 4 KiB, without leading
// "./" or "/" (members are named relative to the archive); "" when it has none.
inline std::string archiveMemberName(archive_entry* entry) {
  const char* name = archive_entry_pathname_utf8(entry);
  if (name == nullptr) name = archive_entry_pathname(entry);
  if (name == nullptr) return {};
  std::string_view view(name, ::strnlen(name, kMaxArchiveMemberNameBytes));
  while (view.starts_with("./")) view.remove_prefix(2);
  while (view.starts_with('/')) view.remove_prefix(1);
  return std::string(view);
}

// libarchive's message for the last error on `handle`, printable.
inline std::string archiveError(archive* handle) {
  const char* error = archive_error_string(handle);
  return printable(error != nullptr ? error : "unknown error");
}

}  // namespace bulwark::core
