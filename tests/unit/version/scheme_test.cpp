// Version schemes: the public vectors in ../shared/testdata/scan/versions (read in place) and
// our own edge cases.
#include "version/scheme.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "unit/version/vectors.h"

namespace bulwark::version {
namespace {

using testing::Case;
using testing::checkCases;
using testing::checkVectors;
using testing::readVectors;
using testing::sign;
using testing::Vector;

TEST(VersionVectors, Dpkg) {
  BULWARK_REQUIRE_SHARED("scan/versions/dpkg.csv");
  checkVectors("scan/versions/dpkg.csv", &compareDpkg, 60);
}

// rpm.csv holds plain rpmvercmp() cases (e.g. `1.2.3.4 = 1-2-3-4`: '-' is only a separator
// there), so they exercise compareRpmSegment.
TEST(VersionVectors, RpmSegment) {
  BULWARK_REQUIRE_SHARED("scan/versions/rpm.csv");
  checkVectors("scan/versions/rpm.csv", &compareRpmSegment, 4500);
}

// For the rows without '-' or ':' a full EVR is the version alone, so compareRpm must agree.
TEST(VersionVectors, RpmFullEvrOnPlainVersions) {
  BULWARK_REQUIRE_SHARED("scan/versions/rpm.csv");
  int checked = 0;
  for (const Vector& v : readVectors("scan/versions/rpm.csv")) {
    if (v.a.empty() || v.b.empty()) continue;
    if (v.a.find_first_of("-:") != std::string::npos) continue;
    if (v.b.find_first_of("-:") != std::string::npos) continue;
    EXPECT_EQ(sign(compareRpm(v.a, v.b)), v.expected) << v.a << " vs " << v.b;
    ++checked;
  }
  EXPECT_GT(checked, 4000);
}

TEST(VersionVectors, Apk) {
  BULWARK_REQUIRE_SHARED("scan/versions/apk.csv");
  checkVectors("scan/versions/apk.csv", &compareApk, 700);
}

// --- own edge cases ---------------------------------------------------------------------------

TEST(Dpkg, Ordering) {
  checkCases(&compareDpkg,
             {
                 {"1.0~rc1", "1.0", -1},
                 {"1.0", "1.0+b1", -1},
                 {"1.0+b1", "1.0.1", -1},
                 {"1.0a", "1.0+", -1},  // letters before other characters
                 {"1.0~~", "1.0~", -1},
                 {"1.0~", "1.0", -1},  // '~' before the end of the string
                 {"1.2.3-1~deb7u1", "1.2.3-1", -1},
                 {"1.0", "1.0-0", 0},  // missing revision == "0"
                 {"1.0-", "1.0", 0},   // empty revision == missing (dpkg)
                 {"0:1.0", "1.0", 0},
                 {"00:1.0", "1.0", 0},
                 {"1:0.1", "0.9", 1},
                 {"10:1", "9:2", 1},
                 {"1.0-1-2", "1.0-1-10", -1},  // revision after the last '-'
                 {"1:2:3", "1:2:4", -1},       // ':' inside upstream
                 {"007", "7", 0},
                 // digit runs longer than any integer type
                 {"1.123456789012345678901234567890", "1.123456789012345678901234567891", -1},
                 {"99999999999999999999999:1", "99999999999999999999998:2", 1},
                 {"3.0", "3.0-0ubuntu1", -1},
                 {"2:1.0", "1:9.9", 1},
                 {"", "", 0},
                 {"", "0", 0},
                 {"", "~", 1},
             });
}

TEST(Dpkg, HighBytesSortBetweenLettersAndPunctuation) {
  // dpkg on x86 weighs byte c >= 0x80 as (signed char)c + 256 == c: after letters, before '+'.
  checkCases(&compareDpkg, {{"1a", "1\xe9", -1}, {"1\xe9", "1+", -1}, {"1\x80", "1\xff", -1}});
}

TEST(Dpkg, Validity) {
  std::string_view problem;
  EXPECT_TRUE(validDpkg("1:2.30.2-1+deb12u1"));
  EXPECT_TRUE(validDpkg("3.0.11-1~deb12u2"));
  EXPECT_TRUE(validDpkg("1:2:3-4"));
  EXPECT_FALSE(validDpkg("", &problem));
  EXPECT_EQ(problem, "version string is empty");
  EXPECT_FALSE(validDpkg("a1.0", &problem));
  EXPECT_EQ(problem, "version number does not start with digit");
  EXPECT_FALSE(validDpkg("1.0-", &problem));
  EXPECT_EQ(problem, "revision number is empty");
  EXPECT_FALSE(validDpkg("x:1.0", &problem));
  EXPECT_EQ(problem, "epoch in version is not number");
  EXPECT_FALSE(validDpkg(":1.0", &problem));
  EXPECT_EQ(problem, "epoch in version is empty");
  EXPECT_FALSE(validDpkg("1:", &problem));
  EXPECT_EQ(problem, "nothing after colon in version number");
  EXPECT_FALSE(validDpkg("2147483648:1", &problem));
  EXPECT_EQ(problem, "epoch in version is too big");
  EXPECT_TRUE(validDpkg("2147483647:1"));
  EXPECT_FALSE(validDpkg("1.0_1", &problem));
  EXPECT_EQ(problem, "invalid character in version number");
  EXPECT_FALSE(validDpkg("1.0-1:2", &problem));
  EXPECT_EQ(problem, "epoch in version is not number");
  EXPECT_FALSE(validDpkg("1.0-a_b", &problem));
  EXPECT_EQ(problem, "invalid character in revision number");
  EXPECT_FALSE(validDpkg("1.0 1", &problem));
  EXPECT_EQ(problem, "version string has embedded spaces");
  EXPECT_TRUE(validDpkg(" 1.0\t"));  // dpkg trims blanks
  EXPECT_TRUE(validDpkg("+1:2.0"));  // dpkg reads the epoch with strtol()
  EXPECT_TRUE(validDpkg("-0:2.0"));
  EXPECT_FALSE(validDpkg("-1:2.0", &problem));
  EXPECT_EQ(problem, "epoch in version is negative");
  EXPECT_FALSE(validDpkg("+:2.0", &problem));
  EXPECT_EQ(problem, "epoch in version is empty");
}

TEST(Rpm, SegmentOrdering) {
  checkCases(&compareRpmSegment, {
                                     {"1.0", "1_0", 0},
                                     {"1.0", "1.0.0", -1},
                                     {"1.0~rc1", "1.0", -1},
                                     {"1.0~rc1", "1.0~rc1~git1", 1},
                                     {"1.0^", "1.0", 1},
                                     {"1.0^git1", "1.01", -1},
                                     {"1.0^git1", "1.0.1", -1},
                                     {"1.0~rc1^git1", "1.0~rc1", 1},
                                     {"1a", "1.a", 0},
                                     {"1", "a", 1},       // numeric newer than alpha
                                     {"a", "B", 1},       // strcmp on letters
                                     {"2.0", "2.0.", 0},  // trailing separators ignored
                                     {"010", "10", 0},
                                     {"1.18446744073709551617", "1.18446744073709551616", 1},
                                     {"", "", 0},
                                     {"", "~", 1},
                                     {"", "^", -1},
                                     {"", ".", 0},
                                 });
}

TEST(Rpm, FullEvr) {
  checkCases(&compareRpm, {
                              {"1:1.0-1", "2.0-1", 1},
                              {"0:1.0-1", "1.0-1", 0},
                              {":1.0", "1.0", 0},   // empty epoch == 0, as rpm parses it
                              {"1.0-1", "1.0", 1},  // a release beats no release
                              {"1.0-", "1.0", 1},   // even an empty one (rpmverCmp)
                              {"1.0-1.el9", "1.0-1.el9_2", -1},
                              {"1.0-1-2", "1.0-1-10", -1},  // release after the last '-'
                              {"2.0-1", "10.0-1", -1},
                              {"a:1", "1", -1},  // "a:1" is a version ("a" < "1"), not an epoch
                              {"1.0~rc1-1", "1.0-1", -1},
                              {"1.0^git1-1", "1.0-5", 1},
                              {"99999999999999999999:1", "1:2", 1},
                              {"", "0", -1},
                          });
}

TEST(Rpm, Validity) {
  std::string_view problem;
  EXPECT_TRUE(validRpm("1:3.0.7-24.el9"));
  EXPECT_TRUE(validRpm("1.0~rc1^git2-1.fc40"));
  EXPECT_TRUE(validRpm("1.0"));
  EXPECT_FALSE(validRpm("", &problem));
  EXPECT_FALSE(validRpm("x:1.0", &problem));
  EXPECT_EQ(problem, "epoch is not a number");
  EXPECT_FALSE(validRpm("1.0-", &problem));
  EXPECT_EQ(problem, "release is empty");
  EXPECT_FALSE(validRpm("1-2-3", &problem));
  EXPECT_EQ(problem, "invalid character in version");
  EXPECT_FALSE(validRpm("-1", &problem));
  EXPECT_EQ(problem, "version is empty");
}

TEST(Apk, Ordering) {
  checkCases(&compareApk, {
                              {"1.0", "1.0-r0", -1},
                              {"1.0-r0", "1.0-r1", -1},
                              {"1.0-r1", "1.0.1", -1},
                              {"1.0_rc1", "1.0", -1},
                              {"1.0_alpha", "1.0_beta", -1},
                              {"1.0_beta", "1.0_pre", -1},
                              {"1.0_pre", "1.0_rc", -1},
                              {"1.0", "1.0_cvs", -1},
                              {"1.0_cvs", "1.0_svn", -1},
                              {"1.0_svn", "1.0_git", -1},
                              {"1.0_git", "1.0_hg", -1},
                              {"1.0_hg", "1.0_p", -1},
                              {"1.0_p1", "1.0_p2", -1},
                              {"1.0a", "1.0b", -1},
                              {"1.0", "1.0a", -1},
                              {"1.01", "1.1", -1},  // leading zero: string compare
                              {"1.002", "1.01", -1},
                              {"01", "1", 0},  // not for the first component
                              {"1.0~abc", "1.0~abd", -1},
                              {"1.0~abc", "1.0", 1},
                              {"1.0~abc-r1", "1.0-r1", 1},
                              {"1.0_alpha_pre2", "1.0_alpha", -1},
                              {"1.0", "1.0bc", -1},       // invalid continues: older
                              {"1.0_foo", "1.0_bar", 0},  // both invalid at the same place
                              {"1.0-x", "1.0", -1},
                              {"1.0.", "1.0", -1},
                              {"", "", 0},
                              {"", "0", -1},
                              {"1.123456789012345678901234567890", "1.99", 1},
                          });
}

TEST(Apk, Validity) {
  EXPECT_TRUE(validApk("1.2.3a_rc1_p2~1a2b3c-r4"));
  EXPECT_TRUE(validApk("3.0.11-r0"));
  EXPECT_TRUE(validApk("20050718"));
  EXPECT_FALSE(validApk(""));
  EXPECT_FALSE(validApk("1.0bc"));
  EXPECT_FALSE(validApk("1.0_foo"));
  EXPECT_FALSE(validApk("1.0-1"));
  EXPECT_FALSE(validApk("1.0~"));
  EXPECT_FALSE(validApk("1.0~ab~cd"));
  EXPECT_FALSE(validApk("1.0A"));
  EXPECT_FALSE(validApk("1.0."));
  std::string_view problem;
  EXPECT_FALSE(validApk("v1.0", &problem));
  EXPECT_EQ(problem, "version does not start with a digit");
}

// --- registry ---------------------------------------------------------------------------------

// Versions every scheme accepts, in increasing order: Go wants its "v", npm and Cargo all
// three numbers.
std::vector<std::string> ascending(const SchemeInfo& info) {
  const std::string prefix = info.scheme == Scheme::Go ? "v" : "";
  return {prefix + "1.0.0", prefix + "1.1.0", prefix + "999.0.0"};
}

TEST(Registry, FindsEverySchemeByName) {
  ASSERT_EQ(allSchemes().size(), 12u);
  for (const SchemeInfo& info : allSchemes()) {
    const SchemeInfo* found = findScheme(info.name);
    ASSERT_NE(found, nullptr) << info.name;
    EXPECT_EQ(found, &schemeInfo(info.scheme));
    const auto versions = ascending(info);
    EXPECT_EQ(found->compare(versions[0], versions[1]), -1) << info.name;
    EXPECT_TRUE(found->valid(versions[0], nullptr)) << info.name;
  }
  EXPECT_EQ(findScheme("dpkg")->compare, &compareDpkg);
  EXPECT_EQ(findScheme("rpm")->compare, &compareRpm);
  EXPECT_EQ(findScheme("apk")->compare, &compareApk);
  EXPECT_EQ(findScheme("pep440")->compare, &comparePep440);
  EXPECT_EQ(findScheme("maven")->compare, &compareMaven);
  EXPECT_EQ(findScheme("go")->compare, &compareGo);
  EXPECT_EQ(findScheme("nosuch"), nullptr);
  EXPECT_EQ(findScheme("DPKG"), nullptr);
  EXPECT_EQ(findScheme(""), nullptr);
}

TEST(Registry, ComparatorsReturnMinusOneZeroOne) {
  for (const SchemeInfo& info : allSchemes()) {
    const auto versions = ascending(info);
    EXPECT_EQ(info.compare(versions[0], versions[2]), -1) << info.name;
    EXPECT_EQ(info.compare(versions[2], versions[0]), 1) << info.name;
    EXPECT_EQ(info.compare(versions[1], versions[1]), 0) << info.name;
  }
}

}  // namespace
}  // namespace bulwark::version
