// bulwark db import|stats|export — the local vulnerability database.
#include <unistd.h>

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
#include "vulndb/feeds/feeds.h"
#include "vulndb/importer.h"

namespace bulwark::cli {

namespace {

struct DbArgs {
  std::string db;
  std::vector<std::string> paths;
  std::string id;
  std::string format = "table";
};

std::string databasePath(const DbArgs& args) {
  return args.db.empty() ? vulndb::defaultDatabasePath() : args.db;
}

int runImport(const DbArgs& args) {
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
  std::size_t unevaluable = 0;
  for (const auto& d : report->diagnostics) unevaluable += d.kind == vulndb::feeds::kUnevaluable;
  const double rate = report->seconds > 0 ? report->advisories / report->seconds : 0;
  std::printf(
      "%s: %llu advisories read (%llu new, %llu updated, %llu unchanged, %llu withdrawn) "
      "in %.2f s, %.0f/s\n",
      databasePath(args).c_str(), static_cast<unsigned long long>(report->advisories),
      static_cast<unsigned long long>(report->inserted),
      static_cast<unsigned long long>(report->updated),
      static_cast<unsigned long long>(report->unchanged),
      static_cast<unsigned long long>(report->withdrawn), report->seconds, rate);
  if (!report->diagnostics.empty()) {
    std::printf("%zu diagnostic(s), %zu of them records bulwark cannot evaluate:\n",
                report->diagnostics.size(), unevaluable);
    for (const auto& d : report->diagnostics) {
      std::printf("  %s  %s  %s\n", d.kind.c_str(), core::printable(d.where).c_str(),
                  core::printable(d.detail).c_str());
    }
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
  auto db = vulndb::Database::open(databasePath(args));
  if (!db) {
    std::fprintf(stderr, "bulwark: %s\n", db.error().message.c_str());
    return kExitInput;
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

  auto* import = db->add_subcommand(
      "import",
      "Import advisories from feed files or directories (OSV JSON and all.zip, Debian "
      "security tracker JSON and DSA/DLA lists, Alpine secdb)");
  import->add_option("path", args->paths, "Feed files or directories")->required();
  database_option(import);
  import->callback([args, &action] { action = [args] { return runImport(*args);
};
}  // namespace bulwark::cli
);

auto* stats = db->add_subcommand("stats", "Counts per source and ecosystem, build id and age");
stats->add_option("-f,--format", args->format, "table or json")->capture_default_str();
database_option(stats);
stats->callback([args, &action] { action = [args] { return runStats(*args); }; });

auto* exported = db->add_subcommand("export", "Print one advisory as stored (by id or alias)");
exported->add_option("id", args->id, "CVE-…, GHSA-…, DSA-…")->required();
database_option(exported);
exported->callback([args, &action] { action = [args] { return runExport(*args); }; });
}

}  // namespace bulwark::cli
