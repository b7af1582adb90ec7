// Differential test against Trivy, the peer: on every real test image and every form Trivy can
// read, Trivy's (name, version) set of Debian packages must equal bulwark's, except for the
// differences docs/compat.md lists and explains under "## Known differences". Until bulwark's
// `sbom` exists, Trivy is compared with dpkg-query on the root filesystem instead, which keeps
// docs/compat.md honest about Trivy itself.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "image_support.h"
#include "testdata.h"

namespace bulwark::testing::images {
namespace {

// Trivy reads OCI layouts, docker-archives and directories, not oci-archive tarballs.
const std::vector<std::string> kTrivyVariants = {
    "docker-archive", "oci", "oci-zstd", "oci-multi", "oci-umoci", "rootfs", "rootfs-multi"};

// Removes from `set` the packages docs/compat.md explains for this image.
PackageSet withoutKnown(const PackageSet& set, const std::multimap<std::string, std::string>& known,
                        const std::string& image) {
  PackageSet out;
  for (const auto& entry : set) {
    bool explained = false;
    for (const auto& [known_image, name] : known) {
      if ((known_image == "*" || known_image == image) && name == entry.first) explained = true;
    }
    if (!explained) out.insert(entry);
  }
  return out;
}

class ImagesVsTrivy : public ::testing::TestWithParam<std::string> {};

TEST_P(ImagesVsTrivy, SamePackagesAsTrivyOrExplained) {
  const auto trivy = trivyBinary();
  if (!trivy)
    GTEST_SKIP() << "Trivy absent (../shared/tools/get-peers puts it in /tmp/bulwark-peers)";
  std::string why;
  const auto image = testImage(GetParam(), why);
  if (!image) GTEST_SKIP() << why;
  const auto bulwark = bulwarkBinary(why);
  if (!bulwark) {
    std::cout << "[ NOTE     ] " << why << ": comparing Trivy with dpkg-query instead\n";
  }
  const auto known = knownDifferences(sourceDir() / "docs" / "compat.md");

  for (const auto& variant : kTrivyVariants) {
    SCOPED_TRACE(image->name + " " + variant);
    const std::string& target = image->targets.at(variant);
    std::string error;
    const auto theirs = trivyPackages(*trivy, target, error);
    ASSERT_TRUE(theirs.has_value()) << error;
    PackageSet ours;
    std::string ours_name;
    if (bulwark) {
      const auto packages = bulwarkPackages(*bulwark, target, "json", error);
      ASSERT_TRUE(packages.has_value()) << error;
      ours = *packages;
      ours_name = "bulwark";
    } else {
      const bool multi =
          variant == "oci-multi" || variant == "oci-umoci" || variant == "rootfs-multi";
      ours = dpkgInstalled(image->dir / (multi ? "rootfs-multi" : "rootfs"), error);
      ASSERT_TRUE(error.empty()) << error;
      ours_name = "dpkg-query";
    }
    ASSERT_FALSE(theirs->empty());
    const PackageSet ours_left = withoutKnown(ours, known, image->name);
    const PackageSet theirs_left = withoutKnown(*theirs, known, image->name);
    EXPECT_EQ(ours_left, theirs_left)
        << "differences not explained in docs/compat.md (## Known differences):\n"
        << describeDifference(ours_left, ours_name, theirs_left, "trivy");
  }
}

INSTANTIATE_TEST_SUITE_P(Images, ImagesVsTrivy, ::testing::Values("tiny", "minbase", "large"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark::testing::images
