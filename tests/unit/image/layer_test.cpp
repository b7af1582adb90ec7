#include "image/layer.h"

#include <optional>

#include <gtest/gtest.h>

#include "unit/image/recording_scanner.h"
#include "unit/image/tar_builder.h"

namespace bulwark::image {
namespace {

using testing::TarBuilder;

LayerInput inputOf(const std::string& blob, bool verify = true) {
  LayerInput input;
  input.name = "test-layer";
  if (verify) input.digest = testing::digestOf(blob);
  input.open = [blob]() -> core::Result<std::unique_ptr<ByteStream>> {
    return std::make_unique<testing::StringStream>(blob);
  };
  return input;
}

core::Result<LayerChanges> walk(const std::string& blob, const PathFilter& filter,
                                core::Diagnostics& diagnostics, LayerLimits limits = {}) {
  return walkLayer(inputOf(blob), filter, limits, diagnostics, nullptr);
}

const PathFilter kDpkg({"var/lib/dpkg/status", "var/lib/dpkg/status.d/*", "etc/os-release"});

TEST(LayerWalker, KeepsOnlyWantedFilesInEveryCompression) {
  for (auto filter :
       {TarBuilder::Filter::None, TarBuilder::Filter::Gzip, TarBuilder::Filter::Zstd}) {
    TarBuilder tar(filter);
    tar.dir("var/lib/dpkg")
        .file("var/lib/dpkg/status", "Package: a\nVersion: 1\n")
        .file("usr/bin/tool", std::string(100000, 'x'))
        .file("./var/lib/dpkg/status.d/b", "Package: b\n");
    core::Diagnostics diagnostics;
    auto changes = walk(tar.finish(), kDpkg, diagnostics);
    ASSERT_TRUE(changes) << changes.error().message;
    ASSERT_EQ(changes->entries.size(), 2U);
    EXPECT_EQ(changes->entries[0].first, "var/lib/dpkg/status");
    EXPECT_EQ(changes->entries[0].second.content, "Package: a\nVersion: 1\n");
    EXPECT_EQ(changes->entries[1].first, "var/lib/dpkg/status.d/b");
    EXPECT_EQ(changes->entry_count, 4U);
  }
}

TEST(LayerWalker, RecordsWhiteoutsAndOpaqueDirectories) {
  TarBuilder tar;
  tar.file("etc/.wh.os-release", "").file("var/lib/dpkg/status.d/.wh..wh..opq", "");
  core::Diagnostics diagnostics;
  auto changes = walk(tar.finish(), kDpkg, diagnostics);
  ASSERT_TRUE(changes);
  EXPECT_EQ(changes->whiteouts, std::vector<std::string>{"etc/os-release"});
  EXPECT_EQ(changes->opaque_dirs, std::vector<std::string>{"var/lib/dpkg/status.d"});
  EXPECT_TRUE(changes->entries.empty());
}

TEST(LayerWalker, MergesLayersAsARuntimeDoes) {
  FsView view;
  core::Diagnostics diagnostics;
  auto base = walk(TarBuilder()
                       .file("etc/os-release", "ID=debian\n")
                       .file("var/lib/dpkg/status.d/a", "A")
                       .file("var/lib/dpkg/status.d/b", "B")
                       .finish(),
                   kDpkg, diagnostics);
  ASSERT_TRUE(base);
  applyLayer(view, std::move(*base), "sha256:base");
  auto top = walk(TarBuilder()
                      .file("etc/.wh.os-release", "")
                      .file("var/lib/dpkg/status.d/.wh..wh..opq", "")
                      .file("var/lib/dpkg/status.d/c", "C")
                      .finish(),
                  kDpkg, diagnostics);
  ASSERT_TRUE(top);
  applyLayer(view, std::move(*top), "sha256:top");
  EXPECT_EQ(view.find("etc/os-release"), nullptr);
  EXPECT_EQ(view.find("var/lib/dpkg/status.d/a"), nullptr);
  ASSERT_NE(view.find("var/lib/dpkg/status.d/c"), nullptr);
  EXPECT_EQ(view.find("var/lib/dpkg/status.d/c")->layer_digest, "sha256:top");
}

TEST(LayerWalker, HardLinksTakeTheirTargetsContentEvenWhenTheTargetIsUnwanted) {
  TarBuilder tar;
  tar.file("usr/share/status.orig", "Package: linked\n")
      .hardlink("var/lib/dpkg/status", "usr/share/status.orig");
  core::Diagnostics diagnostics;
  auto changes = walk(tar.finish(), kDpkg, diagnostics);
  ASSERT_TRUE(changes) << changes.error().message;
  ASSERT_EQ(changes->entries.size(), 1U);
  EXPECT_EQ(changes->entries[0].first, "var/lib/dpkg/status");
  EXPECT_EQ(changes->entries[0].second.content, "Package: linked\n");
}

TEST(LayerWalker, SymlinksResolveStrictlyInsideTheRoot) {
  TarBuilder tar;
  tar.symlink("etc/os-release", "../usr/lib/os-release")
      .file("usr/lib/os-release", "ID=debian\n")
      .symlink("loop1", "loop2")
      .symlink("loop2", "loop1")
      .symlink("escape", "../../../../etc/os-release");
  core::Diagnostics diagnostics;
  auto changes = walk(tar.finish(), PathFilter({"usr/lib/os-release"}), diagnostics);
  ASSERT_TRUE(changes);
  FsView view;
  applyLayer(view, std::move(*changes), "sha256:l");
  const FileEntry* resolved = view.resolve("etc/os-release");
  ASSERT_NE(resolved, nullptr);
  EXPECT_EQ(resolved->content, "ID=debian\n");
  EXPECT_EQ(view.resolve("loop1"), nullptr);
  // "../../.." stops at the root: escape → /etc/os-release → /usr/lib/os-release.
  ASSERT_NE(view.resolve("escape"), nullptr);
  EXPECT_EQ(view.resolve("escape")->content, "ID=debian\n");
}

TEST(LayerWalker, RefusesPathsThatClimbOutOfTheRoot) {
  TarBuilder tar;
  tar.file("../../etc/passwd", "root:x:0:0");
  core::Diagnostics diagnostics;
  auto changes = walk(tar.finish(), kDpkg, diagnostics);
  ASSERT_FALSE(changes);
  EXPECT_EQ(changes.error().code, core::ErrorCode::Input);
  EXPECT_NE(changes.error().message.find("climbs out"), std::string::npos);
}

TEST(LayerWalker, DetectsDigestMismatch) {
  const std::string blob = TarBuilder(TarBuilder::Filter::Gzip).file("a", "b").finish();
  LayerInput input = inputOf(blob);
  input.digest = testing::digestOf("something else");
  core::Diagnostics diagnostics;
  auto changes = walkLayer(input, kDpkg, {}, diagnostics, nullptr);
  ASSERT_FALSE(changes);
  EXPECT_EQ(changes.error().code, core::ErrorCode::Integrity);
}

TEST(LayerWalker, CorruptAndTruncatedStreamsAreInputErrors) {
  const std::string gz = TarBuilder(TarBuilder::Filter::Gzip)
                             .file("var/lib/dpkg/status", std::string(200000, 'p'))
                             .finish();
  const std::string zst = TarBuilder(TarBuilder::Filter::Zstd)
                              .file("var/lib/dpkg/status", std::string(200000, 'p'))
                              .finish();
  std::string flipped = gz;
  flipped[flipped.size() / 2] ^= 0x55;
  for (const std::string& bad :
       {gz.substr(0, gz.size() / 2), flipped, zst.substr(0, zst.size() - 9),
        std::string("\x1f\x8b garbage garbage garbage")}) {
    core::Diagnostics diagnostics;
    auto changes = walkLayer(inputOf(bad, false), kDpkg, {}, diagnostics, nullptr);
    ASSERT_FALSE(changes);
    EXPECT_TRUE(changes.error().code == core::ErrorCode::Input) << changes.error().message;
  }
}

TEST(LayerWalker, EnforcesTheUncompressedSizeLimit) {
  // A small gzip that inflates to 8 MiB: a miniature decompression bomb.
  const std::string bomb =
      TarBuilder(TarBuilder::Filter::Gzip).file("zeros", std::string(8U << 20, '\0')).finish();
  EXPECT_LT(bomb.size(), 64U * 1024);
  LayerLimits limits;
  limits.max_layer_bytes = 1U << 20;
  core::Diagnostics diagnostics;
  auto changes = walk(bomb, kDpkg, diagnostics, limits);
  ASSERT_FALSE(changes);
  EXPECT_EQ(changes.error().code, core::ErrorCode::Limit);
}

// Many tiny files: nothing unwanted is kept, and the entry limit stops a layer that has too
// many (the limit is lowered here to keep the test fast).
TEST(LayerWalker, ManyTinyFilesKeepNothingAndHitTheEntryLimit) {
  TarBuilder tar(TarBuilder::Filter::Gzip);
  for (int i = 0; i < 100000; ++i) tar.file("d/" + std::to_string(i), "");
  tar.file("var/lib/dpkg/status", "Package: a\n");
  const std::string blob = tar.finish();
  core::Diagnostics diagnostics;
  auto changes = walk(blob, kDpkg, diagnostics);
  ASSERT_TRUE(changes) << changes.error().message;
  EXPECT_EQ(changes->entry_count, 100001U);
  ASSERT_EQ(changes->entries.size(), 1U);
  LayerLimits limits;
  limits.max_entries = 50000;
  auto limited = walk(blob, kDpkg, diagnostics, limits);
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().code, core::ErrorCode::Limit);
}

TEST(LayerWalker, OversizedWantedFileIsADiagnosticNotAFailure) {
  LayerLimits limits;
  limits.max_file_bytes = 10;
  core::Diagnostics diagnostics;
  auto changes = walk(TarBuilder().file("var/lib/dpkg/status", std::string(100, 's')).finish(),
                      kDpkg, diagnostics, limits);
  ASSERT_TRUE(changes);
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics.sorted()[0].kind, "layer.file-too-large");
}

// umoci ends layers right after the last member's content (no padding, no end blocks); Go's
// archive/tar reads that as a clean end, and so must bulwark. Missing content stays an error.
TEST(LayerWalker, AcceptsAMissingFinalPaddingButNotMissingContent) {
  const std::string content = "Package: a\nVersion: 1\n";  // 22 bytes
  const std::string tar = TarBuilder().file("var/lib/dpkg/status", content).finish();
  const std::size_t data_end = tar.find(content) + content.size();
  core::Diagnostics diagnostics;
  auto unpadded = walk(tar.substr(0, data_end), kDpkg, diagnostics);
  ASSERT_TRUE(unpadded) << unpadded.error().message;
  ASSERT_EQ(unpadded->entries.size(), 1U);
  EXPECT_EQ(unpadded->entries[0].second.content, content);
  auto cut = walk(tar.substr(0, data_end - 5), kDpkg, diagnostics);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code, core::ErrorCode::Input);
}

TEST(LayerWalker, EmptyLayerChangesNothing) {
  core::Diagnostics diagnostics;
  auto changes = walk("", kDpkg, diagnostics);
  ASSERT_TRUE(changes) << changes.error().message;
  EXPECT_TRUE(changes->entries.empty());
}

// A test extractor: executables whose content starts with "MAGIC" are summarized to their
// second line; others yield nothing.
bool wantsExecutable(std::string_view /*path*/, std::uint32_t mode, std::uint64_t size) noexcept {
  return (mode & 0111) != 0 && size >= 5;
}
std::string secondLine(std::string_view /*path*/, std::string_view content) {
  if (!content.starts_with("MAGIC\n")) return {};
  content.remove_prefix(6);
  return std::string(content.substr(0, content.find('\n')));
}
const Extractor kMagic{"magic", &wantsExecutable, &secondLine, 1000};

TEST(LayerWalker, ExtractorsKeepOnlyTheirSummaries) {
  TarBuilder tar;
  tar.file("usr/bin/go-app", "MAGIC\nsummary\n" + std::string(500, 'x'), 0755)
      .file("usr/bin/plain", "#!/bin/sh\necho\n", 0755)
      .file("usr/share/data", "MAGIC\nnot executable\n", 0644)
      .file("usr/bin/huge", "MAGIC\n" + std::string(2000, 'y'), 0755)
      .file("var/lib/dpkg/status", "Package: a\n");
  core::Diagnostics diagnostics;
  const PathFilter filter({"var/lib/dpkg/status"}, {kMagic});
  auto changes = walk(tar.finish(), filter, diagnostics);
  ASSERT_TRUE(changes) << changes.error().message;
  FsView view;
  applyLayer(view, std::move(*changes), "sha256:one");
  const auto found = view.extracted("magic");
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].first, "usr/bin/go-app");
  EXPECT_EQ(found[0].second->content, "summary");
  EXPECT_EQ(found[0].second->layer_digest, "sha256:one");
  EXPECT_EQ(view.find("usr/bin/go-app")->size, 514U);
  EXPECT_EQ(view.find("usr/share/data"), nullptr);  // not executable: not offered
  EXPECT_EQ(view.find("var/lib/dpkg/status")->content, "Package: a\n");
  EXPECT_TRUE(view.find("var/lib/dpkg/status")->extracted_by.empty());
  ASSERT_EQ(diagnostics.size(), 1U);  // usr/bin/huge is over the extractor's limit
  EXPECT_EQ(diagnostics.sorted()[0].kind, "layer.file-too-large");

  // A later layer replacing the binary with one that has no summary hides the old summary.
  auto top =
      walk(TarBuilder().file("usr/bin/go-app", "#!/bin/sh\n", 0755).finish(), filter, diagnostics);
  ASSERT_TRUE(top);
  applyLayer(view, std::move(*top), "sha256:two");
  EXPECT_TRUE(view.extracted("magic").empty());
}

}  // namespace
}  // namespace bulwark::image

namespace bulwark::image {
namespace {

using Seen = testing::RecordingScanner::Seen;

// Content scanners see every regular file of a layer once — kept files, extractors' files and
// files nobody else wants — with the layer's digest; metadata-only files come without content;
// binary heads, oversized files and exceptions are handled without stopping the walk.
// On the walker's thread and on a scan pool (a budget smaller than some files, so that large
// files go alone), with the same results.
TEST(LayerWalker, ContentScannersSeeEveryFileOfTheLayer) {
  for (const bool pooled : {false, true}) {
    SCOPED_TRACE(pooled ? "on a pool" : "inline");
    TarBuilder tar;
    tar.file("app/config.txt", "token=abc\n")
        .file("meta/suid", "ELF...", 04755)
        .file("skip/ignored", "nothing")
        .file("bin/blob",
              std::string("\x7f"
                          "ELF\0\0binary",
                          12),
              0755)
        .file("big.txt", std::string(200, 'b'))
        .file("var/lib/dpkg/status", "Package: a\n")
        .file("usr/bin/go-app", "MAGIC\nsummary\n", 0755)
        .file("app/throws", "x")
        .dir("app/dir")
        .symlink("app/link", "config.txt");
    const std::string blob = tar.finish();
    testing::RecordingScanner scanner;
    const PathFilter filter({"var/lib/dpkg/status"}, {kMagic}, {&scanner});
    core::Diagnostics diagnostics;
    std::optional<ScanPool> pool;
    if (pooled) pool.emplace(2, 16);
    auto changes =
        walkLayer(inputOf(blob), filter, {}, diagnostics, nullptr, pool ? &*pool : nullptr);
    ASSERT_TRUE(changes) << changes.error().message;
    if (pool) pool->wait();
    const std::string layer = testing::digestOf(blob);
    const std::vector<Seen> expected = {
        {"app/config.txt", 0644, layer, "token=abc\n"},
        {"meta/suid", 04755, layer, ""},
        {"usr/bin/go-app", 0755, layer, "MAGIC\nsummary\n"},
        {"var/lib/dpkg/status", 0644, layer, "Package: a\n"},
    };
    EXPECT_EQ(scanner.seen(), expected);

    // The FsView keeps what it kept before: the wanted file and the extractor's summary only.
    FsView view;
    applyLayer(view, std::move(*changes), layer);
    EXPECT_EQ(view.find("var/lib/dpkg/status")->content, "Package: a\n");
    EXPECT_EQ(view.find("usr/bin/go-app")->content, "summary");
    EXPECT_EQ(view.find("app/config.txt"), nullptr);

    const auto reported = diagnostics.sorted();
    ASSERT_EQ(reported.size(), 2U);
    EXPECT_EQ(reported[0].kind, "recording.failed");
    EXPECT_NE(reported[0].where.find("app/throws"), std::string::npos);
    EXPECT_EQ(reported[1].kind, "recording.file-too-large");
    EXPECT_NE(reported[1].where.find("big.txt"), std::string::npos);
  }
}

// A wanted file over the keep limit is not kept, but the content scanners still read it (within
// their own limit), on the walker's thread and on a pool.
TEST(LayerWalker, ContentScannersSeeWantedFilesTooLargeToKeep) {
  for (const bool pooled : {false, true}) {
    SCOPED_TRACE(pooled ? "on a pool" : "inline");
    testing::RecordingScanner scanner;
    const PathFilter filter({"var/lib/dpkg/status"}, {}, {&scanner});
    LayerLimits limits;
    limits.max_file_bytes = 10;
    core::Diagnostics diagnostics;
    const std::string blob = TarBuilder()
                                 .file("var/lib/dpkg/status", "Package: big-enough\n")
                                 .file("etc/after", "still read\n")
                                 .finish();
    std::optional<ScanPool> pool;
    if (pooled) pool.emplace(2);
    auto changes =
        walkLayer(inputOf(blob), filter, limits, diagnostics, nullptr, pool ? &*pool : nullptr);
    ASSERT_TRUE(changes) << changes.error().message;
    if (pool) pool->wait();
    const std::string layer = testing::digestOf(blob);
    const std::vector<Seen> expected = {
        {"etc/after", 0644, layer, "still read\n"},
        {"var/lib/dpkg/status", 0644, layer, "Package: big-enough\n"}};
    EXPECT_EQ(scanner.seen(), expected);
    FsView view;
    applyLayer(view, std::move(*changes), layer);
    ASSERT_NE(view.find("var/lib/dpkg/status"), nullptr);
    EXPECT_EQ(view.find("var/lib/dpkg/status")->content, "");
    ASSERT_EQ(diagnostics.size(), 1U);
    EXPECT_EQ(diagnostics.sorted()[0].kind, "layer.file-too-large");
  }
}

// A hard link brings no bytes (they came with its target) but its own path and mode: metadata
// scanners see it, content scanners see the target once.
TEST(LayerWalker, HardLinksReachMetadataScanners) {
  testing::RecordingScanner scanner;
  const PathFilter filter({}, {}, {&scanner});
  core::Diagnostics diagnostics;
  const std::string blob = TarBuilder()
                               .file("srv/tool", "#!/bin/sh\n", 0755)
                               .hardlink("meta/.tool", "srv/tool")
                               .hardlink("srv/again", "srv/tool")
                               .finish();
  ASSERT_TRUE(walkLayer(inputOf(blob), filter, {}, diagnostics, nullptr));
  const std::string layer = testing::digestOf(blob);
  const std::vector<Seen> expected = {{"meta/.tool", 0644, layer, ""},
                                      {"srv/tool", 0755, layer, "#!/bin/sh\n"}};
  EXPECT_EQ(scanner.seen(), expected);
}

// A file a later layer deletes was still shipped in the image: the scanner saw it.
TEST(LayerWalker, ContentScannersSeeFilesALaterLayerDeletes) {
  testing::RecordingScanner scanner;
  const PathFilter filter({}, {}, {&scanner});
  core::Diagnostics diagnostics;
  const std::string lower = TarBuilder().file("root/.aws/credentials", "secret\n").finish();
  const std::string upper = TarBuilder().file("root/.aws/.wh.credentials", "").finish();
  ASSERT_TRUE(walkLayer(inputOf(lower), filter, {}, diagnostics, nullptr));
  ASSERT_TRUE(walkLayer(inputOf(upper), filter, {}, diagnostics, nullptr));
  const std::vector<Seen> expected = {
      {"root/.aws/credentials", 0644, testing::digestOf(lower), "secret\n"}};
  EXPECT_EQ(scanner.seen(), expected);
}

}  // namespace
}  // namespace bulwark::image
