// The "gem" scheme (Gem::Version ordering) and RubyGems requirements: the public vectors, own
// edge cases, and ordering properties on generated input.
#include "version/gem.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/version/gem/gem_generator.h"
#include "unit/version/vectors.h"

namespace bulwark::version {
namespace {

using testing::checkCases;
using testing::sign;

// Every row whose two strings Gem::Version accepts must match, both ways round. Six rows (the
// semver.org precedence list, lines 14-19) hold '+' build metadata, which RubyGems 3.3 refuses
// (Gem::Version.new raises ArgumentError: VERSION_PATTERN has no '+'); they are most likely
// the commented-out SemVer assertions of rubygems' test_gem_version.rb. For them we check that
// validGem refuses them too, and our documented answer for refused strings (the same segment
// rules, '+' a separator) matches the row on five of the six; on line 14,
// "1.0.0-rc.1" vs "1.0.0-rc.1+build.1", it says +1 (the extra string segment "build" sorts
// below the missing segment, read as 0) where the row says -1 (semver.org 1.0 precedence).
TEST(Gem, PublicVectors) {
  BULWARK_REQUIRE_SHARED("scan/versions/rubygems.csv");
  const std::vector<testing::Vector> vectors = testing::readVectors("scan/versions/rubygems.csv");
  EXPECT_GE(vectors.size(), 28u);
  std::size_t valid_rows = 0;
  for (const testing::Vector& v : vectors) {
    const bool valid = validGem(v.a) && validGem(v.b);
    const int got = sign(compareGem(v.a, v.b));
    EXPECT_EQ(sign(compareGem(v.b, v.a)), -got) << "line " << v.line;
    if (valid) {
      ++valid_rows;
      EXPECT_EQ(got, v.expected) << "line " << v.line << ": '" << v.a << "' vs '" << v.b << "'";
      continue;
    }
    EXPECT_TRUE(v.a.find('+') != std::string::npos || v.b.find('+') != std::string::npos)
        << "line " << v.line << ": refused without '+'";
    if (v.line == 14) {
      EXPECT_EQ(got, 1) << "line 14 (documented above)";
    } else {
      EXPECT_EQ(got, v.expected) << "line " << v.line << ": '" << v.a << "' vs '" << v.b << "'";
    }
  }
  EXPECT_EQ(valid_rows, vectors.size() - 6);
}

TEST(Gem, Segments) {
  checkCases(compareGem, {
                             {"1.0", "1.0.0", 0},
                             {"1", "1.0.0.0.0", 0},
                             {"1.0.a", "1.0", -1},
                             {"1.a", "1.0.a", 0},       // zeros before the first string go
                             {"1.0.0.a.0", "1.a", 0},   // and so do trailing zeros after it
                             {"1.a.0.b", "1.a.b", 1},   // but not zeros between strings
                             {"1.2.b1", "1.2.b.1", 0},  // digit/letter boundaries split
                             {"1.0a", "1.0.a", 0},
                             {"1.a10", "1.a9", 1},       // numbers compare as integers
                             {"1.A", "1.a", -1},         // strings byte-wise, case matters
                             {"1.alpha", "1.beta", -1},  // ... alphabetically
                             {"1.b", "1.beta", -1},      // a prefix is older
                             {"1.rc", "1.0.1", -1},      // a string is older than a number
                             {"1.0.0.1", "1.0.1", -1},
                             {"01.002", "1.2", 0},  // leading zeros
                             {"0", "0.0.0", 0},
                             {"0.a", "0", -1},
                             {"10", "9.99999", 1},
                         });
}

TEST(Gem, DashMeansPre) {
  checkCases(compareGem, {
                             {"1.0.0-1", "1", -1},  // 1.0.0.pre.1
                             {"1.0-rc1", "1.0.pre.rc1", 0},
                             {"1.0-rc1", "1.0.rc1", -1},  // "pre" < "rc"
                             {"1.0-a", "1.0.pre.a", 0},
                             {"1.0--", "1.0.pre.pre", 0},
                             {"1.0-pre", "1.0.pre.pre", 0},
                             {"1.0.0-alpha", "1.0.0-alpha.1", -1},
                             {"1.0.0-rc.1+build.1", "1.0.0", -1},  // '+' is invalid here
                         });
}

TEST(Gem, BlanksAndEmpty) {
  checkCases(compareGem, {
                             {" 1.0 ", "1.0", 0},
                             {"\t1.0\n", "1", 0},
                             {"\v\f1\r", "1", 0},
                             {"", "0", 0},
                             {"   ", "0", 0},
                             {"", "0.a", 1},
                             {"", "0.0.1", -1},
                         });
}

TEST(Gem, HugeNumbers) {
  checkCases(compareGem,
             {
                 {"18446744073709551616", "18446744073709551615", 1},
                 {"1.99999999999999999999999999999", "1.100000000000000000000000000000", -1},
                 {"1.000000000000000000000000000000000001", "1.1", 0},
                 {"1.a99999999999999999999999", "1.a100000000000000000000000", -1},
             });
}

// Strings Gem::Version.new refuses: the same segment rules, documented in gem.cpp.
TEST(Gem, InvalidStringsAreOrderedDeterministically) {
  checkCases(compareGem, {
                             {"1..0", "1.0", 0},
                             {"1_0", "1.0", 0},
                             {"v1", "0", -1},  // first segment is the string "v"
                             {"v1", "v2", -1},
                             {"!!", "0", 0},          // no segment at all
                             {"1.0-", "1.0-pre", 1},  // 1 pre vs 1 pre pre
                             {"\xff\xfe", "", 0},
                             {"1 2", "1.2", 0},
                             {"1a", "1.a", 0},
                         });
  const std::string with_nul("1\0002", 3);  // '1', NUL, '2'
  EXPECT_EQ(compareGem(with_nul, "1.2"), 0);
}

TEST(Gem, Validity) {
  for (const char* good :
       {"1", "1.0", "1.0.a", "1.0a", "1.a1b2", "0.0.0", "1.0-rc1", "1.0-rc-1.x-y", "1.0--", "1-1",
        " 1.0 ", "\t\n1\v\f\r", "", "   ", "123456789012345678901234567890", "1.A.z", "1.0-A"}) {
    std::string_view problem;
    EXPECT_TRUE(validGem(good, &problem)) << "'" << good << "': " << problem;
  }
  for (const char* bad : {"1a", "a", "v1.0", "1.", "1..0", ".1", "1.0-", "1-.a", "1.0-a.", "1 0",
                          "1.0+b", "1.0_1", "1,0", "-1", "1.0\x01", "1.\xc3\xa9", "1.0-a..b"}) {
    std::string_view problem;
    EXPECT_FALSE(validGem(bad, &problem)) << "'" << testing::shown(bad) << "'";
    EXPECT_FALSE(problem.empty()) << bad;
  }
  EXPECT_FALSE(validGem(std::string_view("1\0", 2)));
  EXPECT_TRUE(validGem("1.0a", nullptr));
}

// --- requirements ----------------------------------------------------------------------------

bool satisfied(std::string_view requirement, std::string_view version) {
  auto parsed = parseGemRequirement(requirement);
  EXPECT_TRUE(parsed.has_value()) << requirement << ": " << (parsed ? "" : parsed.error().message);
  return parsed && parsed->satisfiedBy(version);
}

TEST(GemRequirement, Operators) {
  EXPECT_TRUE(satisfied("= 1.0", "1.0.0"));
  EXPECT_TRUE(satisfied("1.0", "1"));  // no operator means "="
  EXPECT_FALSE(satisfied("1.0", "1.0.1"));
  EXPECT_TRUE(satisfied("!= 1.0", "1.0.1"));
  EXPECT_FALSE(satisfied("!= 1.0", "1"));
  EXPECT_TRUE(satisfied("> 1.0", "1.0.1"));
  EXPECT_FALSE(satisfied("> 1.0", "1.0"));
  EXPECT_TRUE(satisfied("< 1.0", "1.0.a"));
  EXPECT_TRUE(satisfied(">= 1.0", "1.0"));
  EXPECT_TRUE(satisfied("<= 1.0", "1.0.0"));
  EXPECT_FALSE(satisfied("<= 1.0", "1.0.0.1"));
  EXPECT_TRUE(satisfied(">=1.0", "2"));
  EXPECT_TRUE(satisfied("  >=  1.0  ", "2"));
}

TEST(GemRequirement, Pessimistic) {
  EXPECT_TRUE(satisfied("~> 1.2.3", "1.2.3"));
  EXPECT_TRUE(satisfied("~> 1.2.3", "1.2.99"));
  EXPECT_FALSE(satisfied("~> 1.2.3", "1.3"));
  EXPECT_FALSE(satisfied("~> 1.2.3", "1.3.a"));  // release of 1.3.a is 1.3
  EXPECT_FALSE(satisfied("~> 1.2.3", "1.2.2"));
  EXPECT_TRUE(satisfied("~> 1.2", "1.9"));
  EXPECT_FALSE(satisfied("~> 1.2", "2.0"));
  EXPECT_FALSE(satisfied("~> 1.2", "2.0.a"));
  EXPECT_TRUE(satisfied("~> 1", "1.99"));
  EXPECT_FALSE(satisfied("~> 1", "2"));
  EXPECT_TRUE(satisfied("~> 1.2.a", "1.5"));  // bump drops the string segments: < 2
  EXPECT_TRUE(satisfied("~> 1.2.a", "1.2.a"));
  EXPECT_FALSE(satisfied("~> 1.2.a", "1.2.A"));  // "A" < "a"
  EXPECT_TRUE(satisfied("~> 1.9", "1.10"));
  EXPECT_TRUE(satisfied("~> 9.99", "9.100"));
  EXPECT_FALSE(satisfied("~> 9.99", "10"));
  EXPECT_TRUE(satisfied("~> 99999999999999999999.1", "99999999999999999999.5"));
  EXPECT_FALSE(satisfied("~> 99999999999999999999.1", "100000000000000000000"));
  EXPECT_TRUE(satisfied("~> 0", "0.5"));
}

TEST(GemRequirement, AdvisoryDbShapes) {
  // ruby-advisory-db: patched_versions: ["~> 4.2.5, >= 4.2.5.1", ">= 5.0.0.beta1.1"]
  EXPECT_TRUE(satisfied("~> 4.2.5, >= 4.2.5.1", "4.2.5.1"));
  EXPECT_TRUE(satisfied("~> 4.2.5, >= 4.2.5.1", "4.2.7"));
  EXPECT_FALSE(satisfied("~> 4.2.5, >= 4.2.5.1", "4.2.5"));
  EXPECT_FALSE(satisfied("~> 4.2.5, >= 4.2.5.1", "4.3.0"));
  EXPECT_TRUE(satisfied(">= 5.0.0.beta1.1", "5.0.0"));
  EXPECT_FALSE(satisfied(">= 5.0.0.beta1.1", "5.0.0.beta1"));
  EXPECT_TRUE(satisfied(">= 1.0, < 2", "1.5"));
  EXPECT_FALSE(satisfied(">= 1.0, < 2", "2.0"));
  EXPECT_TRUE(satisfied(">= 1.0,< 2", "1.0"));
  const auto parsed = parseGemRequirement("~> 1.2.3, != 1.2.5");
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->constraints.size(), 2u);
  EXPECT_EQ(parsed->constraints[0].op, GemOp::Pessimistic);
  EXPECT_EQ(parsed->constraints[0].version, "1.2.3");
  EXPECT_EQ(parsed->constraints[0].bump, "1.3");
  EXPECT_EQ(parsed->constraints[1].op, GemOp::Ne);
  EXPECT_EQ(parsed->constraints[1].bump, "");
}

TEST(GemRequirement, Bump) {
  const auto bump = [](const char* text) {
    const auto parsed = parseGemRequirement(text);
    return parsed ? parsed->constraints.at(0).bump : std::string("error");
  };
  EXPECT_EQ(bump("~> 1"), "2");
  EXPECT_EQ(bump("~> 1.2"), "2");
  EXPECT_EQ(bump("~> 1.2.3"), "1.3");
  EXPECT_EQ(bump("~> 1.9.3"), "1.10");
  EXPECT_EQ(bump("~> 1.2.a"), "2");
  EXPECT_EQ(bump("~> 1.2.3-rc1"), "1.3");
  EXPECT_EQ(bump("~> 9"), "10");
  EXPECT_EQ(bump("~> 0.99.1"), "0.100");
  EXPECT_EQ(bump("~> 1.09.1"), "1.10");
}

TEST(GemRequirement, Errors) {
  for (const char* bad :
       {"", "  ", ">=", "=> 1.0", "> = 1.0", "== 1.0", "1.0 2.0", "~>1.0,", ",~> 1.0",
        ">= 1.0,, < 2", "<> 1", "~ 1", "v1.0", ">= 1.0-", "^1.0", ">= 1.0 || < 0.5", "1a"}) {
    const auto parsed = parseGemRequirement(bad);
    EXPECT_FALSE(parsed.has_value()) << "'" << bad << "'";
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, core::ErrorCode::Input);
      EXPECT_FALSE(parsed.error().message.empty());
    }
  }
}

// --- properties --------------------------------------------------------------------------------

TEST(GemProperties, AntisymmetricOnGarbage) {
  testing::Rng rng(testing::diffSeed(7001));
  testing::GemGenerator gen(rng);
  std::size_t violations = 0;
  for (int k = 0; k < 100000; ++k) {
    const std::string a = rng.chance(50) ? gen.garbage() : gen.version();
    const std::string b = rng.chance(60) ? gen.mutate(a) : gen.garbage();
    const int ab = sign(compareGem(a, b));
    const int ba = sign(compareGem(b, a));
    if ((ab != -ba || compareGem(a, a) != 0) && ++violations <= 10) {
      ADD_FAILURE() << "'" << testing::shown(a) << "' vs '" << testing::shown(b) << "': " << ab
                    << " / " << ba;
    }
  }
  EXPECT_EQ(violations, 0u);
}

TEST(GemProperties, TransitiveOnValidVersions) {
  testing::Rng rng(testing::diffSeed(7002));
  testing::GemGenerator gen(rng);
  std::vector<std::string> versions;
  while (versions.size() < 2000) {
    std::string v = gen.version();
    if (validGem(v)) versions.push_back(v);
    std::string near = gen.mutate(v);
    if (validGem(near)) versions.push_back(std::move(near));
  }
  std::size_t violations = 0;
  for (int k = 0; k < 200000; ++k) {
    const std::string& a = versions[rng.below(versions.size())];
    const std::string& b = versions[rng.below(versions.size())];
    const std::string& c = versions[rng.below(versions.size())];
    const int ab = compareGem(a, b);
    const int bc = compareGem(b, c);
    const int ac = compareGem(a, c);
    const bool bad = (ab <= 0 && bc <= 0 && ac > 0) || (ab == 0 && bc == 0 && ac != 0) ||
                     (ab >= 0 && bc >= 0 && ac < 0);
    if (bad && ++violations <= 10) {
      ADD_FAILURE() << "'" << a << "' '" << b << "' '" << c << "': " << ab << bc << ac;
    }
  }
  EXPECT_EQ(violations, 0u);
}

}  // namespace
}  // namespace bulwark::version
