// Differential tests of the gem scheme against RubyGems itself (Debian's ruby; scripts/
// install-deps installs it): one ruby process per test runs gem_reference.rb over every
// generated case (deterministic seed; BULWARK_DIFF_SEED overrides it, BULWARK_DIFF_PAIRS the
// number of pairs).
//
//   compare      Gem::Version.new(a) <=> Gem::Version.new(b) on >= 100,000 pairs of strings
//                Gem::Version accepts (validGem decides which; the same run checks, on every
//                generated string including the refused ones, that Gem::Version raises exactly
//                when validGem says no);
//   requirement  Gem::Requirement.new(*r.split(",", -1)).satisfied_by?(v) on >= 20,000 cases,
//                and that Gem::Requirement raises exactly when parseGemRequirement fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "testdata.h"
#include "unit/version/gem/gem_generator.h"
#include "unit/version/reference_process.h"
#include "version/gem.h"

namespace bulwark::version {
namespace {

using testing::hexOf;
using testing::shown;

std::string script() {
  return (bulwark::testing::sourceDir() / "tests/unit/version/gem/gem_reference.rb").string();
}

bool haveRuby() { return testing::canRun({"ruby", "-e", "exit(Gem::Version.new('1') ? 0 : 1)"}); }

int sign(int v) { return (v > 0) - (v < 0); }

struct Pair {
  std::string a;
  std::string b;
  bool valid = false;
};

TEST(GemDifferential, CompareAgainstRubyGems) {
  if (!haveRuby()) GTEST_SKIP() << "ruby is not installed (scripts/install-deps installs it)";
  testing::Rng rng(testing::diffSeed(20240611));
  testing::GemGenerator gen(rng);
  const std::size_t wanted = testing::diffPairs(150000);
  std::vector<Pair> pairs;
  std::size_t valid_pairs = 0;
  std::string previous = "1.0";
  while (valid_pairs < wanted) {
    std::string a = rng.chance(25) ? gen.mutate(previous) : gen.version();
    std::string b;
    const std::size_t mode = rng.below(100);
    if (mode < 50) {
      b = gen.mutate(a);
    } else if (mode < 58) {
      b = a;
    } else if (mode < 62) {
      b = gen.garbage();
    } else {
      b = gen.version();
    }
    if (rng.chance(3)) a = gen.garbage();
    const bool valid = validGem(a) && validGem(b);
    // Keep every valid pair, and enough refused ones to check validGem against Ruby.
    if (!valid && !rng.chance(30)) continue;
    valid_pairs += valid ? 1 : 0;
    previous = b;
    pairs.push_back({std::move(a), std::move(b), valid});
  }
  std::string input;
  for (const Pair& p : pairs) input += "cmp " + hexOf(p.a) + " " + hexOf(p.b) + "\n";
  const testing::ReferenceRun run = testing::runReference({"ruby", script()}, input);
  ASSERT_TRUE(run.ok) << run.error;
  ASSERT_EQ(run.lines.size(), pairs.size());

  std::size_t disagreements = 0;
  std::size_t validity_mismatches = 0;
  std::size_t refused = 0;
  std::size_t counts[3] = {0, 0, 0};
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const Pair& p = pairs[i];
    const std::string& answer = run.lines[i];
    if ((answer == "E") == p.valid) {
      if (++validity_mismatches <= 20) {
        ADD_FAILURE() << "validity: '" << shown(p.a) << "' / '" << shown(p.b) << "': ruby "
                      << answer << ", validGem " << validGem(p.a) << "/" << validGem(p.b);
      }
      continue;
    }
    if (answer == "E") {
      ++refused;
      continue;
    }
    const int expected = std::stoi(answer);
    ++counts[expected + 1];
    const int got = sign(compareGem(p.a, p.b));
    if (got != expected && ++disagreements <= 20) {
      ADD_FAILURE() << "'" << shown(p.a) << "' vs '" << shown(p.b) << "': RubyGems " << expected
                    << ", ours " << got;
    }
    if (sign(compareGem(p.b, p.a)) != -got) ADD_FAILURE() << "not antisymmetric: " << shown(p.a);
  }
  EXPECT_EQ(disagreements, 0u);
  EXPECT_EQ(validity_mismatches, 0u);
  EXPECT_GE(counts[0] + counts[1] + counts[2], wanted);
  EXPECT_GT(counts[0], wanted / 10) << "too few '<'";
  EXPECT_GT(counts[1], wanted / 20) << "too few '='";
  EXPECT_GT(counts[2], wanted / 10) << "too few '>'";
  EXPECT_GT(refused, wanted / 100) << "too few refused strings checked";
  std::printf(
      "gem vs RubyGems: %zu valid pairs (%zu <, %zu =, %zu >), %zu refused pairs, "
      "%zu disagreements\n",
      counts[0] + counts[1] + counts[2], counts[0], counts[1], counts[2], refused, disagreements);
}

struct RequirementCase {
  std::string requirement;
  std::string version;
};

TEST(GemDifferential, RequirementAgainstRubyGems) {
  if (!haveRuby()) GTEST_SKIP() << "ruby is not installed (scripts/install-deps installs it)";
  testing::Rng rng(testing::diffSeed(20240611) + 1);
  testing::GemGenerator gen(rng);
  const std::size_t wanted = std::max<std::size_t>(testing::diffPairs(150000) / 5, 20000);
  std::vector<RequirementCase> cases;
  while (cases.size() < wanted) {
    // Requirement versions: trimmed valid versions, so that clause blanks are the only blanks.
    std::vector<std::string> versions;
    const std::size_t clauses = 1 + (rng.chance(30) ? rng.below(3) : 0);
    std::string requirement;
    for (std::size_t c = 0; c < clauses; ++c) {
      std::string v = gen.version();
      if (rng.chance(10)) v = gen.mutate(v);
      versions.push_back(v);
      if (c != 0) requirement += rng.chance(70) ? ", " : ",";
      requirement += gen.clause(v);
    }
    if (rng.chance(3)) requirement = gen.mutate(requirement);
    if (requirement.empty()) continue;  // Ruby reads "" as ">= 0"; we refuse it (tested apart)
    // Candidate versions near the boundaries: the versions themselves, mutated, bumped.
    for (int k = 0; k < 4; ++k) {
      std::string v = versions[rng.below(versions.size())];
      switch (rng.below(4)) {
        case 0: break;
        case 1: v = gen.mutate(v); break;
        case 2: v = gen.mutate(gen.mutate(v)); break;
        default: v = gen.version(); break;
      }
      if (!validGem(v)) continue;
      cases.push_back({requirement, v});
    }
  }
  std::string input;
  for (const RequirementCase& c : cases) {
    input += "req " + hexOf(c.requirement) + " " + hexOf(c.version) + "\n";
  }
  const testing::ReferenceRun run = testing::runReference({"ruby", script()}, input);
  ASSERT_TRUE(run.ok) << run.error;
  ASSERT_EQ(run.lines.size(), cases.size());
  std::size_t disagreements = 0;
  std::size_t counts[3] = {0, 0, 0};  // refused, false, true
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const RequirementCase& c = cases[i];
    const std::string& answer = run.lines[i];
    const auto parsed = parseGemRequirement(c.requirement);
    std::string ours = "E";
    if (parsed) ours = parsed->satisfiedBy(c.version) ? "true" : "false";
    ++counts[answer == "E" ? 0 : (answer == "false" ? 1 : 2)];
    if (ours != answer && ++disagreements <= 20) {
      ADD_FAILURE() << "'" << shown(c.requirement) << "' on '" << shown(c.version) << "': RubyGems "
                    << answer << ", ours " << ours;
    }
  }
  EXPECT_EQ(disagreements, 0u);
  EXPECT_GT(counts[1], cases.size() / 10) << "too few unsatisfied";
  EXPECT_GT(counts[2], cases.size() / 10) << "too few satisfied";
  EXPECT_GT(counts[0], cases.size() / 100) << "too few refused requirements";
  std::printf(
      "gem requirements vs RubyGems: %zu checks (%zu satisfied, %zu not, %zu refused), "
      "%zu disagreements\n",
      cases.size(), counts[2], counts[1], counts[0], disagreements);
}

}  // namespace
}  // namespace bulwark::version
