// Maven ComparableVersion: the public vectors (../shared/testdata/scan/versions/maven.csv, from
// Maven's own ComparableVersionTest and go-mvn-version), our edge cases (each confirmed against
// the maven-artifact 3.8.7 jar), validMaven, and properties.
#include "version/maven.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "unit/version/vectors.h"

namespace bulwark::version {
namespace {

using testing::checkCases;
using testing::sign;

// Rows of maven.csv where the Maven 3.8.7 jar (the reference here) answers differently from
// the row, both ways round. They come from other Maven releases: ComparableVersionTest's
// VERSIONS_NUMBER list of a later Maven tells "2.0.a" from "2.0.0.a", and go-mvn-version
// follows a Maven from before "1.x" was read like "1-x". In 3.8.7, "2.0.a" and "2.0.0.a" both
// normalize to [2, [a]] (`java -jar maven-artifact-3.x.jar 2-1 2.0.a 2.0.0.a 1-foo 1.foo`
// prints "2-1 > 2.0.a", "2.0.a == 2.0.0.a", "1-foo == 1.foo"). We follow the jar.
struct Deviation {
  std::string_view a;
  std::string_view b;
  int csv;
  int jar;
};
constexpr Deviation kDeviations[] = {
    {"2-1", "2.0.a", -1, 1},     {"2-1", "2.0.0.a", -1, 1},    {"2.0.a", "2-1", 1, -1},
    {"2.0.a", "2.0.0.a", -1, 0}, {"2.0.0.a", "2-1", 1, -1},    {"2.0.0.a", "2.0.a", 1, 0},
    {"1-foo", "1.foo", 1, 0},    {"1-1-foo", "1-1.foo", 1, 0},
};

TEST(MavenVectors, AllRows) {
  BULWARK_REQUIRE_SHARED("scan/versions/maven.csv");
  const std::vector<testing::Vector> vectors = testing::readVectors("scan/versions/maven.csv");
  EXPECT_GE(vectors.size(), 1270u);
  std::size_t deviations = 0;
  for (const testing::Vector& v : vectors) {
    int expected = v.expected;
    for (const Deviation& d : kDeviations) {
      if (d.a == v.a && d.b == v.b && d.csv == v.expected) {
        expected = d.jar;
        ++deviations;
      }
    }
    EXPECT_EQ(sign(compareMaven(v.a, v.b)), expected)
        << "maven.csv:" << v.line << ": '" << v.a << "' vs '" << v.b << "'";
    EXPECT_EQ(sign(compareMaven(v.b, v.a)), -expected) << "maven.csv:" << v.line << " reversed";
  }
  EXPECT_EQ(deviations, std::size(kDeviations));
}

TEST(Maven, TrailingNullsAndAliases) {
  checkCases(&compareMaven, {
                                {"1", "1.0", 0},
                                {"1", "1.0.0", 0},
                                {"1", "1-ga", 0},
                                {"1", "1.GA", 0},
                                {"1", "1-final", 0},
                                {"1", "1.RELEASE", 0},
                                {"1", "1-0", 0},
                                {"1", "1.0-0.0", 0},
                                {"1.0-1", "1-1", 0},  // nulls before a child list go too
                                {"1.0.0-1", "1-1", 0},
                                {"1-cr1", "1-rc1", 0},
                                {"1a1", "1-alpha-1", 0},  // a/b/m before a digit
                                {"1b2", "1-beta-2", 0},
                                {"1m3", "1-milestone-3", 0},
                                {"1-a", "1-alpha", 1},  // "a" alone is an unknown qualifier
                                {"", "0", 0},
                                {"", "0.0.ga", 0},
                                {"1..1", "1.0.1", 0},  // empty item is 0
                                {"1.", "1", 0},
                                {".1", "0.1", 0},
                                {"1-", "1", 0},
                            });
}

TEST(Maven, QualifierOrder) {
  checkCases(&compareMaven, {
                                {"1-alpha", "1-beta", -1},
                                {"1-beta", "1-milestone", -1},
                                {"1-milestone", "1-rc", -1},
                                {"1-rc", "1-snapshot", -1},
                                {"1-SNAPSHOT", "1", -1},
                                {"1", "1-sp", -1},
                                {"1-sp", "1-abc", -1},
                                {"1-abc", "1-abd", -1},
                                {"1-ABC", "1-abc", 0},
                                {"1-RC1", "1-rc-1", 0},
                                {"1.0-SNAPSHOT", "1.0", -1},
                                {"1.0-alpha-1-SNAPSHOT", "1.0-alpha-1", -1},
                                {"1-1", "1", 1},
                                {"1-sp", "1-1", -1},  // string < list
                                {"1.1", "1-1", 1},    // number > list
                                {"1.x", "1-x", 0},    // a trailing letter run opens a list
                                {"1.0.0.x1", "1.0.0-x-1", 0},
                            });
}

TEST(Maven, BigNumbers) {
  checkCases(&compareMaven,
             {
                 {"999999999", "1000000000", -1},                    // int < long
                 {"999999999999999999", "1000000000000000000", -1},  // long < BigInteger
                 {"123456789012345678901234567890", "123456789012345678901234567891", -1},
                 {"000000000000000000001", "1", 0},  // leading zeros stripped
                 {"1.0000000000.1", "1.0.1", 1},     // a long 0 beats an int 0
                 {"1.0000000000.1", "1.999999999.1", 1},
                 {"1.0000000000", "1", 0},                          // but is still null
                 {"1.0000000000000000000.1", "1.0000000000.1", 1},  // BigInteger 0 > long 0
                 {"99999999999999999999999999999999999999", "1-SNAPSHOT", 1},
             });
}

TEST(Maven, OddBytes) {
  checkCases(&compareMaven, {
                                {"1_0", "1_0", 0},
                                {"1+1", "1+1", 0},
                                {"1 0", "1.0", 1},  // " " is an unknown qualifier
                                {"v1", "1", -1},    // a leading 'v' is a qualifier
                                {"1.\xff", "1.\xfe", 1},
                                {"\x80", "", 1},
                                {"--", "", 0},
                                {"..", "", 0},
                            });
}

TEST(Maven, Valid) {
  std::string_view problem;
  EXPECT_TRUE(validMaven("1.0-SNAPSHOT", &problem));
  EXPECT_TRUE(validMaven("2.13.4.2"));
  EXPECT_TRUE(validMaven("1.0.0.Final"));
  EXPECT_FALSE(validMaven("", &problem));
  EXPECT_FALSE(problem.empty());
  problem = {};
  EXPECT_FALSE(validMaven("1.0 beta", &problem));
  EXPECT_FALSE(problem.empty());
  EXPECT_FALSE(validMaven("1/0"));
  EXPECT_FALSE(validMaven("1.0:2"));
  EXPECT_FALSE(validMaven("${project.version}"));
  EXPECT_FALSE(validMaven(std::string_view("1\0", 2)));
  EXPECT_TRUE(validMaven("1$2"));
}

// --- properties ----------------------------------------------------------------------------

std::string randomVersion(std::mt19937_64& rng, bool garbage) {
  static constexpr std::string_view kPieces[] = {
      "0", "1",       "2",    "10", "00", "0000000000", "1234567890", "a",
      "b", "m",       "rc",   "cr", "sp", "ga",         "final",      "SNAPSHOT",
      "x", "alpha",   "Beta", ".",  "-",  "-",          ".",          "99999999999999999999",
      "_", "release",
  };
  std::string out;
  const std::size_t n = rng() % 9;
  for (std::size_t i = 0; i < n; ++i) {
    if (garbage && rng() % 5 == 0) {
      out += static_cast<char>(rng() % 256);
    } else {
      out += kPieces[rng() % std::size(kPieces)];
    }
  }
  return out;
}

TEST(MavenProperties, AntisymmetricAndReflexiveOnGarbage) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 50000; ++i) {
    const std::string a = randomVersion(rng, true);
    const std::string b = randomVersion(rng, true);
    const int ab = compareMaven(a, b);
    ASSERT_TRUE(ab == -1 || ab == 0 || ab == 1);
    ASSERT_EQ(ab, -compareMaven(b, a)) << a << " | " << b;
    ASSERT_EQ(compareMaven(a, a), 0) << a;
  }
}

// The shapes most Maven versions have: N(.N)*, then maybe -qualifier[N], then maybe -SNAPSHOT.
std::string typicalVersion(std::mt19937_64& rng) {
  static constexpr std::string_view kNumbers[] = {"0", "1", "2", "10", "01"};
  static constexpr std::string_view kQualifiers[] = {"alpha", "a",  "beta", "b",   "M",
                                                     "rc",    "CR", "sp",   "foo", "jre"};
  std::string out(kNumbers[rng() % std::size(kNumbers)]);
  for (std::size_t i = rng() % 4; i > 0; --i) {
    out += '.';
    out += kNumbers[rng() % std::size(kNumbers)];
  }
  if (rng() % 2 == 0) {
    out += '-';
    out += kQualifiers[rng() % std::size(kQualifiers)];
    if (rng() % 2 == 0) out += kNumbers[rng() % std::size(kNumbers)];
  }
  if (rng() % 4 == 0) out += "-SNAPSHOT";
  return out;
}

// ComparableVersion is not transitive on arbitrary strings (the jar itself says
// "releaserc00m2b" < "-0000000000m001234567890" < "" but "releaserc00m2b" > "", and even
// "10.0" < "10.b-SNAPSHOT" < "10.beta0" < "10.0", and "1-ga-SNAPSHOT" < "1" < "1.0-foo10" <
// "1-ga-SNAPSHOT"), so this checks every ordered triple of samples of the common shapes only,
// without null qualifiers (ga, final, release) inside, where the jar is transitive.
TEST(MavenProperties, TransitiveOnSamples) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 40; ++round) {
    std::vector<std::string> sample;
    for (int i = 0; i < 40; ++i) sample.push_back(typicalVersion(rng));
    for (const std::string& a : sample) {
      for (const std::string& b : sample) {
        const int ab = compareMaven(a, b);
        for (const std::string& c : sample) {
          const int bc = compareMaven(b, c);
          if (ab <= 0 && bc <= 0) {
            ASSERT_LE(compareMaven(a, c), 0) << a << " <= " << b << " <= " << c;
          }
          if (ab == 0 && bc == 0) {
            ASSERT_EQ(compareMaven(a, c), 0) << a << " = " << b << " = " << c;
          }
        }
      }
    }
  }
}

TEST(MavenProperties, LongInputsAreLinear) {
  // 500 kB of alternating nulls and separators: one pass each, no recursion, no allocation.
  std::string a;
  for (int i = 0; i < 100000; ++i) a += "0.-ga";
  std::string b = a + "1";
  EXPECT_EQ(compareMaven(a, ""), 0);
  EXPECT_EQ(compareMaven(b, a), 1);
  EXPECT_EQ(compareMaven(a, b), -1);
}

}  // namespace
}  // namespace bulwark::version
