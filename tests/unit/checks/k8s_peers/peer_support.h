// Agreement with a peer's own fixtures (docs/dev/k8s-design.md §6.1): each peer test turns the
// peer's fixtures into verdict pairs (fixture, object, peer check, theirs, ours), where ours
// comes from every built-in Kubernetes check at the latest rules and the peer check is mapped to
// ours by tests/fixtures/k8s/peers/<peer>.map.tsv. The test then requires ≥ 98 % agreement and
// that the disagreements are exactly the ones listed, with a reason, in
// tests/fixtures/k8s/peers/<peer>.disagreements.tsv (each reason is a paragraph of
// docs/compat.md), so a new disagreement or a fixed one both show up.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/k8s/inventory.h"
#include "checks/k8s/manifest.h"
#include "model/check.h"
#include "testdata.h"

namespace bulwark::checks::peer_testing {

// The built-in checks, loaded once per test binary.
inline const CheckSet& builtinSet() {
  static const CheckSet set = [] {
    auto loaded = loadBuiltinChecks();
    if (!loaded) ADD_FAILURE() << "built-in checks do not load: " << loaded.error().message;
    return loaded ? std::move(*loaded) : CheckSet{};
  }();
  return set;
}

// One row of <peer>.map.tsv: `peer_check <TAB> ours <TAB> where_regex <TAB> note`. `ours` is a
// comma-separated list of our check ids (any of them failing is a fail), a '+'-separated one
// (a fail only when every one of them fails: the peer asks for one of several protections,
// BW-K8S-305+BW-K8S-310 "isolated in some direction"), or `out-of-scope` (the note says why).
// `where_regex`, when not empty, narrows a fail to evidence whose `where` matches it (polaris
// hostIPCSet → BW-K8S-102 only where `hostIPC` is). '#' starts a comment.
struct MapRow {
  std::string peer_check;
  std::vector<std::string> ours;
  bool all = false;  // '+': every listed check must fail
  std::string where;
  std::string note;
  [[nodiscard]] bool outOfScope() const { return ours.empty(); }
};

inline std::vector<std::string> splitTabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t tab = line.find('\t', start);
    fields.push_back(
        line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return fields;
}

inline std::filesystem::path peerFile(std::string_view peer, std::string_view suffix) {
  return testing::fixtures() / "k8s" / "peers" / fmt::format("{}.{}", peer, suffix);
}

// peer check → its row (one row per peer check).
inline std::map<std::string, MapRow> loadPeerMap(std::string_view peer) {
  std::map<std::string, MapRow> rows;
  std::istringstream in(testing::readFile(peerFile(peer, "map.tsv")));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    const auto fields = splitTabs(line);
    EXPECT_GE(fields.size(), 2U) << peer << ".map.tsv: " << line;
    if (fields.size() < 2) continue;
    MapRow row;
    row.peer_check = fields[0];
    if (fields[1] != "out-of-scope") {
      row.all = fields[1].find('+') != std::string::npos;
      std::istringstream ids(fields[1]);
      std::string id;
      while (std::getline(ids, id, row.all ? '+' : ',')) row.ours.push_back(id);
    }
    if (fields.size() > 2) row.where = fields[2];
    if (fields.size() > 3) row.note = fields[3];
    EXPECT_TRUE(rows.emplace(row.peer_check, row).second)
        << peer << ".map.tsv lists " << row.peer_check << " twice";
  }
  EXPECT_FALSE(rows.empty()) << "no rows in " << peerFile(peer, "map.tsv");
  return rows;
}

// Every built-in Kubernetes check over one manifest text at the latest rules.
struct Run {
  k8s::Inventory inventory;
  std::vector<model::CheckResult> results;
};

inline Run runAll(std::string_view text, std::string_view source,
                  const std::map<std::string, std::vector<std::string>>& inputs = {}) {
  Run run;
  core::Diagnostics diagnostics;
  k8s::addManifestText(text, source, k8s::ManifestOptions{}, run.inventory, diagnostics);
  run.inventory.index();
  EvalContext context;
  context.inputs = inputs;
  run.results = evaluateK8s(builtinSet(), run.inventory, context);
  return run;
}

enum class Verdict { Pass, Fail };
enum class Ours { Pass, Fail, NotApplicable, NotEvaluated, NoResult };

inline std::string_view toString(Verdict v) { return v == Verdict::Pass ? "pass" : "fail"; }
inline std::string_view toString(Ours v) {
  switch (v) {
    case Ours::Pass: return "pass";
    case Ours::Fail: return "fail";
    case Ours::NotApplicable: return "not-applicable";
    case Ours::NotEvaluated: return "not-evaluated";
    case Ours::NoResult: return "no-result";
  }
  return "?";
}

// Our verdict for a mapped row on one object (its resource name, "k8s:ns/Kind/name") or, with
// an empty `resource`, on the whole fixture: a fail (narrowed by the row's `where`) wins, then
// not-evaluated, then pass, then not-applicable.
inline Ours ourVerdict(const Run& run, const MapRow& row, std::string_view resource = {}) {
  if (row.all && row.ours.size() > 1) {
    // A fail when each fails; otherwise what the others say, not-evaluated first.
    std::vector<Ours> each;
    for (const auto& id : row.ours) {
      MapRow one = row;
      one.all = false;
      one.ours = {id};
      each.push_back(ourVerdict(run, one, resource));
    }
    const auto has = [&](Ours v) { return std::find(each.begin(), each.end(), v) != each.end(); };
    if (std::all_of(each.begin(), each.end(), [](Ours v) { return v == Ours::Fail; })) {
      return Ours::Fail;
    }
    if (has(Ours::NotEvaluated)) return Ours::NotEvaluated;
    if (has(Ours::Pass) || has(Ours::Fail)) return Ours::Pass;
    return has(Ours::NotApplicable) ? Ours::NotApplicable : Ours::NoResult;
  }
  const std::regex where(row.where.empty() ? std::string(".*") : row.where);
  bool fail = false;
  bool not_evaluated = false;
  bool pass = false;
  bool not_applicable = false;
  for (const auto& result : run.results) {
    if (!resource.empty() && result.resource != resource) continue;
    if (std::find(row.ours.begin(), row.ours.end(), result.check_id) == row.ours.end()) continue;
    switch (result.status) {
      case model::CheckStatus::Fail: {
        const bool narrowed =
            row.where.empty() || std::any_of(result.evidence.begin(), result.evidence.end(),
                                             [&](const model::Evidence& e) {
                                               return std::regex_search(e.where, where);
                                             });
        (narrowed ? fail : pass) = true;
        break;
      }
      case model::CheckStatus::NotEvaluated: not_evaluated = true; break;
      case model::CheckStatus::Pass: pass = true; break;
      case model::CheckStatus::NotApplicable: not_applicable = true; break;
      default: break;  // manual: no verdict
    }
  }
  if (fail) return Ours::Fail;
  if (not_evaluated) return Ours::NotEvaluated;
  if (pass) return Ours::Pass;
  if (not_applicable) return Ours::NotApplicable;
  return Ours::NoResult;
}

// pass ↔ pass, not-applicable or no result (nothing of ours fails); fail ↔ fail;
// not-evaluated never agrees.
inline bool agrees(Verdict theirs, Ours ours) {
  if (theirs == Verdict::Fail) return ours == Ours::Fail;
  return ours == Ours::Pass || ours == Ours::NotApplicable || ours == Ours::NoResult;
}

struct Pair {
  std::string fixture;  // relative to the peer's folder in ../shared/testdata
  std::string object;   // our resource name, or "*" for the whole fixture
  std::string peer_check;
  Verdict theirs = Verdict::Pass;
  Ours ours = Ours::NoResult;
  [[nodiscard]] std::string key() const {
    return fmt::format("{}\t{}\t{}\t{}\t{}", fixture, object, peer_check, toString(theirs),
                       toString(ours));
  }
};

// The figures and the two assertions of §6.1: agreement ≥ 98 % over the mapped pairs, and the
// disagreements equal to <peer>.disagreements.tsv (`fixture object peer_check theirs ours
// reason-key`; every line needs a reason key). Prints "peer: N/M agree (P %)".
inline void expectAgreement(std::string_view peer, const std::vector<Pair>& pairs,
                            double floor = 0.98) {
  std::set<std::string> known;
  {
    std::istringstream in(testing::readFile(peerFile(peer, "disagreements.tsv")));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line.front() == '#') continue;
      const auto fields = splitTabs(line);
      EXPECT_EQ(fields.size(), 6U) << peer << ".disagreements.tsv: " << line;
      if (fields.size() != 6) continue;
      EXPECT_FALSE(fields[5].empty()) << "no reason key: " << line;
      known.insert(
          fmt::format("{}\t{}\t{}\t{}\t{}", fields[0], fields[1], fields[2], fields[3], fields[4]));
    }
  }
  std::set<std::string> found;
  for (const auto& pair : pairs) {
    if (!agrees(pair.theirs, pair.ours)) found.insert(pair.key());
  }
  const std::size_t agree = pairs.size() - found.size();
  const double ratio = pairs.empty() ? 0.0 : static_cast<double>(agree) / pairs.size();
  std::cout << fmt::format("{}: {}/{} agree ({:.1f} %)\n", peer, agree, pairs.size(),
                           100.0 * ratio);
  EXPECT_FALSE(pairs.empty()) << peer << ": no verdict pairs";
  EXPECT_GE(ratio, floor) << peer << ": agreement below the floor";
  for (const auto& key : found) {
    EXPECT_TRUE(known.contains(key)) << "new disagreement with " << peer << "; fix it or add to "
                                     << peer << ".disagreements.tsv with a reason key:\n"
                                     << key << "\t<reason-key>";
  }
  for (const auto& key : known) {
    EXPECT_TRUE(found.contains(key)) << "listed disagreement no longer happens; remove it from "
                                     << peer << ".disagreements.tsv:\n"
                                     << key;
  }
}

}  // namespace bulwark::checks::peer_testing
