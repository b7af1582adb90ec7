// bulwark db import|update|stats|export — the local vulnerability database.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/text.h"
#include "vulndb/advisory_json.h"
#include "vulndb/database.h"
#include "vulndb/db_lock.h"
#include "vulndb/feeds/feeds.h"
#include "vulndb/importer.h"
#include "vulndb/update/feed_list.h"
#include "vulndb/update/updater.h"

namespace bulwark::cli {

namespace {

struct DbArgs {
  std::string db;
  std::vector<std::string> paths;
  std::string id;
  bool export_all = false;  // db export --all: every advisory, one JSON document a line
  std::string format = "table";
  // db update
  std::vector<std::string> feed_urls;
  std::string feeds_file;
  std::string mirror;
  std::vector<std::string> ecosystems;
  std::string ca_file;
  bool insecure = false;
  int timeout_seconds = 60;
  int lock_timeout_seconds = static_cast<int>(vulndb::kDefaultLockTimeout.count());
};

std::string databasePath(const DbArgs& args) {
  return args.db.empty() ? vulndb::defaultDatabasePath() : args.db;
}

void printImportReport(const std::string& database, const vulndb::ImportReport& report) {
  std::size_t unevaluable = 0;
  for (const auto& d : report.diagnostics) unevaluable += d.kind == vulndb::feeds::kUnevaluable;
  const double rate =
      report.seconds > 0 ? static_cast<double>(report.advisories) / report.seconds : 0;
  std::printf(
      "%s: %llu advisories read (%llu new, %llu updated, %llu unchanged, %llu withdrawn) "
      "in %.2f s, %.0f/s\n",
      database.c_str(), static_cast<unsigned long long>(report.advisories),
      static_cast<unsigned long long>(report.inserted),
      static_cast<unsigned long long>(report.updated),
      static_cast<unsigned long long>(report.unchanged),
      static_cast<unsigned long long>(report.withdrawn), report.seconds, rate);
  if (!report.diagnostics.empty()) {
    std::printf("%zu diagnostic(s), %zu of them records bulwark cannot evaluate:\n",
                report.diagnostics.size(), unevaluable);
    for (const auto& d : report.diagnostics) {
      std::printf("  %s  %s  %s\n", d.kind.c_str(), core::printable(d.where).c_str(),
                  core::printable(d.detail).c_str());
    }
  }
}

// --lock-timeout as a duration, or an error message.
std::optional<std::chrono::milliseconds> lockTimeout(const DbArgs& args) {
  if (args.lock_timeout_seconds < 0) {
    std::fprintf(stderr, "bulwark: --lock-timeout must be zero or a positive number of seconds\n");
    return std::nullopt;
  }
  return std::chrono::seconds(args.lock_timeout_seconds);
}

void tellLockWait(const std::string& lock_path) {
  if (core::verbosity() == core::Verbosity::Quiet) return;
  std::fprintf(stderr, "bulwark: waiting for another db update or import to finish (%s)\n",
               lock_path.c_str());
}

int runImport(const DbArgs& args) {
  const auto timeout = lockTimeout(args);
  if (!timeout) return kExitInput;
  const std::string database = databasePath(args);
  // Held until the import has renamed its new database into place (vulndb/db_lock.h).
  auto lock = vulndb::DatabaseLock::acquire(database, *timeout,
                                            [&] { tellLockWait(vulndb::lockPathFor(database)); });
  if (!lock) {
    std::fprintf(stderr, "bulwark: %s (the database was not changed)\n",
                 core::printable(lock.error().message).c_str());
    return kExitInput;
  }
  std::optional<core::Progress> progress;
  if (::isatty(STDERR_FILENO) == 1 && core::verbosity() != core::Verbosity::Quiet) {
    progress.emplace("importing advisories", 0);
  }
  auto report = vulndb::importFeeds(databasePath(args), args.paths, [&](std::uint64_t n) {
    (void)n;
    if (progress) progress->advance(1000);
  });
  if (progress) progress->finish();
  if (!report) {
    std::fprintf(stderr, "bulwark: %s (the database was not changed)\n",
                 report.error().message.c_str());
    return kExitInput;
  }
  printImportReport(databasePath(args), *report);
  return kExitOk;
}

// Which feeds `db update` downloads: --feed/--feeds-file, else the default OSV archives
// (--ecosystem, --mirror).
core::Result<std::vector<vulndb::update::FeedSpec>> updateFeeds(const DbArgs& args) {
  namespace update = vulndb::update;
  const bool explicit_feeds = !args.feed_urls.empty() || !args.feeds_file.empty();
  if (explicit_feeds && !args.ecosystems.empty()) {
    return core::fail(core::ErrorCode::Usage,
                      "--ecosystem chooses among the default OSV feeds; it cannot be combined "
                      "with --feed or --feeds-file");
  }
  if (!explicit_feeds) {
    return update::osvFeeds(args.mirror.empty() ? update::kOsvBaseUrl : args.mirror,
                            args.ecosystems);
  }
  std::vector<update::FeedSpec> feeds;
  for (const auto& url : args.feed_urls) feeds.push_back(update::feedFromUrl(url));
  if (!args.feeds_file.empty()) {
    auto listed = update::loadFeedsFile(args.feeds_file);
    if (!listed) return tl::unexpected(listed.error());
    feeds.insert(feeds.end(), listed->begin(), listed->end());
  }
  if (!args.mirror.empty()) update::rewriteOsvBase(feeds, args.mirror);
  return feeds;
}

int runUpdate(const DbArgs& args) {
  namespace update = vulndb::update;
  auto feeds = updateFeeds(args);
  if (!feeds) {
    std::fprintf(stderr, "bulwark: %s\n", core::printable(feeds.error().message).c_str());
    return kExitInput;
  }
  if (args.timeout_seconds <= 0) {
    std::fprintf(stderr, "bulwark: --timeout must be a positive number of seconds\n");
    return kExitInput;
  }
  const auto lock_timeout = lockTimeout(args);
  if (!lock_timeout) return kExitInput;
  update::UpdateOptions options;
  options.database = databasePath(args);
  options.lock_timeout = *lock_timeout;
  options.feeds = std::move(*feeds);
  options.download.ca_file = args.ca_file;
  options.download.insecure = args.insecure;
  options.download.connect_timeout = std::chrono::seconds(args.timeout_seconds);
  options.download.stall_timeout = std::chrono::seconds(args.timeout_seconds);

  const bool tty = ::isatty(STDERR_FILENO) == 1 && core::verbosity() != core::Verbosity::Quiet;
  std::optional<core::Progress> progress;
  std::string current;
  std::uint64_t last_done = 0;
  update::UpdateObserver observer;
  observer.lock_waiting = tellLockWait;
  observer.feed_started = [&](const update::FeedSpec& feed) { current = feed.name; };
  observer.download_progress = [&](std::uint64_t done, std::uint64_t total) {
    if (!tty) return;
    if (!progress) progress.emplace("downloading " + core::printable(current), total);
    progress->advance(done - std::min(done, last_done));
    last_done = done;
  };
  observer.feed_done = [&](const update::FeedOutcome& outcome) {
    if (progress) progress->finish();
    progress.reset();
    last_done = 0;
    if (outcome.not_modified) {
      std::printf("%-24s not modified%s  %s\n", core::printable(outcome.feed.name).c_str(),
                  outcome.same_content ? " (same content)" : "",
                  core::printable(outcome.feed.url).c_str());
    } else {
      std::printf("%-24s downloaded %llu bytes%s  %s\n", core::printable(outcome.feed.name).c_str(),
                  static_cast<unsigned long long>(outcome.bytes),
                  outcome.md5_checked ? " (md5 ok)" : "",
                  core::printable(outcome.feed.url).c_str());
    }
    std::fflush(stdout);
  };
  observer.import_started = [&] {
    if (tty) progress.emplace("importing advisories", 0);
  };
  observer.import_progress = [&](std::uint64_t /*n*/) {
    if (progress) progress->advance(1000);
  };
  auto report = update::updateDatabase(options, observer);
  if (progress) progress->finish();
  progress.reset();
  if (!report) {
    std::fprintf(stderr, "bulwark: %s (nothing was imported; the database was not changed)\n",
                 core::printable(report.error().message).c_str());
    return kExitInput;
  }
  if (!report->state_warning.empty()) {
    std::fprintf(stderr, "bulwark: warning: update state: %s\n",
                 core::printable(report->state_warning).c_str());
  }
  if (report->imported) {
    printImportReport(options.database, report->import);
  } else {
    std::printf("%s: every feed is unchanged; the database was not rebuilt\n",
                options.database.c_str());
  }
  return kExitOk;
}

int runStats(const DbArgs& args) {
  auto db = vulndb::Database::open(databasePath(args));
  if (!db) {
    std::fprintf(stderr, "bulwark: %s\n", db.error().message.c_str());
    return kExitInput;
  }
  auto stats = db->stats();
  if (!stats) {
    std::fprintf(stderr, "bulwark: %s\n", stats.error().message.c_str());
    return kExitInput;
  }
  if (args.format == "json") {
    nlohmann::ordered_json doc;
    doc["path"] = databasePath(args);
    doc["schema_version"] = stats->schema_version;
    doc["build_id"] = stats->build_id;
    doc["built_at"] = stats->built_at;
    doc["file_bytes"] = stats->file_bytes;
    doc["advisories"] = stats->advisories;
    doc["affected"] = stats->affected;
    for (const auto& [source, n] : stats->per_source) doc["per_source"][source] = n;
    for (const auto& [eco, n] : stats->per_ecosystem) doc["per_ecosystem"][eco] = n;
    doc["feeds"] = nlohmann::ordered_json::array();
    for (const auto& f : stats->feeds) {
      doc["feeds"].push_back({{"name", f.name},
                              {"location", f.location},
                              {"imported_at", f.imported_at},
                              {"advisories", f.advisories}});
    }
    std::puts(doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
    return kExitOk;
  }
  std::string out = fmt::format(
      "{}\n  schema {}  build {}  built {}\n  {} advisories, {} package statements, {:.1f} MiB\n",
      databasePath(args), stats->schema_version, stats->build_id, stats->built_at,
      stats->advisories, stats->affected, static_cast<double>(stats->file_bytes) / (1 << 20));
  out += "\nadvisories per source\n";
  for (const auto& [source, n] : stats->per_source)
    out += fmt::format("  {:<36} {:>9}\n", source, n);
  out += "\npackage statements per ecosystem\n";
  for (const auto& [eco, n] : stats->per_ecosystem) out += fmt::format("  {:<36} {:>9}\n", eco, n);
  out += "\nimports\n";
  for (const auto& f : stats->feeds) {
    out += fmt::format("  {}  {:>7} advisories  {}\n", f.imported_at, f.advisories, f.location);
  }
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

int runExport(const DbArgs& args) {
  if (args.export_all == !args.id.empty()) {
    std::fprintf(stderr, "bulwark: db export takes either an ID or --all\n");
    return kExitInput;
  }
  auto db = vulndb::Database::open(databasePath(args));
  if (!db) {
    std::fprintf(stderr, "bulwark: %s\n", db.error().message.c_str());
    return kExitInput;
  }
  if (args.export_all) {
    // JSON lines, ordered by (source, id): what benchmarks/trivy-layout reads.
    auto done = db->forEachAdvisory([](const model::Advisory& advisory) -> core::Status {
      const std::string line = vulndb::advisoryToJson(advisory) + "\n";
      if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size()) {
        return core::fail(core::ErrorCode::Io, "cannot write the export");
      }
      return {};
    });
    if (!done) {
      std::fprintf(stderr, "bulwark: %s\n", done.error().message.c_str());
      return kExitInput;
    }
    return kExitOk;
  }
  auto found = db->advisories(args.id);
  if (!found) {
    std::fprintf(stderr, "bulwark: %s\n", found.error().message.c_str());
    return kExitInput;
  }
  if (found->empty()) {
    std::fprintf(stderr, "bulwark: no advisory or alias '%s' in %s\n",
                 core::printable(args.id).c_str(), databasePath(args).c_str());
    return kExitInput;
  }
  std::string out = "[\n";
  for (std::size_t i = 0; i < found->size(); ++i) {
    out += vulndb::advisoryToJson((*found)[i], 2);
    out += i + 1 < found->size() ? ",\n" : "\n";
  }
  out += "]\n";
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace

void addDbCommand(CLI::App& root, Action& action) {
  auto args = std::make_shared<DbArgs>();
  auto* db = root.add_subcommand("db", "The local vulnerability database");
  db->require_subcommand(1);
  auto database_option = [&args](CLI::App* cmd) {
    cmd->add_option("--db", args->db,
                    "Database file (default $XDG_CACHE_HOME/bulwark/db/bulwark.db)");
  };
  auto lock_option = [&args](CLI::App* cmd) {
    cmd->add_option("--lock-timeout", args->lock_timeout_seconds,
                    "Seconds to wait while another db update or import writes the same database")
        ->capture_default_str();
  };

  auto* import_cmd = db->add_subcommand(
      "import",
      "Import advisories from feed files or directories (format recognised from content: OSV "
      "JSON and all.zip, Debian tracker and DSA/DLA lists, Alpine secdb, OVAL, Red Hat CSAF, "
      "SUSE CVRF, NVD, ...)");
  import_cmd->add_option("path", args->paths, "Feed files or directories")->required();
  database_option(import_cmd);
  lock_option(import_cmd);
  import_cmd->callback([args, &action] { action = [args] { return runImport(*args); }; });

  auto* update = db->add_subcommand(
      "update",
      "Download the feeds (default: the OSV per-ecosystem all.zip archives) when they changed, "
      "verify them and import them atomically");
  database_option(update);
  lock_option(update);
  update->add_option("--feed", args->feed_urls, "Feed URL (repeatable; replaces the defaults)");
  update->add_option("--feeds-file", args->feeds_file,
                     "YAML list of {name, url} feeds (replaces the defaults)");
  update->add_option("--mirror", args->mirror,
                     "Base URL serving <Ecosystem>/all.zip in place of the OSV bucket");
  update
      ->add_option("--ecosystem", args->ecosystems,
                   "Comma-separated OSV ecosystems to update (default: all the defaults)")
      ->delimiter(',');
  update->add_option("--ca-file", args->ca_file, "Extra CA bundle (PEM) for HTTPS");
  update->add_flag("--insecure", args->insecure,
                   "Allow plain HTTP and unverified TLS (test servers, trusted mirrors only)");
  update
      ->add_option("--timeout", args->timeout_seconds,
                   "Seconds to wait for a connection or a stalled transfer")
      ->capture_default_str();
  update->callback([args, &action] { action = [args] { return runUpdate(*args); }; });

  auto* stats = db->add_subcommand("stats", "Counts per source and ecosystem, build id and age");
  stats->add_option("-f,--format", args->format, "table or json")->capture_default_str();
  database_option(stats);
  stats->callback([args, &action] { action = [args] { return runStats(*args); }; });

  auto* exported = db->add_subcommand(
      "export", "Print one advisory as stored (by id or alias), or every one with --all");
  exported->add_option("id", args->id, "CVE-…, GHSA-…, DSA-…");
  exported->add_flag("--all", args->export_all,
                     "Every stored advisory, one JSON document a line, by source and id");
  database_option(exported);
  exported->callback([args, &action] { action = [args] { return runExport(*args); }; });
}

}  // namespace bulwark::cli
