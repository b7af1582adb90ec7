#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "testdata.h"

namespace bulwark::testing {
namespace {

namespace fs = std::filesystem;

const char* const kFalcoRules = "runtime/falcosecurity-rules/falco-rules-0.1.0/falco_rules.yaml";
const char* const kK8sRules = "runtime/falcosecurity-plugins/k8saudit/k8s_audit_rules.yaml";
const char* const kEvents = "runtime/derived/k8s_audit_events.jsonl";

std::string shared(const char* relative) { return (sharedTestdata() / relative).string(); }

// Compares with a golden file under tests/golden/runtime, or rewrites it with
// BULWARK_UPDATE_GOLDEN=1 (review the diff like code).
void expectGolden(const std::string& actual, const char* name) {
  const fs::path golden = sourceDir() / "tests/golden/runtime" / name;
  if (std::getenv("BULWARK_UPDATE_GOLDEN") != nullptr) std::ofstream(golden) << actual;
  EXPECT_EQ(actual, readFile(golden)) << "rewrite with BULWARK_UPDATE_GOLDEN=1, review the diff";
}

class DetectCli : public ::testing::Test {
 protected:
  void SetUp() override {
    BULWARK_REQUIRE_SHARED(kK8sRules);
    BULWARK_REQUIRE_SHARED(kEvents);
    dir_ = fs::temp_directory_path() / ("bulwark-detect-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  fs::path dir_;
};

TEST_F(DetectCli, TextAlertsForFalcosK8sAuditEvents) {
  const auto run = runBulwarkSplit("detect --first-match --time-iso8601 -r " + shared(kFalcoRules) +
                                   " -r " + shared(kK8sRules) + " -s k8s-audit:" + shared(kEvents));
  ASSERT_EQ(run.status, 0) << run.err;
  expectGolden(run.out, "detect_k8s_audit.first_match.txt");
  EXPECT_NE(run.err.find("51 event(s), 46 alert(s), 0 diagnostic(s)"), std::string::npos)
      << run.err;
}

TEST_F(DetectCli, JsonAlertsHaveFalcosShape) {
  const auto run = runBulwarkSplit("detect --format json -r " + shared(kFalcoRules) + " -r " +
                                   shared(kK8sRules) + " -s k8s-audit:" + shared(kEvents));
  ASSERT_EQ(run.status, 0) << run.err;
  std::string normalised;
  std::size_t lines = 0;
  std::istringstream in(run.out);
  for (std::string line; std::getline(in, line); ++lines) {
    auto alert = nlohmann::json::parse(line);
    ASSERT_TRUE(alert.contains("hostname") && alert.contains("output_fields") &&
                alert.contains("priority") && alert.contains("rule") && alert.contains("source") &&
                alert.contains("tags") && alert.contains("time"))
        << line;
    EXPECT_EQ(alert["source"], "k8s_audit");
    alert["hostname"] = "HOST";
    // The text output starts with the local time; the JSON `time` is UTC.
    const std::string output = alert["output"];
    alert["output"] = output.substr(output.find(": ") + 2);
    normalised += alert.dump() + "\n";
  }
  EXPECT_EQ(lines, 66U);
  expectGolden(normalised, "detect_k8s_audit.all_match.jsonl");
}

TEST_F(DetectCli, BadEventsAreDiagnosticsAndTheRunGoesOn) {
  const std::string events =
      write("events.jsonl",
            "{\"kind\": 0}\nnot json\n" + readFile(sharedTestdata() / kEvents).substr(0, 0) +
                R"({"kind":"Event","auditID":"x","verb":"create","stage":"ResponseComplete",)"
                R"("objectRef":{"resource":"namespaces","name":"foo"},"user":{"username":"eve"},)"
                R"("responseStatus":{"code":201},"stageTimestamp":"2024-05-01T10:00:00Z"})"
                "\n");
  const auto run = runBulwarkSplit("detect --time-iso8601 -r " + shared(kK8sRules) +
                                   " -s k8s-audit:" + events + " --exit-code");
  EXPECT_EQ(run.status, 1) << run.err;  // --exit-code: an alert fired
  EXPECT_NE(run.out.find("2024-05-01T10:00:00.000000000Z: Warning Disallowed namespace created "
                         "(user=eve ns=foo resource=namespaces)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.err.find("data not recognized as a k8s audit event"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("1 event(s)"), std::string::npos) << run.err;
}

TEST_F(DetectCli, UsageAndRuleErrorsExitTwo) {
  auto run = runBulwarkSplit("detect -r " + shared(kK8sRules) + " -s syscall:live");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("unknown event source 'syscall:live'"), std::string::npos) << run.err;

  run = runBulwarkSplit("detect -r " + shared(kK8sRules) +
                        " -s k8s-audit:" + (dir_ / "absent.jsonl").string());
  EXPECT_EQ(run.status, 2) << run.err;

  const std::string bad = write("bad.yaml", R"(- rule: r
  desc: d
  condition: ka.verb = create and ka.no.such = 1
  output: o
  priority: WARNING
  source: k8s_audit
)");
  run = runBulwarkSplit("detect -r " + bad + " -s k8s-audit:" + shared(kEvents));
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("bad.yaml:1:3: error LOAD_ERR_COMPILE_CONDITION rule 'r': unknown "
                         "field 'ka.no.such' for source k8s_audit"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(DetectCli, RulesValidateReportsEveryProblemWithItsPosition) {
  const std::string bad = write("bad.yaml", R"(- macro: m
  condition: ka.verb in (create
- rule: r1
  desc: d
  condition: ka.verb regex '('
  output: o
  priority: WARNING
  source: k8s_audit
- rule: r2
  desc: d
  condition: ka.verb = get
  output: "%ka.nope"
  priority: LOUD
  source: k8s_audit
)");
  auto run = runBulwarkSplit("rules validate " + bad);
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.out.find("bad.yaml:2:32: error LOAD_ERR_COMPILE_CONDITION macro 'm'"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("error LOAD_ERR_COMPILE_CONDITION rule 'r1': invalid regex"),
            std::string::npos)
      << run.out;
  EXPECT_NE(
      run.out.find("bad.yaml:13:13: error LOAD_ERR_YAML_VALIDATE rule 'r2': unknown priority"),
      std::string::npos)
      << run.out;

  // The 0.1.0 rules need three fields no sensor fills: those rules are skipped, with warnings.
  run = runBulwarkSplit("rules validate " + shared(kFalcoRules) + " " + shared(kK8sRules));
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("warning LOAD_UNSUPPORTED_FIELD rule 'Java Process Class File "
                         "Download': rule skipped: its condition uses evt.buffer"),
            std::string::npos)
      << run.out;
  run = runBulwarkSplit("rules validate --strict " + shared(kFalcoRules));
  EXPECT_EQ(run.status, 1) << run.out;

  run = runBulwarkSplit("rules validate --format json " + shared(kK8sRules));
  ASSERT_EQ(run.status, 0) << run.out;
  const auto doc = nlohmann::json::parse(run.out);
  EXPECT_GT(doc.at("compiled").get<int>(), 40);
}

// docs/rules.md carries the field reference `bulwark rules fields --format markdown` prints.
TEST(RulesFieldsCli, DocsCarryTheGeneratedFieldReference) {
  const auto run = runBulwarkSplit("rules fields --format markdown");
  ASSERT_EQ(run.status, 0) << run.err;
  const std::string docs = readFile(sourceDir() / "docs/rules.md");
  const std::string begin = "<!-- fields:begin (bulwark rules fields --format markdown) -->\n";
  const std::string end = "<!-- fields:end -->";
  const auto from = docs.find(begin);
  const auto to = docs.find(end);
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  EXPECT_EQ(docs.substr(from + begin.size(), to - from - begin.size()), run.out)
      << "regenerate the section of docs/rules.md with `bulwark rules fields --format markdown`";
  const auto unknown = runBulwarkSplit("rules fields --source aws_cloudtrail");
  EXPECT_EQ(unknown.status, 2);
}

// docs/rules.md carries the table of built-in rules `bulwark rules list --format markdown` prints.
TEST(RulesListCli, DocsCarryTheBuiltinRuleTable) {
  const auto run = runBulwarkSplit("rules list --format markdown");
  ASSERT_EQ(run.status, 0) << run.err;
  const std::string docs = readFile(sourceDir() / "docs/rules.md");
  const std::string begin = "<!-- builtin:begin (bulwark rules list --format markdown) -->\n";
  const std::string end = "<!-- builtin:end -->";
  const auto from = docs.find(begin);
  const auto to = docs.find(end);
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  EXPECT_EQ(docs.substr(from + begin.size(), to - from - begin.size()), run.out)
      << "regenerate the section of docs/rules.md with `bulwark rules list --format markdown`";
  const auto json = runBulwarkSplit("rules list builtin --format json");
  ASSERT_EQ(json.status, 0) << json.err;
  const auto rules = nlohmann::json::parse(json.out);
  ASSERT_TRUE(rules.is_array());
  EXPECT_GE(rules.size(), 52U);
  for (const auto& rule : rules) {
    EXPECT_TRUE(rule.contains("id") && rule.contains("remediation") && rule.contains("references"))
        << rule.dump();
  }
}

// --set-intel fills a declared set (here the cluster's API addresses, empty as shipped).
TEST(DetectSetIntelCli, FillsASetAndRefusesWhatIsNotOfItsKind) {
  const std::string events =
      " -s events:" + (sourceDir() / "data/rules/simulate/BW-RT-230.jsonl").string();
  auto run = runBulwarkSplit("detect" + events);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "");  // nothing in the set: nothing to match
  run = runBulwarkSplit("detect --set-intel bw_k8s_api_ips=198.51.100.1,192.0.2.10" + events);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("Container connected to the API server (proc=curl -sk "
                         "https://198.51.100.1/api/v1/namespaces/kube-system/secrets address="
                         "198.51.100.1 port=443"),
            std::string::npos)
      << run.out;
  run = runBulwarkSplit("detect --set-intel bw_k8s_api_ips=not-an-ip" + events);
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("--set-intel: intel set 'bw_k8s_api_ips': 'not-an-ip' is not an ip"),
            std::string::npos)
      << run.err;
  run = runBulwarkSplit("detect --set-intel bw_k8s_api_ips" + events);
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("expected NAME=VALUE"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace bulwark::testing
