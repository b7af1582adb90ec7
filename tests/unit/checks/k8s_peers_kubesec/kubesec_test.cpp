// Agreement with kubesec (docs/dev/k8s-design.md §6): EXPECTED.md, extracted from kubesec's bats
// tests, asserts a score band per fixture. kubesec adds points for good settings and takes them
// away for critical ones, so the comparable verdicts are:
//
//   score < 0 (assert_lt_zero_points)  ↔ one of our checks mapped from kubesec's negative-point
//                                         rules fails; score 0 or > 0 ↔ none does;
//   a `score-1-*` file passing (> 0)   ↔ our check mapped from the positive rule the file is
//                                         named after passes (ro-root-fs → BW-K8S-501, …);
//   a kind kubesec rejects / accepts   ↔ BW-K8S-601 fails / passes;
//   a document kubesec cannot read     ↔ BW-K8S-602.
//
// Rows of 3_todo.bats (kubesec's own unfinished tests, skipped upstream), rows that only run in
// kubesec's HTTP server mode (form prefixes, content types) and rows without a verdict
// (assert_success alone) are counted but not compared.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
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

constexpr std::string_view kPeer = "kubesec";
constexpr std::string_view kDir = "hardening/kubesec";
constexpr std::string_view kCritical = "critical (score < 0)";

struct Row {
  std::string bats;  // "1_cli.bats"
  std::string test;
  std::string fixture;  // under test/asset; may name several or a prefix (3_todo.bats)
  std::string assertions;
};

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(' ');
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(' ');
  return std::string(text.substr(begin, end - begin + 1));
}

// The table rows of EXPECTED.md: `| bats | test | fixture(s) | assertion(s) |`.
std::vector<Row> loadExpected() {
  std::vector<Row> rows;
  std::istringstream in(testing::readFile(testing::sharedTestdata() / kDir / "EXPECTED.md"));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("| ") || line.starts_with("| bats file") || line.starts_with("|---")) {
      continue;
    }
    std::vector<std::string> cells;
    std::size_t start = 1;
    for (std::size_t bar = line.find(" | ", start); bar != std::string::npos;
         bar = line.find(" | ", start)) {
      cells.push_back(trim(std::string_view(line).substr(start, bar - start)));
      start = bar + 2;
    }
    std::string last = line.substr(start);
    if (last.ends_with("|")) last.pop_back();
    cells.push_back(trim(last));
    EXPECT_GE(cells.size(), 4U) << "EXPECTED.md: " << line;
    if (cells.size() < 4) continue;
    rows.push_back({cells[0], cells[1], cells[2], cells[3]});
  }
  return rows;
}

// The positive kubesec rule a `score-1-*` fixture is named after.
std::optional<std::string> positiveRule(std::string_view fixture) {
  static const std::vector<std::pair<std::string_view, std::string_view>> kRules = {
      {"ro-root-fs", "ReadOnlyRootFilesystem"},
      {"run-as-non-root", "RunAsNonRoot"},
      {"run-as-user-10001", "RunAsUser"},
      {"run-as-group-10001", "RunAsGroup"},
      {"resource-limit-cpu", "LimitsCPU"},
      {"resource-limit-memory", "LimitsMemory"},
      {"cap-drop-all", "CapDropAll"},
      {"automount-sa-set-to-false", "AutomountServiceAccountToken"},
      {"hostUsers-set-to-false", "HostUsers"},
      {"apparmor-nonunconfined", "ApparmorAny"},
      {"seccomp-nonunconfined", "SeccompAny"},
      {"serviceaccount", "ServiceAccountName"},
  };
  for (const auto& [part, rule] : kRules) {
    if (fixture.find(part) != std::string_view::npos) return std::string(rule);
  }
  return std::nullopt;
}

// Our verdict on kubesec's critical rules: the row's checks, except that BW-K8S-122 (which
// fails whenever allowPrivilegeEscalation is not false, as PSS restricted asks) only counts
// where the field is explicitly true, the one case kubesec takes points for.
Ours ourCritical(const Run& run, const MapRow& row) {
  MapRow others = row;
  std::erase(others.ours, "BW-K8S-122");
  const Ours rest = ourVerdict(run, others);
  if (rest == Ours::Fail) return rest;
  for (const auto& result : run.results) {
    if (result.check_id != "BW-K8S-122" || result.status != model::CheckStatus::Fail) continue;
    for (const auto& evidence : result.evidence) {
      if (evidence.observed.find("true") != std::string::npos) return Ours::Fail;
    }
  }
  return rest;
}

// Whether a kind is one we do not check: BW-K8S-601 reports it as a not-evaluated result, which
// is the verdict kubesec's rejection corresponds to.
Ours unsupportedKind(const Run& run, const MapRow& row) {
  const Ours ours = ourVerdict(run, row);
  return ours == Ours::NotEvaluated ? Ours::Fail : ours;
}

Ours unreadable(const Run& run) {
  for (const auto& problem : run.inventory.problems) {
    if (problem.check_id == "BW-K8S-602") return Ours::Fail;
  }
  return Ours::Pass;
}

TEST(KubesecPeer, Agreement) {
  BULWARK_REQUIRE_SHARED(kDir);
  const auto map = loadPeerMap(kPeer);
  const fs::path assets = testing::sharedTestdata() / kDir / "test" / "asset";
  std::map<std::string, peer_testing::Run> runs;
  const auto runOf = [&](const std::string& file) -> const peer_testing::Run& {
    auto it = runs.find(file);
    if (it == runs.end()) {
      it = runs.emplace(file, runAll(testing::readFile(assets / file), file)).first;
    }
    return it->second;
  };
  const auto rowOf = [&](std::string_view check) -> const MapRow& {
    const auto it = map.find(std::string(check));
    EXPECT_NE(it, map.end()) << "kubesec.map.tsv has no row for " << check;
    static const MapRow kNone;
    return it == map.end() ? kNone : it->second;
  };

  std::vector<Pair> pairs;
  std::set<std::string> compared;
  const auto add = [&](const std::string& file, std::string_view check, Verdict theirs, Ours ours) {
    if (compared.insert(file + '\t' + std::string(check)).second) {
      pairs.push_back({"test/asset/" + file, "*", std::string(check), theirs, ours});
    }
  };
  std::size_t rows = 0;
  std::size_t skipped = 0;
  std::size_t out_of_scope = 0;
  for (const auto& row : loadExpected()) {
    ++rows;
    const std::string& file = row.fixture;
    const bool remote = row.test.find("remote") != std::string::npos;
    if (row.bats == "3_todo.bats" || remote || file.find(' ') != std::string::npos ||
        !fs::is_regular_file(assets / file)) {
      ++skipped;
      continue;
    }
    const std::string& a = row.assertions;
    const bool lt = a.find("assert_lt_zero_points") != std::string::npos;
    const bool zero = a.find("assert_zero_points") != std::string::npos;
    const bool gt = a.find("assert_gt_zero_points") != std::string::npos;
    if (lt || zero || gt) {
      add(file, kCritical, lt ? Verdict::Fail : Verdict::Pass,
          ourCritical(runOf(file), rowOf(kCritical)));
      const auto rule = positiveRule(file);
      if (gt && file.starts_with("score-") && rule) {
        const MapRow& mapped = rowOf(*rule);
        if (mapped.outOfScope()) {
          ++out_of_scope;
        } else {
          add(file, *rule, Verdict::Pass, ourVerdict(runOf(file), mapped));
        }
      }
    } else if (a.find("Only kinds") != std::string::npos) {
      // "allow Pod" refutes the message, "deny PodSecurityPolicy" asserts it.
      const bool denied = a.starts_with("assert_output");
      add(file, "kind supported", denied ? Verdict::Fail : Verdict::Pass,
          unsupportedKind(runOf(file), rowOf("kind supported")));
    } else if (a.find("apiVersion' key") != std::string::npos &&
               a.find("assert_failure") != std::string::npos) {
      add(file, "invalid input", Verdict::Fail, unreadable(runOf(file)));
    } else {
      ++skipped;
    }
  }
  std::cout << fmt::format(
      "kubesec: {} rows of EXPECTED.md; {} not compared (3_todo.bats, server mode, no verdict), "
      "{} positive rules out of scope; {} verdict pairs\n",
      rows, skipped, out_of_scope, pairs.size());
  EXPECT_EQ(rows, 85U);
  // 71/73 (97.3 %): below the 98 % goal of docs/dev/k8s-design.md §6.1; every difference is listed
  // with its reason in kubesec.disagreements.tsv and docs/compat.md. The floor holds today's figure
  // so that a new disagreement still fails; raise it when the count drops.
  expectAgreement(kPeer, pairs, 71.0 / 73.0);
}

// kubesec fails on an empty file; we read no object from it and report nothing, without a
// crash (an empty manifest is a valid, empty stream).
TEST(KubesecPeer, EmptyFileGivesNoResult) {
  BULWARK_REQUIRE_SHARED(kDir);
  const fs::path file = testing::sharedTestdata() / kDir / "test" / "asset" / "empty-file";
  const peer_testing::Run run = runAll(testing::readFile(file), "empty-file");
  EXPECT_TRUE(run.inventory.objects.empty());
  EXPECT_TRUE(run.inventory.problems.empty());
}

}  // namespace
}  // namespace bulwark::checks
