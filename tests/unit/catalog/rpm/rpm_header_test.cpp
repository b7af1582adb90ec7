// rpm header blobs: the fields bulwark reads, and every validation rule on hand-built headers.
#include "catalog/rpm/header.h"

#include <gtest/gtest.h>

#include "header_builder.h"

namespace bulwark::catalog::rpm {
namespace {

using testing::HeaderBuilder;
using testing::samplePackage;

TEST(RpmHeader, ReadsEveryField) {
  const auto info = parseHeader(samplePackage().build());
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->name, "zlib");
  ASSERT_TRUE(info->epoch.has_value());
  EXPECT_EQ(*info->epoch, 2U);
  EXPECT_EQ(info->version, "1.2.11");
  EXPECT_EQ(info->release, "10.el8");
  EXPECT_EQ(info->arch, "x86_64");
  EXPECT_EQ(info->source_rpm, "zlib-1.2.11-10.el8.src.rpm");
  EXPECT_EQ(info->license, "zlib and Boost");
  EXPECT_EQ(info->vendor, "Red Hat, Inc.");
  EXPECT_EQ(info->summary, "The zlib compression library");
  EXPECT_EQ(info->modularity_label, "zlib:1.2:8000:abc");
  ASSERT_TRUE(info->size.has_value());
  EXPECT_EQ(*info->size, 201640U);
  EXPECT_EQ(info->sigmd5, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(info->files,
            (std::vector<std::string>{"/usr/lib64/libz.so.1", "/usr/lib64/libz.so.1.2.11",
                                      "/usr/share/doc/zlib/README"}));
}

TEST(RpmHeader, OptionalTagsAbsent) {
  const auto info = parseHeader(HeaderBuilder().string(1000, "bare").build());
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->name, "bare");
  EXPECT_FALSE(info->epoch.has_value());
  EXPECT_FALSE(info->size.has_value());
  EXPECT_TRUE(info->files.empty());
  EXPECT_TRUE(info->sigmd5.empty());
}

TEST(RpmHeader, LegacyHeaderWithoutRegionAndOldFilenames) {
  const auto info = parseHeader(HeaderBuilder()
                                    .region(false)
                                    .string(1000, "old")
                                    .strings(1027, {"/bin/sh", "/etc/old.conf"})
                                    .build());
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->files, (std::vector<std::string>{"/bin/sh", "/etc/old.conf"}));
}

TEST(RpmHeader, MissingNameIsRejected) {
  EXPECT_FALSE(parseHeader(HeaderBuilder().string(1001, "1.0").build()));
}

// Each blob must fail; none may crash (the suite also runs under ASan/UBSan).
TEST(RpmHeader, RejectsMalformedBlobs) {
  const std::string good = samplePackage().build();
  std::vector<std::pair<std::string, std::string>> bad;
  bad.emplace_back("empty", "");
  bad.emplace_back("short", good.substr(0, 7));
  for (std::size_t cut : {8UL, 16UL, 40UL, good.size() / 2, good.size() - 1}) {
    bad.emplace_back("truncated " + std::to_string(cut), good.substr(0, cut));
  }
  bad.emplace_back("trailing garbage", good + "x");
  auto patched = [&](std::size_t offset, std::uint32_t value) {
    std::string copy = good;
    std::string be;
    HeaderBuilder::appendBe32(be, value);
    copy.replace(offset, 4, be);
    return copy;
  };
  bad.emplace_back("il zero", patched(0, 0));
  bad.emplace_back("il huge", patched(0, 0x10000));
  bad.emplace_back("dl huge", patched(4, 0x7fffffff));
  // Index entry 1 (after the region entry) starts at 8 + 16.
  bad.emplace_back("offset past data", patched(8 + 16 + 8, 0x00ffffff));
  bad.emplace_back("negative offset", patched(8 + 16 + 8, 0xfffffff0));
  bad.emplace_back("type 0", patched(8 + 16 + 4, 0));
  bad.emplace_back("type 10", patched(8 + 16 + 4, 10));
  bad.emplace_back("tag below 100", patched(8 + 16, 99));
  bad.emplace_back("bin count too big", patched(8 + 16 + 12, 0x00ffffff));
  bad.emplace_back("region type", patched(8 + 4, 6));
  bad.emplace_back("region offset", patched(8 + 8, 0x7ffffff0));
  // Overlap: entry 2 (NAME) pointed back at entry 1's data.
  bad.emplace_back("overlap", patched(8 + 32 + 8, 0));
  // Misaligned INT32: EPOCH entry (index 5) at an odd offset.
  {
    std::string copy = good;
    const std::size_t entry = 8 + 16 * 5 + 8;
    const auto* u = reinterpret_cast<const unsigned char*>(copy.data() + entry);
    const std::uint32_t offset = std::uint32_t{u[0]} << 24 | u[1] << 16 | u[2] << 8 | u[3];
    bad.emplace_back("misaligned", patched(entry, offset + 1));
  }
  bad.emplace_back("string count 2",
                   HeaderBuilder().raw(1000, 6, std::string("a\0b\0", 4), 2).build());
  bad.emplace_back("unterminated string",
                   HeaderBuilder().raw(1000, 6, std::string("abc"), 1).build());
  bad.emplace_back("name typed int32", HeaderBuilder().int32s(1000, {1}).build());
  bad.emplace_back("epoch typed string",
                   HeaderBuilder().string(1000, "x").string(1003, "1").build());
  bad.emplace_back("dirindex out of range", HeaderBuilder()
                                                .string(1000, "x")
                                                .int32s(1116, {5})
                                                .strings(1117, {"a"})
                                                .strings(1118, {"/"})
                                                .build());
  bad.emplace_back("dirindex count mismatch", HeaderBuilder()
                                                  .string(1000, "x")
                                                  .int32s(1116, {0, 0})
                                                  .strings(1117, {"a"})
                                                  .strings(1118, {"/"})
                                                  .build());
  bad.emplace_back("trailer tag", [&] {
    std::string copy = good;
    copy[copy.size() - 16 + 3] = 62;
    return copy;
  }());
  for (const auto& [what, blob] : bad) {
    const auto info = parseHeader(blob);
    EXPECT_FALSE(info) << what;
    if (!info) {
      EXPECT_EQ(info.error().code, core::ErrorCode::Input) << what;
      EXPECT_FALSE(info.error().message.empty()) << what;
    }
  }
}

TEST(RpmHeader, FileListExpansionIsBounded) {
  // One long directory shared by many one-byte names: rebuilt paths would be far larger than
  // the blob.
  const std::string dir = "/" + std::string(4000, 'd') + "/";
  std::vector<std::string> names(2000, "f");
  std::vector<std::uint32_t> indexes(names.size(), 0);
  const auto info = parseHeader(HeaderBuilder()
                                    .string(1000, "bomb")
                                    .int32s(1116, indexes)
                                    .strings(1117, names)
                                    .strings(1118, {dir})
                                    .build());
  ASSERT_FALSE(info);
  EXPECT_NE(info.error().message.find("file list"), std::string::npos);
}

TEST(RpmHeader, EveryTruncationAndByteFlipFailsCleanly) {
  const std::string good = samplePackage().build();
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    EXPECT_FALSE(parseHeader(good.substr(0, cut))) << cut;
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string copy = good;
    copy[i] = static_cast<char>(copy[i] ^ 0xff);
    (void)parseHeader(copy);  // may or may not parse; must not crash
  }
}

TEST(RpmHeader, SplitsSourceRpm) {
  std::string name;
  std::string version;
  ASSERT_TRUE(splitSourceRpm("util-linux-2.32.1-42.el8_8.src.rpm", name, version));
  EXPECT_EQ(name, "util-linux");
  EXPECT_EQ(version, "2.32.1-42.el8_8");
  ASSERT_TRUE(splitSourceRpm("foo-1-2.nosrc.rpm", name, version));
  EXPECT_EQ(name, "foo");
  EXPECT_EQ(version, "1-2");
  name.clear();
  EXPECT_FALSE(splitSourceRpm("", name, version));
  EXPECT_FALSE(splitSourceRpm("noversion.src.rpm", name, version));
  EXPECT_FALSE(splitSourceRpm("a-1.src.rpm", name, version));
  EXPECT_FALSE(splitSourceRpm("-1-2.src.rpm", name, version));
  EXPECT_FALSE(splitSourceRpm("a-1-.src.rpm", name, version));
  EXPECT_FALSE(splitSourceRpm("a-1-2.rpm", name, version));
  EXPECT_TRUE(name.empty());
}

}  // namespace
}  // namespace bulwark::catalog::rpm
