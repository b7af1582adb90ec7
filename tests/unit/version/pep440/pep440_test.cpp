// PEP 440 (src/version/pep440.h): the public vectors in ../shared/testdata/scan/versions (read in
// place), our own edge cases, and properties on generated input.
#include "version/pep440.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "testdata.h"
#include "unit/version/vectors.h"

namespace bulwark::version {
namespace {

using testing::checkCases;
using testing::checkVectors;
using testing::sign;

// pep440_normalize.csv and pep440_specifiers.csv quote fields that hold commas or line breaks
// (RFC 4180), which vectors.h's reader does not handle: a minimal reader for them.
std::vector<std::vector<std::string>> readCsv(const std::string& relative) {
  const std::string text =
      bulwark::testing::readFile(bulwark::testing::sharedTestdata() / relative);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  EXPECT_FALSE(quoted) << relative << ": unterminated quote";
  if (!rows.empty()) rows.erase(rows.begin());  // header
  return rows;
}

// --- public vectors --------------------------------------------------------------------------

TEST(Pep440Vectors, Order) {
  BULWARK_REQUIRE_SHARED("scan/versions/pep440.csv");
  checkVectors("scan/versions/pep440.csv", &comparePep440, 2900);
}

TEST(Pep440Vectors, OrderedListIsValid) {
  BULWARK_REQUIRE_SHARED("scan/versions/pep440.csv");
  for (const testing::Vector& v : testing::readVectors("scan/versions/pep440.csv")) {
    EXPECT_TRUE(validPep440(v.a)) << v.a;
    EXPECT_TRUE(validPep440(v.b)) << v.b;
  }
}

TEST(Pep440Vectors, Normalize) {
  BULWARK_REQUIRE_SHARED("scan/versions/pep440_normalize.csv");
  const auto rows = readCsv("scan/versions/pep440_normalize.csv");
  EXPECT_GE(rows.size(), 100u);
  for (const auto& row : rows) {
    ASSERT_GE(row.size(), 2u);
    EXPECT_EQ(normalizePep440(row[0]), row[1]) << "'" << row[0] << "'";
    EXPECT_TRUE(validPep440(row[0])) << "'" << row[0] << "'";
    // The normal form is a fixed point, and equal to the input.
    EXPECT_EQ(normalizePep440(row[1]), row[1]);
    EXPECT_EQ(comparePep440(row[0], row[1]), 0) << "'" << row[0] << "'";
  }
}

// pep440_specifiers.csv comes from aquasecurity/go-pep440-version, which differs from
// packaging in two ways:
//   - it lets pre-releases match any specifier, which is SpecifierSet.contains(v,
//     prereleases=True): we check those rows with Pep440Prereleases::Include, and check Auto
//     (prereleases=None, packaging's default) by its definition;
//   - some rows use its own syntax ("||", clauses separated by blanks, "=2.0", a bare "2.0",
//     "*", and "==2.0.post1.*", a wildcard after a post-release). packaging raises
//     InvalidSpecifier on all of them (checked with Debian's python3-packaging 23.0), so the
//     parser must refuse exactly those rows.
TEST(Pep440Vectors, Specifiers) {
  BULWARK_REQUIRE_SHARED("scan/versions/pep440_specifiers.csv");
  const auto rows = readCsv("scan/versions/pep440_specifiers.csv");
  EXPECT_GE(rows.size(), 180u);
  std::size_t checked = 0;
  std::size_t refused = 0;
  for (const auto& row : rows) {
    ASSERT_GE(row.size(), 3u);
    const std::string& version = row[0];
    const std::string& spec = row[1];
    ASSERT_TRUE(row[2] == "true" || row[2] == "false") << spec;
    const bool satisfied = row[2] == "true";
    const auto parsed = parsePep440Specifiers(spec);
    const bool extension =
        spec.find("||") != std::string::npos || spec.find(".post1.*") != std::string::npos ||
        spec == "*" || (!spec.empty() && spec.find_first_of("<>=!~") != 0) ||
        (spec.size() > 1 && spec[0] == '=' && spec[1] != '=') ||
        (spec.find(',') == std::string::npos && std::count(spec.begin(), spec.end(), ' ') > 1);
    if (extension) {
      EXPECT_FALSE(parsed.has_value()) << "accepted go-pep440-version syntax: '" << spec << "'";
      if (!parsed) {
        EXPECT_EQ(parsed.error().code, core::ErrorCode::Input);
      }
      ++refused;
      continue;
    }
    ASSERT_TRUE(parsed.has_value()) << spec << ": " << parsed.error().message;
    EXPECT_EQ(parsed->contains(version, Pep440Prereleases::Include), satisfied)
        << "'" << version << "' in '" << spec << "'";
    const bool excluded = isPep440Prerelease(version) && !parsed->prereleases();
    EXPECT_EQ(parsed->contains(version), satisfied && !excluded)
        << "'" << version << "' in '" << spec << "' (prereleases=None)";
    EXPECT_EQ(parsed->contains(version, Pep440Prereleases::Exclude),
              satisfied && !isPep440Prerelease(version))
        << "'" << version << "' in '" << spec << "' (prereleases=False)";
    ++checked;
  }
  EXPECT_EQ(checked, 155u);
  EXPECT_EQ(refused, 26u);
}

// --- own edge cases: order -------------------------------------------------------------------

TEST(Pep440, Ordering) {
  checkCases(&comparePep440,
             {
                 {"1.0", "1.0.0", 0},
                 {"1.0", "1.0.0.0.0", 0},
                 {"1.0", "v1.0", 0},
                 {"1.0", "V1.0", 0},
                 {"  1.0\t\n", "1.0", 0},
                 {"\xc2\xa0"
                  "1.0\xe3\x80\x80",
                  "1.0", 0},  // U+00A0 and U+3000 around it
                 {"\x1c"
                  "1.0\x1f",
                  "1.0", 0},  // Python counts \x1c..\x1f as spaces
                 {"0!1.0", "1.0", 0},
                 {"00!1.0", "1.0", 0},
                 {"1!0.1", "9999.0", 1},
                 {"1.0.dev1", "1.0a1", -1},  // dev-only sorts before every pre-release
                 {"1.0a1.dev1", "1.0a1", -1},
                 {"1.0a1", "1.0alpha1", 0},
                 {"1.0b1", "1.0beta1", 0},
                 {"1.0c1", "1.0rc1", 0},
                 {"1.0pre1", "1.0rc1", 0},
                 {"1.0preview1", "1.0rc1", 0},
                 {"1.0a", "1.0a0", 0},
                 {"1.0a9", "1.0b0", -1},
                 {"1.0rc9", "1.0", -1},
                 {"1.0", "1.0.post0", -1},
                 {"1.0-1", "1.0.post1", 0},  // implicit post-release
                 {"1.0-r1", "1.0.post1", 0},
                 {"1.0rev", "1.0.post0", 0},
                 {"1.0.post1.dev1", "1.0.post1", -1},
                 {"1.0.post1.dev1", "1.0.post0", 1},
                 {"1.0a-1", "1.0a1", 0},  // the pre-release takes the number (Python's regex)
                 {"1.0a_-1", "1.0a0.post1", 0},
                 {"1.0a.", "1.0a0", 0},  // a trailing separator after a word is allowed
                 {"1.0", "1.0+0", -1},
                 {"1.0+a", "1.0+0", -1},  // numeric local parts sort above alphanumeric ones
                 {"1.0+abc", "1.0+ABC", 0},
                 {"1.0+abc.01", "1.0+abc-1", 0},
                 {"1.0+abc", "1.0+abc.1", -1},
                 {"1.0+1.a", "1.0+1", 1},
                 {"1.0+1_2", "1.0+1.10", -1},
                 {"1.0+zzz", "1.0.post1", -1},
                 // numbers of any length
                 {"1.123456789012345678901234567890", "1.123456789012345678901234567891", -1},
                 {"99999999999999999999999!1", "99999999999999999999998!2", 1},
                 {"1.0.post000000000000000000000000000001", "1.0.post1", 0},
                 // invalid strings: below every valid version, by bytes among themselves
                 {"", "0", -1},
                 {"", "", 0},
                 {"foo", "0.dev0", -1},
                 {"1.0-", "0", -1},
                 {"abc", "abd", -1},
                 {"1.0 ", "1.0", 0},
                 {"1..0", "1.0", -1},
                 {"1.0.", "1.0", -1},
                 {"v", "0", -1},
                 {"1.0+", "1.0", -1},
                 {"1.0+a..b", "1.0", -1},
             });
  // Embedded NUL and garbage bytes are invalid, compared by bytes.
  EXPECT_EQ(comparePep440(std::string_view("1.0\0", 4), "1.0"), -1);
  EXPECT_EQ(comparePep440(std::string_view("\xff", 1), std::string_view("\xfe", 1)), 1);
  EXPECT_EQ(comparePep440("1.0\xc4\xb1", "1.0"), -1);
}

TEST(Pep440, HugeNumbers) {
  const std::string big(5000, '9');  // beyond CPython's int() limit: compared exactly here
  EXPECT_TRUE(validPep440(big));
  EXPECT_EQ(comparePep440(big, big + ".0"), 0);
  EXPECT_EQ(comparePep440(big, "1" + big.substr(1)), 1);
  EXPECT_EQ(comparePep440(big + "!1", "1!" + big), 1);
  EXPECT_EQ(normalizePep440("000" + big + "a00"), big + "a0");
}

TEST(Pep440, Validity) {
  for (const char* good :
       {"1",       "1.0",         "v1",        "1!1",           "1.0a",         "1.0.a.1",
        "1.0-a-1", "1.0_alpha_1", "1.0.post",  "1.0-post-1",    "1.0r",         "1.0-1",
        "1.0a1-1", "1.0.dev",     "1.0-dev-1", "1.0+a",         "1.0+a.b-c_d",  "1.0+A1",
        " 1.0 ",   "1.0\n",       "1.0RC1",    "1.0PoSt2.DeV3", "1.0a.post.dev"}) {
    std::string_view problem = "unset";
    EXPECT_TRUE(validPep440(good, &problem)) << "'" << good << "'";
    EXPECT_EQ(problem, "unset");
  }
  for (const char* bad : {"",
                          " ",
                          "v",
                          "a1",
                          "1.",
                          ".1",
                          "1..0",
                          "1!",
                          "!1",
                          "1!!1",
                          "1.0-",
                          "1.0+",
                          "1.0+.a",
                          "1.0+a.",
                          "1.0 a1",
                          "1.0a1a1",
                          "1.0.post1.post2",
                          "1.0.dev1.a1",
                          "1.0-1-1",
                          "1.0--1",
                          "1.0.*",
                          "1.0dev1dev",
                          "vv1",
                          "1.0prev\xc4\xb1"
                          "ew",
                          "1.0\xff",
                          "1.0_1",
                          "1,0",
                          "1.0~1"}) {
    std::string_view problem;
    EXPECT_FALSE(validPep440(bad, &problem)) << "'" << bad << "'";
    EXPECT_FALSE(problem.empty()) << "'" << bad << "'";
    EXPECT_FALSE(validPep440(bad));
    EXPECT_EQ(normalizePep440(bad), "") << "'" << bad << "'";
  }
}

TEST(Pep440, Normalize) {
  EXPECT_EQ(normalizePep440("V1.0-ALPHA_1-3.DEV+Ubuntu-01"), "1.0a1.post3.dev0+ubuntu.1");
  EXPECT_EQ(normalizePep440("0!01.002"), "1.2");
  EXPECT_EQ(normalizePep440("2!1.0"), "2!1.0");
  EXPECT_EQ(normalizePep440("1.0.0"), "1.0.0");  // trailing zeros are kept in the normal form
  EXPECT_EQ(normalizePep440("1.0c"), "1.0rc0");
  EXPECT_EQ(normalizePep440("1.0-r"), "1.0.post0");
  EXPECT_EQ(normalizePep440("1.0.dev"), "1.0.dev0");
  EXPECT_EQ(normalizePep440("1.0pre.r.DEV"), "1.0rc0.post0.dev0");
  EXPECT_EQ(normalizePep440("1.0+0000"), "1.0+0");
}

TEST(Pep440, Prerelease) {
  EXPECT_TRUE(isPep440Prerelease("1.0a1"));
  EXPECT_TRUE(isPep440Prerelease("1.0.dev1"));
  EXPECT_TRUE(isPep440Prerelease("1.0.post1.dev1"));
  EXPECT_FALSE(isPep440Prerelease("1.0.post1"));
  EXPECT_FALSE(isPep440Prerelease("1.0+dev"));
  EXPECT_FALSE(isPep440Prerelease("garbage"));
}

// --- own edge cases: specifiers --------------------------------------------------------------

struct SpecCase {
  const char* spec;
  const char* version;
  bool contained;  // with Pep440Prereleases::Auto (prereleases=None)
};

void checkSpecCases(std::initializer_list<SpecCase> cases) {
  for (const SpecCase& c : cases) {
    const auto parsed = parsePep440Specifiers(c.spec);
    ASSERT_TRUE(parsed.has_value()) << "'" << c.spec << "': " << parsed.error().message;
    EXPECT_EQ(parsed->contains(c.version), c.contained)
        << "'" << c.version << "' in '" << c.spec << "'";
  }
}

// Answers checked against packaging 23.0 (Debian 12's python3-packaging).
TEST(Pep440Specifiers, Containment) {
  checkSpecCases({
      {"~=1.4.2, !=1.5.*, <2", "1.4.5", true},
      {"~=1.4.2, !=1.5.*, <2", "1.5.0", false},
      {"~=1.4.2, !=1.5.*, <2", "1.4.1", false},
      {"~=1.4.2, !=1.5.*, <2", "1.6", false},  // ~=1.4.2 is ==1.4.*
      {"~=1.4", "1.9", true},
      {"~=1.4", "2.0", false},
      {"~=2!1.0", "2!1.5", true},
      {"~=1.0.0pre1", "1.0.5", true},    // "0pre1" is one item: prefix 1.0.*
      {"~=1.0.0.pre1", "1.0.5", false},  // "pre1" is not a suffix item: prefix 1.0.0.*
      {"==1.0.*", "1.0+local", true},
      {"==1.0.*", "1", true},
      {"==1.*", "1.0rc1", false},  // pre-releases excluded: no clause names one
      {"==1.0.*", "1.1", false},
      {"==2!1.*", "2!1.5", true},
      {"==1.0", "1.0+local", true},
      {"==1.0+local", "1.0", false},
      {"==1.0+LOCAL", "1.0+local", true},
      {"!=1.0", "1.0+local", false},
      {"<=1.0", "1.0+local", true},
      {">=1.0", "1.0+local", true},
      {">1.0", "1.0+local", false},
      {">1.0", "1.0.post1", false},
      {">1.0.post1", "1.0.post2", true},
      {">1.0", "1.1+local", true},
      {"<1.0", "1.0rc1", false},
      {"<1.0rc2", "1.0rc1", false},  // '<' does not name pre-releases: Auto excludes them
      {"<1.0a1", "0.9a1", false},    // '<' never names pre-releases
      {">=1.0a1", "1.0a2", true},
      {"===1.0", "1.0", true},
      {"===1.0", "v1.0", true},  // str(Version) of the candidate
      {"===1.0", "1.0.0", false},
      {"=== 1.0", "1.0", true},
      {"===foo", "1.0", false},  // packaging raises InvalidVersion
      {"===", "1.0", false},
      {"", "1.0", true},
      {"", "1.0a1", false},
      {" , >=1,,", "2", true},
      {">=1", "garbage", false},  // packaging raises InvalidVersion
      {">= 1.0 ,< 2.0\t", "1.5", true},
  });
  const auto set = parsePep440Specifiers("==1.*");
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->contains("1.0rc1", Pep440Prereleases::Include));
  EXPECT_TRUE(set->contains("1.0", Pep440Prereleases::Exclude));
  EXPECT_FALSE(set->contains("1.0rc1", Pep440Prereleases::Exclude));
  EXPECT_TRUE(parsePep440Specifiers("<1.0rc2")->contains("1.0rc1", Pep440Prereleases::Include));
  const auto named = parsePep440Specifiers(">=1.0a1, <2");
  ASSERT_TRUE(named);
  EXPECT_TRUE(named->contains("1.5a1"));
  EXPECT_FALSE(named->contains("1.5a1", Pep440Prereleases::Exclude));
}

TEST(Pep440Specifiers, Clauses) {
  const auto set = parsePep440Specifiers(" ~= 1.4.2 , != 1.5.* , < 2 ,=== foo");
  ASSERT_TRUE(set);
  ASSERT_EQ(set->clauses().size(), 4u);
  EXPECT_EQ(set->clauses()[0].op, Pep440Operator::Compatible);
  EXPECT_EQ(set->clauses()[0].version, "1.4.2");
  EXPECT_EQ(set->clauses()[1].op, Pep440Operator::NotEqual);
  EXPECT_EQ(set->clauses()[1].version, "1.5.*");
  EXPECT_EQ(set->clauses()[2].op, Pep440Operator::Less);
  EXPECT_EQ(set->clauses()[3].op, Pep440Operator::Arbitrary);
  EXPECT_EQ(set->clauses()[3].version, "foo");
  EXPECT_FALSE(set->prereleases());
  EXPECT_TRUE(parsePep440Specifiers(">=1.0, <=2.0rc1")->prereleases());
  EXPECT_FALSE(parsePep440Specifiers("<2.0rc1")->prereleases());
  EXPECT_TRUE(parsePep440Specifiers("")->empty());
}

TEST(Pep440Specifiers, Invalid) {
  for (const char* bad : {"1.0",        "=1.0",          "*",
                          "~=1",        "~=1.0+local",   "<=1.0+local",
                          ">1.0.*",     "==1.0a1.*",     "==2.0.post1.*",
                          ">=1.0 <2.0", ">=1.0 || <0.5", "<==1.0",
                          "== =1.0",    "~==1.0",        ">=",
                          "==",         ">=1.0,foo",     "===a b",
                          "===a;b",     "===a)",         "=== a b",
                          ">= 1 .0",    ">=1..0",        "==1.0.*.*",
                          "!=1.0 .*",   "==v",           "<1.0-",
                          ">=\xff"}) {
    const auto parsed = parsePep440Specifiers(bad);
    EXPECT_FALSE(parsed.has_value()) << "'" << bad << "'";
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, core::ErrorCode::Input);
      EXPECT_FALSE(parsed.error().message.empty());
    }
  }
  const std::string huge(kMaxPep440SpecifierBytes + 1, ',');
  const auto limited = parsePep440Specifiers(huge);
  ASSERT_FALSE(limited.has_value());
  EXPECT_EQ(limited.error().code, core::ErrorCode::Limit);
  // Just below the limit: many empty clauses are fine.
  EXPECT_TRUE(parsePep440Specifiers(std::string(kMaxPep440SpecifierBytes, ',')).has_value());
}

// --- properties --------------------------------------------------------------------------------

std::string randomVersion(std::mt19937_64& rng, bool garbage) {
  static constexpr std::string_view kPieces[] = {
      "0",     "1", "2",  "01",    "10",   ".",    ".", "-",   "_",   "a",
      "b",     "c", "rc", "alpha", "pre",  "post", "r", "rev", "dev", "+",
      "local", "v", "!",  " ",     "\xff", "*",    "~", "A",   "DEV"};
  std::string out;
  if (!garbage) out = std::to_string(rng() % 3);
  const std::size_t n = rng() % 8;
  for (std::size_t i = 0; i < n; ++i) out += kPieces[rng() % std::size(kPieces)];
  return out;
}

TEST(Pep440Properties, AntisymmetricOnGarbage) {
  std::mt19937_64 rng(20240611);
  std::size_t violations = 0;
  for (int k = 0; k < 200000; ++k) {
    const std::string a = randomVersion(rng, k % 2 == 0);
    const std::string b = randomVersion(rng, k % 3 == 0);
    const int ab = comparePep440(a, b);
    const int ba = comparePep440(b, a);
    if ((ab != -ba || comparePep440(a, a) != 0 || ab < -1 || ab > 1) && ++violations <= 10) {
      ADD_FAILURE() << "'" << a << "' vs '" << b << "': " << ab << " reversed " << ba;
    }
  }
  EXPECT_EQ(violations, 0u);
}

TEST(Pep440Properties, TransitiveAndNormalFormConsistent) {
  std::mt19937_64 rng(20240612);
  std::vector<std::string> versions;
  for (int k = 0; versions.size() < 3000 && k < 1000000; ++k) {
    std::string v = randomVersion(rng, false);
    if (validPep440(v)) versions.push_back(std::move(v));
  }
  ASSERT_EQ(versions.size(), 3000u);
  std::size_t violations = 0;
  for (const std::string& v : versions) {
    // The normal form is valid, a fixed point, and equal to the version.
    const std::string normal = normalizePep440(v);
    if ((normalizePep440(normal) != normal || comparePep440(v, normal) != 0) &&
        ++violations <= 10) {
      ADD_FAILURE() << "'" << v << "' -> '" << normal << "'";
    }
  }
  std::vector<std::string> sorted = versions;
  std::sort(sorted.begin(), sorted.end(),
            [](const std::string& x, const std::string& y) { return comparePep440(x, y) < 0; });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (comparePep440(sorted[i - 1], sorted[i]) > 0 && ++violations <= 10) {
      ADD_FAILURE() << "unsorted: '" << sorted[i - 1] << "' > '" << sorted[i] << "'";
    }
  }
  for (int k = 0; k < 200000; ++k) {
    const std::string& a = versions[rng() % versions.size()];
    const std::string& b = versions[rng() % versions.size()];
    const std::string& c = versions[rng() % versions.size()];
    if (comparePep440(a, b) <= 0 && comparePep440(b, c) <= 0 && comparePep440(a, c) > 0 &&
        ++violations <= 10) {
      ADD_FAILURE() << "'" << a << "' <= '" << b << "' <= '" << c << "'";
    }
  }
  EXPECT_EQ(violations, 0u);
}

}  // namespace
}  // namespace bulwark::version
