// The pieces of `bulwark db update` that need no network: the default feed list and --mirror,
// the feeds file, the state file and the x-goog-hash header.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "vulndb/update/download.h"
#include "vulndb/update/feed_list.h"
#include "vulndb/update/state.h"

namespace {

using namespace bulwark::vulndb::update;

TEST(FeedList, DefaultsAreTheOsvArchives) {
  auto feeds = osvFeeds(kOsvBaseUrl, {});
  ASSERT_TRUE(feeds) << feeds.error().message;
  ASSERT_EQ(feeds->size(), defaultOsvEcosystems().size());
  bool debian = false;
  bool crates = false;
  for (const auto& feed : *feeds) {
    debian |= feed.url == "https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip";
    crates |= feed.url == "https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip";
    EXPECT_TRUE(checkFeedUrl(feed.url, false)) << feed.url;
  }
  EXPECT_TRUE(debian);
  EXPECT_TRUE(crates);
}

TEST(FeedList, MirrorAndEcosystemChoice) {
  auto feeds = osvFeeds("https://mirror.example/osv/", {"pypi", " npm", "Rocky Linux"});
  ASSERT_TRUE(feeds) << feeds.error().message;
  ASSERT_EQ(feeds->size(), 3U);
  EXPECT_EQ((*feeds)[0].url, "https://mirror.example/osv/PyPI/all.zip");  // spelled as OSV does
  EXPECT_EQ((*feeds)[0].name, "osv/PyPI");
  EXPECT_EQ((*feeds)[1].url, "https://mirror.example/osv/npm/all.zip");
  EXPECT_EQ((*feeds)[2].url, "https://mirror.example/osv/Rocky%20Linux/all.zip");
  EXPECT_FALSE(osvFeeds(kOsvBaseUrl, {"../etc"}));
  EXPECT_FALSE(osvFeeds(kOsvBaseUrl, {""}));
  EXPECT_FALSE(osvFeeds("", {}));

  std::vector<FeedSpec> explicit_feeds = {
      {"a", "https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip"},
      {"b", "https://example.org/feed.json"}};
  rewriteOsvBase(explicit_feeds, "http://127.0.0.1:8080/m");
  EXPECT_EQ(explicit_feeds[0].url, "http://127.0.0.1:8080/m/Go/all.zip");
  EXPECT_EQ(explicit_feeds[1].url, "https://example.org/feed.json");
}

TEST(FeedList, UrlChecks) {
  EXPECT_TRUE(checkFeedUrl("https://example.org/x.zip", false));
  EXPECT_FALSE(checkFeedUrl("http://example.org/x.zip", false));
  EXPECT_TRUE(checkFeedUrl("http://example.org/x.zip", true));
  EXPECT_FALSE(checkFeedUrl("file:///etc/passwd", true));
  EXPECT_FALSE(checkFeedUrl("ftp://example.org/x", true));
  EXPECT_FALSE(checkFeedUrl("https://", false));
  EXPECT_FALSE(checkFeedUrl("https://example.org/a\nb", false));
  EXPECT_FALSE(checkFeedUrl("https://example.org/" + std::string(5000, 'a'), false));
  EXPECT_EQ(feedFromUrl("https://h/osv/Debian/all.zip").name, "osv/Debian");
  EXPECT_EQ(feedFromUrl("https://h/v3.19/main.json?x=1").name, "main.json");
}

TEST(FeedsFile, ParsesListsAndRejectsBadEntries) {
  auto feeds = parseFeedsFile(R"(
- name: debian
  url: https://example.org/Debian/all.zip
- url: https://example.org/alpine/v3.19/main.json
- https://example.org/Go/all.zip
)",
                              "feeds.yaml");
  ASSERT_TRUE(feeds) << feeds.error().message;
  ASSERT_EQ(feeds->size(), 3U);
  EXPECT_EQ((*feeds)[0].name, "debian");
  EXPECT_EQ((*feeds)[1].name, "main.json");
  EXPECT_EQ((*feeds)[2].name, "osv/Go");

  auto wrapped = parseFeedsFile("feeds:\n  - {name: x, url: 'https://e/x.zip'}\n", "f");
  ASSERT_TRUE(wrapped) << wrapped.error().message;
  EXPECT_EQ(wrapped->at(0).url, "https://e/x.zip");

  for (const char* bad : {"", "{a: [", "name: x", "- {name: x}", "[]",
                          "- https://e/a\n- https://e/a\n", "feeds: 3"}) {
    auto parsed = parseFeedsFile(bad, "bad.yaml");
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_NE(parsed.error().message.find("bad.yaml"), std::string::npos);
    }
  }
}

TEST(UpdateState, RoundTripsAndToleratesJunk) {
  UpdateState state;
  state.feeds["https://e/a.zip"] = {"\"etag-1\"", "Wed, 01 Jan 2025 00:00:00 GMT",
                                    "2025-01-01T00:00:00Z", 42};
  state.feeds["https://e/b.zip"] = {"", "Thu, 02 Jan 2025 00:00:00 GMT", "", 0};
  auto parsed = parseUpdateState(serializeUpdateState(state));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->feeds.size(), 2U);
  EXPECT_EQ(parsed->feeds["https://e/a.zip"].etag, "\"etag-1\"");
  EXPECT_EQ(parsed->feeds["https://e/a.zip"].bytes, 42U);
  EXPECT_EQ(parsed->feeds["https://e/b.zip"].last_modified, "Thu, 02 Jan 2025 00:00:00 GMT");

  EXPECT_FALSE(parseUpdateState("not json"));
  EXPECT_FALSE(parseUpdateState("[]"));
  EXPECT_FALSE(parseUpdateState(R"({"version": 2, "feeds": {}})"));
  auto junk = parseUpdateState(
      R"({"version": 1, "feeds": {"https://e/x": 3, "https://e/y": {"etag": 7, "bytes": -1}}})");
  ASSERT_TRUE(junk);
  EXPECT_EQ(junk->feeds.count("https://e/x"), 0U);
  ASSERT_EQ(junk->feeds.count("https://e/y"), 1U);
  EXPECT_EQ(junk->feeds["https://e/y"].etag, "");
  EXPECT_EQ(junk->feeds["https://e/y"].bytes, 0U);
}

TEST(GoogHash, FindsTheMd5) {
  // md5("") = d41d8cd98f00b204e9800998ecf8427e
  const std::string md5 = md5FromGoogHash("crc32c=AAAAAA==, md5=1B2M2Y8AsgTpgAmY7PhCfg==");
  ASSERT_EQ(md5.size(), 16U);
  EXPECT_EQ(static_cast<unsigned char>(md5[0]), 0xd4);
  EXPECT_EQ(static_cast<unsigned char>(md5[15]), 0x7e);
  EXPECT_EQ(md5FromGoogHash("crc32c=AAAAAA=="), "");
  EXPECT_EQ(md5FromGoogHash("md5=notbase64!"), "");
  EXPECT_EQ(md5FromGoogHash("md5=AAAA"), "");  // not 16 bytes
}

}  // namespace
