// The posture catalogue (data/posture/catalogue.yaml): it loads, holds the controls and
// recommendations of docs/dev/posture-design.md §3, and maps every check of data/checks and every
// built-in rule of data/rules exactly once — a new check or rule fails here until someone maps it.
#include "posture/catalogue.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "loaded_catalogue.h"
#include "posture/resource_key.h"
#include "testdata.h"

namespace bulwark::posture {
namespace {

namespace fs = std::filesystem;

// The repository's data/: BULWARK_SOURCE_DIR's under ctest, else the source tree built from.
fs::path dataDir() {
  if (std::getenv("BULWARK_SOURCE_DIR") != nullptr) return testing::sourceDir() / "data";
  return BULWARK_POSTURE_DATA_DIR;
}

std::vector<fs::path> yamlFiles(const fs::path& dir, bool recursive) {
  std::vector<fs::path> out;
  if (recursive) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
        out.push_back(entry.path());
      }
    }
  } else {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
        out.push_back(entry.path());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Check id → the kinds of its applies_to (data/checks/<family>/<name>.yaml).
std::map<std::string, std::vector<std::string>> checkIds() {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& path : yamlFiles(dataDir() / "checks", true)) {
    const YAML::Node check = YAML::LoadFile(path.string());
    const std::string id = check["id"].as<std::string>("");
    EXPECT_FALSE(id.empty()) << path << " has no id";
    std::vector<std::string> kinds;
    if (check["applies_to"].IsDefined() && check["applies_to"].IsMap()) {
      for (const auto& kind : check["applies_to"]) kinds.push_back(kind.first.as<std::string>());
    }
    EXPECT_TRUE(out.emplace(id, kinds).second) << id << " in two check files";
  }
  return out;
}

// The `id` of every rule item of data/rules/*.yaml.
std::set<std::string> ruleIds() {
  std::set<std::string> out;
  for (const auto& path : yamlFiles(dataDir() / "rules", false)) {
    for (const auto& item : YAML::LoadFile(path.string())) {
      if (!item.IsMap() || !item["rule"] || !item["id"]) continue;
      EXPECT_TRUE(out.insert(item["id"].as<std::string>()).second) << "rule id twice";
    }
  }
  return out;
}

TEST(Catalogue, BuiltinHasTheDesignedControlsAndRecommendations) {
  const Catalogue& catalogue = loadedCatalogue();
  ASSERT_EQ(catalogue.controls().size(), 7U);
  EXPECT_EQ(catalogue.recommendations().size(), 26U);
  EXPECT_DOUBLE_EQ(catalogue.maxTotal(), 32);
  const std::map<std::string, std::pair<double, std::vector<std::string>>> expected = {
      {"CTL-VULN", {6, {"BW-REC-001", "BW-REC-002", "BW-REC-003", "BW-REC-004", "BW-REC-005"}}},
      {"CTL-PRIV",
       {6, {"BW-REC-010", "BW-REC-011", "BW-REC-012", "BW-REC-013", "BW-REC-015", "BW-REC-016"}}},
      {"CTL-HOST", {5, {"BW-REC-020", "BW-REC-021", "BW-REC-022"}}},
      {"CTL-ACCESS", {4, {"BW-REC-030", "BW-REC-032"}}},
      {"CTL-NET", {4, {"BW-REC-040", "BW-REC-041", "BW-REC-042"}}},
      {"CTL-CONF", {3, {"BW-REC-050", "BW-REC-051", "BW-REC-052", "BW-REC-053", "BW-REC-054"}}},
      {"CTL-RUNTIME", {4, {"BW-REC-060", "BW-REC-061"}}},
  };
  for (const auto& [id, want] : expected) {
    const Control* control = catalogue.control(id);
    ASSERT_NE(control, nullptr) << id;
    EXPECT_DOUBLE_EQ(control->max, want.first) << id;
    EXPECT_EQ(control->recommendations, want.second) << id;
    for (const auto& rec : control->recommendations) {
      ASSERT_NE(catalogue.recommendation(rec), nullptr) << rec;
      EXPECT_EQ(catalogue.recommendation(rec)->control, id) << rec;
    }
  }
  const Recommendation* privileged = catalogue.recommendation("BW-REC-010");
  ASSERT_NE(privileged, nullptr);
  EXPECT_EQ(privileged->title, "Privileged containers should be avoided");
  EXPECT_EQ(privileged->severity, model::Severity::Critical);
  EXPECT_EQ(privileged->resource_types,
            (std::vector{model::ResourceType::Container, model::ResourceType::Workload}));
  EXPECT_FALSE(privileged->remediation.empty());
  EXPECT_FALSE(catalogue.sha256().empty());
  EXPECT_EQ(catalogue.source(), "posture/catalogue.yaml");
}

// The issue's crossings: findings → 001/003, CIS Docker failures → 020, privileged → 010 from
// Docker and Kubernetes checks and from runtime alerts.
TEST(Catalogue, SourcesFeedTheirRecommendations) {
  const Catalogue& catalogue = loadedCatalogue();
  const std::map<std::string, std::pair<std::string, model::SourceKind>> expected = {
      {"vuln:severe", {"BW-REC-001", model::SourceKind::Derived}},
      {"vuln:fixable", {"BW-REC-002", model::SourceKind::Derived}},
      {"vuln:running", {"BW-REC-003", model::SourceKind::Derived}},
      {"scan", {"BW-REC-004", model::SourceKind::Derived}},
      {"runtime", {"BW-REC-060", model::SourceKind::Derived}},
      {"sensor", {"BW-REC-061", model::SourceKind::Derived}},
      {"BW-DKR-505", {"BW-REC-010", model::SourceKind::Check}},
      {"BW-K8S-103", {"BW-REC-010", model::SourceKind::Check}},
      {"BW-RT-207", {"BW-REC-010", model::SourceKind::Rule}},
      {"BW-DKR-101", {"BW-REC-020", model::SourceKind::Check}},
      {"BW-DKR-207", {"BW-REC-021", model::SourceKind::Check}},
      {"BW-RT-209", {"BW-REC-060", model::SourceKind::Rule}},
  };
  for (const auto& [source, want] : expected) {
    const SourceRef ref = catalogue.source(source);
    ASSERT_NE(ref.recommendation, nullptr) << source;
    EXPECT_EQ(ref.recommendation->id, want.first) << source;
    EXPECT_EQ(ref.kind, want.second) << source;
    EXPECT_EQ(ref.unmapped, nullptr) << source;
  }
  const SourceRef test_rule = catalogue.source("BW-RT-215");
  EXPECT_EQ(test_rule.recommendation, nullptr);
  ASSERT_NE(test_rule.unmapped, nullptr);
  EXPECT_FALSE(test_rule.unmapped->reason.empty());
  const SourceRef unknown = catalogue.source("BW-DKR-999");
  EXPECT_EQ(unknown.recommendation, nullptr);
  EXPECT_EQ(unknown.unmapped, nullptr);
}

TEST(Catalogue, EveryCheckAndRuleFeedsExactlyOneRecommendationOrIsUnmapped) {
  const Catalogue& catalogue = loadedCatalogue();
  const auto checks = checkIds();
  const auto rules = ruleIds();
  ASSERT_GE(checks.size(), 216U) << "data/checks not found under " << dataDir();
  ASSERT_GE(rules.size(), 61U) << "data/rules not found under " << dataDir();

  // How often each id appears in the catalogue, recommendations and unmapped together.
  std::map<std::string, int> listed;
  std::set<std::string> listed_checks;
  std::set<std::string> listed_rules;
  for (const auto& rec : catalogue.recommendations()) {
    for (const auto& id : rec.checks) {
      ++listed[id];
      listed_checks.insert(id);
    }
    for (const auto& id : rec.rules) {
      ++listed[id];
      listed_rules.insert(id);
    }
  }
  for (const auto& unmapped : catalogue.unmapped()) {
    EXPECT_FALSE(unmapped.reason.empty());
    for (const auto& id : unmapped.ids) {
      ++listed[id];
      (id.starts_with("BW-RT-") ? listed_rules : listed_checks).insert(id);
    }
  }
  for (const auto& [id, kinds] : checks) {
    EXPECT_EQ(listed[id], 1) << "check " << id
                             << " must feed one recommendation or be listed as unmapped in "
                                "data/posture/catalogue.yaml";
    const SourceRef ref = catalogue.source(id);
    EXPECT_EQ(ref.kind, model::SourceKind::Check) << id;
    EXPECT_NE(ref.recommendation == nullptr, ref.unmapped == nullptr) << id;
  }
  for (const auto& id : rules) {
    EXPECT_EQ(listed[id], 1) << "rule " << id
                             << " must feed one recommendation or be listed as unmapped in "
                                "data/posture/catalogue.yaml";
    const SourceRef ref = catalogue.source(id);
    EXPECT_EQ(ref.kind, model::SourceKind::Rule) << id;
    EXPECT_NE(ref.recommendation == nullptr, ref.unmapped == nullptr) << id;
  }
  // And nothing stale: every id the catalogue names exists.
  for (const auto& id : listed_checks) EXPECT_EQ(checks.count(id), 1U) << "no check " << id;
  for (const auto& id : listed_rules) EXPECT_EQ(rules.count(id), 1U) << "no rule " << id;
}

TEST(Catalogue, ResourceTypesCoverTheKindsOfTheirChecks) {
  const Catalogue& catalogue = loadedCatalogue();
  for (const auto& [id, kinds] : checkIds()) {
    const SourceRef ref = catalogue.source(id);
    if (ref.recommendation == nullptr) continue;
    EXPECT_FALSE(kinds.empty()) << id << " feeds a recommendation but applies to nothing";
    for (const auto& kind : kinds) {
      const auto type = resourceTypeOfCheckKind(kind);
      ASSERT_TRUE(type) << id << ": kind " << kind << " has no resource type";
      const auto& types = ref.recommendation->resource_types;
      EXPECT_NE(std::find(types.begin(), types.end(), *type), types.end())
          << ref.recommendation->id << " lacks resource type " << model::toString(*type) << " for "
          << id;
    }
  }
}

TEST(Catalogue, CopiesStayValid) {
  Catalogue copy = loadedCatalogue();
  const SourceRef ref = copy.source("BW-DKR-505");
  ASSERT_NE(ref.recommendation, nullptr);
  EXPECT_EQ(ref.recommendation, copy.recommendation("BW-REC-010"));
  EXPECT_NE(ref.recommendation, loadedCatalogue().recommendation("BW-REC-010"));
}

// ---- the loader on bad files ------------------------------------------------------------------

constexpr std::string_view kMinimal = R"(controls:
  - {id: CTL-A, title: A, max: 2}
recommendations:
  - id: BW-REC-001
    title: One
    control: CTL-A
    severity: high
    resource_types: [image]
    description: d
    remediation: [fix it]
    sources: {checks: [BW-IMG-001], rules: [BW-RT-100], derived: [scan]}
unmapped:
  - {ids: [BW-IMG-002], reason: r}
)";

core::Result<Catalogue> load(std::string_view text, core::Diagnostics& diagnostics) {
  return loadCatalogue(text, "test.yaml", diagnostics);
}

TEST(CatalogueLoader, ReadsAMinimalFile) {
  core::Diagnostics diagnostics;
  const auto catalogue = load(kMinimal, diagnostics);
  ASSERT_TRUE(catalogue) << catalogue.error().message;
  EXPECT_EQ(diagnostics.size(), 0U);
  ASSERT_EQ(catalogue->recommendations().size(), 1U);
  const Recommendation& rec = catalogue->recommendations()[0];
  EXPECT_EQ(rec.checks, std::vector<std::string>{"BW-IMG-001"});
  EXPECT_EQ(rec.rules, std::vector<std::string>{"BW-RT-100"});
  EXPECT_EQ(rec.derived, std::vector<std::string>{"scan"});
  EXPECT_EQ(catalogue->source("BW-RT-100").kind, model::SourceKind::Rule);
  EXPECT_EQ(catalogue->source("scan").kind, model::SourceKind::Derived);
  EXPECT_NE(catalogue->source("BW-IMG-002").unmapped, nullptr);
}

TEST(CatalogueLoader, MalformedYamlNamesFileLineAndColumn) {
  core::Diagnostics diagnostics;
  const auto catalogue = load("controls:\n  - {id: CTL-A, title: [unclosed\n", diagnostics);
  ASSERT_FALSE(catalogue);
  EXPECT_EQ(catalogue.error().code, core::ErrorCode::Input);
  EXPECT_NE(catalogue.error().message.find("test.yaml:3:"), std::string::npos)
      << catalogue.error().message;
}

TEST(CatalogueLoader, ReportsEveryProblemWithItsLine) {
  std::string text(kMinimal);
  // An unknown field (line 4), an unknown control and severity, a source listed twice, an
  // unknown derived source, a control without recommendations.
  text.replace(text.find("max: 2}"), 7, "max: 2, colour: red}\n  - {id: CTL-B, title: B, max: 1}");
  text += R"(  - {ids: [BW-IMG-001], reason: twice}
)";
  text.replace(text.find("severity: high"), 14, "severity: urgent");
  text.replace(text.find("derived: [scan]"), 15, "derived: [scan, vibes]");
  core::Diagnostics diagnostics;
  const auto catalogue = load(text, diagnostics);
  ASSERT_FALSE(catalogue);
  const auto all = diagnostics.sorted();
  auto has = [&](std::string_view where, std::string_view detail) {
    return std::any_of(all.begin(), all.end(), [&](const core::Diagnostic& d) {
      return d.kind == "posture.invalid-catalogue" && d.where.starts_with(where) &&
             d.detail.find(detail) != std::string::npos;
    });
  };
  std::string listing;
  for (const auto& d : all) listing += d.where + ": " + d.detail + "\n";
  EXPECT_TRUE(has("test.yaml:2:", "unknown control field `colour`")) << listing;
  EXPECT_TRUE(has("test.yaml:3:", "control CTL-B has no recommendation")) << listing;
  EXPECT_TRUE(has("test.yaml:", "severity is low, medium, high or critical")) << listing;
  EXPECT_TRUE(has("test.yaml:", "unknown derived source \"vibes\"")) << listing;
  EXPECT_TRUE(has("test.yaml:15:", "BW-IMG-001 is already listed at line 12")) << listing;
  EXPECT_EQ(all.size(), 5U) << listing;
}

TEST(CatalogueLoader, RefusesBadIdsAndReferences) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"control: CTL-A", "control: CTL-Z"},
      {"id: BW-REC-001", "id: REC-1"},
      {"checks: [BW-IMG-001]", "checks: [BW-RT-001]"},
      {"rules: [BW-RT-100]", "rules: [BW-DKR-100]"},
      {"resource_types: [image]", "resource_types: [galaxy]"},
      {"resource_types: [image]", "resource_types: []"},
      {"remediation: [fix it]", "remediation: []"},
      {"max: 2", "max: -1"},
      {"max: 2", "max: lots"},
      {"reason: r", "reason: \"\""},
  };
  for (const auto& [from, to] : cases) {
    std::string text(kMinimal);
    text.replace(text.find(from), from.size(), to);
    core::Diagnostics diagnostics;
    const auto catalogue = load(text, diagnostics);
    EXPECT_FALSE(catalogue) << to;
    EXPECT_GE(diagnostics.size(), 1U) << to;
  }
}

TEST(CatalogueLoader, RefusesANonMapping) {
  core::Diagnostics diagnostics;
  EXPECT_FALSE(load("- a\n- b\n", diagnostics));
  EXPECT_FALSE(load("", diagnostics));
}

}  // namespace
}  // namespace bulwark::posture
