// Multi-platform test images: an OCI layout's platform images (made with umoci, one tag each)
// nested under one more tag as an image index, the way `docker buildx` publishes them; pushed
// with `skopeo copy --all`. Shared by the worker tests and the service's end-to-end tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "support/process.h"

namespace bulwark::testing {

// One platform of the index: the layout's tag holding it, and its platform fields.
struct IndexPlatform {
  std::string tag;
  std::string architecture;
  std::string variant;  // "" = none
};

// Adds `index_tag` to the OCI layout at `layout`: an index of the images tagged by `platforms`
// (linux, with their architecture and variant). The index is a blob of the layout like any
// manifest; index.json only gains the tag.
inline ::testing::AssertionResult addIndex(const std::filesystem::path& layout,
                                           const std::string& index_tag,
                                           const std::vector<IndexPlatform>& platforms) {
  constexpr const char* kRefName = "org.opencontainers.image.ref.name";
  auto top = nlohmann::json::parse(readFile(layout / "index.json"), nullptr, false);
  if (top.is_discarded() || !top.contains("manifests")) {
    return ::testing::AssertionFailure() << layout << ": no OCI index.json";
  }
  auto manifests = nlohmann::json::array();
  for (const auto& platform : platforms) {
    const nlohmann::json* found = nullptr;
    for (const auto& entry : top["manifests"]) {
      if (entry.value("annotations", nlohmann::json::object()).value(kRefName, "") ==
          platform.tag) {
        found = &entry;
      }
    }
    if (found == nullptr) return ::testing::AssertionFailure() << "no tag " << platform.tag;
    nlohmann::json descriptor = {
        {"mediaType", (*found)["mediaType"]},
        {"digest", (*found)["digest"]},
        {"size", (*found)["size"]},
        {"platform", {{"os", "linux"}, {"architecture", platform.architecture}}}};
    if (!platform.variant.empty()) descriptor["platform"]["variant"] = platform.variant;
    manifests.push_back(descriptor);
  }
  const nlohmann::json index = {{"schemaVersion", 2},
                                {"mediaType", "application/vnd.oci.image.index.v1+json"},
                                {"manifests", manifests}};
  const std::string bytes = index.dump();
  const std::string hex = core::sha256Hex(bytes);
  writeFile(layout / "blobs" / "sha256" / hex, bytes);
  top["manifests"].push_back({{"mediaType", "application/vnd.oci.image.index.v1+json"},
                              {"digest", "sha256:" + hex},
                              {"size", static_cast<std::int64_t>(bytes.size())},
                              {"annotations", {{kRefName, index_tag}}}});
  writeFile(layout / "index.json", top.dump());
  return ::testing::AssertionSuccess();
}

}  // namespace bulwark::testing
