#include "pipeline/harden.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "checks/docker/collect/collect.h"
#include "checks/evaluate.h"
#include "checks/exceptions.h"
#include "checks/profile.h"
#include "core/date.h"
#include "core/text.h"

namespace bulwark::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

constexpr std::size_t kMaxSnapshotBytes = 64u << 20;

core::Result<std::string> readLimited(const std::string& path) {
  return readBoundedFile(path, kMaxSnapshotBytes);
}

bool matchesAny(const std::vector<std::string>& globs, std::string_view name) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& glob) { return core::globMatch(glob, name); });
}

// --include-container / --exclude-container; the snapshot keeps only the selected containers,
// so the host's summary counts what was checked.
void selectContainers(checks::docker::Snapshot& snapshot, const DockerBenchOptions& options,
                      bool running_only) {
  auto& containers = snapshot.engine.containers;
  std::erase_if(containers, [&](const checks::docker::Container& c) {
    const auto& include = options.collect.include_containers;
    if (!include.empty() && !matchesAny(include, c.name)) return true;
    if (matchesAny(options.collect.exclude_containers, c.name)) return true;
    if (running_only && c.inspect.state.ok()) {
      const auto& state = c.inspect.doc.value("State", nlohmann::json::object());
      return !(state.is_object() && state.value("Running", false));
    }
    return false;
  });
}

// The checks a run evaluates: the profile's (--benchmark), else every check that looks at a
// Docker host, its containers or its images; then --check/--skip.
core::Result<checks::CheckSet> dockerChecks(const DockerBenchOptions& options,
                                            std::optional<checks::Profile>& profile) {
  auto builtin = checks::loadBuiltinChecks();
  if (!builtin) return tl::unexpected(builtin.error());
  checks::CheckSet set = std::move(*builtin);
  if (!options.benchmark.empty()) {
    auto found = checks::builtinProfile(options.benchmark);
    if (!found) return tl::unexpected(found.error());
    profile = std::move(*found);
    auto selected = checks::profileChecks(set, *profile);
    if (!selected) return tl::unexpected(selected.error());
    set = std::move(*selected);
  } else {
    std::erase_if(set.checks, [](const checks::Check& check) {
      return check.appliesTo(checks::ResourceKind::DockerHost) == nullptr &&
             check.appliesTo(checks::ResourceKind::DockerContainer) == nullptr &&
             check.appliesTo(checks::ResourceKind::Image) == nullptr;
    });
  }
  return checks::selectChecks(set, options.only, options.skip);
}

std::string text(const nlohmann::json& doc, std::string_view key) {
  if (!doc.is_object()) return {};
  const auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

core::Result<std::string> readBoundedFile(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::ErrorCode::NotFound, "cannot read {}", path);
  std::string text;
  std::vector<char> buffer(std::size_t{64} << 10);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    text.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      return core::fail(core::ErrorCode::Limit, "{}: larger than {} bytes", path, max_bytes);
    }
  }
  if (in.bad()) return core::fail(core::ErrorCode::Io, "cannot read {}", path);
  return text;
}

std::string dockerEndpoint(const std::string& option) {
  if (!option.empty()) return option;
  if (const char* env = std::getenv("DOCKER_HOST"); env != nullptr && *env != '\0') return env;
  return "unix:///var/run/docker.sock";
}

core::Result<checks::docker::Snapshot> collectDockerSnapshot(const DockerCollectOptions& options) {
  checks::docker::CollectOptions collect;
  collect.endpoint = dockerEndpoint(options.endpoint);
  collect.host_root = options.host_root;
  collect.timeout = options.timeout;
  collect.running_only = options.running_only;
  collect.include = options.include_containers;
  collect.exclude = options.exclude_containers;
  collect.tool_version = options.tool_version;
  return checks::docker::collectDocker(collect);
}

core::Result<std::vector<checks::Exception>> loadCheckExceptions(const std::string& ignorefile) {
  if (ignorefile.empty()) return std::vector<checks::Exception>{};
  auto text = readLimited(ignorefile);
  if (!text) return tl::unexpected(text.error());
  auto parsed = checks::parseExceptions(*text, ignorefile);
  if (!parsed) return tl::unexpected(parsed.error());
  auto all = checks::loadBuiltinChecks();
  if (!all) return tl::unexpected(all.error());
  if (auto known = checks::checkExceptionIds(*parsed, *all); !known) {
    return tl::unexpected(known.error());
  }
  return std::move(*parsed);
}

report::CheckCatalog checkCatalog(const checks::CheckSet& set) {
  report::CheckCatalog catalog;
  for (const auto& check : set.checks) catalog[check.id] = {check.section, check.scored};
  return catalog;
}

report::HostSummary hostSummaryOf(const checks::docker::Snapshot& snapshot, std::string resource,
                                  std::string source) {
  report::HostSummary host;
  host.resource = std::move(resource);
  host.source = std::move(source);
  const auto& version = snapshot.engine.version;
  if (version.state.ok()) {
    host.docker_version = text(version.doc, "Version");
    host.api_version = text(version.doc, "ApiVersion");
  }
  const auto& info = snapshot.engine.info;
  if (info.state.ok()) {
    host.os = text(info.doc, "OperatingSystem");
    host.kernel = text(info.doc, "KernelVersion");
    if (host.docker_version.empty()) host.docker_version = text(info.doc, "ServerVersion");
  }
  host.images = snapshot.engine.images.size();
  host.containers = snapshot.engine.containers.size();
  for (const auto& c : snapshot.engine.containers) {
    if (!c.inspect.state.ok()) continue;
    const auto& state = c.inspect.doc.value("State", nlohmann::json::object());
    host.containers_running += state.is_object() && state.value("Running", false);
  }
  return host;
}

core::Result<DockerBenchReport> runDockerBench(const DockerBenchOptions& options) {
  const auto load_start = Clock::now();
  std::optional<checks::Profile> profile;
  auto set = dockerChecks(options, profile);
  if (!set) return tl::unexpected(set.error());
  auto exceptions = loadCheckExceptions(options.ignorefile);
  if (!exceptions) return tl::unexpected(exceptions.error());

  DockerBenchReport out;
  out.timings.load_ms = millisecondsSince(load_start);
  core::Diagnostics diagnostics;
  std::string source;
  const auto collect_start = Clock::now();
  const bool from_snapshot = !options.snapshot_path.empty() || !options.snapshot_json.empty();
  if (from_snapshot) {
    const std::string name =
        options.snapshot_path.empty() ? std::string("posted snapshot") : options.snapshot_path;
    std::string read;
    if (options.snapshot_json.empty()) {
      auto json = readLimited(options.snapshot_path);
      if (!json) return tl::unexpected(json.error());
      read = std::move(*json);
    }
    auto snapshot = checks::docker::readSnapshot(
        options.snapshot_json.empty() ? read : options.snapshot_json, diagnostics);
    if (!snapshot) {
      return core::fail(snapshot.error().code, "{}: {}", name, snapshot.error().message);
    }
    out.snapshot = std::move(*snapshot);
    source = fmt::format("snapshot {}{}", name,
                         out.snapshot.collected_at.empty()
                             ? ""
                             : fmt::format(", collected {}", out.snapshot.collected_at));
  } else {
    auto snapshot = collectDockerSnapshot(options.collect);
    if (!snapshot) return tl::unexpected(snapshot.error());
    out.snapshot = std::move(*snapshot);
    source = out.snapshot.engine.endpoint;
  }
  out.timings.collect_ms = millisecondsSince(collect_start);
  selectContainers(out.snapshot, options, options.collect.running_only && from_snapshot);
  diagnostics.append(out.snapshot.diagnostics);

  const auto evaluate_start = Clock::now();
  checks::EvalContext context;
  context.inputs = options.inputs;
  out.results = checks::evaluateDocker(*set, out.snapshot, context, diagnostics);
  if (profile) checks::annotate(out.results, *profile);
  checks::applyExceptions(out.results, *exceptions, core::today(), diagnostics);
  out.timings.evaluate_ms = millisecondsSince(evaluate_start);

  out.catalog = checkCatalog(*set);
  const auto host = std::find_if(out.results.begin(), out.results.end(),
                                 [](const auto& r) { return r.resource_kind == "docker-host"; });
  if (host != out.results.end()) {
    out.hosts.push_back(hostSummaryOf(out.snapshot, host->resource, std::move(source)));
  }
  out.diagnostics = diagnostics.sorted();
  return out;
}

}  // namespace bulwark::pipeline
