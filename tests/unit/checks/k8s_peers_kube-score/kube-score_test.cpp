// Agreement with kube-score (docs/dev/k8s-design.md §6): EXPECTED.tsv, extracted from
// kube-score's score/*_test.go, gives a grade per (fixture, kube-score check). A grade of AllOK
// is a pass, Warning or Critical a fail; our verdict is the mapped checks over the whole
// fixture (tests/fixtures/k8s/peers/kube-score.map.tsv). Rows of out-of-scope checks, and rows
// whose run_config switches off a requirement we always hold (IgnoreContainerCpuLimitRequirement
// …), are counted and printed but not compared. parser/testdata adds one pair each way for the
// unreadable-document check.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "testdata.h"
#include "unit/checks/k8s_peers/peer_support.h"

namespace bulwark::checks {
namespace {

namespace fs = std::filesystem;
using namespace peer_testing;

constexpr std::string_view kPeer = "kube-score";
constexpr std::string_view kDir = "hardening/kube-score";

struct Row {
  std::string test;
  std::string file;
  std::string check;
  std::string grade;  // AllOK | Warning | Critical
  std::string run_config;
};

std::vector<Row> loadExpected() {
  std::vector<Row> rows;
  std::istringstream in(testing::readFile(testing::sharedTestdata() / kDir / "EXPECTED.tsv"));
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      continue;
    }
    if (line.empty()) continue;
    auto fields = splitTabs(line);
    EXPECT_GE(fields.size(), 4U) << "EXPECTED.tsv: " << line;
    if (fields.size() < 4) continue;
    fields.resize(5);
    rows.push_back({fields[0], fields[1], fields[2], fields[3], fields[4]});
  }
  return rows;
}

// Whether we model the row's run_config: enabling kube-score's optional checks is what our
// checks always do, and IgnoreContainerCpuLimitRequirement=false is its default; switching a
// requirement off (…=true) or a replica minimum is a knob we do not have.
bool modelled(std::string_view run_config) {
  return run_config.empty() || run_config.starts_with("EnabledOptionalTests") ||
         run_config == "IgnoreContainerCpuLimitRequirement=false";
}

// Whether the reader reported the document as unreadable (BW-K8S-602 is a not-evaluated
// result, so it is read from the inventory's problems rather than as a check verdict).
Ours unreadable(const Run& run) {
  for (const auto& problem : run.inventory.problems) {
    if (problem.check_id == "BW-K8S-602") return Ours::Fail;
  }
  return Ours::Pass;
}

TEST(KubeScorePeer, EveryCheckIsMapped) {
  BULWARK_REQUIRE_SHARED(kDir);
  const auto map = loadPeerMap(kPeer);
  std::set<std::string> seen;
  for (const auto& row : loadExpected()) seen.insert(row.check);
  EXPECT_GT(seen.size(), 30U);
  for (const auto& check : seen) {
    EXPECT_TRUE(map.contains(check))
        << "kube-score check missing from kube-score.map.tsv: " << check;
  }
}

TEST(KubeScorePeer, Agreement) {
  BULWARK_REQUIRE_SHARED(kDir);
  const auto map = loadPeerMap(kPeer);
  const fs::path root = testing::sharedTestdata() / kDir;
  std::map<std::string, peer_testing::Run> runs;  // by fixture, run once
  const auto runOf = [&](const std::string& relative) -> const peer_testing::Run& {
    auto it = runs.find(relative);
    if (it == runs.end()) {
      const fs::path path = root / relative;
      EXPECT_TRUE(fs::exists(path)) << path;
      it = runs.emplace(relative, runAll(testing::readFile(path), relative)).first;
    }
    return it->second;
  };

  std::vector<Pair> pairs;
  std::set<std::string> compared;  // fixture + check: EXPECTED.tsv repeats a few
  std::size_t rows = 0;
  std::size_t out_of_scope = 0;
  std::size_t not_modelled = 0;
  for (const auto& row : loadExpected()) {
    ++rows;
    const auto it = map.find(row.check);
    if (it == map.end()) continue;  // EveryCheckIsMapped reports it
    if (it->second.outOfScope()) {
      ++out_of_scope;
      continue;
    }
    if (!modelled(row.run_config)) {
      ++not_modelled;
      continue;
    }
    EXPECT_TRUE(row.grade == "AllOK" || row.grade == "Warning" || row.grade == "Critical")
        << row.test << ": " << row.grade;
    const std::string fixture = "score/testdata/" + row.file;
    if (!compared.insert(fixture + '\t' + row.check).second) continue;
    pairs.push_back({fixture, "*", row.check, row.grade == "AllOK" ? Verdict::Pass : Verdict::Fail,
                     ourVerdict(runOf(fixture), it->second)});
  }

  // kube-score's parser fixtures: a document that is not YAML is reported, a valid one is not.
  const std::string parser_check = "parser: invalid YAML";
  ASSERT_TRUE(map.contains(parser_check));
  for (const auto& [file, theirs] : {std::pair{"parser/testdata/invalid-yaml.yaml", Verdict::Fail},
                                     std::pair{"parser/testdata/valid-yaml.yaml", Verdict::Pass}}) {
    pairs.push_back({file, "*", parser_check, theirs, unreadable(runOf(file))});
  }

  std::cout << fmt::format(
      "kube-score: {} rows of EXPECTED.tsv; {} of out-of-scope checks, {} with a run_config we "
      "do not model; {} verdict pairs compared\n",
      rows, out_of_scope, not_modelled, pairs.size());
  EXPECT_EQ(rows, 179U);
  // 31/36 (86.1 %): below the 98 % goal of docs/dev/k8s-design.md §6.1; every difference is listed
  // with its reason in kube-score.disagreements.tsv and docs/compat.md. The floor holds today's
  // figure so that a new disagreement still fails; raise it when the count drops.
  expectAgreement(kPeer, pairs, 31.0 / 36.0);
}

}  // namespace
}  // namespace bulwark::checks
