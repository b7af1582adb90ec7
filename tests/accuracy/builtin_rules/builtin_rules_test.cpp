// The built-in rules against their fixtures: every rule of data/rules/ has an id, MITRE tags, a
// remediation line and a catalogue reference; its hit fixture fires exactly it (or the rules a
// `# expect:` line names) and its benign look-alike fires nothing. The catalogue test names
// the alerts no rule covers yet, so a new rule must also shrink that list.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipeline/detect.h"
#include "testdata.h"

namespace bulwark::pipeline {
namespace {

constexpr const char* kCatalogue = "runtime/azure/defender_container_alerts.csv";
constexpr std::string_view kAzure = "azure:";

std::filesystem::path fixtureDir() { return testing::fixtures() / "runtime" / "builtin"; }
// The hit events are the rules' simulations, shipped in data/ (`bulwark detect --simulate`).
std::filesystem::path simulateDir() { return testing::sourceDir() / "data/rules/simulate"; }

// The built-ins, with their intel sets pointed at test feeds (the shipped sets are empty): as a
// user loads a file of theirs after the built-ins.
const LoadedRules& builtins() {
  static const auto loaded = loadRules(
      {"builtin", (simulateDir() / "intel" / "test_feeds.yaml").string()}, rules::Priority::Debug);
  return *loaded;
}

std::vector<const rules::RuleItem*> builtinRules() {
  std::vector<const rules::RuleItem*> out;
  for (const auto& rule : builtins().source.rules) out.push_back(&rule);
  return out;
}

// A fixture without its comment lines (written to a temp file: the k8s audit reader takes JSON
// lines only), and the rule ids of its `# expect:` line.
struct Fixture {
  std::filesystem::path events;
  std::set<std::string> expect;
  bool has_expect = false;
};

Fixture readFixture(const std::filesystem::path& path, const std::filesystem::path& scratch) {
  Fixture out;
  std::ifstream in(path);
  std::ofstream events(scratch);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("# expect:")) {
      out.has_expect = true;
      std::istringstream ids(line.substr(9));
      for (std::string id; ids >> id;) out.expect.insert(id);
    } else if (!line.starts_with("#") && !line.empty()) {
      events << line << '\n';
    }
  }
  out.events = scratch;
  return out;
}

struct Fired {
  std::multiset<std::string> ids;
  std::size_t diagnostics = 0;
  std::uint64_t events = 0;
};

Fired fire(const rules::RuleItem& rule, const std::filesystem::path& events) {
  DetectOptions options;
  options.sources = {(rule.source == "k8s_audit" ? "k8s-audit:" : "events:") + events.string()};
  Fired out;
  const auto summary = runDetect(options, builtins().ruleset,
                                 [&](const Alert& alert) { out.ids.insert(alert.rule->item->id); });
  EXPECT_TRUE(summary.has_value()) << summary.error().message;
  if (summary) {
    out.diagnostics = summary->diagnostic_count;
    out.events = summary->events;
    for (const auto& diagnostic : summary->diagnostics) {
      ADD_FAILURE() << diagnostic.kind << ": " << diagnostic.where << ": " << diagnostic.detail;
    }
  }
  return out;
}

std::string join(const std::multiset<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : " ") + id;
  return out.empty() ? "none" : out;
}

class BuiltinRulesFixtures : public ::testing::TestWithParam<const rules::RuleItem*> {
 protected:
  std::filesystem::path scratch() const {
    return std::filesystem::temp_directory_path() /
           ("bulwark-builtin-" + GetParam()->id + "-" + std::to_string(getpid()) + ".jsonl");
  }
  void TearDown() override { std::filesystem::remove(scratch()); }
};

}  // namespace

TEST(BuiltinRules, LoadWithoutAnyMessage) {
  const auto& loaded = builtins();
  for (const auto& message : loaded.result.messages) ADD_FAILURE() << rules::toString(message);
  EXPECT_FALSE(loaded.source.rules.empty());
  EXPECT_EQ(loaded.ruleset.rules().size(), loaded.source.rules.size());
}

TEST(BuiltinRules, EveryRuleCarriesItsMetadata) {
  const std::regex id_pattern("BW-RT-[0-9]{3}");
  std::set<std::string> ids;
  for (const auto* rule : builtinRules()) {
    SCOPED_TRACE(rule->name);
    EXPECT_TRUE(std::regex_match(rule->id, id_pattern)) << rule->id;
    EXPECT_TRUE(ids.insert(rule->id).second) << "duplicate id " << rule->id;
    // Cluster rules are 1nn, host rules 2nn.
    EXPECT_EQ(rule->id.substr(6, 1), rule->source == "k8s_audit" ? "1" : "2") << rule->id;
    EXPECT_FALSE(rule->remediation.empty());
    EXPECT_FALSE(rule->desc.empty());
    const auto has_tag = [&](const std::string& prefix) {
      return std::any_of(rule->tags.begin(), rule->tags.end(),
                         [&](const std::string& tag) { return tag.starts_with(prefix); });
    };
    EXPECT_TRUE(has_tag("bulwark"));
    EXPECT_TRUE(has_tag("mitre_")) << "no MITRE ATT&CK tactic tag";
    EXPECT_TRUE(has_tag("k8s") || has_tag("host") || has_tag("container"));
    EXPECT_TRUE(std::any_of(rule->references.begin(), rule->references.end(),
                            [](const std::string& ref) { return ref.starts_with(kAzure); }))
        << "no catalogue reference (azure:<alert type>)";
  }
}

// Every alert of the catalogue is covered by a rule, except those still listed here (the list
// shrinks as rules land; a reference to an alert the catalogue does not have is an error).
TEST(BuiltinRules, CoverTheAlertCatalogue) {
  BULWARK_REQUIRE_SHARED(kCatalogue);
  std::ifstream in(testing::sharedTestdata() / kCatalogue);
  std::string line;
  std::getline(in, line);  // header
  std::set<std::string> catalogue;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::size_t first = line.find(',');
    const std::size_t second = line.find(',', first + 1);
    // The three ASC host alerts have no type: their name is the key.
    std::string key = line.substr(0, first);
    if (key.empty()) key = line.substr(first + 1, second - first - 1);
    catalogue.insert(key);
  }
  ASSERT_EQ(catalogue.size(), 61U);
  std::set<std::string> covered;
  for (const auto* rule : builtinRules()) {
    for (const auto& ref : rule->references) {
      if (!ref.starts_with(kAzure)) continue;
      const std::string key = ref.substr(kAzure.size());
      EXPECT_TRUE(catalogue.contains(key)) << rule->id << " references unknown alert " << key;
      covered.insert(key);
    }
  }
  std::set<std::string> uncovered;
  std::set_difference(catalogue.begin(), catalogue.end(), covered.begin(), covered.end(),
                      std::inserter(uncovered, uncovered.end()));
  std::ostringstream missing;
  for (const auto& key : uncovered) missing << key << '\n';
  EXPECT_TRUE(uncovered.empty()) << "uncovered now:\n" << missing.str();
}

TEST_P(BuiltinRulesFixtures, HitFiresTheRule) {
  const rules::RuleItem& rule = *GetParam();
  const auto path = simulateDir() / (rule.id + ".jsonl");
  ASSERT_TRUE(std::filesystem::exists(path)) << "no hit fixture " << path;
  const Fixture fixture = readFixture(path, scratch());
  const Fired fired = fire(rule, fixture.events);
  EXPECT_GT(fired.events, 0U);
  const std::set<std::string> expect =
      fixture.has_expect ? fixture.expect : std::set<std::string>{rule.id};
  EXPECT_TRUE(expect.contains(rule.id)) << "the `# expect:` line must name the rule itself";
  EXPECT_EQ(std::set<std::string>(fired.ids.begin(), fired.ids.end()), expect)
      << "fired: " << join(fired.ids);
}

TEST_P(BuiltinRulesFixtures, LookAlikeStaysSilent) {
  const rules::RuleItem& rule = *GetParam();
  const auto path = fixtureDir() / (rule.id + ".miss.jsonl");
  ASSERT_TRUE(std::filesystem::exists(path)) << "no benign look-alike " << path;
  const Fixture fixture = readFixture(path, scratch());
  const Fired fired = fire(rule, fixture.events);
  EXPECT_GT(fired.events, 0U);
  EXPECT_TRUE(fired.ids.empty()) << "fired: " << join(fired.ids);
}

INSTANTIATE_TEST_SUITE_P(Rules, BuiltinRulesFixtures, ::testing::ValuesIn(builtinRules()),
                         [](const ::testing::TestParamInfo<const rules::RuleItem*>& info) {
                           std::string name = info.param->id;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace bulwark::pipeline
