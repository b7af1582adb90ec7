// The "composer" scheme: VersionParser::normalize() and Comparator. The expected values are
// composer/semver's own VersionParserTest cases plus edge cases, each checked with Debian's
// php-composer-semver 3.3.2 (tests/unit/version/composer/composer_reference.php).
#include "version/composer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/version/composer/composer_generator.h"
#include "unit/version/vectors.h"

namespace bulwark::version {
namespace {

using testing::checkCases;
using testing::sign;

struct NormalizeCase {
  const char* input;
  const char* normalized;  // nullptr: normalize() throws
};

void checkNormalize(std::initializer_list<NormalizeCase> cases) {
  for (const NormalizeCase& c : cases) {
    const auto got = normalizeComposer(c.input);
    std::string_view problem;
    const bool valid = validComposer(c.input, &problem);
    if (c.normalized == nullptr) {
      EXPECT_FALSE(got.has_value()) << "'" << c.input << "' -> '" << (got ? *got : "") << "'";
      EXPECT_FALSE(valid) << c.input;
      EXPECT_FALSE(problem.empty()) << c.input;
      if (!got) {
        EXPECT_EQ(got.error().code, core::ErrorCode::Input);
      }
    } else {
      EXPECT_TRUE(got.has_value()) << "'" << c.input << "' refused";
      if (got) {
        EXPECT_EQ(*got, c.normalized) << "'" << c.input << "'";
      }
      EXPECT_TRUE(valid) << c.input;
    }
  }
}

TEST(ComposerNormalize, Classical) {
  checkNormalize({
      {"1.0.0", "1.0.0.0"},
      {"1.2.3.4", "1.2.3.4"},
      {"0", "0.0.0.0"},
      {"12345", "12345.0.0.0"},
      {"v1.0.0", "1.0.0.0"},
      {"V1.0.0", "1.0.0.0"},
      {" 1.0.0", "1.0.0.0"},
      {"1.0.0 ", "1.0.0.0"},
      {"00.01.03.04", "00.01.03.04"},
      {"0700", "0700.0.0.0"},
      {"2010.01", "2010.01.0.0"},
      {"2010.01.02", "2010.01.02.0"},
      {"1.0-", "1.0.0.0"},
  });
}

TEST(ComposerNormalize, Stabilities) {
  checkNormalize({
      {"1.0.0RC1dev", "1.0.0.0-RC1-dev"},
      {"1.0.0-rC15-dev", "1.0.0.0-RC15-dev"},
      {"1.0.0.RC.15-dev", "1.0.0.0-RC15-dev"},
      {"1.0.0-rc1", "1.0.0.0-RC1"},
      {"1.0_rc1", "1.0.0.0-RC1"},
      {"1.0.0.pl3-dev", "1.0.0.0-patch3-dev"},
      {"1.0-dev", "1.0.0.0-dev"},
      {"1.0.-dev", "1.0.0.0-dev"},
      {"10.4.13-beta", "10.4.13.0-beta"},
      {"10.4.13beta2", "10.4.13.0-beta2"},
      {"10.4.13beta.2", "10.4.13.0-beta2"},
      {"v1.13.11-beta.0", "1.13.11.0-beta0"},
      {"1.13.11.0-beta0", "1.13.11.0-beta0"},
      {"10.4.13-b", "10.4.13.0-beta"},
      {"10.4.13-b5", "10.4.13.0-beta5"},
      {"1.0-stable", "1.0.0.0"},         // exactly "stable": the numbers alone
      {"1.0-stable-dev", "1.0.0.0"},     // ... even with -dev
      {"1.0-STABLE", "1.0.0.0-stable"},  // any other case is kept as a suffix
      {"1.0-patch", "1.0.0.0-patch"},
      {"1.0-pl2", "1.0.0.0-patch2"},
      {"1.0-p.3", "1.0.0.0-patch3"},
      {"1.0.0-a1.2", "1.0.0.0-alpha1.2"},
      {"1.0.0-alpha-2.1-3+foo", "1.0.0.0-alpha2.1-3"},
  });
}

TEST(ComposerNormalize, DatesAndBuildMetadata) {
  checkNormalize({
      {"v20100102", "20100102"},
      {"2010-01-02", "2010.01.02"},
      {"2010-01-02.5", "2010.01.02.5"},
      {"2010:01:02", "2010.01.02"},
      {"2010:01:02-beta3", "2010.01.02-beta3"},
      {"2010-01-02-", "2010.01.02"},
      {"20100102-203040", "20100102.203040"},
      {"20100102.203040-alpha", "20100102.203040-alpha"},
      {"20100102203040-10", "20100102203040.10"},
      {"20100102-203040-p1", "20100102.203040-patch1"},
      {"201903.0", "201903.0"},
      {"201903.0-p2", "201903.0-patch2"},
      {"123456", "123456"},
      {"20100102123456789", "20100102123456789"},
      {"201001021234567890123", nullptr},  // more digits than the date pattern allows
      {"1.0.0+foo", "1.0.0.0"},
      {"1.0.0-beta.5+foo", "1.0.0.0-beta5"},
      {"1.0.0+foo@dev", "1.0.0.0"},
      {"1.0.0+foo bar", nullptr},
  });
}

TEST(ComposerNormalize, BranchesAliasesFlags) {
  checkNormalize({
      {"dev-master", "dev-master"},
      {"master", "dev-master"},
      {"trunk", "dev-trunk"},
      {"default", "dev-default"},
      {"DEV-FOOBAR", "dev-FOOBAR"},
      {"dev-feature/foo", "dev-feature/foo"},
      {"dev-feature+issue-1", "dev-feature+issue-1"},
      {"dev-foo bar", "dev-foo bar"},
      {"dev-041.003", "dev-041.003"},
      {"1.x-dev", "1.9999999.9999999.9999999-dev"},
      {"v2.*-dev", "2.9999999.9999999.9999999-dev"},
      {"1.2.X-dev", "1.2.9999999.9999999-dev"},
      {"1.2.3.x-dev", "1.2.3.9999999-dev"},
      {"041.x-dev", "041.9999999.9999999.9999999-dev"},
      {"123456-dev", "123456-dev"},
      {"dev-master as 1.0.0", "dev-master"},
      {"dev-load-varnish-only-when-used@dev as ^2.0@dev", "dev-load-varnish-only-when-used"},
      {"1.0.0+foo as 2.0", "1.0.0.0"},
      {"1.0 as abc", "1.0.0.0"},
      {"1.0@beta", "1.0.0.0"},
      {"1.0-beta@RC", "1.0.0.0-beta"},
      // PCRE details: `$` also matches before a final "\n", `.` never matches "\n".
      {"1.0+abc\n@dev", "1.0.0.0"},
      {"garbage\n1.x-dev", "1.9999999.9999999.9999999-dev"},
  });
}

TEST(ComposerNormalize, Invalid) {
  checkNormalize({
      {"", nullptr},
      {"a", nullptr},
      {"1.0.0-meh", nullptr},
      {"1.0.0.0.0", nullptr},
      {"feature-foo", nullptr},
      {"1.0.1-SNAPSHOT", nullptr},
      {"1.0.0<1.0.5-dev", nullptr},
      {"foo bar-dev", nullptr},
      {"1.0 .2", nullptr},
      {" as ^2.0@dev", nullptr},
      {"1.2.3-dev.1", nullptr},
      {"123456.1.2.3.4.5.6.7", nullptr},
      {"1.0\x01", nullptr},
  });
}

TEST(Composer, Order) {
  checkCases(compareComposer, {
                                  {"1.0.0-dev", "1.0.0-alpha1", -1},
                                  {"1.0.0-alpha1", "1.0.0-beta2", -1},
                                  {"1.0.0-beta2", "1.0.0-RC1", -1},
                                  {"1.0.0-RC1", "1.0.0", -1},
                                  {"1.0.0", "1.0.0-patch1", -1},
                                  {"1.0.0-patch1", "1.0.1", -1},
                                  {"1.0", "v1.0.0.0", 0},
                                  {"01.02", "1.2", 0},
                                  {"1.0-beta", "1.0-b", 0},
                                  {"1.0-rc1", "1.0.0-RC1", 0},
                                  {"1.0-a1.2", "1.0-a1", 1},
                                  {"1.0-a1-dev", "1.0-a1", -1},
                                  {"1.0-STABLE", "1.0-dev", -1},  // "stable" ranks below "dev"
                                  {"1.0-pl", "1.0", 1},
                                  {"1.0+build1", "1.0+build2", 0},
                                  {"2010-01-02", "2010.01.02", -1},  // 2010.01.02 < 2010.01.02.0
                                  {"1.x-dev", "1.999", 1},
                                  {"1.9999999", "1.x-dev", -1},
                                  // strtol() saturates: beyond LONG_MAX all numbers are equal
                                  {"1.0.9223372036854775807", "1.0.9223372036854775808", 0},
                                  {"1.0.9223372036854775806", "1.0.9223372036854775807", -1},
                                  {"1.0.99999999999999999999999", "1.0.9223372036854775807", 0},
                              });
}

TEST(Composer, BranchesAndInvalid) {
  checkCases(compareComposer, {
                                  {"dev-master", "0.0.1", -1},  // branches are oldest
                                  {"dev-master", "master", 0},
                                  {"dev-zzz", "0", -1},
                                  {"dev-a", "dev-b", -1},  // incomparable for Composer: by name
                                  {"dev-B", "dev-a", -1},
                                  {"DEV-a", "dev-a", 0},
                                  {"feature-foo", "dev-a", -1},  // invalid is older still
                                  {"a", "b", -1},                // invalid: byte-wise
                                  {"", "a", -1},
                                  {"1.0.0.0.0", "0", -1},
                              });
}

TEST(ComposerProperties, AntisymmetricOnGarbage) {
  testing::Rng rng(testing::diffSeed(8001));
  testing::ComposerGenerator gen(rng);
  std::size_t violations = 0;
  for (int k = 0; k < 100000; ++k) {
    const std::string a = rng.chance(40) ? gen.garbage() : gen.version();
    const std::string b = rng.chance(60) ? gen.mutate(a) : gen.version();
    const int ab = sign(compareComposer(a, b));
    const int ba = sign(compareComposer(b, a));
    if ((ab != -ba || compareComposer(a, a) != 0) && ++violations <= 10) {
      ADD_FAILURE() << "'" << testing::shown(a) << "' vs '" << testing::shown(b) << "': " << ab
                    << " / " << ba;
    }
  }
  EXPECT_EQ(violations, 0u);
}

TEST(ComposerProperties, TransitiveOnAllInput) {
  testing::Rng rng(testing::diffSeed(8002));
  testing::ComposerGenerator gen(rng);
  std::vector<std::string> versions;
  while (versions.size() < 3000) {
    std::string v = rng.chance(10) ? gen.garbage() : gen.version();
    versions.push_back(gen.mutate(v));
    versions.push_back(std::move(v));
  }
  std::size_t violations = 0;
  for (int k = 0; k < 200000; ++k) {
    const std::string& a = versions[rng.below(versions.size())];
    const std::string& b = versions[rng.below(versions.size())];
    const std::string& c = versions[rng.below(versions.size())];
    const int ab = compareComposer(a, b);
    const int bc = compareComposer(b, c);
    const int ac = compareComposer(a, c);
    const bool bad = (ab <= 0 && bc <= 0 && ac > 0) || (ab == 0 && bc == 0 && ac != 0) ||
                     (ab >= 0 && bc >= 0 && ac < 0);
    if (bad && ++violations <= 10) {
      ADD_FAILURE() << "'" << testing::shown(a) << "' '" << testing::shown(b) << "' '"
                    << testing::shown(c) << "': " << ab << bc << ac;
    }
  }
  EXPECT_EQ(violations, 0u);
}

}  // namespace
}  // namespace bulwark::version
