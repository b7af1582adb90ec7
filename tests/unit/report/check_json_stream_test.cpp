// renderCheckJson writes its text directly instead of building an nlohmann tree. These tests
// keep the tree builder it replaced as the reference and require the same bytes: key order,
// indentation, escaping of quotes, backslashes and control characters, UTF-8 kept as is,
// empty arrays, the optional members and the headers.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/check_report.h"

namespace bulwark::report {

namespace {

using Json = nlohmann::ordered_json;
using model::CheckStatus;

// --- The reference: the tree renderCheckJson built before it wrote text directly. ---

std::string_view severityName(model::Severity severity) {
  switch (severity) {
    case model::Severity::Critical: return "critical";
    case model::Severity::High: return "high";
    case model::Severity::Medium: return "medium";
    case model::Severity::Low: return "low";
    case model::Severity::Negligible: return "negligible";
    case model::Severity::Unknown: break;
  }
  return "unknown";
}

std::string sectionOf(const CheckCatalog& catalog, const std::string& id) {
  const auto it = catalog.find(id);
  return it == catalog.end() ? "Other" : it->second.section;
}

Json totalsJson(const CheckTotals& t) {
  Json totals{{"pass", t.pass},
              {"fail", t.fail},
              {"not-applicable", t.not_applicable},
              {"not-evaluated", t.not_evaluated},
              {"manual", t.manual}};
  if (t.suppressed > 0) totals["suppressed"] = t.suppressed;
  totals["score"] = t.score;
  return totals;
}

Json resultJson(const model::CheckResult& r, const CheckCatalog& catalog) {
  Json evidence = Json::array();
  for (const auto& e : r.evidence) {
    evidence.push_back(
        Json{{"observed", e.observed}, {"where", e.where}, {"expected", e.expected}});
  }
  Json item{{"id", r.check_id},
            {"title", r.title},
            {"section", sectionOf(catalog, r.check_id)},
            {"severity", severityName(r.severity)},
            {"status", model::toString(r.status)}};
  if (!r.reason.empty()) item["reason"] = r.reason;
  if (r.status == CheckStatus::NotEvaluated && r.cause != model::NotEvaluatedCause::None) {
    item["cause"] = model::toString(r.cause);
  }
  if (r.assist) item["assist"] = model::toString(*r.assist);
  if (!r.controls.empty()) item["controls"] = r.controls;
  if (r.suppression) {
    item["suppression"] = Json{{"reason", r.suppression->reason},
                               {"expires", r.suppression->expires},
                               {"source", r.suppression->source}};
  }
  item["references"] = r.references;
  item["remediation"] = r.remediation;
  item["evidence"] = std::move(evidence);
  return item;
}

Json hostJson(const HostSummary& h) {
  return Json{{"resource", h.resource},
              {"source", h.source},
              {"docker_version", h.docker_version},
              {"api_version", h.api_version},
              {"os", h.os},
              {"kernel", h.kernel},
              {"images", h.images},
              {"containers", h.containers},
              {"containers_running", h.containers_running}};
}

Json clusterJson(const ClusterSummary& c) {
  Json doc{{"name", c.name},
           {"source", c.source},
           {"rules_version", c.rules_version},
           {"namespaces", c.namespaces},
           {"workloads", c.workloads},
           {"objects", c.objects},
           {"uninspected", c.uninspected},
           {"unknown_kinds", c.unknown_kinds},
           {"unreadable", c.unreadable},
           {"unreadable_lists", c.unreadable_lists},
           {"skipped_owned", c.skipped_owned}};
  if (c.configz_nodes > 0) doc["configz_nodes"] = c.configz_nodes;
  if (!c.server_version.empty()) doc["server_version"] = c.server_version;
  if (!c.benchmark.empty()) {
    doc["benchmark"] = Json{{"name", c.benchmark},
                            {"workloads_meeting", c.workloads_meeting},
                            {"workloads_unknown", c.workloads_unknown}};
  }
  return doc;
}

Json referenceTree(const std::vector<model::CheckResult>& results, const CheckCatalog& catalog,
                   const CheckReportHeader& header) {
  // Resources in first-seen order.
  std::vector<std::string> order;
  for (const auto& r : results) {
    if (std::find(order.begin(), order.end(), r.resource) == order.end()) {
      order.push_back(r.resource);
    }
  }
  Json resources = Json::array();
  for (const auto& resource : order) {
    std::vector<model::CheckResult> items;
    for (const auto& r : results) {
      if (r.resource == resource) items.push_back(r);
    }
    Json list = Json::array();
    for (const auto& r : items) list.push_back(resultJson(r, catalog));
    Json entry{{"resource", resource}};
    if (!items.front().resource_kind.empty()) entry["kind"] = items.front().resource_kind;
    if (const auto& location = items.front().location) {
      entry["location"] = Json{{"file", location->file}, {"line", location->line}};
    }
    entry["totals"] = totalsJson(checkTotals(items, catalog));
    entry["results"] = std::move(list);
    resources.push_back(std::move(entry));
  }
  Json doc{{"schema", "bulwark.checks/v1"}};
  if (!header.hosts.empty()) {
    Json list = Json::array();
    for (const auto& host : header.hosts) list.push_back(hostJson(host));
    doc["hosts"] = std::move(list);
  }
  if (!header.clusters.empty()) {
    Json list = Json::array();
    for (const auto& cluster : header.clusters) list.push_back(clusterJson(cluster));
    doc["clusters"] = std::move(list);
  }
  doc["totals"] = totalsJson(checkTotals(results, catalog));
  doc["resources"] = std::move(resources);
  return doc;
}

// --- Inputs with the awkward parts. ---

// Every control character, DEL, quotes, backslashes and a slash, all ASCII (the writer's own
// escaping).
std::string awkwardAscii() {
  std::string text = "say \"hi\" \\ C:\\path/to ";
  for (char c = 0; c < 0x20; ++c) text += c;
  return text + "\x7f end";
}

// The same with 2-, 3- and 4-byte UTF-8 in it (kept as is, validated as nlohmann does).
std::string awkwardUtf8() { return awkwardAscii() + " caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3"; }

model::CheckResult result(std::string resource, std::string id, CheckStatus status) {
  model::CheckResult r;
  r.resource = std::move(resource);
  r.check_id = std::move(id);
  r.status = status;
  r.title = "Title of " + r.check_id;
  r.severity = model::Severity::Medium;
  return r;
}

const CheckCatalog& catalog() {
  static const CheckCatalog kCatalog{{"BW-K8S-001", {"Pod security", true}},
                                     {"BW-K8S-002", {"Pod \"security\"", true}},
                                     {"BW-K8S-003", {"Informational", false}}};
  return kCatalog;
}

std::vector<model::CheckResult> awkwardResults() {
  std::vector<model::CheckResult> results;

  auto fail = result("Deployment/prod/web", "BW-K8S-001", CheckStatus::Fail);
  fail.resource_kind = "Deployment";
  fail.location = model::SourceLocation{"deploy/web \"app\".yaml", 31};
  fail.severity = model::Severity::Critical;
  fail.title = awkwardAscii();
  fail.controls = {"pss-restricted@1.37:runAsNonRoot", "cis-k8s:5.2.6"};
  fail.references = {"CKV_K8S_23", "https://kubernetes.io/docs/\"x\""};
  fail.remediation = "Set\trunAsNonRoot: true\nin the pod's securityContext.";
  fail.evidence = {
      {"runAsNonRoot is not set", "spec.template.spec (deploy/web.yaml:31)", "runAsNonRoot: true"},
      {awkwardUtf8(), awkwardAscii(), ""}};
  results.push_back(fail);

  // Another resource between two results of the first: grouping keeps first-seen order.
  auto suppressed = result("Service/prod/api", "BW-K8S-002", CheckStatus::Fail);
  suppressed.severity = model::Severity::Low;
  suppressed.suppression =
      model::CheckSuppression{"accepted \\ risk \"for now\"", "2030-01-01", ".bulwarkignore:4"};
  results.push_back(suppressed);

  auto not_evaluated = result("Deployment/prod/web", "BW-K8S-002", CheckStatus::NotEvaluated);
  not_evaluated.reason = "image digest \x01 unknown";
  not_evaluated.cause = model::NotEvaluatedCause::Undetermined;
  not_evaluated.severity = model::Severity::Unknown;
  results.push_back(not_evaluated);

  auto manual = result("Deployment/prod/web", "BW-K8S-003", CheckStatus::Manual);
  manual.assist = CheckStatus::Pass;
  manual.reason = "review by hand";
  manual.severity = model::Severity::Negligible;
  results.push_back(manual);

  auto pass = result("Deployment/prod/web", "BW-OTHER-9", CheckStatus::Pass);
  pass.severity = model::Severity::High;
  results.push_back(pass);

  // 1 of 3 scored: a score that is not a short decimal in binary.
  results.push_back(result("Pod/dev/debug", "BW-K8S-001", CheckStatus::Pass));
  results.push_back(result("Pod/dev/debug", "BW-K8S-002", CheckStatus::Fail));
  results.push_back(result("Pod/dev/debug", "BW-OTHER-1", CheckStatus::Fail));
  results.push_back(result("Pod/dev/debug", "BW-OTHER-2", CheckStatus::NotApplicable));
  return results;
}

std::string referenceText(const std::vector<model::CheckResult>& results,
                          const CheckReportHeader& header = {}) {
  return referenceTree(results, catalog(), header).dump(2) + "\n";
}

void expectSameAsTree(const std::vector<model::CheckResult>& results,
                      const CheckReportHeader& header = {}) {
  const std::string text = renderCheckJson(results, catalog(), header);
  EXPECT_EQ(text, referenceText(results, header));
  EXPECT_EQ(Json::parse(text), referenceTree(results, catalog(), header));
}

TEST(CheckJsonStream, AwkwardResultsGiveTheTreeBytes) {
  const auto results = awkwardResults();
  expectSameAsTree(results);
  // Spot checks that the cases are really in the output, escaped as JSON requires.
  const std::string text = renderCheckJson(results, catalog());
  EXPECT_NE(text.find(R"(say \"hi\" \\ C:\\path/to \u0000\u0001)"), std::string::npos);
  EXPECT_NE(text.find(R"(\u001f)"), std::string::npos);
  EXPECT_NE(text.find("\\b\\t\\n\\u000b\\f\\r"), std::string::npos);
  EXPECT_NE(text.find("\x7f end caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3\""), std::string::npos);
  EXPECT_NE(text.find("\"evidence\": []"), std::string::npos);
  EXPECT_NE(text.find("\"score\": 33.3"), std::string::npos);
}

TEST(CheckJsonStream, HostsAndClustersHeaders) {
  const std::vector<HostSummary> hosts{{"docker-host:build-7", "unix:///var/run/docker.sock",
                                        "26.1.4", "1.45", "Ubuntu \"24.04\"", "6.8.0", 12, 3, 1},
                                       {"docker-host:empty", "", "", "", "", "", 0, 0, 0}};
  ClusterSummary manifests{"manifests", "3 files", "", "latest", 2, 5, 7, 1, 0, 1, "", 0, 0};
  ClusterSummary live{"prod\tctx", "kubeconfig",          "v1.30.4", "1.30", 4, 9, 2, 0, 3,
                      0,           "pss-restricted@1.37", 6,         2};
  live.unreadable_lists = 2;
  live.skipped_owned = 31;
  live.configz_nodes = 3;
  const std::vector<ClusterSummary> clusters{manifests, live};
  const auto results = awkwardResults();
  expectSameAsTree(results, CheckReportHeader{hosts, {}});
  expectSameAsTree(results, CheckReportHeader{{}, clusters});
  expectSameAsTree(results, CheckReportHeader{hosts, clusters});
}

TEST(CheckJsonStream, NoResults) {
  expectSameAsTree({});
  const std::vector<ClusterSummary> clusters{
      {"manifests", "stdin", "", "latest", 0, 0, 0, 0, 0, 0, "", 0, 0}};
  expectSameAsTree({}, CheckReportHeader{{}, clusters});
  EXPECT_NE(renderCheckJson({}, catalog()).find("\"resources\": []\n}\n"), std::string::npos);
}

TEST(CheckJsonStream, LocationWithoutLineAndEmptyStrings) {
  auto r = result("Job/x/y", "BW-K8S-001", CheckStatus::Fail);
  r.location = model::SourceLocation{"", 0};
  r.title.clear();
  r.evidence = {{"", "", ""}};
  expectSameAsTree({r});
}

// streamCheckJson hands the same text out in pieces of about 1 MiB, cut between items.
TEST(CheckJsonStream, StreamedPiecesAreTheRenderedText) {
  std::vector<model::CheckResult> results;
  for (int i = 0; i < 6000; ++i) {
    auto r = result(fmt::format("Deployment/ns{}/app{}", i % 7, i), "BW-K8S-001",
                    i % 3 == 0 ? CheckStatus::Fail : CheckStatus::Pass);
    r.evidence = {{fmt::format("value {}", i), "spec.template.spec.containers[name=web]", "x"}};
    results.push_back(std::move(r));
  }
  const std::vector<ClusterSummary> clusters{
      {"manifests", "stdin", "", "latest", 0, 0, 0, 0, 0, 0, "", 0, 0}};
  const CheckReportHeader header{{}, clusters};
  const std::string whole = renderCheckJson(results, catalog(), header);
  ASSERT_GT(whole.size(), 3U << 20);
  std::vector<std::string> pieces;
  streamCheckJson(results, catalog(), header,
                  [&](std::string_view piece) { pieces.emplace_back(piece); });
  ASSERT_GE(pieces.size(), 3U);
  std::string joined;
  for (const auto& piece : pieces) {
    EXPECT_LT(piece.size(), 2U << 20);
    joined += piece;
  }
  EXPECT_EQ(joined, whole);
}

// The tree's dump() refused invalid UTF-8 with json::type_error 316; the text writer keeps
// that, so a broken manifest string still fails the same way instead of producing bad JSON.
TEST(CheckJsonStream, InvalidUtf8ThrowsAsTheTreeDid) {
  for (const std::string bad : {"\xff", "ok \xc3", "\xc0\xaf", "\xed\xa0\x80 surrogate"}) {
    auto r = result("Pod/a/b", "BW-K8S-001", CheckStatus::Fail);
    r.evidence = {{bad, "spec", "x"}};
    EXPECT_THROW(referenceText({r}), nlohmann::json::type_error);
    try {
      renderCheckJson({r}, catalog());
      ADD_FAILURE() << "no exception for invalid UTF-8";
    } catch (const nlohmann::json::type_error& e) {
      EXPECT_EQ(e.id, 316);
    }
  }
}

}  // namespace

}  // namespace bulwark::report
