// Stateful rules (src/rules/stateful.h, docs/dev/runtime-design.md §3.8): sequence order,
// windows on event time, the process-tree, container and field keys, count thresholds and
// distinct values, the silence after firing, first_seen learning and its persisted baseline,
// the state bounds, and the load errors of malformed stateful rules.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "events/event.h"
#include "events/host/host_event.h"
#include "rules/loader.h"
#include "rules/ruleset.h"
#include "support/process.h"

namespace bulwark::rules {
namespace {

namespace host = events::host;

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kT0 = 1'700'000'000 * kSecond;

struct Loaded {
  RulesSource source;
  LoadResult result;
  Ruleset ruleset;
};

std::unique_ptr<Loaded> load(const std::string& text) {
  auto out = std::make_unique<Loaded>();
  loadRulesText(text, "stateful.yaml", out->source, out->result);
  auto compiled = compileRules(out->source, out->result);
  out->ruleset = Ruleset::build(compiled, Priority::Debug, out->result, &out->source.intel);
  return out;
}

std::string messages(const LoadResult& result) {
  std::string out;
  for (const auto& message : result.messages) out += toString(message) + "\n";
  return out;
}

std::shared_ptr<const host::Process> process(std::int64_t pid, const std::string& name,
                                             std::shared_ptr<const host::Process> parent = {},
                                             std::vector<std::string> args = {}) {
  auto out = std::make_shared<host::Process>();
  out->pid = pid;
  out->ppid = parent ? parent->pid : 0;
  out->name = name;
  out->exe = name;
  out->exepath = "/usr/bin/" + name;
  out->args = std::move(args);
  out->start_ns = kT0 + pid;  // distinct per pid
  out->parent = std::move(parent);
  return out;
}

std::shared_ptr<const host::Container> container(const std::string& id) {
  auto out = std::make_shared<host::Container>();
  out->id = id + std::string(64 - id.size(), '0');
  out->name = id;
  return out;
}

// Feeds one exec of `proc` at `t` seconds; returns the names of the rules that fired.
class Feeder {
 public:
  explicit Feeder(const Ruleset& ruleset) : ruleset_(ruleset) {}
  std::vector<std::string> exec(std::int64_t t, std::shared_ptr<const host::Process> proc,
                                std::shared_ptr<const host::Container> in = {}) {
    host::HostEvent payload;
    payload.type = "execve";
    payload.res = 0;
    payload.process = std::move(proc);
    payload.container = std::move(in);
    events::Event event;
    event.source = events::Source::Syscall;
    event.ts_ns = kT0 + t * kSecond;
    event.num = ++num_;
    event.payload = &payload;
    std::vector<std::string> out;
    ruleset_.match(event, context_, false,
                   [&](const Rule& rule) { out.push_back(rule.item->name); });
    return out;
  }
  // The earlier steps of the sequence that fired last (bw.seq.related).
  [[nodiscard]] const std::vector<RelatedEvent>& related() const { return context_.related(); }

 private:
  const Ruleset& ruleset_;
  EvalContext context_;
  std::uint64_t num_ = 0;
};

using Names = std::vector<std::string>;

constexpr const char* kSequenceTree = R"(
- rule: Download Then Run
  sequence:
    by: process_tree
    within: 5m
    steps:
      - condition: evt.type = execve and proc.name = curl
      - condition: evt.type = execve and proc.exepath startswith /tmp/
  output: ran %proc.exepath
  priority: WARNING
  desc: d
)";

std::shared_ptr<const host::Process> fromTmp(std::int64_t pid, const std::string& name,
                                             std::shared_ptr<const host::Process> parent) {
  auto out = std::make_shared<host::Process>(*process(pid, name, std::move(parent)));
  out->exepath = "/tmp/" + name;
  return out;
}

TEST(StatefulSequence, StepsInOrderFireOnTheLast) {
  const auto loaded = load(kSequenceTree);
  ASSERT_TRUE(loaded->result.ok()) << messages(loaded->result);
  Feeder feed(loaded->ruleset);
  const auto shell = process(100, "sh");
  // The second step alone, then the first: nothing (order matters).
  EXPECT_EQ(feed.exec(0, fromTmp(101, "a", shell)), Names{});
  EXPECT_EQ(feed.exec(1, process(102, "curl", shell)), Names{});
  // Then the second step, run by the same shell: fires once.
  EXPECT_EQ(feed.exec(2, fromTmp(103, "a", shell)), Names{"Download Then Run"});
  EXPECT_EQ(feed.exec(3, fromTmp(104, "a", shell)), Names{});
}

TEST(StatefulSequence, TheAlertCarriesTheEarlierStepsEvents) {
  const auto loaded = load(kSequenceTree);
  ASSERT_TRUE(loaded->result.ok()) << messages(loaded->result);
  Feeder feed(loaded->ruleset);
  const auto shell = process(100, "sh");
  EXPECT_EQ(feed.exec(1, process(101, "curl", shell, {"-o", "/tmp/a", "http://x"})), Names{});
  EXPECT_TRUE(feed.related().empty());
  // A second download restarts the window: the alert shows the latest first step.
  EXPECT_EQ(feed.exec(2, process(102, "curl", shell, {"-so", "/tmp/a", "http://y"})), Names{});
  ASSERT_EQ(feed.exec(3, fromTmp(103, "a", shell)), Names{"Download Then Run"});
  ASSERT_EQ(feed.related().size(), 1U);
  const RelatedEvent& download = feed.related().front();
  EXPECT_EQ(download.num, 2U);
  EXPECT_EQ(download.ts_ns, kT0 + 2 * kSecond);
  ASSERT_EQ(download.fields.size(), 1U);
  EXPECT_EQ(download.fields[0].first, "proc.cmdline");
  EXPECT_EQ(download.fields[0].second, "curl -so /tmp/a http://y");
  // The next event that fires nothing leaves no evidence behind.
  EXPECT_EQ(feed.exec(4, process(104, "ls", shell)), Names{});
  EXPECT_TRUE(feed.related().empty());
}

TEST(StatefulSequence, EveryEarlierStepIsRelatedAndLongValuesAreCut) {
  const auto loaded = load(R"(
- rule: Three Steps
  sequence:
    by: process_tree
    within: 5m
    steps:
      - condition: evt.type = execve and proc.name = curl
      - condition: evt.type = execve and proc.name = chmod
      - condition: evt.type = execve and proc.exepath startswith /tmp/
  output: ran %proc.exepath
  priority: WARNING
  desc: d
)");
  ASSERT_TRUE(loaded->result.ok()) << messages(loaded->result);
  Feeder feed(loaded->ruleset);
  const auto shell = process(100, "sh");
  const std::string url = "http://x/" + std::string(400, 'a');
  EXPECT_EQ(feed.exec(1, process(101, "curl", shell, {url})), Names{});
  EXPECT_EQ(feed.exec(2, process(102, "chmod", shell, {"+x", "/tmp/a"})), Names{});
  ASSERT_EQ(feed.exec(3, fromTmp(103, "a", shell)), Names{"Three Steps"});
  ASSERT_EQ(feed.related().size(), 2U);
  EXPECT_EQ(feed.related()[0].num, 1U);
  EXPECT_EQ(feed.related()[0].fields.at(0).second.size(), kMaxRelatedValueBytes);
  EXPECT_EQ(feed.related()[1].num, 2U);
  EXPECT_EQ(feed.related()[1].fields.at(0).second, "chmod +x /tmp/a");
}

TEST(StatefulSequence, TheEvidenceOfOneKeyIsBounded) {
  // Eight steps of long command lines: the values of the seven kept stop at kMaxRelatedBytes,
  // every step's number stays.
  std::string text = R"(
- rule: Eight Steps
  sequence:
    by: process_tree
    within: 5m
    steps:
)";
  for (int i = 0; i < 8; ++i) {
    text += "      - condition: evt.type = execve and proc.name = s" + std::to_string(i) + "\n";
  }
  text += "  output: ran %proc.exepath\n  priority: WARNING\n  desc: d\n";
  const auto loaded = load(text);
  ASSERT_TRUE(loaded->result.ok()) << messages(loaded->result);
  Feeder feed(loaded->ruleset);
  const auto shell = process(100, "sh");
  const std::string arg(300, 'x');
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(feed.exec(i, process(101 + i, "s" + std::to_string(i), shell, {arg})), Names{});
  }
  ASSERT_EQ(feed.exec(7, process(108, "s7", shell)), Names{"Eight Steps"});
  ASSERT_EQ(feed.related().size(), 7U);
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < feed.related().size(); ++i) {
    EXPECT_EQ(feed.related()[i].num, i + 1);
    for (const auto& field : feed.related()[i].fields) bytes += field.second.size();
  }
  EXPECT_EQ(bytes, kMaxRelatedBytes);
  EXPECT_EQ(feed.related()[0].fields.at(0).second.size(), kMaxRelatedValueBytes);
  EXPECT_TRUE(feed.related()[6].fields.at(0).second.empty());
}

TEST(StatefulSequence, WindowExpiresOnEventTime) {
  const auto loaded = load(kSequenceTree);
  Feeder feed(loaded->ruleset);
  const auto shell = process(100, "sh");
  EXPECT_EQ(feed.exec(0, process(102, "curl", shell)), Names{});
  EXPECT_EQ(feed.exec(301, fromTmp(103, "a", shell)), Names{});  // 5m + 1s later
  EXPECT_EQ(feed.exec(400, process(104, "curl", shell)), Names{});
  EXPECT_EQ(feed.exec(700, fromTmp(105, "a", shell)), Names{"Download Then Run"});  // 5m
}

TEST(StatefulSequence, ProcessTreeRelatesDescendantsNotStrangers) {
  const auto loaded = load(kSequenceTree);
  Feeder feed(loaded->ruleset);
  const auto shell = process(100, "sh");
  const auto curl = process(102, "curl", shell);
  const auto other_shell = process(200, "sh");
  EXPECT_EQ(feed.exec(0, curl), Names{});
  // Another process tree runs a temp binary: unrelated, nothing.
  EXPECT_EQ(feed.exec(1, fromTmp(201, "a", other_shell)), Names{});
  // A grandchild of the shell (through a child of curl) continues it.
  const auto child = process(103, "bash", curl);
  EXPECT_EQ(feed.exec(2, fromTmp(104, "a", child)), Names{"Download Then Run"});
  // The same pid with another start time is another process: unrelated.
  EXPECT_EQ(feed.exec(3, process(102, "curl", shell)), Names{});
  auto reused = std::make_shared<host::Process>(*shell);
  reused->start_ns += 5;
  EXPECT_EQ(feed.exec(4, fromTmp(105, "a", reused)), Names{});
}

TEST(StatefulSequence, ContainerKey) {
  const auto loaded = load(R"(
- rule: Shell Then Tool
  sequence:
    by: container
    within: 60s
    steps:
      - condition: evt.type = execve and proc.name = sh
      - condition: evt.type = execve and proc.name = nmap
  output: "%container.id"
  priority: NOTICE
  desc: d
)");
  ASSERT_TRUE(loaded->result.ok()) << messages(loaded->result);
  Feeder feed(loaded->ruleset);
  const auto a = container("aaaa");
  const auto b = container("bbbb");
  EXPECT_EQ(feed.exec(0, process(1, "sh"), a), Names{});
  EXPECT_EQ(feed.exec(1, process(2, "nmap"), b), Names{});  // another container
  EXPECT_EQ(feed.exec(2, process(3, "nmap"), a), Names{"Shell Then Tool"});
}

TEST(StatefulSequence, FieldKeyAndThreeSteps) {
  const auto loaded = load(R"(
- rule: Three
  sequence:
    by: [user.name]
    within: 1h
    steps:
      - condition: evt.type = execve and proc.name = a
      - condition: evt.type = execve and proc.name = b
      - condition: evt.type = execve and proc.name = c
  output: "%user.name"
  priority: NOTICE
  desc: d
)");
  ASSERT_TRUE(loaded->result.ok()) << messages(loaded->result);
  Feeder feed(loaded->ruleset);
  const auto as = [](std::int64_t pid, const std::string& name, const std::string& user) {
    auto out = std::make_shared<host::Process>(*process(pid, name));
    out->user_name = user;
    return std::shared_ptr<const host::Process>(out);
  };
  EXPECT_EQ(feed.exec(0, as(1, "a", "eve")), Names{});
  EXPECT_EQ(feed.exec(1, as(2, "c", "eve")), Names{});  // skips b
  EXPECT_EQ(feed.exec(2, as(3, "b", "bob")), Names{});  // another key
  EXPECT_EQ(feed.exec(3, as(4, "b", "eve")), Names{});
  EXPECT_EQ(feed.exec(4, as(5, "c", "eve")), Names{"Three"});
}

constexpr const char* kCount = R"(
- rule: Burst
  count:
    condition: evt.type = execve and proc.name in (id, whoami, uname, ps, env)
    by: container
    threshold: 3
    within: 60s
  output: "%container.id"
  priority: NOTICE
  desc: d
- rule: Distinct Burst
  count:
    condition: evt.type = execve and proc.name in (id, whoami, uname, ps, env)
    by: container
    distinct: proc.name
    threshold: 3
    within: 60s
  output: "%container.id"
  priority: NOTICE
  desc: d
)";

TEST(StatefulCount, ThresholdWithinTheWindow) {
  const auto loaded = load(kCount);
  ASSERT_TRUE(loaded->result.ok()) << messages(loaded->result);
  Feeder feed(loaded->ruleset);
  const auto c = container("cccc");
  EXPECT_EQ(feed.exec(0, process(1, "id"), c), Names{});
  EXPECT_EQ(feed.exec(61, process(2, "id"), c), Names{});  // the first left the window
  EXPECT_EQ(feed.exec(62, process(3, "id"), c), Names{});
  EXPECT_EQ(feed.exec(63, process(4, "id"), c), Names{"Burst"});  // 3 events, 1 distinct
}

TEST(StatefulCount, DistinctValuesAndSilenceAfterFiring) {
  const auto loaded = load(kCount);
  Feeder feed(loaded->ruleset);
  const auto c = container("cccc");
  const auto d = container("dddd");
  EXPECT_EQ(feed.exec(0, process(1, "id"), c), Names{});
  EXPECT_EQ(feed.exec(1, process(2, "whoami"), d), Names{});  // another key
  EXPECT_EQ(feed.exec(2, process(3, "whoami"), c), Names{});
  EXPECT_EQ(feed.exec(3, process(4, "uname"), c), (Names{"Burst", "Distinct Burst"}));
  // Silent for `within` after firing, however many more.
  EXPECT_EQ(feed.exec(4, process(5, "ps"), c), Names{});
  EXPECT_EQ(feed.exec(5, process(6, "env"), c), Names{});
  EXPECT_EQ(feed.exec(6, process(7, "id"), c), Names{});
  EXPECT_EQ(feed.exec(62, process(8, "id"), c), Names{});  // still silent (fired at 3)
  EXPECT_EQ(feed.exec(63, process(11, "id"), c), Names{});
  EXPECT_EQ(feed.exec(64, process(9, "ps"), c), Names{});
  EXPECT_EQ(feed.exec(65, process(10, "env"), c), (Names{"Burst", "Distinct Burst"}));
  const auto stats = loaded->ruleset.statefulStats();
  ASSERT_EQ(stats.size(), 2U);
  EXPECT_EQ(stats[0].second.fired, 2U);
  EXPECT_EQ(stats[0].second.keys, 2U);
}

TEST(StatefulCount, KeysAreBoundedLeastRecentlyUsedFirst) {
  const auto loaded = load(kCount);
  loaded->ruleset.setStateLimits(2, 10);
  Feeder feed(loaded->ruleset);
  const auto a = container("aaaa");
  EXPECT_EQ(feed.exec(0, process(1, "id"), a), Names{});
  EXPECT_EQ(feed.exec(1, process(2, "whoami"), a), Names{});
  // Two other keys push `a` out: its two events are forgotten.
  EXPECT_EQ(feed.exec(2, process(3, "id"), container("bbbb")), Names{});
  EXPECT_EQ(feed.exec(3, process(4, "id"), container("cccc")), Names{});
  EXPECT_EQ(feed.exec(4, process(5, "uname"), a), Names{});
  const auto stats = loaded->ruleset.statefulStats();
  EXPECT_EQ(stats[1].second.keys, 2U);
  EXPECT_EQ(stats[1].second.evictions, 2U);  // a, then b
}

using testing::TempDir;
using testing::writeFile;

constexpr const char* kFirstSeen = R"(
- rule: Something New
  id: BW-TEST-1
  first_seen:
    condition: evt.type = execve
    key: [user.name]
    value: [proc.name, proc.pname]
    learn: 1d
  output: "%user.name ran %proc.name"
  priority: WARNING
  desc: d
)";

std::shared_ptr<const host::Process> byUser(std::int64_t pid, const std::string& name,
                                            const std::string& user) {
  static const auto shell = process(1, "sh");
  auto out = std::make_shared<host::Process>(*process(pid, name, shell));
  out->user_name = user;
  return out;
}

TEST(StatefulFirstSeen, LearnsThenFiresOnANewPairOnce) {
  const auto loaded = load(kFirstSeen);
  ASSERT_TRUE(loaded->result.ok()) << messages(loaded->result);
  Feeder feed(loaded->ruleset);
  constexpr std::int64_t kDay = 86400;
  EXPECT_EQ(feed.exec(0, byUser(10, "ls", "eve")), Names{});
  EXPECT_EQ(feed.exec(100, byUser(11, "ps", "eve")), Names{});       // learning: no alert
  EXPECT_EQ(feed.exec(kDay + 1, byUser(12, "ls", "eve")), Names{});  // learned
  EXPECT_EQ(feed.exec(kDay + 2, byUser(13, "nmap", "eve")), Names{"Something New"});
  EXPECT_EQ(feed.exec(kDay + 3, byUser(14, "nmap", "eve")), Names{});  // once
  // A key seen for the first time learns for its own period.
  EXPECT_EQ(feed.exec(kDay + 4, byUser(15, "nmap", "bob")), Names{});
  EXPECT_EQ(feed.exec(kDay + 5, byUser(16, "ls", "bob")), Names{});
  const auto stats = loaded->ruleset.statefulStats();
  EXPECT_EQ(stats[0].second.keys, 2U);
  EXPECT_EQ(stats[0].second.baseline_pairs, 5U);
}

TEST(StatefulFirstSeen, BaselinePersistsAcrossRuns) {
  const TempDir dir;
  constexpr std::int64_t kDay = 86400;
  {
    const auto loaded = load(kFirstSeen);
    EXPECT_TRUE(loaded->ruleset.setStateDir(dir.path().string()).empty());
    Feeder feed(loaded->ruleset);
    EXPECT_EQ(feed.exec(0, byUser(10, "ls", "eve")), Names{});
    EXPECT_EQ(feed.exec(1, byUser(11, "ps", "eve")), Names{});
    EXPECT_TRUE(loaded->ruleset.flushState().empty());
  }
  const auto file = dir.path() / "baselines" / "BW-TEST-1.json";
  ASSERT_TRUE(std::filesystem::exists(file));
  const auto loaded = load(kFirstSeen);
  EXPECT_TRUE(loaded->ruleset.setStateDir(dir.path().string()).empty());
  EXPECT_EQ(loaded->ruleset.statefulStats()[0].second.baseline_pairs, 2U);
  Feeder feed(loaded->ruleset);
  // The learning period started in the first run: now over; the learned pairs stay silent.
  EXPECT_EQ(feed.exec(kDay + 1, byUser(12, "ps", "eve")), Names{});
  EXPECT_EQ(feed.exec(kDay + 2, byUser(13, "curl", "eve")), Names{"Something New"});
}

TEST(StatefulFirstSeen, BadBaselineFileIsReportedNotFatal) {
  const TempDir dir;
  std::filesystem::create_directories(dir.path() / "baselines");
  std::ofstream(dir.path() / "baselines" / "BW-TEST-1.json") << "{not json";
  const auto loaded = load(kFirstSeen);
  const auto problems = loaded->ruleset.setStateDir(dir.path().string());
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems[0].find("not a baseline file"), std::string::npos);
  Feeder feed(loaded->ruleset);
  EXPECT_EQ(feed.exec(0, byUser(10, "ls", "eve")), Names{});
}

TEST(StatefulFirstSeen, PairsAreBounded) {
  const auto loaded = load(kFirstSeen);
  loaded->ruleset.setStateLimits(10, 2);
  Feeder feed(loaded->ruleset);
  EXPECT_EQ(feed.exec(0, byUser(10, "a", "eve")), Names{});
  EXPECT_EQ(feed.exec(1, byUser(11, "b", "eve")), Names{});
  EXPECT_EQ(feed.exec(2, byUser(12, "c", "eve")), Names{});
  EXPECT_EQ(feed.exec(3, byUser(13, "a", "bob")), Names{});
  const auto stats = loaded->ruleset.statefulStats()[0].second;
  EXPECT_EQ(stats.baseline_pairs, 2U);
  EXPECT_EQ(stats.pairs_dropped, 2U);
}

TEST(StatefulRules, StatelessRulesStillFireAndComeFirst) {
  const auto loaded = load(std::string(kCount) + R"(
- rule: Plain
  condition: evt.type = execve and proc.name = id
  output: x
  priority: NOTICE
  desc: d
)");
  ASSERT_TRUE(loaded->result.ok()) << messages(loaded->result);
  // The steps are indexed by evt.type like conditions: no LOAD_NO_EVTTYPE warning either.
  EXPECT_EQ(loaded->ruleset.indexedRules().at("evt.type"), 3U);
  Feeder feed(loaded->ruleset);
  const auto c = container("cccc");
  EXPECT_EQ(feed.exec(0, process(1, "id"), c), Names{"Plain"});
  EXPECT_EQ(feed.exec(1, process(2, "id"), c), Names{"Plain"});
  EXPECT_EQ(feed.exec(2, process(3, "id"), c), (Names{"Plain", "Burst"}));
}

struct BadRule {
  const char* what;
  const char* yaml;
  const char* code;
  const char* text;
};

class StatefulLoadErrors : public ::testing::TestWithParam<BadRule> {};

TEST_P(StatefulLoadErrors, AreReported) {
  const BadRule& bad = GetParam();
  const auto loaded = load(bad.yaml);
  ASSERT_FALSE(loaded->result.ok()) << bad.what;
  const std::string all = messages(loaded->result);
  EXPECT_NE(all.find(bad.code), std::string::npos) << all;
  EXPECT_NE(all.find(bad.text), std::string::npos) << all;
  EXPECT_TRUE(loaded->ruleset.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, StatefulLoadErrors,
    ::testing::Values(BadRule{"two kinds", R"(
- rule: R
  condition: evt.type = execve
  count: {condition: evt.type = execve, by: container, threshold: 2, within: 1m}
  output: x
  priority: INFO
  desc: d
)",
                              "LOAD_ERR_VALIDATE", "exactly one of"},
                      BadRule{"bad duration", R"(
- rule: R
  count: {condition: evt.type = execve, by: container, threshold: 2, within: 5 minutes}
  output: x
  priority: INFO
  desc: d
)",
                              "LOAD_ERR_VALIDATE", "'within' must be a duration"},
                      BadRule{"unknown by", R"(
- rule: R
  sequence:
    by: pod
    within: 1m
    steps: [{condition: evt.type = execve}, {condition: evt.type = execve}]
  output: x
  priority: INFO
  desc: d
)",
                              "LOAD_ERR_VALIDATE",
                              "'by' must be process_tree, container or a list"},
                      BadRule{"one step", R"(
- rule: R
  sequence:
    by: container
    within: 1m
    steps: [{condition: evt.type = execve}]
  output: x
  priority: INFO
  desc: d
)",
                              "LOAD_ERR_VALIDATE", "2 to 8 steps"},
                      BadRule{"zero threshold", R"(
- rule: R
  count: {condition: evt.type = execve, by: container, threshold: 0, within: 1m}
  output: x
  priority: INFO
  desc: d
)",
                              "LOAD_ERR_VALIDATE", "'threshold'"},
                      BadRule{"missing learn", R"(
- rule: R
  first_seen: {condition: evt.type = execve, key: user.name, value: proc.name}
  output: x
  priority: INFO
  desc: d
)",
                              "LOAD_ERR_VALIDATE", "needs 'learn'"},
                      BadRule{"step syntax", R"(
- rule: R
  sequence:
    by: container
    within: 1m
    steps: [{condition: evt.type = execve}, {condition: "evt.type = = x"}]
  output: x
  priority: INFO
  desc: d
)",
                              "LOAD_ERR_COMPILE_CONDITION", ""},
                      BadRule{"unknown key field", R"(
- rule: R
  first_seen: {condition: evt.type = execve, key: no.such.field, value: proc.name, learn: 1d}
  output: x
  priority: INFO
  desc: d
)",
                              "LOAD_ERR_COMPILE_CONDITION", "no.such.field"},
                      BadRule{"process tree on audit events", R"(
- rule: R
  source: k8s_audit
  count: {condition: ka.verb = get, by: process_tree, threshold: 2, within: 1m}
  output: x
  priority: INFO
  desc: d
)",
                              "LOAD_ERR_COMPILE_CONDITION", "process_tree"}),
    [](const ::testing::TestParamInfo<BadRule>& info) {
      std::string name = info.param.what;
      for (char& c : name) {
        if (c == ' ') c = '_';
      }
      return name;
    });

TEST(StatefulRules, StepsUseListsAndMacros) {
  const auto loaded = load(R"(
- list: dl_tools
  items: [curl, wget]
- macro: dl
  condition: evt.type = execve and proc.name in (dl_tools)
- rule: R
  sequence:
    by: container
    within: 1m
    steps:
      - condition: dl
      - condition: evt.type = execve and proc.name = sh
  output: x
  priority: INFO
  desc: d
)");
  ASSERT_TRUE(loaded->result.ok()) << messages(loaded->result);
  Feeder feed(loaded->ruleset);
  const auto c = container("eeee");
  EXPECT_EQ(feed.exec(0, process(1, "wget"), c), Names{});
  EXPECT_EQ(feed.exec(1, process(2, "sh"), c), Names{"R"});
}

}  // namespace
}  // namespace bulwark::rules
