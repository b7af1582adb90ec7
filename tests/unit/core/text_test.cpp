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
}

TEST(Text, ForEachLineHandlesCrLf) {
  std::vector<std::string> lines;
  forEachLine("a\r\nb\nc", [&](std::string_view line, std::size_t) { lines.emplace_back(line); });
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace bulwark::core
