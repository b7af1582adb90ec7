#include <gtest/gtest.h>

#include "feed_test_util.h"

namespace bulwark::vulndb::feeds {
namespace {

std::string_view detected(std::string_view head) {
  const auto* format = detectFeed("f", head);
  return format == nullptr ? "none" : format->name;
}

TEST(DetectFeed, RecognisesEachFormatFromContent) {
  EXPECT_EQ(detected(R"({"schema_version": "1.4.0", "id": "GO-1", "modified": "x"})"), "osv");
  EXPECT_EQ(detected(R"([{"id": "A", "affected": []}])"), "osv");
  EXPECT_EQ(detected(R"({"openssl": {"CVE-2024-1": {"releases": {}}}})"), "debian-tracker");
  EXPECT_EQ(detected("[29 Mar 2023] DSA-5380-1 xorg-server - security update\n"),
            "debian-advisory-list");
  EXPECT_EQ(detected(R"({"distroversion": "v3.1", "packages": []})"), "alpine-secdb");
  EXPECT_EQ(detected("---\ndistroversion: v3.1\npackages:\n"), "alpine-secdb");
  EXPECT_EQ(detected(std::string_view("PK\x03\x04rest", 8)), "osv-zip");
  EXPECT_EQ(detected(R"({"cveMetadata": {"id": "x"}, "modified": 1})"), "cve5");
  EXPECT_EQ(detected(""), "none");
  EXPECT_EQ(detected("hello"), "none");
  EXPECT_GE(feedFormats().size(), 5U);
}

TEST(DetectFeed, MissingPathIsAnError) {
  testing::Collected out;
  EXPECT_FALSE(parseFeedPath("/nonexistent/feed.json", out.sink(), *out.diagnostics));
}

}  // namespace
}  // namespace bulwark::vulndb::feeds
