// `bulwark sbom` on real Debian images built by scripts/build-test-images, in every form a user
// hands it: docker-archive, OCI layout, OCI archive, zstd layers, five layers with whiteouts and
// an opaque directory, and the plain root filesystem. Every form must report exactly the
// packages dpkg itself says are installed in the root filesystem the image describes.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "image_support.h"
#include "testdata.h"

namespace bulwark::testing::images {
namespace {

namespace fs = std::filesystem;

// The single-layer forms of one image; all describe rootfs/.
const std::vector<std::string> kBaseVariants = {"rootfs", "docker-archive", "oci", "oci-archive",
                                                "oci-zstd"};
// The multi-layer form and the root filesystem it describes (rootfs-multi/).
const std::vector<std::string> kMultiVariants = {"oci-multi", "rootfs-multi"};

std::vector<std::string> readLines(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class ImagesE2e : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    auto image = testImage(GetParam(), why);
    if (!image) GTEST_SKIP() << why;
    image_ = std::move(*image);
    auto bulwark = bulwarkBinary(why);
    if (!bulwark) GTEST_SKIP() << why;
    bulwark_ = std::move(*bulwark);
  }

  // Runs bulwark on each variant; every one must equal `expected` (dpkg-query's answer).
  void expectVariantsMatch(const std::vector<std::string>& variants, const PackageSet& expected,
                           const std::string& format) {
    for (const auto& variant : variants) {
      SCOPED_TRACE(image_.name + " " + variant + " --format " + format);
      std::string error;
      const auto packages = bulwarkPackages(bulwark_, image_.targets.at(variant), format, error);
      ASSERT_TRUE(packages.has_value()) << error;
      EXPECT_EQ(*packages, expected)
          << describeDifference(expected, "dpkg-query", *packages, "bulwark " + variant);
    }
  }

  TestImage image_;
  std::string bulwark_;
};

TEST_P(ImagesE2e, EverySingleLayerFormReportsWhatDpkgReports) {
  std::string error;
  const PackageSet expected = dpkgInstalled(image_.dir / "rootfs", error);
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_GT(expected.size(), 0U);
  expectVariantsMatch(kBaseVariants, expected, "json");
}

TEST_P(ImagesE2e, CycloneDxCarriesTheSamePackagesAsJson) {
  std::string error;
  const PackageSet expected = dpkgInstalled(image_.dir / "rootfs", error);
  ASSERT_TRUE(error.empty()) << error;
  expectVariantsMatch({"oci-archive"}, expected, "cyclonedx");
}

TEST_P(ImagesE2e, MultiLayerImageAppliesWhiteoutsAndOpaqueDirectories) {
  std::string error;
  const PackageSet base = dpkgInstalled(image_.dir / "rootfs", error);
  const PackageSet expected = dpkgInstalled(image_.dir / "rootfs-multi", error);
  ASSERT_TRUE(error.empty()) << error;
  // The recipe: layer 2 is `dpkg --remove` of one package (its stanza stays, "deinstall ok
  // config-files"); layers 3-5 add and then hide two canary stanzas in var/lib/dpkg/status.d.
  const auto removed = readLines(image_.dir / "removed.txt");
  ASSERT_EQ(removed.size(), 1U);
  ASSERT_EQ(base.size(), expected.size() + 1);
  expectVariantsMatch(kMultiVariants, expected, "json");

  const auto packages = bulwarkPackages(bulwark_, image_.targets.at("oci-multi"), "json", error);
  ASSERT_TRUE(packages.has_value()) << error;
  for (const auto& [name, version] : *packages) {
    EXPECT_NE(name, removed[0]) << "the package removed in layer 2 is still reported";
    for (const auto& canary : readLines(image_.dir / "canaries.txt")) {
      EXPECT_NE(name, canary) << "a status.d stanza removed by a later layer is reported";
    }
  }
}

// umoci 0.4.7, Debian 12's, ends layer tars right after the last member's data, with no padding
// and no end-of-archive blocks (opencontainers/umoci#436), and writes whiteouts made by
// `umoci insert --whiteout` with an absolute path. containerd and Trivy read such images; so
// must bulwark (the absolute path may be a diagnostic, the inventory must be complete).
TEST_P(ImagesE2e, ReadsUmociLayersWithoutTarTrailer) {
  std::string error;
  const PackageSet expected = dpkgInstalled(image_.dir / "rootfs-multi", error);
  ASSERT_TRUE(error.empty()) << error;
  expectVariantsMatch({"oci-umoci"}, expected, "json");
}

TEST_P(ImagesE2e, OutputIsDeterministic) {
  const auto first =
      runCommand({bulwark_, "sbom", image_.targets.at("oci-multi"), "--format", "json"});
  const auto second =
      runCommand({bulwark_, "sbom", image_.targets.at("oci-multi"), "--format", "json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
}

INSTANTIATE_TEST_SUITE_P(Images, ImagesE2e, ::testing::Values("tiny", "minbase", "large"),
                         [](const auto& info) { return info.param; });

// The helpers' own parsers, on inputs shaped like the real outputs (no image needed).
TEST(ImageSupport, ParsesBulwarkJsonWithAndWithoutEpoch) {
  std::string error;
  const auto packages = parseBulwarkJson(
      R"({"packages":[{"type":"deb","name":"bsdutils","epoch":1,"version":"2.38.1-5+deb12u3"},
                      {"type":"deb","name":"adduser","version":"3.134"},
                      {"type":"deb","name":"perl-base","version":"5.36.0-7+deb12u2"},
                      {"type":"deb","name":"util-linux","epoch":1,"version":"2.38.1-5",
                       "full_version":"1:2.38.1-5"},
                      {"type":"rpm","name":"bash","version":"5.1"}]})",
      error);
  ASSERT_TRUE(packages.has_value()) << error;
  EXPECT_EQ(*packages, (PackageSet{{"adduser", "3.134"},
                                   {"bsdutils", "1:2.38.1-5+deb12u3"},
                                   {"perl-base", "5.36.0-7+deb12u2"},
                                   {"util-linux", "1:2.38.1-5"}}));
  EXPECT_FALSE(parseBulwarkJson(R"({"artifacts":[]})", error).has_value());
  EXPECT_FALSE(parseBulwarkJson("not json", error).has_value());
}

TEST(ImageSupport, ParsesTrivyCycloneDxTakingTheEpochFromThePurl) {
  std::string error;
  const auto packages = parseCycloneDxDeb(
      R"({"components":[
        {"type":"operating-system","name":"debian","version":"12.11"},
        {"type":"library","name":"bsdutils","version":"2.38.1-5+deb12u3",
         "purl":"pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3?arch=amd64&epoch=1"},
        {"type":"library","name":"adduser","version":"3.134",
         "purl":"pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12.11"},
        {"type":"library","name":"requests","version":"2.28.1",
         "purl":"pkg:pypi/requests@2.28.1"}]})",
      error);
  ASSERT_TRUE(packages.has_value()) << error;
  EXPECT_EQ(*packages, (PackageSet{{"adduser", "3.134"}, {"bsdutils", "1:2.38.1-5+deb12u3"}}));
}

TEST(ImageSupport, DescribesDifferences) {
  const PackageSet a{{"a", "1"}, {"b", "2"}};
  const PackageSet b{{"b", "2"}, {"c", "3"}};
  EXPECT_EQ(describeDifference(a, "x", b, "y"), "  only in x: a 1\n  only in y: c 3\n");
  EXPECT_EQ(describeDifference(a, "x", a, "y"), "");
}

TEST(ImageSupport, RunsCommands) {
  const auto run = runCommand({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.out, "out\n");
  EXPECT_EQ(run.err, "err\n");
}

}  // namespace
}  // namespace bulwark::testing::images
