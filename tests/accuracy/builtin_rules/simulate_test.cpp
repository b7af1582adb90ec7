// `bulwark detect --simulate` (src/pipeline/simulate.h): every built-in rule's simulation, replayed
// through the pipeline with the simulation feeds, fires that rule with alerts marked simulated,
// at times moved to now; names resolve by id or name; unknown names and rules without a live
// action are refused; the live action of BW-RT-215 really runs its test program.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "pipeline/detect.h"
#include "pipeline/simulate.h"
#include "testdata.h"

namespace bulwark::pipeline {
namespace {

class Simulate : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("bulwark-simulate-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

constexpr std::int64_t kNow = 1795600000000000000;  // 2026-11-25T…Z

TEST_F(Simulate, EveryBuiltinRuleFiresOnItsSimulation) {
  const auto feeds = writeSimulationFeeds(dir_);
  ASSERT_TRUE(feeds) << feeds.error().message;
  const auto loaded = loadRules({"builtin", *feeds}, rules::Priority::Debug);
  ASSERT_TRUE(loaded->result.ok());
  const auto simulation = prepareSimulation({"all"}, loaded->source, dir_, kNow);
  ASSERT_TRUE(simulation) << simulation.error().message;
  EXPECT_EQ(simulation->rule_ids.size(), loaded->source.rules.size());
  for (std::size_t i = 0; i < simulation->sources.size(); ++i) {
    SCOPED_TRACE(simulation->rule_ids[i]);
    DetectOptions options;
    options.sources = {simulation->sources[i]};
    options.simulated = true;
    options.output_fields = true;
    std::set<std::string> fired;
    bool all_marked = true;
    std::int64_t first_ts = 0;
    const auto summary = runDetect(options, loaded->ruleset, [&](const Alert& alert) {
      fired.insert(alert.rule->item->id);
      all_marked = all_marked && alert.simulated;
      if (first_ts == 0) first_ts = alert.ts_ns;
      const std::string json = formatAlert(alert, AlertFormat::Json, false, "node-1");
      EXPECT_NE(json.find("\"simulated\":true"), std::string::npos) << json;
    });
    ASSERT_TRUE(summary) << summary.error().message;
    EXPECT_EQ(summary->diagnostic_count, 0U);
    EXPECT_TRUE(fired.contains(simulation->rule_ids[i]));
    EXPECT_TRUE(all_marked);
    // Moved to now: the last event is at kNow, the first within a learning period before.
    EXPECT_LE(first_ts, kNow);
    EXPECT_GT(first_ts, kNow - std::int64_t{30} * 86400 * 1000000000);
  }
}

TEST_F(Simulate, NamesResolveByIdOrNameAndUnknownOnesAreRefused) {
  const auto loaded = loadRules({}, rules::Priority::Debug);
  const auto by_name = prepareSimulation({"bulwark test alert"}, loaded->source, dir_, kNow);
  ASSERT_TRUE(by_name) << by_name.error().message;
  EXPECT_EQ(by_name->rule_ids, std::vector<std::string>{"BW-RT-215"});
  ASSERT_EQ(by_name->sources.size(), 1U);
  EXPECT_TRUE(by_name->sources[0].starts_with("events:"));
  const auto k8s = prepareSimulation({"BW-RT-118"}, loaded->source, dir_, kNow);
  ASSERT_TRUE(k8s);
  EXPECT_TRUE(k8s->sources[0].starts_with("k8s-audit:"));
  const auto unknown = prepareSimulation({"BW-RT-999"}, loaded->source, dir_, kNow);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::Usage);
}

TEST_F(Simulate, LiveRunsTheTestProgramAndRefusesOtherRules) {
  const auto loaded = loadRules({}, rules::Priority::Debug);
  EXPECT_TRUE(simulateLive("BW-RT-215", loaded->source, dir_));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "bulwark-alert-test"));  // removed after its run
  const auto refused = simulateLive("BW-RT-118", loaded->source, dir_);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("no harmless live action"), std::string::npos);
}

}  // namespace
}  // namespace bulwark::pipeline
