// Renderers of check results (hardening, image configuration, Dockerfiles): a table grouped by
// resource and section with totals and a score, JSON, SARIF 2.1.0 and JUnit XML. All are
// deterministic: the same results give the same bytes.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/check.h"

namespace bulwark::report {

// What the renderers need about a check beyond its result: the section it is listed under
// and whether it counts toward the score. Checks missing here are in section "Other", scored.
struct CheckMeta {
  std::string section;
  bool scored = true;
};

// What a Docker host report says about the host above its results: the engine, and how many
// images and containers it had.
struct HostSummary {
  std::string resource;  // the host's result resource: "docker-host:build-7"
  std::string source;    // "unix:///var/run/docker.sock", "snapshot host.json (…)"
  std::string docker_version;
  std::string api_version;
  std::string os;
  std::string kernel;
  std::size_t images = 0;
  std::size_t containers = 0;
  std::size_t containers_running = 0;
};
// What a Kubernetes report says above its results: what was read, how much of it was checked,
// and with which rules.
struct ClusterSummary {
  std::string name;            // "manifests", a kubeconfig context
  std::string source;          // "3 files", "stdin"
  std::string server_version;  // "v1.30.4" for a live cluster; empty for manifests
  std::string rules_version;   // "1.37", "latest"
  std::size_t namespaces = 0;
  std::size_t workloads = 0;
  std::size_t objects = 0;      // other checked objects (Service, Role, …)
  std::size_t uninspected = 0;  // well-known kinds with nothing to check (ConfigMap, …)
  std::size_t unknown_kinds = 0;
  std::size_t unreadable = 0;  // documents and files that could not be read
  // With a benchmark profile: how many workloads meet it (no failed result; a not-evaluated one
  // makes the workload unknown).
  std::string benchmark;  // "pss-restricted@1.37"
  std::size_t workloads_meeting = 0;
  std::size_t workloads_unknown = 0;
  std::size_t unreadable_lists = 0;  // a live cluster's API lists that could not be read
  std::size_t skipped_owned = 0;     // controller-owned objects left to their controllers
  std::size_t configz_nodes = 0;     // nodes whose kubelet /configz was asked (--kubelet-configz)
};

// The summaries printed above the results.
struct CheckReportHeader {
  std::span<const HostSummary> hosts;        // above the results of the resource each names
  std::span<const ClusterSummary> clusters;  // above every result
};

using CheckCatalog = std::map<std::string, CheckMeta, std::less<>>;

struct CheckTotals {
  std::size_t pass = 0;
  std::size_t fail = 0;
  std::size_t not_applicable = 0;
  std::size_t not_evaluated = 0;
  std::size_t manual = 0;
  std::size_t suppressed = 0;       // also counted under their status; left out of the score
  std::size_t suppressed_fail = 0;  // failed, but an exception covers them
  // Scored checks that passed, in percent of scored checks that passed or failed (not
  // evaluated, not applicable and manual ones are left out); 100 when none was decided.
  double score = 100.0;
};

CheckTotals checkTotals(const std::vector<model::CheckResult>& results,
                        const CheckCatalog& catalog);

// Suppressed results (an exception covers them) are counted in the totals and listed only with
// `show_suppressed`; the other formats always carry them, marked. A result with a location
// (a manifest object) shows it after its resource.
std::string renderCheckTable(const std::vector<model::CheckResult>& results,
                             const CheckCatalog& catalog, const CheckReportHeader& header = {},
                             bool show_suppressed = true);
std::string renderCheckJson(const std::vector<model::CheckResult>& results,
                            const CheckCatalog& catalog, const CheckReportHeader& header = {});
// The same JSON handed to `sink` in pieces of about 1 MiB as it is rendered (a report of
// 10,000 manifests is ~250 MB: it need not be in memory whole). The pieces concatenated are
// renderCheckJson's text.
using TextSink = std::function<void(std::string_view)>;
void streamCheckJson(const std::vector<model::CheckResult>& results, const CheckCatalog& catalog,
                     const CheckReportHeader& header, const TextSink& sink);
// Failed checks as results (level from severity), every check as a rule; a location with a
// line when the evidence names "FILE:LINE" or ends "(FILE:LINE)", else the result's location.
std::string renderCheckSarif(const std::vector<model::CheckResult>& results,
                             const CheckCatalog& catalog, std::string_view tool_version);
// One testsuite per resource, one testcase per check: failures fail, not-applicable and
// not-evaluated are skipped with the reason.
std::string renderCheckJunit(const std::vector<model::CheckResult>& results,
                             const CheckCatalog& catalog);

}  // namespace bulwark::report
