#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipeline/detect.h"
#include "testdata.h"

namespace bulwark::pipeline {
namespace {

constexpr const char* kCases = "runtime/derived/k8s_audit_expected_hits.json";

// Cases whose rule files do not load, in Falco as here: trust_nginx_container.yaml appends to
// falco_hostnetwork_images, a list only the k8saudit 0.5.0 rules define (neither the current
// rules nor the engine v4 copy, which uses it undefined). Falco refuses to run, so these cases
// expect no alert; `bulwark detect` refuses too.
const std::set<std::string> kLoadFails = {
    "compat_engine_v4_create_privileged_trusted_pod",
    "compat_engine_v4_create_hostnetwork_trusted_pod",
    "create_privileged_trusted_pod",
    "create_unprivileged_trusted_pod",
    "create_sensitive_mount_trusted_pod",
    "create_unsensitive_mount_trusted_pod",
    "create_hostnetwork_trusted_pod",
    "create_nohostnetwork_trusted_pod",
};

struct Case {
  std::string name;
  std::string input;
  std::vector<std::string> rules_files;
  bool expect_detection = false;
  std::optional<rules::Priority> min_priority;
  std::map<std::string, std::uint64_t> expected;
  std::optional<std::map<std::string, std::uint64_t>> expected_legacy;
  std::string error_contains;
};

std::vector<Case> readCases() {
  const auto root = testing::sharedTestdata();
  const auto doc = nlohmann::json::parse(testing::readFile(root / kCases));
  std::vector<Case> out;
  for (const auto& test : doc.at("tests")) {
    Case c;
    c.name = test.at("test").get<std::string>();
    c.input = test.at("input").get<std::string>();
    c.rules_files = test.at("rules_files").get<std::vector<std::string>>();
    c.expect_detection = test.at("expect_detection").get<bool>();
    if (!test.at("expect_min_priority").is_null()) {
      rules::Priority priority{};
      EXPECT_TRUE(rules::parsePriority(test.at("expect_min_priority").get<std::string>(), priority))
          << c.name;
      c.min_priority = priority;
    }
    c.expected =
        test.at("expected_counts_current_rules").get<std::map<std::string, std::uint64_t>>();
    if (test.contains("expected_counts_legacy_names_k8saudit_0_5_0") &&
        !test.at("expected_counts_legacy_names_k8saudit_0_5_0").is_null()) {
      c.expected_legacy = test.at("expected_counts_legacy_names_k8saudit_0_5_0")
                              .get<std::map<std::string, std::uint64_t>>();
    }
    if (test.contains("expect_error_contains")) {
      c.error_contains = test.at("expect_error_contains").get<std::string>();
    }
    out.push_back(std::move(c));
  }
  return out;
}

struct Outcome {
  std::map<std::string, std::uint64_t> counts;  // alerts at or above the case's priority
  std::vector<core::Diagnostic> diagnostics;
  std::vector<std::string> load_errors;
};

Outcome run(const Case& c, const std::vector<std::string>& rules_files, bool first_match) {
  const auto runtime = testing::sharedTestdata() / "runtime";
  std::vector<std::string> paths;
  for (const auto& file : rules_files) paths.push_back((runtime / file).string());
  Outcome out;
  const auto loaded = loadRules(paths, rules::Priority::Debug);
  for (const auto& message : loaded->result.messages) {
    if (message.error) out.load_errors.push_back(rules::toString(message));
  }
  if (!out.load_errors.empty()) return out;  // as `bulwark detect`: nothing runs
  DetectOptions options;
  options.sources = {"k8s-audit:" + (runtime / c.input).string()};
  options.first_match = first_match;
  const auto summary = runDetect(options, loaded->ruleset, [&](const Alert& alert) {
    const auto priority = alert.rule->item->priority;
    if (!c.min_priority || static_cast<int>(priority) <= static_cast<int>(*c.min_priority)) {
      ++out.counts[alert.rule->item->name];
    }
  });
  EXPECT_TRUE(summary.has_value()) << c.name << ": " << summary.error().message;
  if (summary) out.diagnostics = summary->diagnostics;
  return out;
}

std::string describe(const std::map<std::string, std::uint64_t>& counts) {
  std::string out = "{";
  for (const auto& [rule, count] : counts) out += " '" + rule + "': " + std::to_string(count);
  return out + " }";
}

class FalcoK8sAudit : public ::testing::Test {
 protected:
  void SetUp() override { BULWARK_REQUIRE_SHARED(kCases); }
};

// Falco's mode (rule_matching: first): every case gives exactly the expected alerts.
TEST_F(FalcoK8sAudit, FirstMatchGivesFalcosExpectedAlerts) {
  const auto cases = readCases();
  ASSERT_EQ(cases.size(), 66U);
  std::size_t with_detection = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Outcome out = run(c, c.rules_files, /*first_match=*/true);
    if (kLoadFails.contains(c.name)) {
      ASSERT_EQ(out.load_errors.size(), 1U);
      EXPECT_NE(out.load_errors.front().find("trust_nginx_container.yaml:9:3: error "
                                             "LOAD_ERR_VALIDATE list 'falco_hostnetwork_images'"),
                std::string::npos)
          << out.load_errors.front();
    } else {
      EXPECT_TRUE(out.load_errors.empty()) << out.load_errors.front();
    }
    if (!c.error_contains.empty()) {
      const bool found = std::any_of(
          out.diagnostics.begin(), out.diagnostics.end(), [&](const core::Diagnostic& diagnostic) {
            return diagnostic.detail.find(c.error_contains) != std::string::npos;
          });
      EXPECT_TRUE(found) << "no diagnostic says '" << c.error_contains << "'";
    }
    if (c.expect_detection) {
      ++with_detection;
      EXPECT_EQ(out.counts, c.expected)
          << "got " << describe(out.counts) << ", want " << describe(c.expected);
    } else {
      EXPECT_TRUE(out.counts.empty()) << "unexpected alerts " << describe(out.counts);
    }
  }
  EXPECT_EQ(with_detection, 45U);
}

// Our default (every matching rule fires): the expected alerts are all there, and the extra
// ones — rules Falco's first-match mode shadows — are the reviewed golden list.
TEST_F(FalcoK8sAudit, AllMatchKeepsTheExpectedAlertsAndTheReviewedExtras) {
  std::ostringstream extras;
  for (const auto& c : readCases()) {
    SCOPED_TRACE(c.name);
    const Outcome out = run(c, c.rules_files, /*first_match=*/false);
    EXPECT_EQ(out.load_errors.empty(), !kLoadFails.contains(c.name));
    if (!c.expect_detection) {
      for (const auto& [rule, count] : out.counts) {
        extras << c.name << "\t" << rule << "\t" << count << "\n";
      }
      continue;
    }
    for (const auto& [rule, count] : c.expected) {
      const auto it = out.counts.find(rule);
      EXPECT_TRUE(it != out.counts.end() && it->second == count)
          << rule << " × " << count << " missing from " << describe(out.counts);
    }
    for (const auto& [rule, count] : out.counts) {
      if (!c.expected.contains(rule)) extras << c.name << "\t" << rule << "\t" << count << "\n";
    }
  }
  const auto golden = testing::sourceDir() / "tests/golden/runtime/k8s_all_match_extras.txt";
  if (std::getenv("BULWARK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden) << extras.str();
  }
  EXPECT_EQ(extras.str(), testing::readFile(golden))
      << "rewrite with BULWARK_UPDATE_GOLDEN=1 and review the diff";
}

// The cases with the rule names of k8saudit 0.5.0 again with that version's rule file.
TEST_F(FalcoK8sAudit, LegacyRuleNamesWithK8sAudit050Rules) {
  std::size_t ran = 0;
  for (const auto& c : readCases()) {
    if (!c.expected_legacy) continue;
    SCOPED_TRACE(c.name);
    std::vector<std::string> files = c.rules_files;
    std::replace(files.begin(), files.end(),
                 std::string("falcosecurity-plugins/k8saudit/k8s_audit_rules.yaml"),
                 std::string("falcosecurity-plugins/k8saudit-0.5.0/k8s_audit_rules.yaml"));
    const Outcome out = run(c, files, /*first_match=*/true);
    EXPECT_TRUE(out.load_errors.empty()) << out.load_errors.front();
    EXPECT_EQ(out.counts, *c.expected_legacy) << "got " << describe(out.counts);
    ++ran;
  }
  EXPECT_EQ(ran, 4U);
}

// The verb × resource index and the per-event memo of comparisons change nothing: every case,
// all-match, gives the same alerts (rule, time, output) with the index on and off.
TEST_F(FalcoK8sAudit, IndexOnAndOffGiveTheSameAlerts) {
  const auto runtime = testing::sharedTestdata() / "runtime";
  std::size_t compared = 0;
  for (const auto& c : readCases()) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> paths;
    for (const auto& file : c.rules_files) paths.push_back((runtime / file).string());
    const auto loaded = loadRules(paths, rules::Priority::Debug);
    if (!loaded->result.ok()) continue;
    const auto alerts_with = [&](bool use_index) {
      std::vector<std::string> out;
      DetectOptions options;
      options.sources = {"k8s-audit:" + (runtime / c.input).string()};
      options.use_index = use_index;
      options.output_fields = true;
      const auto summary = runDetect(options, loaded->ruleset, [&](const Alert& alert) {
        std::string line =
            std::to_string(alert.ts_ns) + " " + alert.rule->item->name + " " + alert.output;
        for (const auto& [name, value] : alert.fields)
          line += " " + name + "=" + value.value_or("-");
        out.push_back(std::move(line));
      });
      EXPECT_TRUE(summary.has_value());
      return out;
    };
    const auto indexed = alerts_with(true);
    EXPECT_EQ(indexed, alerts_with(false));
    compared += indexed.size();
  }
  EXPECT_GT(compared, 60U);
}

// The same 51 events as one JSON-lines file give, event by event, what the 46 files give.
TEST_F(FalcoK8sAudit, OneJsonLinesFileGivesWhatTheTraceFilesGive) {
  BULWARK_REQUIRE_SHARED("runtime/derived/k8s_audit_events.jsonl");
  const std::vector<std::string> rules_files = {
      "falcosecurity-rules/falco-rules-0.1.0/falco_rules.yaml",
      "falcosecurity-plugins/k8saudit/k8s_audit_rules.yaml"};
  const auto runtime = testing::sharedTestdata() / "runtime";
  std::vector<std::string> paths;
  for (const auto& file : rules_files) paths.push_back((runtime / file).string());
  const auto loaded = loadRules(paths, rules::Priority::Debug);
  ASSERT_TRUE(loaded->result.ok());
  const auto alerts_of = [&](const std::vector<std::string>& sources) {
    std::multiset<std::string> out;
    DetectOptions options;
    options.sources = sources;
    const auto summary = runDetect(options, loaded->ruleset, [&](const Alert& alert) {
      out.insert(std::to_string(alert.ts_ns) + " " + alert.rule->item->name + " " + alert.output);
    });
    EXPECT_TRUE(summary.has_value());
    return out;
  };
  std::set<std::string> trace_files;
  for (const auto& file : std::filesystem::directory_iterator(
           runtime / "falcosecurity-falco-0.34.1/test/trace_files/k8s_audit")) {
    trace_files.insert("k8s-audit:" + file.path().string());
  }
  const auto from_files = alerts_of({trace_files.begin(), trace_files.end()});
  const auto from_lines =
      alerts_of({"k8s-audit:" + (runtime / "derived/k8s_audit_events.jsonl").string()});
  EXPECT_FALSE(from_lines.empty());
  EXPECT_EQ(from_lines, from_files);
}

}  // namespace
}  // namespace bulwark::pipeline
