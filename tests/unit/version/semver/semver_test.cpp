// The SemVer-family schemes against the public vectors of ../shared/testdata/scan/versions, our
// own edge cases, and order properties on generated input.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "unit/version/vectors.h"
#include "version/cargo.h"
#include "version/golang.h"
#include "version/npm.h"
#include "version/semver.h"

namespace bulwark::version {
namespace {

using testing::checkCases;
using testing::checkVectors;
using testing::sign;

// --- semver -----------------------------------------------------------------------------------

TEST(Semver, MastermindsVectors) {
  BULWARK_REQUIRE_SHARED("scan/versions/semver.csv");
  checkVectors("scan/versions/semver.csv", compareSemver, 21);
}

TEST(Semver, SpecExamples) {
  // SemVer 2.0.0 §11: 1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta <
  // 1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0, and 1.0.0 < 2.0.0 < 2.1.0 < 2.1.1.
  const std::vector<std::string> ordered = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                            "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                                            "1.0.0-rc.1",  "1.0.0",         "2.0.0",
                                            "2.1.0",       "2.1.1"};
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    for (std::size_t j = 0; j < ordered.size(); ++j) {
      EXPECT_EQ(sign(compareSemver(ordered[i], ordered[j])), (i > j) - (i < j))
          << ordered[i] << " vs " << ordered[j];
    }
  }
}

TEST(Semver, EdgeCases) {
  checkCases(compareSemver,
             {
                 {"v1.2.3", "1.2.3", 0},
                 {"1.2", "1.2.0", 0},
                 {"1", "1.0.0", 0},
                 {"v1", "1.0.1", -1},
                 {"1.0.0+a", "1.0.0+b", 0},
                 {"1.0.0+a", "1.0.0", 0},
                 {"1.0.0-rc.1+build", "1.0.0-rc.1", 0},
                 // numbers of any length, exactly
                 {"18446744073709551616.0.0", "18446744073709551615.0.0", 1},
                 {"1.0.0-99999999999999999999999", "1.0.0-99999999999999999999998", 1},
                 {"1.0.0-99999999999999999999999", "1.0.0-a", -1},
                 // leading zeros: invalid, but ordered numerically
                 {"1.02.0", "1.2.0", 0},
                 {"1.0.0-01", "1.0.0-1", 0},
                 {"1.0.0--", "1.0.0-0", 1},
                 // invalid strings: below every version, byte-wise among themselves
                 {"", "0.0.0", -1},
                 {"", "garbage", -1},
                 {"1.2.3.4", "0.0.1", -1},
                 {"1.2.3.4", "1.2.3.5", -1},
                 {" 1.2.3", "1.2.3", -1},
                 {"1.2.3-", "1.2.3", -1},
                 {"1.2.3+", "0.1", -1},
                 {"1..2", "1.2", -1},
                 {"V1.2.3", "0.0.0", -1},
                 {"\xff\xfe", "\x01", 1},
             });
}

TEST(Semver, Valid) {
  for (const char* v : {"1.2.3", "v1.2.3", "1.2", "1", "1.0.0-alpha.1+build.5", "0.0.0-0",
                        "1.0.0--x-", "1.0.0+001"}) {
    EXPECT_TRUE(validSemver(v)) << v;
  }
  for (const char* v : {"", "v", "1.", "1.2.3.4", "01.2.3", "1.2.3-01", "1.2.3-", "1.2.3+",
                        "1.2.3-a..b", " 1.2.3", "1.2.3 ", "1.2.3_4", "x"}) {
    std::string_view problem;
    EXPECT_FALSE(validSemver(v, &problem)) << v;
    EXPECT_FALSE(problem.empty()) << v;
  }
}

// --- npm --------------------------------------------------------------------------------------

TEST(Npm, CompareEdgeCases) {
  checkCases(compareNpm, {
                             {"1.2.3", "v1.2.3", 0},
                             {" 1.2.3\t", "1.2.3", 0},
                             {"\xc2\xa0"
                              "1.2.3\xe3\x80\x80",
                              "1.2.3", 0},  // U+00A0, U+3000
                             {"1.2.3+build", "1.2.3", 0},
                             {"1.2.3-alpha", "1.2.3", -1},
                             {"1.2.3-alpha.10", "1.2.3-alpha.9", 1},
                             {"9007199254740991.0.0", "9007199254740990.0.0", 1},
                             // node refuses these (it throws); we put them below all versions
                             {"9007199254740992.0.0", "0.0.0", -1},
                             {"1.2", "0.0.0", -1},
                             {"=1.2.3", "0.0.0", -1},
                             {"01.2.3", "0.0.0", -1},
                             {"1.2.3-01", "0.0.0", -1},
                             {"1.2", "1.3", -1},
                             // node would call these equal (doubles); we compare exactly
                             {"1.0.0-9007199254740993", "1.0.0-9007199254740992", 1},
                         });
  EXPECT_TRUE(validNpm("v1.2.3-x.0+sha.0001"));
  EXPECT_TRUE(validNpm(std::string(250, ' ') + "1.2.3"));   // 255 characters
  EXPECT_FALSE(validNpm(std::string(252, ' ') + "1.2.3"));  // 257 characters
  EXPECT_FALSE(validNpm("1.2.3-"));
  EXPECT_FALSE(validNpm(""));
}

TEST(Npm, RangeVectors) {
  BULWARK_REQUIRE_SHARED("scan/versions/npm_semver_ranges.csv");
  const auto vectors = testing::readConstraintVectors("scan/versions/npm_semver_ranges.csv");
  EXPECT_GE(vectors.size(), 148u);
  // semver.satisfies() answers false for a range node cannot parse ("<0-z", ">0-0": a
  // pre-release needs all three numbers); those rows expect false, and parseNpmRange() fails.
  std::size_t unparsable = 0;
  for (const auto& v : vectors) {
    const auto range = parseNpmRange(v.constraint);
    if (!range) ++unparsable;
    const bool got = range && range->satisfies(v.version);
    EXPECT_EQ(got, v.satisfied) << "line " << v.line << ": " << v.version << " in '" << v.constraint
                                << "' (" << (range ? range->format() : range.error().message)
                                << ")";
  }
  EXPECT_EQ(unparsable, 7u);  // as many as semver.validRange() rejects
}

struct Desugar {
  const char* range;
  const char* formatted;  // node-semver 7.8.6: new Range(range).range
};

TEST(Npm, RangeDesugaring) {
  for (const Desugar& d : std::initializer_list<Desugar>{
           {"^1.2.3", ">=1.2.3 <2.0.0-0"},
           {"^0.2.3", ">=0.2.3 <0.3.0-0"},
           {"^0.0.3", ">=0.0.3 <0.0.4-0"},
           {"~1.2", ">=1.2.0 <1.3.0-0"},
           {"~> 1.2.3", ">=1.2.3 <1.3.0-0"},
           {"1.2.3 - 2.3", ">=1.2.3 <2.4.0-0"},
           {"1.x || >=2.5.0 || 5.0.0 - 7.2.3", ">=1.0.0 <2.0.0-0||>=2.5.0||>=5.0.0 <=7.2.3"},
           {">1", ">=2.0.0"},
           {"<=1.2", "<1.3.0-0"},
           {"> 1.2.3 < 2", ">1.2.3 <2.0.0-0"},
           {"*", ""},
           {"", ""},
           {">=0.0.0", ""},
           {"1.2.3 ||", ""},  // an empty set is "any", and any swallows the range
           {">*", "<0.0.0-0"},
           {"1.2.3+build", "1.2.3"},
           {"=v1.2.3", "1.2.3"},
       }) {
    const auto range = parseNpmRange(d.range);
    ASSERT_TRUE(range) << d.range << ": " << range.error().message;
    EXPECT_EQ(range->format(), d.formatted) << d.range;
  }
  for (const char* bad : {"^", "~", "==1.2.3", "1.2.3.4", ">=", "blah", "1.*.3", "1 - ",
                          "<=9007199254740991", "1.2.3 - 2 - 3"}) {
    const auto range = parseNpmRange(bad);
    EXPECT_FALSE(range) << bad << " -> " << (range ? range->format() : "");
  }
  const auto edge = parseNpmRange("<=9007199254740990");
  ASSERT_TRUE(edge);
  EXPECT_EQ(edge->format(), "<9007199254740991.0.0-0");
  EXPECT_FALSE(parseNpmRange(std::string(kMaxNpmRangeLength + 1, '1')));
}

TEST(Npm, PrereleaseExclusion) {
  const auto range = parseNpmRange(">1.2.3-alpha.3");
  ASSERT_TRUE(range);
  EXPECT_TRUE(range->satisfies("1.2.3-alpha.7"));
  EXPECT_FALSE(range->satisfies("3.4.5-alpha.9"));  // another tuple's pre-release
  EXPECT_TRUE(range->satisfies("3.4.5"));
  const auto any_pre = parseNpmRange("* || 1.2.3-beta");
  ASSERT_TRUE(any_pre);
  EXPECT_FALSE(any_pre->satisfies("1.2.3-beta"));  // node folds the range to "*"
  EXPECT_FALSE(range->satisfies("not a version"));
  EXPECT_FALSE(range->satisfies(""));
}

// --- go ---------------------------------------------------------------------------------------

TEST(Go, Vectors) {
  BULWARK_REQUIRE_SHARED("scan/versions/go_semver.csv");
  checkVectors("scan/versions/go_semver.csv", compareGo, 1024);
}

TEST(Go, EdgeCases) {
  checkCases(compareGo,
             {
                 {"v1", "v1.0.0", 0},
                 {"v1.2", "v1.2.0", 0},
                 {"v2.0.0+incompatible", "v2.0.0", 0},
                 {"v2.0.1+incompatible", "v2.0.0", 1},
                 // pseudo-versions
                 {"v0.0.0-20191109021931-daa7c04131f5", "v0.0.0", -1},
                 {"v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-000000000000", -1},
                 {"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3", 1},
                 {"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4-pre", -1},
                 {"v1.2.3-pre.0.20191109021931-daa7c04131f5", "v1.2.3-pre", 1},
                 {"v99999999999999999999.0.0", "v99999999999999999998.0.0", 1},
                 // invalid: equal to each other, below everything valid
                 {"1.2.3", "v0.0.0", -1},
                 {"1.2.3", "garbage", 0},
                 {"", "v01.2.3", 0},
                 {"v1.2.3-01", "v1.2-", 0},
                 {"v1-pre", "v1.0.0-pre", -1},
                 {"V1.2.3", "v0.0.1", -1},
             });
  EXPECT_TRUE(validGo("v1.2.3-pre+incompatible"));
  std::string_view problem;
  EXPECT_FALSE(validGo("v1.2-pre", &problem));
  EXPECT_FALSE(problem.empty());
}

// --- cargo ------------------------------------------------------------------------------------

TEST(Cargo, EdgeCases) {
  // The semver crate's own expectations (dtolnay/semver tests/test_version.rs: test_eq,
  // test_ne, test_lt, test_le, test_align-free cases; impls.rs doc of BuildMetadata's Ord).
  checkCases(compareCargo, {
                               {"1.2.3", "1.2.3", 0},
                               {"1.2.3-alpha1", "1.2.3-alpha1", 0},
                               {"1.2.3+build.42", "1.2.3+build.42", 0},
                               {"1.2.3-alpha1+42", "1.2.3-alpha1+42", 0},
                               {"0.0.0", "0.0.1", -1},
                               {"0.0.0", "0.1.0", -1},
                               {"0.0.0", "1.0.0", -1},
                               {"1.2.3-alpha1", "1.2.3", -1},
                               {"1.2.3-alpha1", "1.2.3-alpha2", -1},
                               {"1.2.3-alpha2", "1.2.3-alpha2+build.42", -1},
                               {"1.2.3+build.7", "1.2.3+build.42", -1},
                               {"1.2.3+build.42", "1.2.4-alpha", -1},
                               // build metadata is a tie-breaker (derived Ord)
                               {"1.0.0", "1.0.0+a", -1},
                               {"1.0.0+a", "1.0.0+b", -1},
                               {"1.0.0+0", "1.0.0+00", -1},
                               {"1.0.0+00", "1.0.0+1", -1},
                               {"1.0.0+1", "1.0.0+01", -1},
                               {"1.0.0+9", "1.0.0+a", -1},
                               {"1.0.0+a", "1.0.0+a.0", -1},
                               {"18446744073709551615.0.0", "18446744073709551614.9.9", 1},
                               // rejected by the crate: below every version, byte-wise
                               {"18446744073709551616.0.0", "0.0.0", -1},
                               {"v1.2.3", "0.0.0", -1},
                               {"1.2", "0.0.0", -1},
                               {"01.2.3", "0.0.0", -1},
                               {"1.2.3-01", "0.0.0", -1},
                               {"1.2.3-", "0.0.0", -1},
                               {"1.2.3+", "0.0.0", -1},
                               {"1.2", "1.3", -1},
                           });
  EXPECT_TRUE(validCargo("1.2.3-alpha.1+001.b"));
  std::string_view problem;
  EXPECT_FALSE(validCargo(" 1.2.3", &problem));
  EXPECT_FALSE(problem.empty());
}

// --- properties on generated input ------------------------------------------------------------

struct Dialect {
  const char* name;
  int (*compare)(std::string_view, std::string_view) noexcept;
  bool (*valid)(std::string_view, std::string_view*) noexcept;
};

constexpr Dialect kDialects[] = {
    {"semver", compareSemver, validSemver},
    {"npm", compareNpm, validNpm},
    {"go", compareGo, validGo},
    {"cargo", compareCargo, validCargo},
};

std::string randomVersion(std::mt19937_64& rng) {
  static constexpr std::string_view kPieces[] = {"v",
                                                 "0",
                                                 "1",
                                                 "2",
                                                 "10",
                                                 "01",
                                                 ".",
                                                 ".",
                                                 ".",
                                                 "-",
                                                 "+",
                                                 "alpha",
                                                 "beta",
                                                 "rc",
                                                 "x",
                                                 "-",
                                                 "99999999999999999999",
                                                 "9007199254740992",
                                                 "a-b",
                                                 "..",
                                                 " ",
                                                 "\xff",
                                                 "\xc2\xa0",
                                                 "0"};
  std::string out;
  const std::size_t count = rng() % 12;
  for (std::size_t i = 0; i < count; ++i) out += kPieces[rng() % std::size(kPieces)];
  return out;
}

std::string validVersion(std::mt19937_64& rng) {
  auto number = [&] { return std::to_string(rng() % 3); };
  std::string v = "v" + number() + "." + number() + "." + number();
  if (rng() % 2 == 0) {
    static constexpr std::string_view kIds[] = {"alpha", "beta", "0", "1", "11", "2", "rc", "-"};
    v += "-";
    const std::size_t ids = 1 + rng() % 3;
    for (std::size_t i = 0; i < ids; ++i) {
      if (i != 0) v += ".";
      v += kIds[rng() % std::size(kIds)];
    }
  }
  if (rng() % 4 == 0) v += "+b" + number();
  return v;
}

TEST(SemverFamily, AntisymmetricOnGarbage) {
  std::mt19937_64 rng(7);
  for (const Dialect& d : kDialects) {
    for (int k = 0; k < 20000; ++k) {
      const std::string a = randomVersion(rng);
      const std::string b = rng() % 3 == 0 ? a : randomVersion(rng);
      const int ab = d.compare(a, b);
      ASSERT_TRUE(ab >= -1 && ab <= 1) << d.name;
      ASSERT_EQ(ab, -d.compare(b, a)) << d.name << ": '" << a << "' vs '" << b << "'";
      if (a == b) {
        ASSERT_EQ(ab, 0) << d.name;
      }
      std::string_view problem;
      if (!d.valid(a, &problem)) {
        ASSERT_FALSE(problem.empty()) << d.name << ": " << a;
      }
    }
  }
}

TEST(SemverFamily, TransitiveOnValidVersions) {
  std::mt19937_64 rng(11);
  for (const Dialect& d : kDialects) {
    std::vector<std::string> versions;
    for (int k = 0; k < 300; ++k) {
      std::string v = validVersion(rng);
      if (std::string_view(d.name) != "go" && std::string_view(d.name) != "semver") {
        v.erase(0, 1);  // npm and cargo: no 'v' (npm accepts one; keep it simple)
      }
      versions.push_back(v);
    }
    // A sort with our comparator, then every pair checked against the positions.
    std::stable_sort(versions.begin(), versions.end(),
                     [&](const auto& x, const auto& y) { return d.compare(x, y) < 0; });
    for (std::size_t i = 0; i < versions.size(); ++i) {
      for (std::size_t j = i + 1; j < versions.size(); ++j) {
        ASSERT_LE(d.compare(versions[i], versions[j]), 0)
            << d.name << ": " << versions[i] << " vs " << versions[j];
      }
    }
    // And with garbage mixed in (invalid strings take part in the order too).
    for (int k = 0; k < 100; ++k) versions.push_back(randomVersion(rng));
    std::stable_sort(versions.begin(), versions.end(),
                     [&](const auto& x, const auto& y) { return d.compare(x, y) < 0; });
    for (std::size_t i = 0; i < versions.size(); ++i) {
      for (std::size_t j = i + 1; j < versions.size(); ++j) {
        ASSERT_LE(d.compare(versions[i], versions[j]), 0)
            << d.name << ": '" << versions[i] << "' vs '" << versions[j] << "'";
      }
    }
  }
}

}  // namespace
}  // namespace bulwark::version
