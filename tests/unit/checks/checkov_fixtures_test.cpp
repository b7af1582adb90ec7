// Every checkov Dockerfile fixture (../shared/testdata/hardening/checkov): our checks that
// name the checkov id in their references must fail on "failure"/"fail" fixtures and must not
// fail on "success"/"pass" ones. For the graph checks, the number of failing instructions must
// also match checkov's expected.yaml.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "checks/check.h"
#include "checks/dockerfile/dockerfile.h"
#include "checks/evaluate.h"
#include "testdata.h"

namespace {

namespace fs = std::filesystem;
using bulwark::checks::CheckSet;
using bulwark::model::CheckResult;
using bulwark::model::CheckStatus;

constexpr std::string_view kRoot = "hardening/checkov";

// "UserExists" → "CKV_DOCKER_3", from POLICY_INDEX.tsv.
std::map<std::string, std::string> checkovIds() {
  std::map<std::string, std::string> ids;
  const std::string index =
      bulwark::testing::readFile(bulwark::testing::sharedTestdata() / kRoot / "POLICY_INDEX.tsv");
  std::istringstream in(index);
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find('\t');
    const auto last = line.rfind('\t');
    if (first == std::string::npos || last == first) continue;
    std::string file = line.substr(last + 1);
    file = file.substr(0, file.rfind('.'));
    ids[file] = line.substr(0, first);
  }
  return ids;
}

struct Verdict {
  std::vector<CheckResult> mapped;  // our results for the checks naming the checkov id
  [[nodiscard]] bool failed() const {
    return std::any_of(mapped.begin(), mapped.end(),
                       [](const CheckResult& r) { return r.status == CheckStatus::Fail; });
  }
  [[nodiscard]] std::size_t failingPlaces() const {
    std::set<std::string> places;
    for (const auto& r : mapped) {
      if (r.status != CheckStatus::Fail) continue;
      for (const auto& e : r.evidence) places.insert(e.where);
    }
    return places.size();
  }
  [[nodiscard]] std::string describe() const {
    std::string out;
    for (const auto& r : mapped) {
      out += r.check_id + " " + std::string(bulwark::model::toString(r.status)) + " " + r.reason;
      for (const auto& e : r.evidence) out += "\n    " + e.observed + " @ " + e.where;
      out += "\n";
    }
    return out;
  }
};

Verdict verdict(const CheckSet& set, const std::string& checkov_id, const fs::path& dockerfile) {
  Verdict v;
  bulwark::core::Diagnostics diagnostics;
  auto file = bulwark::checks::dockerfile::parseDockerfile(
      bulwark::testing::readFile(dockerfile), diagnostics, dockerfile.filename().string());
  EXPECT_TRUE(file.has_value()) << dockerfile;
  if (!file) return v;
  for (const auto& check : set.checks) {
    if (std::find(check.references.begin(), check.references.end(), checkov_id) ==
        check.references.end()) {
      continue;
    }
    v.mapped.push_back(bulwark::checks::evaluateCheck(
        check, {bulwark::checks::ResourceKind::Dockerfile, dockerfile.filename().string(), &*file,
                nullptr, nullptr}));
  }
  return v;
}

class CheckovFixtures : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = bulwark::checks::loadBuiltinChecks();
    ASSERT_TRUE(set.has_value()) << set.error().message;
    set_ = std::move(*set);
  }
  CheckSet set_;
};

TEST_F(CheckovFixtures, ExampleChecksGiveTheNamedVerdict) {
  BULWARK_REQUIRE_SHARED(std::string(kRoot) + "/tests/dockerfile/checks");
  const auto ids = checkovIds();
  std::size_t files = 0;
  for (const auto& example : fs::directory_iterator(bulwark::testing::sharedTestdata() / kRoot /
                                                    "tests/dockerfile/checks")) {
    const std::string name = example.path().filename().string().substr(8);  // "example_"
    ASSERT_TRUE(ids.count(name) != 0) << name;
    const std::string& id = ids.at(name);
    for (const auto& dir : fs::directory_iterator(example.path())) {
      const bool expect_fail = dir.path().filename().string().rfind("failure", 0) == 0;
      for (const auto& entry : fs::directory_iterator(dir.path())) {
        const Verdict v = verdict(set_, id, entry.path());
        ASSERT_FALSE(v.mapped.empty()) << "no check references " << id;
        EXPECT_EQ(v.failed(), expect_fail) << id << " " << entry.path() << "\n" << v.describe();
        ++files;
      }
    }
  }
  EXPECT_EQ(files, 34U);  // every example fixture
}

TEST_F(CheckovFixtures, GraphChecksGiveTheNamedVerdictPerInstruction) {
  BULWARK_REQUIRE_SHARED(std::string(kRoot) + "/tests/dockerfile/graph_builder");
  const auto ids = checkovIds();
  std::size_t files = 0;
  const fs::path root = bulwark::testing::sharedTestdata() / kRoot /
                        "tests/dockerfile/graph_builder/checks/resources";
  for (const auto& check_dir : fs::directory_iterator(root)) {
    const std::string name = check_dir.path().filename().string();
    ASSERT_TRUE(ids.count(name) != 0) << name;
    const std::string& id = ids.at(name);
    // expected.yaml: "fail/Dockerfile.basic.ENV" once per failing instruction.
    std::map<std::string, std::size_t> expected_fails;
    const YAML::Node expected = YAML::LoadFile((check_dir.path() / "expected.yaml").string());
    for (const auto& item : expected["fail"]) {
      const std::string entry = item.as<std::string>();
      ++expected_fails[entry.substr(0, entry.rfind('.'))];
    }
    for (const auto& dir : fs::directory_iterator(check_dir.path())) {
      if (!dir.is_directory()) continue;
      const std::string kind = dir.path().filename().string();
      const bool expect_fail = kind.rfind("fail", 0) == 0;
      for (const auto& entry : fs::directory_iterator(dir.path())) {
        const Verdict v = verdict(set_, id, entry.path());
        ASSERT_FALSE(v.mapped.empty()) << "no check references " << id;
        EXPECT_EQ(v.failed(), expect_fail) << id << " " << entry.path() << "\n" << v.describe();
        const std::string key = kind + "/" + entry.path().filename().string();
        EXPECT_EQ(v.failingPlaces(), expect_fail ? expected_fails[key] : 0U)
            << id << " " << key << "\n"
            << v.describe();
        ++files;
      }
    }
  }
  EXPECT_GE(files, 50U);
}

}  // namespace
