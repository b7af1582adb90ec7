// Agreement with polaris (docs/dev/k8s-design.md §6): its check fixtures, read in place from
// ../shared/testdata/hardening/polaris/test/checks/<check>/<file>, where the folder is the
// polaris check id and the file name's prefix the verdict: `success*` and `mutated*` (polaris'
// own fix applied) mean no object fails the check, `failure*` that at least one does. Each file
// gives one verdict pair per mapped check (tests/fixtures/k8s/peers/polaris.map.tsv);
// `check.yaml` files are custom check definitions, not fixtures.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "testdata.h"
#include "unit/checks/k8s_peers/peer_support.h"

namespace bulwark::checks {
namespace {

namespace fs = std::filesystem;
using peer_testing::Pair;
using peer_testing::Verdict;

constexpr std::string_view kDir = "hardening/polaris/test/checks";

struct Fixture {
  std::string check;     // the folder: polaris' check id
  std::string relative;  // "hostIPCSet/failure.yaml", relative to test/checks
  Verdict theirs = Verdict::Pass;
};

// Every fixture, sorted so the pairs (and any failure message) come in a stable order.
std::vector<Fixture> fixtures() {
  std::vector<Fixture> found;
  for (const auto& folder : fs::directory_iterator(testing::sharedTestdata() / kDir)) {
    if (!folder.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(folder.path())) {
      const std::string name = file.path().filename().string();
      Fixture f{folder.path().filename().string(), folder.path().filename().string() + "/" + name,
                Verdict::Pass};
      if (name.starts_with("failure")) {
        f.theirs = Verdict::Fail;
      } else if (!name.starts_with("success") && !name.starts_with("mutated")) {
        continue;  // check.yaml: a custom check's definition
      }
      found.push_back(std::move(f));
    }
  }
  std::sort(found.begin(), found.end(),
            [](const Fixture& a, const Fixture& b) { return a.relative < b.relative; });
  return found;
}

TEST(PolarisPeer, EveryCheckIsMapped) {
  BULWARK_REQUIRE_SHARED(kDir);
  const auto map = peer_testing::loadPeerMap("polaris");
  std::set<std::string> seen;
  for (const auto& f : fixtures()) seen.insert(f.check);
  EXPECT_EQ(seen.size(), 47U);  // every check folder of polaris' test/checks
  for (const auto& check : seen) {
    EXPECT_TRUE(map.contains(check))
        << "polaris check " << check << " is not in polaris.map.tsv (map it or say why not)";
  }
  for (const auto& [check, row] : map) {
    EXPECT_TRUE(seen.contains(check))
        << "polaris.map.tsv lists " << check << ", which no fixture names";
  }
}

// A mapped polaris check is named in the references of each of our checks it maps to
// (`polaris:<check>`), so users see the correspondence.
TEST(PolarisPeer, MappedChecksNameThePeerInReferences) {
  const auto map = peer_testing::loadPeerMap("polaris");
  for (const auto& [check, row] : map) {
    for (const auto& ours : row.ours) {
      const auto& checks = peer_testing::builtinSet().checks;
      const auto it =
          std::find_if(checks.begin(), checks.end(), [&](const auto& c) { return c.id == ours; });
      ASSERT_NE(it, checks.end()) << "polaris.map.tsv maps " << check << " to unknown " << ours;
      const std::string reference = "polaris:" + check;
      EXPECT_NE(std::find(it->references.begin(), it->references.end(), reference),
                it->references.end())
          << ours << " does not list " << reference << " in references";
    }
  }
}

TEST(PolarisPeer, AgreesOnTheFixtures) {
  BULWARK_REQUIRE_SHARED(kDir);
  const auto map = peer_testing::loadPeerMap("polaris");
  std::vector<Pair> pairs;
  for (const auto& f : fixtures()) {
    const auto row = map.find(f.check);
    if (row == map.end() || row->second.outOfScope()) continue;  // EveryCheckIsMapped reports
    const auto run = peer_testing::runAll(
        testing::readFile(testing::sharedTestdata() / kDir / f.relative), f.relative);
    pairs.push_back(
        {f.relative, "*", f.check, f.theirs, peer_testing::ourVerdict(run, row->second)});
  }
  // 216/222 (97.3 %): below the 98 % goal of docs/dev/k8s-design.md §6.1; every difference is
  // listed with its reason in polaris.disagreements.tsv and docs/compat.md. The floor holds
  // today's figure so that a new disagreement still fails; raise it when the count drops.
  peer_testing::expectAgreement("polaris", pairs, 216.0 / 222.0);
}

}  // namespace
}  // namespace bulwark::checks
