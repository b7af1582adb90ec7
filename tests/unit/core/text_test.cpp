#include "core/text.h"

#include <gtest/gtest.h>

namespace bulwark::core {
namespace {

TEST(Glob, StarStaysInsideOneSegment) {
  EXPECT_TRUE(globMatch("var/lib/dpkg/status.d/*", "var/lib/dpkg/status.d/libc6"));
  EXPECT_FALSE(globMatch("var/lib/dpkg/status.d/*", "var/lib/dpkg/status.d/a/b"));
  EXPECT_TRUE(globMatch("a/*.json", "a/x.json"));
  EXPECT_FALSE(globMatch("a/*.json", "a/x.jsonl"));
  EXPECT_TRUE(globMatch("a/?", "a/b"));
}

TEST(Glob, DoubleStarCrossesSegments) {
  EXPECT_TRUE(globMatch("**/METADATA", "usr/lib/python3/dist-packages/x.dist-info/METADATA"));
  EXPECT_TRUE(globMatch("usr/**/METADATA", "usr/METADATA"));
  EXPECT_FALSE(globMatch("usr/**/METADATA", "opt/METADATA"));
}

TEST(Text, SplitTrimAndNumbers) {
  EXPECT_EQ(split("a,,b", ',').size(), 3U);
  EXPECT_EQ(trim("  x \r\n"), "x");
  EXPECT_EQ(parseUnsigned("42"), 42U);
  EXPECT_FALSE(parseUnsigned("4x"));
  EXPECT_FALSE(parseUnsigned(""));
  EXPECT_EQ(printable("a\nb"), "a\\x0ab");
  EXPECT_EQ(printable("Ga\xc3\xabl \xe2\x82\xac \xf0\x9f\x90\xb3"),
            "Ga\xc3\xabl \xe2\x82\xac \xf0\x9f\x90\xb3");  // ë, €, an emoji stay
  EXPECT_EQ(printable("a\xff"
                      "b\xc3"),
            "a\\xffb\\xc3");                    // stray and truncated
  EXPECT_EQ(printable("\xc0\xaf\xed\xa0\x80"),  // overlong '/', surrogate
            "\\xc0\\xaf\\xed\\xa0\\x80");
  EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
}

TEST(Text, ForEachLineHandlesCrLf) {
  std::vector<std::string> lines;
  forEachLine("a\r\nb\nc", [&](std::string_view line, std::size_t) { lines.emplace_back(line); });
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(Text, DurationsAndTimestamps) {
  EXPECT_EQ(parseDurationSeconds("90m"), 5400);
  EXPECT_EQ(parseDurationSeconds("72h"), 259200);
  EXPECT_EQ(parseDurationSeconds("7d"), 604800);
  EXPECT_EQ(parseDurationSeconds("2w"), 1209600);
  EXPECT_EQ(parseDurationSeconds("30"), 30);
  EXPECT_FALSE(parseDurationSeconds("7 days"));
  EXPECT_FALSE(parseDurationSeconds("-1d"));
  EXPECT_FALSE(parseDurationSeconds("d"));
  EXPECT_FALSE(parseDurationSeconds("99999999999999999w"));
  EXPECT_EQ(parseUtcTimestamp("1970-01-02T00:00:00Z"), 86400);
  EXPECT_EQ(parseUtcTimestamp("2026-11-22T08:46:16Z"), 1795337176);
  EXPECT_FALSE(parseUtcTimestamp("yesterday"));
  EXPECT_FALSE(parseUtcTimestamp("2026-11-22T08:46:16+02:00"));
}

}  // namespace
}  // namespace bulwark::core
