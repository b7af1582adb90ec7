// bulwark scan TARGET — vulnerabilities of what is installed.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/target_options.h"
#include "core/log.h"
#include "core/text.h"
#include "match/policy.h"
#include "pipeline/scan.h"
#include "report/scan_formats.h"
#include "report/scan_report.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.0.0"
#endif

namespace bulwark::cli {

namespace {

struct ScanArgs {
  std::string target;
  std::string format = "table";
  std::string output;
  std::string db;
  std::string severities;
  bool ignore_unfixed = false;
  int exit_code = 0;
  std::string ignorefile;        // empty: .bulwarkignore.yaml when the current directory has one
  std::vector<std::string> vex;  // VEX documents, in order
  bool show_suppressed = false;
  std::string max_db_age = "7d";  // warn when the database is older; "0" never warns
  std::string scanners = "vuln";  // comma-separated: vuln, secret, malware, config
  std::string secret_config;
  std::vector<std::string> yara_rules;
  std::string malware_hashes;
  bool include_dev_deps = false;
  TargetArgs source;
};

// The default ignore file, looked for in the current directory.
constexpr std::string_view kDefaultIgnoreFile = ".bulwarkignore.yaml";

// One row per --format: its name and its renderer. A new format is one row.
using ScanRenderer = std::string (*)(const model::ScanReport&, const report::ScanVerdicts&,
                                     const report::RenderOptions&);
struct ScanFormat {
  std::string_view name;
  ScanRenderer render;
};
constexpr std::array<ScanFormat, 4> kScanFormats = {{
    {"table", [](const model::ScanReport& r, const report::ScanVerdicts& v,
                 const report::RenderOptions& o) { return report::renderScanTable(r, v, o); }},
    {"json", [](const model::ScanReport& r, const report::ScanVerdicts& v,
                const report::RenderOptions& o) { return report::renderScanJson(r, v, o); }},
    {"sarif", [](const model::ScanReport& r, const report::ScanVerdicts& v,
                 const report::RenderOptions& o) { return report::renderScanSarif(r, v, o); }},
    {"cyclonedx",
     [](const model::ScanReport& r, const report::ScanVerdicts& v, const report::RenderOptions& o) {
       return report::renderScanCycloneDx(r, v, o);
     }},
}};

const ScanFormat* findFormat(std::string_view name) {
  for (const auto& format : kScanFormats) {
    if (format.name == name) return &format;
  }
  return nullptr;
}

std::string formatNames() {
  std::string out;
  for (const auto& format : kScanFormats) {
    if (!out.empty()) out += ", ";
    out += format.name;
  }
  return out;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "bulwark: %s\n", message.c_str());
  return kExitInput;
}

void warn(const std::string& message) {
  std::fprintf(stderr, "bulwark: warning: %s\n", message.c_str());
}

// The ignore file and the VEX documents, read before the scan so that a bad one fails fast.
core::Status loadSuppressions(const ScanArgs& args, match::Policy& policy) {
  std::string ignorefile = args.ignorefile;
  std::error_code error;
  if (ignorefile.empty() && std::filesystem::exists(kDefaultIgnoreFile, error)) {
    ignorefile = kDefaultIgnoreFile;
  }
  if (!ignorefile.empty()) {
    auto ignore = match::loadIgnoreFile(ignorefile);
    if (!ignore) return tl::unexpected(ignore.error());
    policy.ignore = std::move(*ignore);
  }
  for (const auto& path : args.vex) {
    auto document = match::loadVex(path);
    if (!document) return tl::unexpected(document.error());
    for (const auto& d : document->diagnostics) warn(d.where + ": " + d.detail);
    policy.vex.push_back(std::move(*document));
  }
  return {};
}

// Findings are only as current as the advisories: say so when the database is older than the
// user accepts (0: never).
void warnIfStale(const std::string& built_at, std::int64_t max_age) {
  if (max_age <= 0) return;
  const auto built = core::parseUtcTimestamp(built_at);
  const std::int64_t now = std::time(nullptr);
  if (!built) {
    warn("the vulnerability database has no build time; update it with `bulwark db update`");
  } else if (now - *built > max_age) {
    const std::int64_t age = now - *built;
    constexpr std::int64_t kHour = 3600;
    constexpr std::int64_t kDay = 24 * kHour;
    const std::string how_old = age >= 2 * kDay    ? fmt::format("{} days", age / kDay)
                                : age >= 2 * kHour ? fmt::format("{} hours", age / kHour)
                                                   : fmt::format("{} seconds", age);
    warn(
        fmt::format("the vulnerability database is {} old (built {}); update it with "
                    "`bulwark db update` or set --max-db-age",
                    how_old, built_at));
  }
}

// --severity applies to every scanner's results, as Trivy's does (vulnerabilities through the
// policy; secrets, malware and checks here).
void keepSeverities(const std::vector<model::Severity>& severities, model::ScanReport& report) {
  if (severities.empty()) return;
  const auto dropped = [&](const auto& item) {
    return std::find(severities.begin(), severities.end(), item.severity) == severities.end();
  };
  std::erase_if(report.secrets, dropped);
  std::erase_if(report.malware, dropped);
  std::erase_if(report.misconfigurations, dropped);
}

int runScan(const ScanArgs& args) {
  const ScanFormat* format = findFormat(args.format);
  if (format == nullptr) {
    return fail("unknown format '" + args.format + "' (" + formatNames() + ")");
  }
  match::Policy policy;
  auto severities = match::parseSeverities(args.severities);
  if (!severities) return fail(severities.error().message);
  policy.severities = *severities;
  policy.ignore_unfixed = args.ignore_unfixed;
  policy.exit_code = args.exit_code;
  if (auto loaded = loadSuppressions(args, policy); !loaded) return fail(loaded.error().message);
  auto source = sourceOptions(args.source);
  if (!source) return fail(source.error().message);
  pipeline::ScanOptions options;
  auto scanners = pipeline::parseScanners(args.scanners);
  if (!scanners) return fail(scanners.error().message);
  options.scanners = std::move(*scanners);
  options.secret_config = args.secret_config;
  options.yara_rules = args.yara_rules;
  options.malware_hashes = args.malware_hashes;
  options.database = args.db;
  options.sbom.source = std::move(*source);
  options.sbom.progress = progressWanted();
  options.sbom.include_dev_deps = args.include_dev_deps;

  const auto max_age = core::parseDurationSeconds(args.max_db_age);
  if (!max_age) return fail("--max-db-age '" + args.max_db_age + "': expected e.g. 72h, 7d, 2w");

  auto report = pipeline::scanTarget(args.target, options);
  if (!report) return fail(report.error().message);
  keepSeverities(policy.severities, *report);
  if (options.wants(pipeline::Scanner::Vuln)) warnIfStale(report->db_built_at, *max_age);
  const auto outcome = match::applyPolicy(policy, *report);
  for (const auto& warning : outcome.warnings) warn(warning);
  report::RenderOptions render;
  render.tool_version = BULWARK_VERSION;
  render.color = args.output.empty() && args.format == "table" && ::isatty(STDOUT_FILENO) == 1;
  const report::ScanVerdicts verdicts{outcome.counted, outcome.suppressions, args.show_suppressed};
  const std::string text = format->render(*report, verdicts, render);
  if (!writeOutput(text, args.output)) return kExitInput;
  // --exit-code counts what every scanner found, as Trivy's does.
  const bool other_findings =
      !report->secrets.empty() || !report->malware.empty() ||
      std::any_of(report->misconfigurations.begin(), report->misconfigurations.end(),
                  [](const model::CheckResult& r) { return r.status == model::CheckStatus::Fail; });
  return outcome.exit_code != 0 || !other_findings ? outcome.exit_code : args.exit_code;
}

}  // namespace

void addScanCommand(CLI::App& root, Action& action) {
  auto args = std::make_shared<ScanArgs>();
  auto* cmd = root.add_subcommand(
      "scan",
      "Find the known vulnerabilities of what is installed; secrets, malware and "
      "image configuration problems too with --scanners");
  cmd->add_option("target", args->target, "Any target `bulwark sbom` takes")->required();
  cmd->add_option("-f,--format", args->format, formatNames())->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
  cmd->add_option("--db", args->db,
                  "Vulnerability database (default $XDG_CACHE_HOME/bulwark/db/bulwark.db)");
  cmd->add_option("--severity", args->severities,
                  "Only these severities, comma-separated (e.g. CRITICAL,HIGH)");
  cmd->add_flag("--ignore-unfixed", args->ignore_unfixed, "Skip findings without a fixed version");
  cmd->add_option("--exit-code", args->exit_code,
                  "Exit with this code when findings remain after the filters (default 0)");
  cmd->add_option("--ignorefile", args->ignorefile,
                  "Findings to ignore, with scope, reason and expiry (default "
                  ".bulwarkignore.yaml when present; docs/suppression.md)");
  cmd->add_option("--vex", args->vex,
                  "OpenVEX, CycloneDX or CSAF VEX document; not_affected and fixed statements "
                  "suppress findings (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--max-db-age", args->max_db_age,
                  "Warn when the vulnerability database is older than this (72h, 7d, 2w; 0: "
                  "never)")
      ->capture_default_str();
  cmd->add_flag("--show-suppressed", args->show_suppressed,
                "Also list suppressed findings, with the rule that suppressed each");
  cmd->add_option("--scanners", args->scanners,
                  "What to look for, comma-separated: vuln (vulnerabilities), secret, malware, "
                  "config (image configuration checks)")
      ->capture_default_str();
  cmd->add_option("--secret-config", args->secret_config,
                  "Secret rules to add, allow or disable (docs/secrets.md)");
  cmd->add_option("--yara-rules", args->yara_rules,
                  "A directory of YARA rules (*.yar, *.yara) used besides the shipped ones "
                  "(repeatable; docs/malware.md)")
      ->allow_extra_args(false);
  cmd->add_option("--malware-hashes", args->malware_hashes,
                  "SHA-256 list of known-bad files used besides the shipped one (docs/malware.md)");
  cmd->add_flag("--include-dev-deps", args->include_dev_deps,
                "Also scan language packages only development needs (devDependencies, ...)");
  addTargetOptions(*cmd, args->source);
  cmd->callback([args, &action] { action = [args] { return runScan(*args); }; });
}

}  // namespace bulwark::cli
