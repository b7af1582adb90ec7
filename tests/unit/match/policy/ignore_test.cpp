// The ignore file: parsing, errors with their lines, scopes and expiry (ignore.h).
#include <gtest/gtest.h>

#include "fixture.h"

namespace bulwark::match {
namespace {

using testing::date;
using testing::debianMini;
using testing::fixture;
using testing::subjectOf;

TEST(IgnoreFile, ReadsBulwarkAndTrivyKeys) {
  const auto file = loadIgnoreFile(fixture("ignore/debian-mini.yaml"));
  ASSERT_TRUE(file) << file.error().message;
  ASSERT_EQ(file->rules.size(), 2U);
  const auto& first = file->rules[0];
  EXPECT_EQ(first.id, "CVE-2024-2961");
  EXPECT_EQ(first.names, std::vector<std::string>{"libc6"});
  EXPECT_EQ(first.paths, std::vector<std::string>{"var/lib/dpkg/**"});
  EXPECT_EQ(first.reason, "no ISO-2022-CN-EXT conversion happens in this image");
  ASSERT_TRUE(first.expires);
  EXPECT_EQ(*first.expires, date(2099, 12, 31));
  EXPECT_EQ(first.line, 3U);
  const auto& second = file->rules[1];
  ASSERT_EQ(second.purls.size(), 1U);
  EXPECT_EQ(second.purls[0].name, "openssl");
  EXPECT_EQ(second.reason, "PKCS12 files are never parsed") << "statement is reason";
  EXPECT_FALSE(second.expires);
}

TEST(IgnoreFile, EmptyFileIgnoresNothing) {
  for (const char* text : {"", "# nothing\n", "vulnerabilities:\n", "secrets: []\n"}) {
    const auto file = parseIgnoreFile(text, "x.yaml");
    ASSERT_TRUE(file) << text << ": " << file.error().message;
    EXPECT_TRUE(file->rules.empty());
  }
}

TEST(IgnoreFile, MalformedYamlNamesFileAndLine) {
  const std::string path = fixture("ignore/malformed.yaml");
  const auto file = loadIgnoreFile(path);
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, core::ErrorCode::Input);
  // The flow list opened on line 3 is found unclosed on line 4.
  EXPECT_EQ(file.error().message.rfind(path + ":4:", 0), 0U) << file.error().message;
}

TEST(IgnoreFile, EveryBadEntryIsReportedWithItsLine) {
  const std::string path = fixture("ignore/bad-entries.yaml");
  const auto file = loadIgnoreFile(path);
  ASSERT_FALSE(file);
  const std::string& message = file.error().message;
  EXPECT_NE(message.find(path + ":3: unknown key 'pakages'"), std::string::npos) << message;
  EXPECT_NE(message.find(path + ":4: entry without an 'id'"), std::string::npos) << message;
  EXPECT_NE(message.find(path + ":6: 'expires' is not a date"), std::string::npos) << message;
  EXPECT_NE(message.find(path + ":8: 'not-a-purl' is not a valid purl"), std::string::npos)
      << message;
}

TEST(IgnoreFile, WrongShapesAreErrors) {
  EXPECT_FALSE(parseIgnoreFile("- id: CVE-1\n", "x"));
  EXPECT_FALSE(parseIgnoreFile("vulnerabilities: CVE-1\n", "x"));
  EXPECT_FALSE(parseIgnoreFile("vulnerabilities:\n  - CVE-1\n", "x"));
  EXPECT_FALSE(parseIgnoreFile("vulnerability:\n  - id: CVE-1\n", "x")) << "misspelt section";
  EXPECT_FALSE(parseIgnoreFile("vulnerabilities:\n  - id: [a]\n", "x"));
  EXPECT_FALSE(parseIgnoreFile("vulnerabilities:\n  - id: CVE-1\n    paths: {a: b}\n", "x"));
}

TEST(ParseDate, StrictCalendarDates) {
  EXPECT_EQ(parseDate("2024-02-29"), date(2024, 2, 29));
  EXPECT_EQ(parseDate("2024-06-30T00:00:00Z"), date(2024, 6, 30));
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-1-01", "20240101", "tomorrow", ""}) {
    EXPECT_FALSE(parseDate(bad)) << bad;
  }
}

TEST(IgnoreRule, ExpiresAtTheStartOfItsDate) {
  IgnoreRule rule;
  rule.expires = date(2024, 8, 20);
  EXPECT_FALSE(rule.expiredOn(date(2024, 8, 19)));
  EXPECT_TRUE(rule.expiredOn(date(2024, 8, 20)));
  EXPECT_TRUE(rule.expiredOn(date(2025, 1, 1)));
  rule.expires.reset();
  EXPECT_FALSE(rule.expiredOn(date(9999, 1, 1)));
}

TEST(IgnoreRule, ScopesNarrowWhatAnIdCovers) {
  const auto file = loadIgnoreFile(fixture("ignore/scopes.yaml"));
  ASSERT_TRUE(file) << file.error().message;
  ASSERT_EQ(file->rules.size(), 7U);
  const auto report = debianMini();
  Subject libc6 = subjectOf(report, 0);
  const auto covers = [&](std::size_t rule, const std::string& id) {
    libc6.vulnerability_id = id;
    return file->rules[rule].covers(libc6);
  };
  EXPECT_TRUE(covers(0, "CVE-2000-0001"));
  EXPECT_TRUE(covers(0, "cve-2000-0001")) << "ids compare case-insensitively";
  EXPECT_FALSE(covers(0, "CVE-2000-0002"));
  libc6.aliases = {"DSA-0002-1"};
  EXPECT_TRUE(covers(1, "CVE-2000-0002")) << "alias + source package name";
  EXPECT_TRUE(covers(2, "CVE-2000-0003")) << "purl at the installed version";
  EXPECT_FALSE(covers(3, "CVE-2000-0004")) << "purl at another version";
  EXPECT_FALSE(covers(4, "CVE-2000-0005")) << "path elsewhere";
  EXPECT_FALSE(covers(5, "CVE-2000-0006")) << "another arch";
  EXPECT_TRUE(covers(6, "CVE-2000-0007"));
  EXPECT_EQ(file->rules[6].expires, date(2024, 6, 30)) << "expired_at as a YAML timestamp";
  Subject openssl = subjectOf(report, 2);
  openssl.vulnerability_id = "CVE-2000-0002";
  openssl.aliases = {"DSA-0002-1"};
  EXPECT_FALSE(file->rules[1].covers(openssl)) << "scoped to glibc";
}

}  // namespace
}  // namespace bulwark::match
