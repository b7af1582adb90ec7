// `bulwark db import`: feed files and directories into the database, as one atomic update.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "core/result.h"

namespace bulwark::vulndb {

struct ImportReport {
  std::uint64_t advisories = 0;  // records read from the feeds
  std::uint64_t inserted = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t withdrawn = 0;
  std::vector<core::Diagnostic> diagnostics;  // includes "feed.unevaluable" records
  double seconds = 0;
};

// Imports every path into the database at `database` (created when absent). Nothing is
// written unless every path was read: on error the old database is untouched.
// `progress` is called with the running advisory count (may be empty).
core::Result<ImportReport> importFeeds(const std::string& database,
                                       const std::vector<std::string>& paths,
                                       const std::function<void(std::uint64_t)>& progress = {});

// One input of importFeedSources: a file or directory, and what the feeds table records for it
// (`bulwark db update` records the URL a temporary download came from).
struct ImportSource {
  std::string path;
  std::string location;         // empty: the absolute path
  std::string name = "import";  // the feeds table's name column
};

// importFeeds with the feeds-table record of each input chosen by the caller.
core::Result<ImportReport> importFeedSources(
    const std::string& database, const std::vector<ImportSource>& sources,
    const std::function<void(std::uint64_t)>& progress = {});

}  // namespace bulwark::vulndb
