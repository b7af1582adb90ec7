// bulwark report — the posture report (docs/posture.md "Reports"; docs/dev/posture-design.md
// §6.2): the secure score, its trend, the recommendations with their most affected resources,
// resources by type, alerts and exemptions, read from the service's store and written as the
// `bulwark.posture/v1` JSON document, one self-contained HTML file, or a PDF of that HTML
// printed by headless chromium.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/service_options.h"
#include "core/text.h"
#include "pipeline/posture/report_data.h"
#include "posture/catalogue.h"
#include "posture/resource_key.h"
#include "report/posture_report.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.0.0"
#endif

namespace bulwark::cli {

namespace {

namespace fs = std::filesystem;

struct ReportArgs {
  std::string store;
  std::string format = "json";
  std::string output;
  std::string scope;
  std::string since = "30d";
  std::string chromium;
};

// --chromium, else $BULWARK_CHROMIUM, else /usr/bin/chromium: the first one given is the one
// used (a configured path that is missing is an error, not a reason to try the next).
fs::path chromiumPath(const ReportArgs& args) {
  if (!args.chromium.empty()) return args.chromium;
  const char* configured = std::getenv("BULWARK_CHROMIUM");
  if (configured != nullptr && *configured != '\0') return configured;
  return "/usr/bin/chromium";
}

bool isExecutableFile(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error) && ::access(path.c_str(), X_OK) == 0;
}

int runReport(const ReportArgs& args) {
  if (args.format != "json" && args.format != "html" && args.format != "pdf") {
    return failWith("report: --format must be json, html or pdf, not '" + args.format + "'");
  }
  const auto window = core::parseDurationSeconds(args.since);
  if (!window || *window <= 0) {
    return failWith("report: --since must be a duration such as 30d, 72h or 2w, not '" +
                    args.since + "'");
  }
  if (!args.scope.empty() && !posture::isResourceId(args.scope)) {
    return failWith("report: --scope must be a resource id (16 lower-case hex digits), not '" +
                    args.scope + "'");
  }
  fs::path chromium;
  if (args.format == "pdf") {
    if (args.output.empty() || args.output == "-") {
      return failWith("report: --format pdf needs -o FILE (a PDF is not written to stdout)");
    }
    chromium = chromiumPath(args);
    if (!isExecutableFile(chromium)) return failWith(std::string(report::kChromiumMissing));
  }

  // The store `bulwark serve` uses: --store, else BULWARK_STORE, else the default SQLite file.
  ServiceFlags flags;
  flags.store = args.store;
  auto config = loadServiceConfig(flags);
  if (!config) return failWith(config.error().message);
  auto store = openConfiguredStore(*config);
  if (!store) return failWith(store.error().message);
  auto catalogue = posture::builtinCatalogue();
  if (!catalogue) return failWith(catalogue.error().message);

  pipeline::PostureReportOptions options;
  options.scope_id = args.scope;
  options.now = store::nowMillis();
  options.since = options.now - *window * 1000;
  options.tool_version = BULWARK_VERSION;
  auto data = pipeline::postureReportData(**store, *catalogue, options);
  if (!data) return failWith("report: " + data.error().message);

  if (args.format == "json") {
    return writeOutput(report::renderPostureJson(*data), args.output) ? kExitOk : kExitInput;
  }
  const std::string html = report::renderPostureHtml(*data);
  if (args.format == "html") return writeOutput(html, args.output) ? kExitOk : kExitInput;
  if (auto printed = report::renderPosturePdf(html, chromium, args.output); !printed) {
    return failWith(printed.error().message);
  }
  return kExitOk;
}

}  // namespace

void addReportCommand(CLI::App& root, Action& action) {
  auto args = std::make_shared<ReportArgs>();
  auto* command = root.add_subcommand(
      "report", "The posture report from the service's store: JSON, HTML or PDF (docs/posture.md)");
  command->add_option("--store", args->store,
                      "The store to read: sqlite:PATH or postgres://… (default: as `bulwark "
                      "serve`: $BULWARK_STORE, else $XDG_DATA_HOME/bulwark/bulwark.db)");
  command->add_option("-f,--format", args->format, "json (default), html or pdf");
  command->add_option("-o,--output", args->output,
                      "Write the report to FILE (default or -: stdout; pdf needs a FILE)");
  command->add_option("--scope", args->scope,
                      "Only this resource (a 16-hex id) and everything below it");
  command->add_option("--since", args->since,
                      "Start of the score trend and the alert window (default 30d)");
  command->add_option("--chromium", args->chromium,
                      "chromium for --format pdf (default: $BULWARK_CHROMIUM, else "
                      "/usr/bin/chromium)");
  command->callback([args, &action] { action = [args] { return runReport(*args); }; });
}

}  // namespace bulwark::cli
