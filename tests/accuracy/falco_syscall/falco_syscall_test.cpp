// Falco's syscall rules on our host events: the rule files of falcosecurity/rules load unmodified
// (a rule is skipped only for a field no sensor fills, with a warning naming it), and every event
// of the hand-written fixture fires exactly the rules its `# expect:` line names — the hit, and
// the benign look-alike that must stay silent — with the rule index on and off.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "events/host/host_event.h"
#include "events/replay/replay_source.h"
#include "pipeline/detect.h"
#include "testdata.h"

namespace bulwark::pipeline {
namespace {

constexpr const char* kFalcoRules = "runtime/falcosecurity-rules/HEAD/falco_rules.yaml";
constexpr const char* kFixture = "tests/fixtures/runtime/falco_syscall/falco_rules_events.jsonl";

std::string rulesFile(const std::string& name) {
  return (testing::sharedTestdata() / "runtime/falcosecurity-rules" / name).string();
}

struct Expected {
  std::int64_t ts_ns = 0;
  std::string what;                  // the comment line
  std::multiset<std::string> rules;  // `# expect:`
};

// The fixture's events with the comment and expectation lines before each.
std::vector<Expected> readFixture() {
  std::ifstream in(testing::sourceDir() / kFixture);
  std::vector<Expected> out;
  std::string line;
  std::string what;
  std::multiset<std::string> rules;
  while (std::getline(in, line)) {
    if (line.starts_with("# expect: ")) {
      rules.clear();
      std::string list = line.substr(10);
      if (list == "none") continue;
      for (std::size_t start = 0; start <= list.size();) {
        const std::size_t end = std::min(list.find("; ", start), list.size());
        rules.insert(list.substr(start, end - start));
        start = end + 2;
      }
    } else if (line.starts_with("# ")) {
      what = line.substr(2);
    } else if (line.starts_with("{")) {
      events::host::HostEvent event;
      Expected expected;
      auto decoded = events::replay::decodeLine(line, event, expected.ts_ns);
      EXPECT_TRUE(decoded) << line;
      expected.what = what;
      expected.rules = std::move(rules);
      rules.clear();
      out.push_back(std::move(expected));
    }
  }
  return out;
}

// Alerts by event time (each fixture event has its own).
std::map<std::int64_t, std::multiset<std::string>> detect(const std::vector<std::string>& files,
                                                          bool use_index, bool first_match) {
  std::vector<std::string> paths;
  for (const auto& file : files) paths.push_back(rulesFile(file));
  const auto loaded = loadRules(paths, rules::Priority::Debug);
  for (const auto& message : loaded->result.messages) {
    EXPECT_FALSE(message.error) << rules::toString(message);
  }
  DetectOptions options;
  options.sources = {"events:" + (testing::sourceDir() / kFixture).string()};
  options.use_index = use_index;
  options.first_match = first_match;
  std::map<std::int64_t, std::multiset<std::string>> out;
  const auto summary = runDetect(options, loaded->ruleset, [&](const Alert& alert) {
    out[alert.ts_ns].insert(alert.rule->item->name);
  });
  EXPECT_TRUE(summary.has_value()) << summary.error().message;
  if (summary) {
    EXPECT_EQ(summary->diagnostic_count, 0U);
  }
  return out;
}

std::string describe(const std::multiset<std::string>& rules) {
  if (rules.empty()) return "none";
  std::string out;
  for (const auto& rule : rules) out += (out.empty() ? "" : "; ") + rule;
  return out;
}

class FalcoSyscall : public ::testing::Test {
 protected:
  void SetUp() override { BULWARK_REQUIRE_SHARED(kFalcoRules); }
};

// What each file needs that no sensor fills: the only rules left out, each with a warning.
TEST_F(FalcoSyscall, RuleFilesLoadWithOnlyTheUnsupportedFieldSkips) {
  struct Load {
    std::vector<std::string> files;
    std::size_t compiled;
    std::set<std::string> skipped;  // "rule: field"
  };
  const std::vector<Load> loads = {
      {{"HEAD/falco_rules.yaml"}, 24, {"Contact K8S API Server From Container: fd.sip.name"}},
      {{"HEAD/falco_rules.yaml", "HEAD/falco-incubating_rules.yaml"},
       55,
       {"Contact K8S API Server From Container: fd.sip.name"}},
      {{"HEAD/falco_rules.yaml", "HEAD/falco-sandbox_rules.yaml"},
       49,
       {"Contact K8S API Server From Container: fd.sip.name"}},
      {{"HEAD/falco_rules.yaml", "HEAD/falco-deprecated_rules.yaml"},
       24,
       {"Contact K8S API Server From Container: fd.sip.name"}},
      {{"falco-rules-0.1.0/falco_rules.yaml"},
       54,
       {"Contact K8S API Server From Container: fd.sip.name",
        "Java Process Class File Download: evt.buffer",
        "Outbound Connection to C2 Servers: fd.sip.name"}},
  };
  for (const auto& load : loads) {
    SCOPED_TRACE(load.files.back());
    std::vector<std::string> paths;
    for (const auto& file : load.files) paths.push_back(rulesFile(file));
    const auto loaded = loadRules(paths, rules::Priority::Debug);
    std::set<std::string> skipped;
    for (const auto& message : loaded->result.messages) {
      EXPECT_FALSE(message.error) << rules::toString(message);
      if (message.code != "LOAD_UNSUPPORTED_FIELD") continue;
      const std::string& text = message.text;
      const std::size_t uses = text.find("uses ");
      skipped.insert(message.item_name + ": " +
                     text.substr(uses + 5, text.find(',', uses) - uses - 5));
    }
    std::size_t syscall_rules = 0;
    for (const auto& rule : loaded->ruleset.rules()) {
      syscall_rules += rule.source == events::Source::Syscall ? 1 : 0;
    }
    EXPECT_EQ(syscall_rules, load.compiled);
    EXPECT_EQ(skipped, load.skipped);
  }
}

// Every event fires exactly its expected rules (all-match mode), with and without the index,
// and every compiled rule of falco_rules.yaml is hit by at least one event.
TEST_F(FalcoSyscall, FixtureEventsFireExactlyTheirRules) {
  const auto expected = readFixture();
  ASSERT_GE(expected.size(), 40U);
  const std::vector<std::string> files = {"HEAD/falco_rules.yaml"};
  const auto indexed = detect(files, /*use_index=*/true, /*first_match=*/false);
  const auto unindexed = detect(files, /*use_index=*/false, /*first_match=*/false);
  EXPECT_EQ(indexed, unindexed);
  std::set<std::string> hit;
  std::size_t silent = 0;
  for (const auto& event : expected) {
    const auto found = indexed.find(event.ts_ns);
    const std::multiset<std::string> got =
        found == indexed.end() ? std::multiset<std::string>() : found->second;
    EXPECT_EQ(describe(got), describe(event.rules)) << event.what;
    hit.insert(got.begin(), got.end());
    silent += event.rules.empty() ? 1 : 0;
  }
  EXPECT_GE(silent, 15U);  // the look-alikes
  const auto loaded = loadRules({rulesFile("HEAD/falco_rules.yaml")}, rules::Priority::Debug);
  for (const auto& rule : loaded->ruleset.rules()) {
    EXPECT_TRUE(hit.contains(rule.item->name)) << "no fixture event fires " << rule.item->name;
  }
}

// With the incubating and sandbox rules loaded too, the index changes nothing, and Falco's
// first-match mode gives each event one alert when all-match gives any.
TEST_F(FalcoSyscall, MoreRuleFilesIndexAndFirstMatch) {
  const std::vector<std::string> files = {
      "HEAD/falco_rules.yaml", "HEAD/falco-incubating_rules.yaml", "HEAD/falco-sandbox_rules.yaml"};
  const auto all = detect(files, /*use_index=*/true, /*first_match=*/false);
  EXPECT_EQ(all, detect(files, /*use_index=*/false, /*first_match=*/false));
  const auto first = detect(files, /*use_index=*/true, /*first_match=*/true);
  ASSERT_EQ(first.size(), all.size());
  for (const auto& [ts, rules] : first) {
    EXPECT_EQ(rules.size(), 1U);
    EXPECT_TRUE(all.at(ts).contains(*rules.begin()));
  }
}

// The same rules over a Linux audit log (auditd:FILE): the open of /etc/shadow and the grep for
// private keys fire; the open of /etc/hostname, the connect and the login message do not.
TEST_F(FalcoSyscall, AnAuditdLogFiresTheSameRules) {
  const auto loaded = loadRules({rulesFile("HEAD/falco_rules.yaml")}, rules::Priority::Debug);
  DetectOptions options;
  options.sources = {
      "auditd:" +
      (testing::sourceDir() / "tests/fixtures/runtime/falco_syscall/auditd.log").string()};
  std::vector<std::string> fired;
  const auto summary = runDetect(options, loaded->ruleset, [&](const Alert& alert) {
    fired.push_back(alert.rule->item->name);
  });
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->events, 5U);
  EXPECT_EQ(summary->diagnostic_count, 0U);
  EXPECT_EQ(fired, (std::vector<std::string>{"Read sensitive file untrusted",
                                             "Search Private Keys or Passwords"}));
}

// --record writes what a source saw; replaying the recording gives the same alerts, outputs
// included (an auditd log, and the hand-written events, through a recording each).
TEST_F(FalcoSyscall, ARecordingReplaysToTheSameAlerts) {
  const auto loaded = loadRules({rulesFile("HEAD/falco_rules.yaml")}, rules::Priority::Debug);
  const auto recording = std::filesystem::temp_directory_path() /
                         ("bulwark-record-" + std::to_string(::getpid()) + ".jsonl");
  for (const std::string& source :
       {"auditd:" +
            (testing::sourceDir() / "tests/fixtures/runtime/falco_syscall/auditd.log").string(),
        "events:" + (testing::sourceDir() / kFixture).string()}) {
    SCOPED_TRACE(source);
    const auto run = [&](const std::string& spec, const std::string& record) {
      DetectOptions options;
      options.sources = {spec};
      options.record = record;
      std::vector<std::string> alerts;
      const auto summary = runDetect(options, loaded->ruleset, [&](const Alert& alert) {
        alerts.push_back(std::to_string(alert.ts_ns) + " " + alert.rule->item->name + ": " +
                         alert.output);
      });
      EXPECT_TRUE(summary.has_value()) << summary.error().message;
      return alerts;
    };
    const auto original = run(source, recording.string());
    const auto replayed = run("events:" + recording.string(), "");
    EXPECT_FALSE(original.empty());
    EXPECT_EQ(replayed, original);
  }
  std::filesystem::remove(recording);
}

// What a sensor that reports only execs and exits (proc) can never fire.
TEST_F(FalcoSyscall, RulesOutsideTheEventTypesOfASensor) {
  const auto loaded = loadRules({rulesFile("HEAD/falco_rules.yaml")}, rules::Priority::Debug);
  const auto idle =
      loaded->ruleset.rulesOutside(events::Source::Syscall, "evt.type", {"execve", "procexit"});
  std::set<std::string> names;
  for (const auto* rule : idle) names.insert(rule->item->name);
  EXPECT_EQ(idle.size(), 13U);  // all but the 11 rules on spawned processes
  EXPECT_TRUE(names.contains("Read sensitive file untrusted"));
  EXPECT_TRUE(names.contains("Disallowed SSH Connection Non Standard Port"));
  EXPECT_FALSE(names.contains("Terminal shell in container"));
  EXPECT_FALSE(names.contains("Search Private Keys or Passwords"));
}

// A syscall rule that names no event type is evaluated for every event: warned about, as Falco
// does, and still correct.
TEST(SyscallIndex, RulesWithoutAnEventTypeAreWarnedAbout) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("bulwark-no-evttype-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << R"(- rule: any process named nc
  desc: d
  condition: proc.name = nc
  output: "%proc.name"
  priority: WARNING
- rule: nc started
  desc: d
  condition: evt.type = execve and proc.name = nc
  output: "%proc.name"
  priority: WARNING
)";
  const auto loaded = loadRules({path.string()}, rules::Priority::Debug);
  std::filesystem::remove(path);
  std::vector<std::string> warned;
  for (const auto& message : loaded->result.messages) {
    if (message.code == "LOAD_NO_EVTTYPE") warned.push_back(message.item_name);
  }
  EXPECT_EQ(warned, std::vector<std::string>{"any process named nc"});
  EXPECT_EQ(loaded->ruleset.indexedRules().at("evt.type"), 1U);
}

}  // namespace
}  // namespace bulwark::pipeline
