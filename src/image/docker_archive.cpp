#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "core/text.h"
#include "image/sources.h"

namespace bulwark::image {

using core::ErrorCode;
using Json = nlohmann::json;

namespace {

// "blobs/sha256/<hex>" (Docker 25+) or "<hex>.json" (legacy config) → "sha256:<hex>".
std::string digestFromPath(std::string_view path) {
  std::string_view name = path;
  if (const auto slash = name.rfind('/'); slash != std::string_view::npos) {
    if (path.substr(0, slash) != "blobs/sha256") return {};
    name = name.substr(slash + 1);
  }
  if (name.ends_with(".json")) name.remove_suffix(5);
  std::string digest = "sha256:" + std::string(name);
  return checkDigest(digest) ? digest : std::string();
}

}  // namespace

core::Result<std::unique_ptr<Image>> openDockerArchive(const std::shared_ptr<FileTree>& tree,
                                                       model::Target target,
                                                       std::string_view selector,
                                                       const SourceOptions& options) {
  auto manifest_bytes = tree->read("manifest.json", kMaxManifestBytes);
  if (!manifest_bytes) {
    return core::fail(ErrorCode::Input, "{}: not a docker archive (no manifest.json)", target.name);
  }
  const Json manifest = Json::parse(*manifest_bytes, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_array() || manifest.empty()) {
    return core::fail(ErrorCode::Input, "{}: manifest.json is not a list of images", target.name);
  }
  const Json* chosen = nullptr;
  if (selector.empty()) {
    if (manifest.size() > 1) {
      return core::fail(ErrorCode::Usage,
                        "{}: holds {} images; choose one with :NAME:TAG or @INDEX", target.name,
                        manifest.size());
    }
    chosen = &manifest[0];
  } else if (selector.starts_with('@')) {
    const auto n = core::parseUnsigned(selector.substr(1));
    if (!n || *n >= manifest.size()) {
      return core::fail(ErrorCode::Usage, "{}: no image {}", target.name, selector);
    }
    chosen = &manifest[*n];
  } else {
    for (const auto& image : manifest) {
      if (!image.is_object() || !image.contains("RepoTags") || !image["RepoTags"].is_array()) {
        continue;
      }
      for (const auto& tag : image["RepoTags"]) {
        if (tag.is_string() && tag.get<std::string>() == selector) chosen = &image;
      }
    }
    if (chosen == nullptr) {
      return core::fail(ErrorCode::NotFound, "{}: no image tagged '{}'", target.name,
                        core::printable(selector));
    }
  }
  if (!chosen->is_object() || !(*chosen).contains("Config") || !(*chosen)["Config"].is_string() ||
      !(*chosen).contains("Layers") || !(*chosen)["Layers"].is_array()) {
    return core::fail(ErrorCode::Input, "{}: manifest.json entry lacks Config or Layers",
                      target.name);
  }
  const std::string config_path = (*chosen)["Config"];
  ResolvedImage image;
  std::vector<std::string> layer_paths;
  for (const auto& layer : (*chosen)["Layers"]) {
    if (!layer.is_string())
      return core::fail(ErrorCode::Input, "{}: bad Layers entry", target.name);
    layer_paths.push_back(layer.get<std::string>());
    Descriptor descriptor;
    descriptor.digest = digestFromPath(layer_paths.back());
    auto size = tree->size(layer_paths.back());
    if (!size) return tl::unexpected(size.error());
    descriptor.size = static_cast<std::int64_t>(*size);
    image.layers.push_back(std::move(descriptor));
  }
  if ((*chosen).contains("RepoTags") && (*chosen)["RepoTags"].is_array()) {
    for (const auto& tag : (*chosen)["RepoTags"]) {
      if (tag.is_string()) target.repo_tags.push_back(tag);
    }
  }
  auto config_bytes = tree->read(config_path, kMaxConfigBytes);
  if (!config_bytes) return tl::unexpected(config_bytes.error());
  image.config.digest = digestFromPath(config_path);
  if (!image.config.digest.empty()) {
    if (auto ok = verifyDigest(*config_bytes, image.config.digest, tree->describe(config_path));
        !ok) {
      return tl::unexpected(ok.error());
    }
  } else {
    image.config.digest = "sha256:" + core::sha256Hex(*config_bytes);
  }
  if (auto ok = parseConfig(image, std::move(*config_bytes)); !ok) {
    return core::withContext(ok.error(), target.name);
  }
  describeResolved(image, target);

  std::vector<LayerInput> layers;
  for (std::size_t i = 0; i < layer_paths.size(); ++i) {
    LayerInput input;
    input.name = tree->describe(layer_paths[i]);
    input.digest = image.layers[i].digest;
    input.diff_id = image.diff_ids[i];
    // Legacy archives name layers "<id>/layer.tar": the tar's own digest is the diff_id.
    input.verify_diff_id = input.digest.empty();
    input.open = [tree, path = layer_paths[i]] { return tree->open(path); };
    layers.push_back(std::move(input));
  }
  return makeLayeredImage(std::move(target), std::move(layers), options);
}

}  // namespace bulwark::image
