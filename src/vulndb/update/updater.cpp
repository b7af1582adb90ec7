#include "vulndb/update/updater.h"

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <set>
#include <utility>

#include "vulndb/database.h"
#include "vulndb/update/state.h"

namespace bulwark::vulndb::update {

using core::ErrorCode;
namespace fs = std::filesystem;

namespace {

std::string nowUtc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

// A directory beside the database for the downloads, removed with everything in it at the end.
class TempDir {
 public:
  static core::Result<TempDir> besides(const std::string& database) {
    const fs::path db(database);
    std::error_code error;
    if (!db.parent_path().empty()) fs::create_directories(db.parent_path(), error);
    std::string pattern = database + ".update-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return core::fail(ErrorCode::Io, "{}: cannot create a download directory beside it: {}",
                        database, std::strerror(errno));
    }
    TempDir dir;
    dir.path_ = pattern;
    return dir;
  }
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (!path_.empty()) {
      std::error_code error;
      fs::remove_all(path_, error);
    }
  }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  TempDir() = default;
  std::string path_;
};

// "<n>-<last path segment>", reduced to characters safe in a file name.
std::string downloadName(std::size_t index, const std::string& url) {
  std::string_view path = url;
  path = path.substr(0, path.find_first_of("?#"));
  if (const auto slash = path.rfind('/'); slash != std::string_view::npos) {
    path.remove_prefix(slash + 1);
  }
  std::string name;
  for (const char c : path.substr(0, 64)) {
    const bool safe =
        std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
    name += safe ? c : '_';
  }
  if (name.empty() || name.front() == '.') name = "feed" + name;
  return std::to_string(index) + "-" + name;
}

}  // namespace

core::Result<UpdateReport> updateDatabase(const UpdateOptions& options,
                                          const UpdateObserver& observer) {
  if (options.feeds.empty()) return core::fail(ErrorCode::Usage, "no feeds to update");
  {
    std::set<std::string> urls;
    for (const auto& feed : options.feeds) {
      if (auto ok = checkFeedUrl(feed.url, options.download.insecure); !ok) {
        return tl::unexpected(ok.error());
      }
      if (!urls.insert(feed.url).second) {
        return core::fail(ErrorCode::Usage, "feed {} is listed twice", feed.url);
      }
    }
  }
  // Held to the end: the database, the state file and the download directory belong to this run.
  auto lock = DatabaseLock::acquire(options.database, options.lock_timeout, [&] {
    if (observer.lock_waiting) observer.lock_waiting(lockPathFor(options.database));
  });
  if (!lock) return tl::unexpected(lock.error());
  UpdateReport report;

  // Conditional requests only for feeds the database really holds: a deleted or replaced
  // database must not be left without a feed because the server says "not modified".
  std::set<std::string> imported_locations;
  std::error_code exists_error;
  if (fs::exists(options.database, exists_error)) {
    auto db = Database::open(options.database);
    if (!db) return tl::unexpected(db.error());
    auto stats = db->stats();
    if (!stats) return tl::unexpected(stats.error());
    for (const auto& feed : stats->feeds) imported_locations.insert(feed.location);
  }
  const std::string state_path = statePathFor(options.database);
  UpdateState state;
  if (auto loaded = loadUpdateState(state_path); loaded) {
    state = std::move(*loaded);
  } else {
    report.state_warning = loaded.error().message + " (ignored: every feed is downloaded)";
  }

  auto temp = TempDir::besides(options.database);
  if (!temp) return tl::unexpected(temp.error());
  std::vector<ImportSource> sources;
  std::vector<FeedState> fetched(options.feeds.size());
  for (std::size_t i = 0; i < options.feeds.size(); ++i) {
    const FeedSpec& feed = options.feeds[i];
    if (observer.feed_started) observer.feed_started(feed);
    Conditional conditional;
    if (imported_locations.count(feed.url) != 0) {
      if (const auto it = state.feeds.find(feed.url); it != state.feeds.end()) {
        conditional.etag = it->second.etag;
        conditional.last_modified = it->second.last_modified;
      }
    }
    const std::string file = (fs::path(temp->path()) / downloadName(i, feed.url)).string();
    auto result =
        download(feed.url, file, conditional, options.download, observer.download_progress);
    if (!result) return tl::unexpected(result.error());
    FeedOutcome outcome;
    outcome.feed = feed;
    outcome.not_modified = result->not_modified;
    // A server without validators (or one that ignores them) sends the same bytes again:
    // nothing to import when the database already holds exactly that download.
    if (!result->not_modified && imported_locations.count(feed.url) != 0) {
      const auto it = state.feeds.find(feed.url);
      if (it != state.feeds.end() && !it->second.sha256.empty() &&
          it->second.sha256 == result->sha256) {
        outcome.not_modified = true;
        outcome.same_content = true;
      }
    }
    outcome.bytes = result->bytes;
    outcome.md5_checked = result->md5_checked;
    fetched[i] =
        FeedState{result->etag, result->last_modified, nowUtc(), result->bytes, result->sha256};
    if (!outcome.not_modified) sources.push_back(ImportSource{file, feed.url, feed.name});
    if (observer.feed_done) observer.feed_done(outcome);
    report.feeds.push_back(std::move(outcome));
  }

  if (!sources.empty()) {
    if (observer.import_started) observer.import_started();
    auto imported = importFeedSources(options.database, sources, observer.import_progress);
    if (!imported) {
      // Name the feed, not the temporary file.
      auto error = imported.error();
      for (const auto& source : sources) {
        for (auto at = error.message.find(source.path); at != std::string::npos;
             at = error.message.find(source.path, at + source.location.size())) {
          error.message.replace(at, source.path.size(), source.location);
        }
      }
      return core::withContext(std::move(error), "importing into " + options.database);
    }
    report.import = std::move(*imported);
    report.imported = true;
    for (auto& diagnostic : report.import.diagnostics) {
      for (const auto& source : sources) {
        if (diagnostic.where.starts_with(source.path)) {
          diagnostic.where.replace(0, source.path.size(), source.location);
          break;
        }
      }
    }
  }

  // After the database: a state saved first could claim a feed the database never got.
  for (std::size_t i = 0; i < options.feeds.size(); ++i) {
    auto& entry = state.feeds[options.feeds[i].url];
    if (report.feeds[i].not_modified) {
      if (!fetched[i].etag.empty()) entry.etag = fetched[i].etag;
      if (!fetched[i].last_modified.empty()) entry.last_modified = fetched[i].last_modified;
    } else {
      entry = fetched[i];
    }
  }
  if (auto saved = saveUpdateState(state_path, state); !saved) {
    report.state_warning = saved.error().message;
  }
  return report;
}

}  // namespace bulwark::vulndb::update
