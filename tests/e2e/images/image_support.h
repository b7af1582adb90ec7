// Helpers for the end-to-end tests on real images built by scripts/build-test-images: finding
// (or building) the cached images, running bulwark and Trivy on them, and reducing every
// inventory to the (name, version) set the tests compare.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace bulwark::testing::images {

// (package name, full dpkg version "[epoch:]upstream[-revision]" as dpkg-query prints it).
using PackageSet = std::set<std::pair<std::string, std::string>>;

struct CommandResult {
  int exit_code = -1;
  std::string out;  // standard output
  std::string err;  // standard error (last few KB)
};

// Runs argv without a shell; captures stdout and stderr.
CommandResult runCommand(const std::vector<std::string>& argv);

// One image from scripts/build-test-images: its cache directory and its targets by variant
// ("rootfs", "oci", "oci-archive", "docker-archive", "oci-zstd", "oci-multi", "oci-umoci",
// "rootfs-multi").
struct TestImage {
  std::string name;
  std::filesystem::path dir;
  std::map<std::string, std::string> targets;
};

// The image NAME from the cache. Builds it first when allowed: the tiny image whenever we run
// as root (seconds, no network); the others when BULWARK_BUILD_IMAGES=1 (large only when
// BULWARK_BUILD_IMAGES=all). On failure returns nullopt and says why.
std::optional<TestImage> testImage(const std::string& name, std::string& why);

// The installed packages of a root filesystem (status word "installed"), by dpkg-query itself.
PackageSet dpkgInstalled(const std::filesystem::path& rootfs, std::string& error);

// build/bin/bulwark (BULWARK_BIN) when it exists and has an `sbom` subcommand.
std::optional<std::string> bulwarkBinary(std::string& why);

// `bulwark sbom TARGET --format json` (or cyclonedx), reduced to deb (name, version) pairs.
std::optional<PackageSet> bulwarkPackages(const std::string& bulwark, const std::string& target,
                                          const std::string& format, std::string& error);

// Trivy from /tmp/bulwark-peers (TRIVY overrides), if present.
std::optional<std::string> trivyBinary();

// `trivy image --input PATH` (or `trivy rootfs DIR` for a directory) as CycloneDX, reduced to
// deb (name, version) pairs. TARGET uses bulwark's syntax (oci:DIR:tag, docker-archive:PATH, DIR).
std::optional<PackageSet> trivyPackages(const std::string& trivy, const std::string& target,
                                        std::string& error);

// Parsers, exposed for the tests of the helpers themselves.
// bulwark JSON (docs/json-schema.md): {"packages":[{"type": "deb", "name", "epoch"?, "version",
// "full_version"?}, ...]}; full_version wins, else epoch and version are joined.
std::optional<PackageSet> parseBulwarkJson(const std::string& text, std::string& error);
// CycloneDX JSON: components whose purl is pkg:deb/...; the epoch comes from the purl's epoch
// qualifier when the component version lacks it (Trivy's convention).
std::optional<PackageSet> parseCycloneDxDeb(const std::string& text, std::string& error);

// A readable listing of what is only in `a` and only in `b` (empty when equal).
std::string describeDifference(const PackageSet& a, const std::string& a_name, const PackageSet& b,
                               const std::string& b_name);

// Known, explained differences between bulwark and Trivy: the rows of the table under the
// heading "## Known differences" in docs/compat.md: | image | package | why |. An image of "*"
// matches every image.
std::multimap<std::string, std::string> knownDifferences(const std::filesystem::path& compat_md);

}  // namespace bulwark::testing::images
