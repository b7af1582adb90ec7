// Writes OCI image layouts for tests: an image of the given layer tars (gzip or not; the
// walker sniffs the compression) and config, tagged `latest`, ready for `oci:DIR`.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "unit/image/tar_builder.h"

namespace bulwark::testing {

// `config` is the image config without rootfs (set here: one diff_id per layer); architecture
// and os default to amd64 and linux.
inline void writeOciLayout(const std::filesystem::path& layout,
                           const std::vector<std::string>& layers,
                           nlohmann::json config = nlohmann::json::object()) {
  namespace fs = std::filesystem;
  const auto write = [](const fs::path& path, const std::string& bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
  };
  const auto blob = [&](const std::string& bytes) {
    write(layout / "blobs" / "sha256" / digestOf(bytes).substr(7), bytes);
  };
  if (!config.contains("architecture")) config["architecture"] = "amd64";
  if (!config.contains("os")) config["os"] = "linux";
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", nlohmann::json::array()}};
  // The walker verifies blob digests; diff_ids only need a valid shape for OCI layouts.
  for (const auto& layer : layers) config["rootfs"]["diff_ids"].push_back(digestOf(layer + "u"));
  const std::string config_text = config.dump();
  nlohmann::json manifest = {{"schemaVersion", 2},
                             {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                             {"config",
                              {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                               {"digest", digestOf(config_text)},
                               {"size", config_text.size()}}},
                             {"layers", nlohmann::json::array()}};
  for (const auto& layer : layers) {
    manifest["layers"].push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                                  {"digest", digestOf(layer)},
                                  {"size", layer.size()}});
    blob(layer);
  }
  const std::string manifest_text = manifest.dump();
  blob(config_text);
  blob(manifest_text);
  write(layout / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  const nlohmann::json index = {
      {"schemaVersion", 2},
      {"manifests",
       {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
         {"digest", digestOf(manifest_text)},
         {"size", manifest_text.size()},
         {"annotations", {{"org.opencontainers.image.ref.name", "latest"}}}}}}};
  write(layout / "index.json", index.dump());
}

}  // namespace bulwark::testing
