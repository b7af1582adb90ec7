// A real registry for the worker tests: Debian's docker-registry on a free loopback port with its
// storage in a temp dir, stopped (with its process group) when the guard goes away, also when an
// assertion fails half-way. Test images are built with umoci from tests/fixtures/rootfs/
// debian-mini (amd64 and arm64, and an index of both) and pushed with skopeo. After
// tests/e2e/registry/registry_e2e_test.cpp, reduced to what the worker tests need.
#pragma once

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "image/oci.h"
#include "service_test_support.h"
#include "support/oci_index.h"
#include "support/process.h"
#include "support/registry.h"
#include "testdata.h"

namespace bulwark::pipeline::service::testing {

namespace fs = std::filesystem;

using bulwark::testing::freePort;
using bulwark::testing::runCommand;
using bulwark::testing::shellQuote;
using bulwark::testing::writeFile;

inline std::string missingRegistryTools() {
  return bulwark::testing::missingTools({"docker-registry", "skopeo", "umoci"});
}

// An OCI layout with tags amd64, arm64 (debian-mini's files) and multi (an index of both).
struct TestImages {
  TempDir dir;
  fs::path layout = dir.path() / "layout";
};

inline ::testing::AssertionResult buildImages(TestImages& out) {
  const fs::path fixture = bulwark::testing::fixtures() / "rootfs" / "debian-mini";
  const std::string layout = out.layout.string();
  if (auto ok = runCommand("umoci init --layout " + shellQuote(layout)); !ok) return ok;
  for (const std::string arch : {"amd64", "arm64"}) {
    const std::string image = shellQuote(layout + ":" + arch);
    if (auto ok = runCommand("umoci new --image " + image); !ok) return ok;
    if (auto ok =
            runCommand("umoci config --image " + image + " --os linux --architecture " + arch);
        !ok) {
      return ok;
    }
    for (const std::string top : {"etc", "usr", "var"}) {
      if (auto ok = runCommand("umoci insert --image " + image + " " +
                               shellQuote((fixture / top).string()) + " /" + top);
          !ok) {
        return ok;
      }
    }
  }
  return bulwark::testing::addIndex(out.layout, "multi",
                                    {{"amd64", "amd64", ""}, {"arm64", "arm64", "v8"}});
}

// One registry, anonymous, plain HTTP, with deletes enabled.
struct LocalRegistry : bulwark::testing::DockerRegistry {
  LocalRegistry() : DockerRegistry("bulwark-service-registry") {}

  ::testing::AssertionResult start() {
    return DockerRegistry::start("  delete:\n    enabled: true\n");
  }

  // Pushes layout tag `tag` to `destination` ("repo:tag"); returns the manifest digest pushed.
  std::string push(const TestImages& images, const std::string& tag, const std::string& destination,
                   bool all = false) {
    const fs::path digest_file = dir() / "digest";
    const auto pushed = runCommand("skopeo copy --quiet --dest-tls-verify=false " +
                                   std::string(all ? "--all " : "") + "--digestfile " +
                                   shellQuote(digest_file.string()) + " " +
                                   shellQuote("oci:" + images.layout.string() + ":" + tag) + " " +
                                   shellQuote("docker://" + host() + "/" + destination));
    EXPECT_TRUE(pushed);
    return bulwark::testing::readFile(digest_file);
  }
};

}  // namespace bulwark::pipeline::service::testing
