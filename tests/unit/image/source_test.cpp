// Image sources end to end over images assembled by the test: OCI layout, OCI archive,
// docker-archive (both layouts), multi-platform indexes, and root filesystems.
#include "image/source.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "unit/image/recording_scanner.h"
#include "unit/image/tar_builder.h"

namespace bulwark::image {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::digestOf;
using testing::TarBuilder;

const PathFilter kFilter({"etc/os-release", "var/lib/dpkg/status"});

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/bulwark-source-test-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { fs::remove_all(path_); }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void writeFile(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

struct BuiltImage {
  std::string manifest;
  std::string manifest_digest;
  std::string config;
  std::vector<std::string> layers;
};

// Two layers: the second deletes os-release and replaces the status file.
BuiltImage buildImage(const std::string& arch = "amd64") {
  BuiltImage image;
  image.layers.push_back(TarBuilder(TarBuilder::Filter::Gzip)
                             .file("etc/os-release", "ID=debian\nVERSION_ID=12\n")
                             .file("var/lib/dpkg/status", "Package: old\n")
                             .finish());
  image.layers.push_back(TarBuilder(TarBuilder::Filter::Zstd)
                             .file("etc/.wh.os-release", "")
                             .file("var/lib/dpkg/status", "Package: new-" + arch + "\n")
                             .finish());
  Json config = {{"architecture", arch},
                 {"os", "linux"},
                 {"created", "2024-01-02T03:04:05Z"},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", Json::array()}}}};
  for (const auto& layer : image.layers) {
    // diff_ids are digests of the uncompressed tars; the walker does not need them to match
    // for OCI images (it verifies the blob digest), so any valid digest shape is fine here.
    config["rootfs"]["diff_ids"].push_back(digestOf(layer + "uncompressed"));
  }
  image.config = config.dump();
  Json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config",
                    {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                     {"digest", digestOf(image.config)},
                     {"size", image.config.size()}}},
                   {"layers", Json::array()}};
  for (const auto& layer : image.layers) {
    manifest["layers"].push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                                  {"digest", digestOf(layer)},
                                  {"size", layer.size()}});
  }
  image.manifest = manifest.dump();
  image.manifest_digest = digestOf(image.manifest);
  return image;
}

void writeBlob(const fs::path& layout, const std::string& bytes) {
  writeFile(layout / "blobs" / "sha256" / digestOf(bytes).substr(7), bytes);
}

void writeLayout(const fs::path& layout, const std::vector<BuiltImage>& images,
                 const std::vector<std::string>& arches, const std::string& tag) {
  writeFile(layout / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  Json index = {{"schemaVersion", 2}, {"manifests", Json::array()}};
  for (std::size_t i = 0; i < images.size(); ++i) {
    const auto& image = images[i];
    writeBlob(layout, image.manifest);
    writeBlob(layout, image.config);
    for (const auto& layer : image.layers) writeBlob(layout, layer);
    Json entry = {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                  {"digest", image.manifest_digest},
                  {"size", image.manifest.size()},
                  {"platform", {{"os", "linux"}, {"architecture", arches[i]}}}};
    if (!tag.empty()) entry["annotations"] = {{"org.opencontainers.image.ref.name", tag}};
    index["manifests"].push_back(entry);
  }
  writeFile(layout / "index.json", index.dump());
}

void expectMerged(Image& image, const std::string& arch = "amd64") {
  core::Diagnostics diagnostics;
  auto view = image.readFiles(kFilter, diagnostics, false);
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->find("etc/os-release"), nullptr) << "whiteout in layer 2 not applied";
  const FileEntry* status = view->find("var/lib/dpkg/status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->content, "Package: new-" + arch + "\n");
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(ImageSource, OciLayoutByTagAndAutodetected) {
  TempDir dir;
  const auto image = buildImage();
  writeLayout(dir.path(), {image}, {"amd64"}, "v1");
  for (const std::string& spec : {"oci:" + dir.path().string() + ":v1", dir.path().string()}) {
    auto opened = openImage(spec, {});
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ((*opened)->target().kind, "oci");
    EXPECT_EQ((*opened)->target().manifest_digest, image.manifest_digest);
    EXPECT_EQ((*opened)->target().layers.size(), 2U);
    expectMerged(**opened);
  }
  auto missing = openImage("oci:" + dir.path().string() + ":nope", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::ErrorCode::NotFound);
}

TEST(ImageSource, MultiPlatformIndexPicksThePlatform) {
  TempDir dir;
  writeLayout(dir.path(), {buildImage("amd64"), buildImage("arm64")}, {"amd64", "arm64"}, "");
  SourceOptions options;
  auto amd = openImage("oci:" + dir.path().string(), options);
  ASSERT_TRUE(amd) << amd.error().message;
  expectMerged(**amd, "amd64");
  options.platform = *Platform::parse("linux/arm64");
  auto arm = openImage("oci:" + dir.path().string(), options);
  ASSERT_TRUE(arm) << arm.error().message;
  expectMerged(**arm, "arm64");
  options.platform = *Platform::parse("linux/s390x");
  auto none = openImage("oci:" + dir.path().string(), options);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("linux/amd64, linux/arm64"), std::string::npos);
}

TEST(ImageSource, OciArchiveIsReadInPlace) {
  TempDir dir;
  const auto image = buildImage();
  writeLayout(dir.path() / "layout", {image}, {"amd64"}, "latest");
  TarBuilder tar;
  for (const auto& entry : fs::recursive_directory_iterator(dir.path() / "layout")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    tar.file(fs::relative(entry.path(), dir.path() / "layout").string(), bytes);
  }
  writeFile(dir.path() / "image.tar", tar.finish());
  auto opened = openImage("oci-archive:" + (dir.path() / "image.tar").string(), {});
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ((*opened)->target().kind, "oci-archive");
  expectMerged(**opened);
}

TEST(ImageSource, DockerArchiveLegacyAndCorruptLayer) {
  TempDir dir;
  // Legacy `docker save`: <id>/layer.tar uncompressed, verified against the config's diff_ids.
  const std::string layer1 = TarBuilder()
                                 .file("etc/os-release", "ID=debian\n")
                                 .file("var/lib/dpkg/status", "Package: old\n")
                                 .finish();
  const std::string layer2 = TarBuilder()
                                 .file("etc/.wh.os-release", "")
                                 .file("var/lib/dpkg/status", "Package: new-amd64\n")
                                 .finish();
  Json config = {
      {"architecture", "amd64"},
      {"os", "linux"},
      {"rootfs", {{"type", "layers"}, {"diff_ids", {digestOf(layer1), digestOf(layer2)}}}}};
  const std::string config_bytes = config.dump();
  const std::string config_name = digestOf(config_bytes).substr(7) + ".json";
  Json manifest = Json::array({{{"Config", config_name},
                                {"RepoTags", {"example/app:1.0"}},
                                {"Layers", {"l1/layer.tar", "l2/layer.tar"}}}});
  auto build = [&](const std::string& second) {
    return TarBuilder()
        .file("manifest.json", manifest.dump())
        .file(config_name, config_bytes)
        .file("l1/layer.tar", layer1)
        .file("l2/layer.tar", second)
        .finish();
  };
  writeFile(dir.path() / "good.tar", build(layer2));
  auto opened = openImage("docker-archive:" + (dir.path() / "good.tar").string(), {});
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ((*opened)->target().repo_tags, std::vector<std::string>{"example/app:1.0"});
  expectMerged(**opened);
  auto by_tag = openImage((dir.path() / "good.tar").string(), {});
  ASSERT_TRUE(by_tag);
  EXPECT_EQ((*by_tag)->target().kind, "docker-archive");

  std::string tampered = layer2;
  tampered[1026] ^= 1;  // inside the second member's content: the tar stays valid
  writeFile(dir.path() / "bad.tar", build(tampered));
  auto bad = openImage("docker-archive:" + (dir.path() / "bad.tar").string(), {});
  ASSERT_TRUE(bad);
  core::Diagnostics diagnostics;
  auto view = (*bad)->readFiles(kFilter, diagnostics, false);
  ASSERT_FALSE(view);
  EXPECT_EQ(view.error().code, core::ErrorCode::Integrity);
}

TEST(ImageSource, MissingBlobAndBadManifestAreClearErrors) {
  TempDir dir;
  const auto image = buildImage();
  writeLayout(dir.path(), {image}, {"amd64"}, "v1");
  fs::remove(dir.path() / "blobs" / "sha256" / digestOf(image.layers[1]).substr(7));
  auto opened = openImage("oci:" + dir.path().string(), {});
  ASSERT_TRUE(opened);
  core::Diagnostics diagnostics;
  auto view = (*opened)->readFiles(kFilter, diagnostics, false);
  ASSERT_FALSE(view);
  EXPECT_EQ(view.error().code, core::ErrorCode::NotFound);

  writeFile(dir.path() / "index.json", "{not json");
  auto broken = openImage("oci:" + dir.path().string(), {});
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, core::ErrorCode::Input);
}

TEST(ImageSource, CompressedOuterArchiveIsAClearError) {
  TempDir dir;
  writeFile(dir.path() / "image.tar.gz",
            TarBuilder(TarBuilder::Filter::Gzip).file("manifest.json", "[]").finish());
  auto opened = openImage("docker-archive:" + (dir.path() / "image.tar.gz").string(), {});
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, core::ErrorCode::Input);
  EXPECT_NE(opened.error().message.find("decompress it first"), std::string::npos);
}

TEST(ImageSource, RootfsResolvesSymlinksInsideTheRoot) {
  TempDir dir;
  writeFile(dir.path() / "usr/lib/os-release", "ID=alpine\n");
  fs::create_directories(dir.path() / "etc");
  fs::create_symlink("../usr/lib/os-release", dir.path() / "etc/os-release");
  // A hostile link that would read the host's file if followed naively.
  fs::create_directories(dir.path() / "var/lib/dpkg");
  fs::create_symlink("/../../../../../etc/hostname", dir.path() / "var/lib/dpkg/status");
  auto opened = openImage(dir.path().string(), {});
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ((*opened)->target().kind, "rootfs");
  core::Diagnostics diagnostics;
  auto view = (*opened)->readFiles(kFilter, diagnostics, false);
  ASSERT_TRUE(view);
  ASSERT_NE(view->find("etc/os-release"), nullptr);
  EXPECT_EQ(view->find("etc/os-release")->content, "ID=alpine\n");
  EXPECT_EQ(view->find("var/lib/dpkg/status"), nullptr);
}

bool wantsExecutable(std::string_view /*path*/, std::uint32_t mode,
                     std::uint64_t /*size*/) noexcept {
  return (mode & 0111) != 0;
}
std::string firstLine(std::string_view /*path*/, std::string_view content) {
  if (!content.starts_with("MAGIC")) return {};
  return std::string(content.substr(0, content.find('\n')));
}

// Extractors on a root filesystem: every executable below the root is offered, kernel
// filesystems are not walked, and only summaries are kept.
TEST(ImageSource, RootfsRunsExtractorsOverExecutables) {
  TempDir dir;
  writeFile(dir.path() / "opt/app/bin/server", "MAGIC v1\nrest");
  writeFile(dir.path() / "opt/app/README", "MAGIC but not executable");
  writeFile(dir.path() / "usr/bin/sh", "ELF");
  fs::permissions(dir.path() / "opt/app/bin/server", fs::perms::owner_all);
  fs::permissions(dir.path() / "usr/bin/sh", fs::perms::owner_all);
  const Extractor magic{"magic", &wantsExecutable, &firstLine, 1 << 20};
  auto opened = openImage(dir.path().string(), {});
  ASSERT_TRUE(opened) << opened.error().message;
  core::Diagnostics diagnostics;
  auto view = (*opened)->readFiles(PathFilter({"etc/os-release"}, {magic}), diagnostics, false);
  ASSERT_TRUE(view) << view.error().message;
  const auto found = view->extracted("magic");
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].first, "opt/app/bin/server");
  EXPECT_EQ(found[0].second->content, "MAGIC v1");
  EXPECT_EQ(view->find("usr/bin/sh"), nullptr);
  EXPECT_EQ(view->find("opt/app/README"), nullptr);
}

}  // namespace
}  // namespace bulwark::image

namespace bulwark::image {
namespace {

// On a root filesystem the scanners see every regular file below the root once, without a
// layer; files the filter keeps are read once for both.
TEST(ImageSource, RootfsOffersEveryFileToContentScanners) {
  TempDir dir;
  writeFile(dir.path() / "etc/os-release", "ID=debian\n");
  writeFile(dir.path() / "srv/app/.env", "PASSWORD=x\n");
  writeFile(dir.path() / "meta/tool", "#!/bin/sh\n");
  writeFile(dir.path() / "skip/data", "no");
  writeFile(dir.path() / "srv/blob", std::string("a\0b", 3));
  fs::permissions(dir.path() / "meta/tool", fs::perms::owner_all | fs::perms::set_uid);
  fs::create_symlink(".env", dir.path() / "srv/app/link");
  testing::RecordingScanner scanner;
  auto opened = openImage(dir.path().string(), {});
  ASSERT_TRUE(opened) << opened.error().message;
  core::Diagnostics diagnostics;
  auto view =
      (*opened)->readFiles(PathFilter({"etc/os-release"}, {}, {&scanner}), diagnostics, false);
  ASSERT_TRUE(view) << view.error().message;
  using Seen = testing::RecordingScanner::Seen;
  const std::vector<Seen> expected = {
      {"etc/os-release", 0644, "", "ID=debian\n"},
      {"meta/tool", 04700, "", ""},
      {"srv/app/.env", 0644, "", "PASSWORD=x\n"},
  };
  EXPECT_EQ(scanner.seen(), expected);
  EXPECT_EQ(view->find("etc/os-release")->content, "ID=debian\n");
  EXPECT_EQ(view->find("srv/app/.env"), nullptr);
}

// A wanted file the view does not keep (over the keep limit) is still read for the scanners,
// within their own limit.
TEST(ImageSource, RootfsScansWantedFilesTooLargeToKeep) {
  TempDir dir;
  writeFile(dir.path() / "etc/os-release", "ID=debian\nVERSION_ID=12\n");
  testing::RecordingScanner scanner;
  SourceOptions options;
  options.limits.max_file_bytes = 10;
  auto opened = openImage(dir.path().string(), options);
  ASSERT_TRUE(opened) << opened.error().message;
  core::Diagnostics diagnostics;
  auto view =
      (*opened)->readFiles(PathFilter({"etc/os-release"}, {}, {&scanner}), diagnostics, false);
  ASSERT_TRUE(view) << view.error().message;
  using Seen = testing::RecordingScanner::Seen;
  const std::vector<Seen> expected = {{"etc/os-release", 0644, "", "ID=debian\nVERSION_ID=12\n"}};
  EXPECT_EQ(scanner.seen(), expected);
  EXPECT_EQ(view->find("etc/os-release"), nullptr);
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics.sorted()[0].kind, "rootfs.file-too-large");
}

}  // namespace
}  // namespace bulwark::image

namespace bulwark::image {
namespace {

// The runtime settings and the whole history, empty layers included, as `docker inspect` and
// `docker history` show them; odd shapes (null Cmd, numbers in Env) are skipped, not fatal.
TEST(ImageConfig, ReadsRuntimeSettingsAndHistory) {
  const Json config = {
      {"architecture", "amd64"},
      {"os", "linux"},
      {"config",
       {{"User", "app"},
        {"Env", {"PATH=/usr/bin", 7, "TOKEN=x"}},
        {"Cmd", nullptr},
        {"Entrypoint", {"/entry.sh"}},
        {"WorkingDir", "/srv"},
        {"ExposedPorts", {{"8080/tcp", Json::object()}, {"22/tcp", Json::object()}}},
        {"Labels", {{"b", "2"}, {"a", "1"}}},
        {"Healthcheck", {{"Test", {"CMD-SHELL", "curl -f http://localhost/"}}}}}},
      {"rootfs", {{"type", "layers"}, {"diff_ids", {digestOf("layer")}}}},
      {"history",
       {{{"created_by", "/bin/sh -c #(nop) ADD file:1 in / "}},
        {{"created_by", "/bin/sh -c #(nop)  USER app"}, {"empty_layer", true}}}}};
  ResolvedImage image;
  image.layers.resize(1);
  ASSERT_TRUE(parseConfig(image, config.dump()));
  const model::ImageConfig& runtime = image.runtime;
  EXPECT_TRUE(runtime.present);
  EXPECT_EQ(runtime.user, "app");
  EXPECT_EQ(runtime.env, (std::vector<std::string>{"PATH=/usr/bin", "TOKEN=x"}));
  EXPECT_TRUE(runtime.cmd.empty());
  EXPECT_EQ(runtime.entrypoint, std::vector<std::string>{"/entry.sh"});
  EXPECT_EQ(runtime.working_dir, "/srv");
  EXPECT_EQ(runtime.exposed_ports, (std::vector<std::string>{"22/tcp", "8080/tcp"}));
  const std::vector<std::pair<std::string, std::string>> labels = {{"a", "1"}, {"b", "2"}};
  EXPECT_EQ(runtime.labels, labels);
  EXPECT_TRUE(runtime.has_healthcheck);
  ASSERT_EQ(runtime.history.size(), 2U);
  EXPECT_FALSE(runtime.history[0].empty_layer);
  EXPECT_TRUE(runtime.history[1].empty_layer);
  EXPECT_EQ(runtime.history[1].created_by, "/bin/sh -c #(nop)  USER app");
  EXPECT_EQ(image.history_created_by.size(), 1U);  // layers only, as before

  Json disabled = config;
  disabled["config"]["Healthcheck"]["Test"] = {"NONE"};
  ResolvedImage other;
  other.layers.resize(1);
  ASSERT_TRUE(parseConfig(other, disabled.dump()));
  EXPECT_FALSE(other.runtime.has_healthcheck);
}

}  // namespace
}  // namespace bulwark::image
