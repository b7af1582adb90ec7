#include "vulndb/importer.h"

#include <chrono>
#include <filesystem>
#include <optional>

#include "vulndb/database.h"
#include "vulndb/feeds/feeds.h"

namespace bulwark::vulndb {

core::Result<ImportReport> importFeeds(const std::string& database,
                                       const std::vector<std::string>& paths,
                                       const std::function<void(std::uint64_t)>& progress) {
  std::vector<ImportSource> sources;
  sources.reserve(paths.size());
  for (const auto& path : paths) sources.push_back(ImportSource{path, {}, "import"});
  return importFeedSources(database, sources, progress);
}

core::Result<ImportReport> importFeedSources(const std::string& database,
                                             const std::vector<ImportSource>& sources,
                                             const std::function<void(std::uint64_t)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  auto writer = DatabaseWriter::begin(database);
  if (!writer) return tl::unexpected(writer.error());
  ImportReport report;
  core::Diagnostics diagnostics;
  for (const auto& source : sources) {
    const std::string& path = source.path;
    std::optional<core::Error> failure;
    std::uint64_t from_path = 0;
    const feeds::AdvisorySink sink = [&](model::Advisory&& advisory) {
      if (failure) return;
      ++report.advisories;
      ++from_path;
      auto outcome = writer->put(advisory);
      if (!outcome) {
        failure = outcome.error();
        return;
      }
      switch (*outcome) {
        case DatabaseWriter::Outcome::Inserted: ++report.inserted; break;
        case DatabaseWriter::Outcome::Updated: ++report.updated; break;
        case DatabaseWriter::Outcome::Unchanged: ++report.unchanged; break;
        case DatabaseWriter::Outcome::Withdrawn: ++report.withdrawn; break;
      }
      if (progress && report.advisories % 1000 == 0) progress(report.advisories);
    };
    if (auto ok = feeds::parseFeedPath(std::filesystem::path(path), sink, diagnostics); !ok) {
      return tl::unexpected(ok.error());
    }
    if (failure) return tl::unexpected(*failure);
    FeedRecord feed;
    feed.name = source.name;
    feed.location = source.location.empty()
                        ? std::filesystem::absolute(path).lexically_normal().string()
                        : source.location;
    feed.advisories = from_path;
    if (auto ok = writer->recordFeed(feed); !ok) return tl::unexpected(ok.error());
  }
  if (auto ok = writer->commit(); !ok) return tl::unexpected(ok.error());
  report.diagnostics = diagnostics.sorted();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace bulwark::vulndb
