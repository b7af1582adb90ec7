// NuGet versions. There is no .NET runtime here, so the vectors come from NuGet's own test
// suite (NuGet/NuGet.Client, test/NuGet.Core.Tests/NuGet.Versioning.Test/; file named on each
// group) and from reading NuGet.Versioning's source (VersionComparer.cs, SemanticVersionFactory.cs,
// NuGetVersionFactory.cs) for the corners its tests do not cover; plus properties.
#include "version/nuget.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "unit/version/vectors.h"

namespace bulwark::version {
namespace {

using testing::checkCases;

// VersionComparerTests.cs: VersionComparisonDefaultEqual, VersionComparisonDefaultLess and
// VersionComparisonDefaultNotEqual.
TEST(NugetVectors, VersionComparerTests) {
  checkCases(&compareNuget, {
                                {"1.0.0", "1.0.0", 0},
                                {"1.0.0-BETA", "1.0.0-beta", 0},
                                {"1.0.0-BETA+AA", "1.0.0-beta+aa", 0},
                                {"1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.77.0+aa", 0},
                                {"0.0.0", "1.0.0", -1},
                                {"1.0.0", "1.1.0", -1},
                                {"1.0.0", "1.0.1", -1},
                                {"1.999.9999", "2.1.1", -1},
                                {"1.0.0-BETA", "1.0.0-beta2", -1},
                                {"1.0.0-beta+AA", "1.0.0+aa", -1},
                                {"1.0.0-BETA", "1.0.0-beta.1+AA", -1},
                                {"1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.79.0+aa", -1},
                                {"1.0.0-BETA.X.y.5.79.0+AA", "1.0.0-beta.x.y.5.790.0+abc", -1},
                                {"1.0.0+AA", "1.0.0-beta+aa", 1},
                                // Listed as "not equal" there, but that test compares the strings;
                                // under VersionComparer.Default the metadata does not count.
                                {"1.0.0-BETA+AA", "1.0.0-beta", 0},
                            });
}

// NuGetVersionTest.cs: SemVerLessThanAndGreaterThanOperatorsWorks, SemVerEqualsOperatorWorks,
// ParseReadsLegacyStyleVersionNumbers, ParseIgnoresLeadingAndTrailingWhitespace,
// ParseReadsSemverAndHybridSemverVersionNumbers; VersionParsingTests.cs: VersionLength.
TEST(NugetVectors, NuGetVersionTests) {
  checkCases(&compareNuget, {
                                {"1.0", "1.0.1", -1},
                                {"1.23", "1.231", -1},
                                {"1.4.5.6", "1.45.6", -1},
                                {"1.4.5.6", "1.4.5.60", -1},
                                {"1.01", "1.10", -1},
                                {"1.01-alpha", "1.10-beta", -1},
                                {"1.01.0-RC-1", "1.10.0-rc-2", -1},
                                {"1.01-RC-1", "1.01", -1},
                                {"1.01", "1.2-preview", -1},
                                {"1.0", "1.0.0.0", 0},
                                {"1.23.01", "1.23.1", 0},
                                {"1.45.6", "1.45.6.0", 0},
                                {"1.45.6-Alpha", "1.45.6-Alpha", 0},
                                {"1.6.2-BeTa", "1.6.02-beta", 0},
                                {"22.3.07     ", "22.3.07", 0},
                                {"1.022", "1.22.0.0", 0},
                                {"23.2.3", "23.2.3.0", 0},
                                {"1.3.42.10133", "1.3.42.10133", 0},
                                {"  1.022-Beta", "1.22.0.0-Beta", 0},
                                {"23.2.3-Alpha  ", "23.2.3.0-Alpha", 0},
                                {"    1.3.42.10133-PreRelease  ", "1.3.42.10133-PreRelease", 0},
                                {"1.3.42.200930-RC-2", "1.3.42.200930-rc-2", 0},
                                {"2", "2.0.0", 0},
                                {"2.0", "2.0.0.0", 0},
                                {"1.0.0009.01-1.1+A", "1.0.9.1-1.1", 0},
                            });
}

// SemVer201SpecTests.cs: SemVerSortVersion, SemVerSortRelease, SemVerSortReleaseNumeric,
// SemVerSortReleaseAlpha, SemVerSortNumericAlpha, SemVerSortReleaseLabelCount,
// SemVerSortIgnoreReleaseCasing; and semver.org's §11 example chain.
TEST(NugetVectors, SemVer201SpecTests) {
  checkCases(&compareNuget, {
                                {"1.2.3", "1.2.4", -1},
                                {"1.2.3", "2.0.0", -1},
                                {"9.9.9", "10.1.1", -1},
                                {"1.2.3-alpha", "1.2.3", -1},
                                {"1.2.3-2", "1.2.3-3", -1},
                                {"1.2.3-1.9", "1.2.3-1.50", -1},
                                {"1.2.3-2A", "1.2.3-3A", -1},
                                {"1.2.3-1.50A", "1.2.3-1.9A", -1},
                                {"1.2.3-999999", "1.2.3-Z", -1},
                                {"1.2.3-A.999999", "1.2.3-A.56-2", -1},
                                {"1.2.3-a", "1.2.3-a.2", -1},
                                {"1.2.3-a.2.3.4", "1.2.3-a.2.3.4.5", -1},
                                {"1.2.3-a", "1.2.3-A", 0},
                                {"1.2.3-A-b2-C", "1.2.3-a-B2-c", 0},
                                {"1.0.0-alpha", "1.0.0-alpha.1", -1},
                                {"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
                                {"1.0.0-alpha.beta", "1.0.0-beta", -1},
                                {"1.0.0-beta", "1.0.0-beta.2", -1},
                                {"1.0.0-beta.2", "1.0.0-beta.11", -1},
                                {"1.0.0-beta.11", "1.0.0-rc.1", -1},
                                {"1.0.0-rc.1", "1.0.0", -1},
                            });
}

// Corners read from VersionComparer.CompareRelease (Int32.TryParse decides what is numeric) and
// System.Version (Int32 components, a 4th "revision" part).
TEST(Nuget, SourceCorners) {
  checkCases(&compareNuget,
             {
                 {"1.0.0.1", "1.0.0", 1},
                 {"1.0.0.0", "1.0.0", 0},
                 {"1.0.0.1-beta", "1.0.0.1", -1},
                 {"1.0.0-a.-1", "1.0.0-a.0", -1},  // "-1" is numeric: -1
                 {"1.0.0--1", "1.0.0-0", -1},
                 {"1.0.0--0", "1.0.0-0", 0},                    // both the number 0
                 {"1.0.0-2147483647", "1.0.0-2147483648", -1},  // numeric < non-numeric
                 {"1.0.0-2147483648", "1.0.0-a", -1},           // non-numeric: '2' < 'A'
                 {"1.0.0-9999999999", "1.0.0-10000000000", 1},  // compared as strings
                 {"1.0.0--", "1.0.0-0", 1},
                 {"1.0.0-a-", "1.0.0-a", 1},
                 {"1.0.0-ab", "1.0.0-a.b", 1},
                 {"2147483647.2147483647.2147483647.2147483647", "2147483647", 1},
                 {"1 . 2", "1.2", 0},  // blanks around numbers
                 {"1.2\t-beta", "1.2-beta", 0},
                 {"1+meta", "1.0.0+other", 0},
                 {"0.1.2----+----", "0.1.2----", 0},
             });
}

TEST(Nuget, InvalidSortFirstAndByBytes) {
  checkCases(&compareNuget, {
                                {"v1.0", "0.0.0", -1},
                                {"", "0", -1},
                                {"1.0.0-", "1.0.0", -1},
                                {"v1.0", "v1.0", 0},
                                {"v1.0", "v2.0", -1},
                                {"V1.0", "v1.0", -1},
                                {"2147483648.0", "0.0", -1},
                                {"1.2.3.4.5", "1.2.3.4", -1},
                            });
}

// NuGetVersionTest.cs ParseThrowsIfStringIsNotAValidSemVer and ParseThrowsIfStringIsNullOrEmpty;
// SemVer201SpecTests.cs SemVerVersionInvalidReleaseId, SemVerVersionInvalidReleaseLabelChars,
// SemVerVersionReleaseLabelZeros, SemVerVersionMetadataInvalidChars,
// SemVerVersionMetadataNonEmptyParts.
TEST(Nuget, Invalid) {
  for (const char* v : {
           "",
           "1beta",
           "$version$",
           "1.2Av^c",
           "1.2..",
           "1.2.3.4.5",
           "1.2.3.Beta",
           "1.2.3.4This version is full of awesomeness!!",
           "So.is.this",
           "1.34.2Alpha",
           "1.34.2Release Candidate",
           "1.4.7-",
           "1.4.7-*",
           "1.4.7+*",
           "1.4.7-AA.01^",
           "1.4.7-AA.0A^",
           "1.4.7-A^A",
           "1.4.7+AA.01^",
           "0.1.2-Alpha..2",
           "0.1.2-Alpha.",
           "0.1.2-.AA",
           "0.1.2-",
           "0.1.2-alp=ha",
           "0.1.2-alp\xe2\x94\x90jj",
           "0.1.2-a&444",
           "0.1.2-a.&.444",
           "0.1.2-02",
           "0.1.2-2.02",
           "0.1.2-2.A.02",
           "0.1.2-02.A",
           "0.1.2+\xc3\x84\xc3\x84",
           "0.1.2+22.2\xc3\x84\xc3\x84",
           "0.1.2+2+A",
           "0.1.2+02A.",
           "0.1.2+02..A",
           "0.1.2+",
           // read from the source
           "v1.0.0",
           "-1.0",
           "+1.0",
           "1.-1",
           "2147483648.0",
           "1.0.0-beta+",
           "1.0.0-+meta",
           "   ",
           "1.0 x",
       }) {
    std::string_view problem;
    EXPECT_FALSE(validNuget(v, &problem)) << "'" << v << "'";
    EXPECT_FALSE(problem.empty()) << "'" << v << "'";
  }
}

// VersionParsingTests.cs FullVersionParsing; SemVer201SpecTests.cs SemVerVersionValidZeros,
// SemVerVersionValidReleaseLabels, SemVerVersionReleaseLabelValidZeros,
// SemVerVersionMetadataValidChars, SemVerVersionMetadataLeadingZeros; NuGetVersionTest.cs
// NuGetVersionKeepsOriginalVersionString, TryParseStrictParsesStrictVersion.
TEST(Nuget, Valid) {
  for (const char* v : {
           "1.0.0-Beta",
           "1.0.0-Beta.2",
           "1.0.0+MetaOnly",
           "1.0.0",
           "1.0.0-Beta+Meta",
           "1.0.0-RC.X+MetaAA",
           "1.0.0-RC.X.35.A.3455+Meta-A-B-C",
           "0.1.2",
           "0.0.0",
           "0.1.2-Alpha",
           "0.1.2-Alpha.2.34.5.453.345.345.345.345.A.B.bbbbbbb.Csdfdfdf",
           "0.1.2-Alpha-2-5Bdd",
           "0.1.2--",
           "0.1.2--B-C-",
           "0.1.2--B2.-.C.-A0-",
           "0.1.2+NoReleaseLabel",
           "0.1.2-02A",
           "0.1.2-2.02B",
           "0.1.2-2.A.02-",
           "0.1.2-A02.A",
           "0.1.2+02A",
           "0.1.2+A",
           "0.1.2+20349244.233.344.0",
           "0.1.2+203-49244.23-3.34-4.0-.-.-",
           "0.1.2+-",
           "0.1.2+----.-.-.-",
           "0.1.2----+----",
           "0.1.2+02.02-02",
           "0.1.2+000000",
           "01.42.0",
           "01.0",
           "01.42.0-alpha.1",
           "01.42.0+metadata",
           "1.3.2-CTP-2-Refresh-Alpha",
           "2",
           "1.2.3.4",
           "1.2. 3",
           "  1.0  ",
           "1.0\xc2\xa0",
           "2147483647.0",
           "1.0.0-0",
       }) {
    EXPECT_TRUE(validNuget(v)) << "'" << v << "'";
  }
}

// --- properties ----------------------------------------------------------------------------

std::string randomVersion(std::mt19937_64& rng, bool garbage) {
  static constexpr std::string_view kNumbers[] = {"0", "1", "2", "01", "10", "2147483647", "007"};
  static constexpr std::string_view kLabels[] = {
      "alpha", "Alpha", "beta", "rc", "0", "1", "2", "11", "-1", "-", "a-b", "Z", "9999999999"};
  std::string out(kNumbers[rng() % std::size(kNumbers)]);
  const std::size_t parts = rng() % 4;
  for (std::size_t i = 0; i < parts; ++i) {
    out += '.';
    out += kNumbers[rng() % std::size(kNumbers)];
  }
  if (rng() % 2 == 0) {
    const std::size_t labels = 1 + rng() % 3;
    for (std::size_t i = 0; i < labels; ++i) {
      out += i == 0 ? '-' : '.';
      out += kLabels[rng() % std::size(kLabels)];
    }
  }
  if (rng() % 4 == 0) out += "+meta.1";
  if (garbage) {
    const std::size_t edits = rng() % 3;
    for (std::size_t i = 0; i < edits; ++i) {
      const std::size_t at = rng() % (out.size() + 1);
      out.insert(at, 1, static_cast<char>(rng() % 256));
    }
  }
  return out;
}

TEST(NugetProperties, AntisymmetricOnGarbage) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 50000; ++i) {
    const std::string a = randomVersion(rng, true);
    const std::string b = randomVersion(rng, true);
    const int ab = compareNuget(a, b);
    ASSERT_TRUE(ab == -1 || ab == 0 || ab == 1);
    ASSERT_EQ(ab, -compareNuget(b, a)) << a << " | " << b;
    ASSERT_EQ(compareNuget(a, a), 0) << a;
  }
}

TEST(NugetProperties, TransitiveOnValidVersions) {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 30; ++round) {
    std::vector<std::string> sample;
    for (int i = 0; i < 40; ++i) {
      sample.push_back(randomVersion(rng, false));
      ASSERT_TRUE(validNuget(sample.back())) << sample.back();
    }
    for (const std::string& a : sample) {
      for (const std::string& b : sample) {
        const int ab = compareNuget(a, b);
        for (const std::string& c : sample) {
          const int bc = compareNuget(b, c);
          if (ab <= 0 && bc <= 0) {
            ASSERT_LE(compareNuget(a, c), 0) << a << ", " << b << ", " << c;
          }
          if (ab == 0 && bc == 0) {
            ASSERT_EQ(compareNuget(a, c), 0) << a << ", " << b << ", " << c;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace bulwark::version
