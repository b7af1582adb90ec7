// Differential test of the composer scheme against composer/semver itself (Debian's php-cli
// with php-composer-semver; scripts/install-deps installs them): ONE php process runs
// composer_reference.php over every generated pair (deterministic seed; BULWARK_DIFF_SEED
// overrides it, BULWARK_DIFF_PAIRS the number of pairs of valid versions, >= 100,000 by
// default). For every generated string it checks that normalizeComposer() gives exactly
// VersionParser::normalize()'s string, or fails exactly when normalize() throws; for every pair
// of valid strings that compareComposer() agrees with Comparator::lessThan/equalTo/greaterThan
// on the normalized strings. Two different dev- branches are incomparable for Composer (all
// three are false): there we check that we do not call them equal.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/text.h"
#include "testdata.h"
#include "unit/version/composer/composer_generator.h"
#include "unit/version/reference_process.h"
#include "version/composer.h"

namespace bulwark::version {
namespace {

using testing::fromHex;
using testing::hexOf;
using testing::shown;

const char* kSemver = "/usr/share/php/Composer/Semver/autoload.php";

bool havePhpSemver() {
  return testing::canRun({"php", "-r", std::string("exit(is_file('") + kSemver + "') ? 0 : 1);"});
}

int sign(int v) { return (v > 0) - (v < 0); }

struct Pair {
  std::string a;
  std::string b;
  bool valid = false;
};

// Checks our normalization of `input` against PHP's answer (hex, or "!" for a throw).
bool sameNormalization(const std::string& input, const std::string& php, std::size_t* failures) {
  const auto ours = normalizeComposer(input);
  const bool agree = php == "!" ? !ours.has_value() : (ours.has_value() && *ours == fromHex(php));
  if (!agree && ++*failures <= 20) {
    ADD_FAILURE() << "normalize '" << shown(input) << "': composer "
                  << (php == "!" ? std::string("throws") : "'" + shown(fromHex(php)) + "'")
                  << ", ours " << (ours ? "'" + shown(*ours) + "'" : std::string("refuses"));
  }
  return agree;
}

TEST(ComposerDifferential, AgainstComposerSemver) {
  if (!havePhpSemver()) {
    GTEST_SKIP() << "php-cli or php-composer-semver (" << kSemver
                 << ") is not installed (scripts/install-deps installs them)";
  }
  testing::Rng rng(testing::diffSeed(20240612));
  testing::ComposerGenerator gen(rng);
  const std::size_t wanted = testing::diffPairs(150000);
  std::vector<Pair> pairs;
  std::size_t valid_pairs = 0;
  std::string previous = "1.0.0";
  while (valid_pairs < wanted) {
    std::string a = rng.chance(25) ? gen.mutate(previous) : gen.version();
    std::string b;
    const std::size_t mode = rng.below(100);
    if (mode < 50) {
      b = gen.mutate(a);
    } else if (mode < 56) {
      b = a;
    } else if (mode < 60) {
      b = gen.garbage();
    } else {
      b = gen.version();
    }
    if (rng.chance(2)) a = gen.garbage();
    const bool valid = validComposer(a) && validComposer(b);
    if (!valid && !rng.chance(30)) continue;  // keep enough refused strings to check them
    valid_pairs += valid ? 1 : 0;
    previous = b;
    pairs.push_back({std::move(a), std::move(b), valid});
  }
  std::string input;
  for (const Pair& p : pairs) input += hexOf(p.a) + " " + hexOf(p.b) + "\n";
  const std::string script =
      (bulwark::testing::sourceDir() / "tests/unit/version/composer/composer_reference.php")
          .string();
  const testing::ReferenceRun run = testing::runReference({"php", script}, input);
  ASSERT_TRUE(run.ok) << run.error;
  ASSERT_EQ(run.lines.size(), pairs.size());

  std::size_t normalize_failures = 0;
  std::size_t disagreements = 0;
  std::size_t refused = 0;
  std::size_t incomparable = 0;
  std::size_t counts[3] = {0, 0, 0};
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const Pair& p = pairs[i];
    const std::vector<std::string_view> fields = core::split(run.lines[i], ' ');
    ASSERT_EQ(fields.size(), 3u) << run.lines[i];
    const bool norm_a = sameNormalization(p.a, std::string(fields[0]), &normalize_failures);
    const bool norm_b = sameNormalization(p.b, std::string(fields[1]), &normalize_failures);
    const std::string_view answer = fields[2];
    if (answer == "E") {
      ++refused;
      EXPECT_FALSE(p.valid) << shown(p.a) << " / " << shown(p.b);
      continue;
    }
    if (!norm_a || !norm_b) continue;
    const int got = sign(compareComposer(p.a, p.b));
    if (sign(compareComposer(p.b, p.a)) != -got)
      ADD_FAILURE() << "not antisymmetric: " << shown(p.a);
    ASSERT_NE(answer, "M") << "Composer says several of <, =, > for '" << shown(p.a) << "', '"
                           << shown(p.b) << "'";
    if (answer == "X") {
      ++incomparable;
      if (got == 0 && ++disagreements <= 20) {
        ADD_FAILURE() << "'" << shown(p.a) << "' vs '" << shown(p.b)
                      << "': incomparable for Composer, equal for us";
      }
      continue;
    }
    const int expected = answer == "-1" ? -1 : (answer == "0" ? 0 : 1);
    ++counts[expected + 1];
    if (got != expected && ++disagreements <= 20) {
      ADD_FAILURE() << "'" << shown(p.a) << "' vs '" << shown(p.b) << "': Composer " << expected
                    << ", ours " << got;
    }
  }
  EXPECT_EQ(normalize_failures, 0u);
  EXPECT_EQ(disagreements, 0u);
  EXPECT_GE(counts[0] + counts[1] + counts[2] + incomparable, wanted);
  EXPECT_GT(counts[0], wanted / 10) << "too few '<'";
  EXPECT_GT(counts[1], wanted / 20) << "too few '='";
  EXPECT_GT(counts[2], wanted / 10) << "too few '>'";
  EXPECT_GT(refused, wanted / 100) << "too few refused strings checked";
  std::printf(
      "composer vs composer/semver: %zu valid pairs (%zu <, %zu =, %zu >, %zu "
      "incomparable branches), %zu pairs with a refused string, %zu disagreements, "
      "%zu normalization differences\n",
      counts[0] + counts[1] + counts[2] + incomparable, counts[0], counts[1], counts[2],
      incomparable, refused, disagreements, normalize_failures);
}

}  // namespace
}  // namespace bulwark::version
