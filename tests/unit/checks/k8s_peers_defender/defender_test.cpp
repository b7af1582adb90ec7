// Agreement with Microsoft Defender for Cloud's workload-protection examples
// (docs/dev/k8s-design.md §6), read in place from ../shared/testdata/hardening/
// azure-docs-defender: two manifests and EXPECTED.md, a table with one row per recommendation
// and a column per manifest (`healthy…` or `unhealthy…`). Each row × manifest is a verdict
// pair (the peer check is the recommendation's title, mapped in defender.map.tsv).
//
// The inputs are the ones the table names: the healthy manifest's registry placeholder is the
// allowed registry, and the hostPath allow-list is empty (BW-K8S-105 allows no hostPath). Two
// cells are not a plain healthy/unhealthy: "same" repeats the cell before it, and the
// automount and default-namespace rows say a strict check fails both manifests, so they count
// as unhealthy.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "testdata.h"
#include "unit/checks/k8s_peers/peer_support.h"

namespace bulwark::checks {
namespace {

using peer_testing::Pair;
using peer_testing::Verdict;

constexpr std::string_view kDir = "hardening/azure-docs-defender";

// The registry of the healthy manifest's image `<customer-registry>.azurecr.io/redis:latest`.
const std::map<std::string, std::vector<std::string>> kInputs = {
    {"allowed_registries", {"<customer-registry>.azurecr.io"}},
};

struct Row {
  std::string recommendation;
  std::map<std::string, Verdict> verdicts;  // manifest file → verdict
};

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t");
  const auto end = s.find_last_not_of(" \t");
  return begin == std::string::npos ? std::string() : s.substr(begin, end - begin + 1);
}

std::optional<Verdict> cellVerdict(const std::string& cell) {
  if (cell.starts_with("healthy")) return Verdict::Pass;
  if (cell.starts_with("unhealthy")) return Verdict::Fail;
  // "not set in either manifest (both would fail a strict check)", "no namespace set in
  // either (both land in …)": both fail.
  if (cell.starts_with("not set") || cell.starts_with("no namespace")) return Verdict::Fail;
  return std::nullopt;
}

// The table of EXPECTED.md: the header names the manifests.
std::vector<Row> expectedRows() {
  std::vector<Row> rows;
  std::vector<std::string> manifests;
  std::istringstream in(testing::readFile(testing::sharedTestdata() / kDir / "EXPECTED.md"));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("|")) continue;
    std::vector<std::string> cells;
    std::istringstream parts(line.substr(1));
    std::string cell;
    while (std::getline(parts, cell, '|')) cells.push_back(trim(cell));
    if (cells.size() < 3 || cells[1].starts_with("---")) continue;
    if (manifests.empty()) {
      manifests.assign(cells.begin() + 1, cells.end());
      continue;
    }
    Row row{cells[0], {}};
    std::optional<Verdict> previous;
    for (std::size_t i = 1; i < cells.size() && i <= manifests.size(); ++i) {
      auto verdict = cells[i] == "same" ? previous : cellVerdict(cells[i]);
      EXPECT_TRUE(verdict.has_value()) << "EXPECTED.md: no verdict in '" << cells[i] << "'";
      if (!verdict) continue;
      row.verdicts[manifests[i - 1]] = *verdict;
      previous = verdict;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

TEST(DefenderPeer, EveryRecommendationIsMapped) {
  BULWARK_REQUIRE_SHARED(kDir);
  const auto map = peer_testing::loadPeerMap("defender");
  const auto rows = expectedRows();
  EXPECT_EQ(rows.size(), 13U);
  std::set<std::string> seen;
  for (const auto& row : rows) {
    seen.insert(row.recommendation);
    EXPECT_EQ(row.verdicts.size(), 2U) << row.recommendation;
    EXPECT_TRUE(map.contains(row.recommendation))
        << "'" << row.recommendation << "' is not in defender.map.tsv (map it or say why not)";
  }
  for (const auto& [recommendation, row] : map) {
    EXPECT_TRUE(seen.contains(recommendation))
        << "defender.map.tsv lists '" << recommendation << "', which EXPECTED.md does not";
  }
}

TEST(DefenderPeer, AgreesOnTheExamples) {
  BULWARK_REQUIRE_SHARED(kDir);
  const auto map = peer_testing::loadPeerMap("defender");
  std::map<std::string, peer_testing::Run> runs;
  std::vector<Pair> pairs;
  for (const auto& row : expectedRows()) {
    const auto mapped = map.find(row.recommendation);
    if (mapped == map.end() || mapped->second.outOfScope()) continue;
    for (const auto& [manifest, theirs] : row.verdicts) {
      if (!runs.contains(manifest)) {
        runs.emplace(manifest, peer_testing::runAll(
                                   testing::readFile(testing::sharedTestdata() / kDir / manifest),
                                   manifest, kInputs));
      }
      pairs.push_back({manifest, "*", row.recommendation, theirs,
                       peer_testing::ourVerdict(runs.at(manifest), mapped->second)});
    }
  }
  EXPECT_EQ(runs.size(), 2U);
  // 26 pairs, every one agreed: with so few, a single disagreement is under the 98 % floor of
  // the other peers, so the floor here is all of them.
  peer_testing::expectAgreement("defender", pairs, 1.0);
}

}  // namespace
}  // namespace bulwark::checks
