#include <nlohmann/json.hpp>

#include "core/text.h"
#include "image/sources.h"

namespace bulwark::image {

using core::ErrorCode;
using Json = nlohmann::json;

namespace {

class LayoutStore final : public ImageStore {
 public:
  explicit LayoutStore(std::shared_ptr<FileTree> tree) : tree_(std::move(tree)) {}
  core::Result<std::unique_ptr<ByteStream>> openBlob(const Descriptor& descriptor) override {
    if (auto ok = checkDigest(descriptor.digest); !ok) return tl::unexpected(ok.error());
    return tree_->open(blobPath(descriptor.digest));
  }
  static std::string blobPath(std::string_view digest) {
    return "blobs/sha256/" + std::string(digest.substr(7));
  }
  [[nodiscard]] const std::shared_ptr<FileTree>& tree() const { return tree_; }

 private:
  std::shared_ptr<FileTree> tree_;
};

}  // namespace

core::Result<std::unique_ptr<Image>> openOciLayout(const std::shared_ptr<FileTree>& tree,
                                                   model::Target target, std::string_view tag,
                                                   const SourceOptions& options) {
  if (!tree->has("oci-layout")) {
    return core::fail(ErrorCode::Input, "{}: not an OCI image layout (no oci-layout file)",
                      target.name);
  }
  auto index_bytes = tree->read("index.json", kMaxManifestBytes);
  if (!index_bytes) return tl::unexpected(index_bytes.error());
  const Json index = Json::parse(*index_bytes, nullptr, false);
  if (index.is_discarded() || !index.is_object() || !index.contains("manifests") ||
      !index["manifests"].is_array()) {
    return core::fail(ErrorCode::Input, "{}: index.json is not an image index", target.name);
  }
  auto store = std::make_shared<LayoutStore>(tree);

  // Choose the entry: by tag, or the only tagged image, or let the index pick the platform.
  std::vector<Descriptor> tagged;
  std::vector<std::string> names;
  for (const auto& entry : index["manifests"]) {
    Descriptor descriptor;
    if (!entry.is_object()) continue;
    descriptor.media_type = entry.value("mediaType", "");
    descriptor.digest = entry.value("digest", "");
    if (entry.contains("annotations") && entry["annotations"].is_object()) {
      const auto& annotations = entry["annotations"];
      const auto it = annotations.find("org.opencontainers.image.ref.name");
      if (it != annotations.end() && it->is_string()) descriptor.ref_name = *it;
    }
    if (descriptor.ref_name.empty()) continue;
    names.push_back(descriptor.ref_name);
    if (tag.empty() || descriptor.ref_name == tag) tagged.push_back(descriptor);
  }
  FetchedManifest top;
  if (!tag.empty() && tagged.empty()) {
    return core::fail(ErrorCode::NotFound, "{}: no image tagged '{}' (tags: {})", target.name,
                      core::printable(tag),
                      names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (tag.empty() && names.size() > 1) {
    return core::fail(ErrorCode::Usage, "{}: holds several images; choose one with :TAG ({})",
                      target.name, fmt::join(names, ", "));
  }
  if (tagged.size() == 1) {
    auto fetched = store->fetchManifest(tagged.front());
    if (!fetched) return tl::unexpected(fetched.error());
    top = std::move(*fetched);
  } else {
    // No tags, or one tag on several platform entries: resolve index.json itself.
    top = FetchedManifest{std::move(*index_bytes), std::string(media::kOciIndex), ""};
  }
  auto resolved = resolveImage(*store, std::move(top), options.platform);
  if (!resolved) return core::withContext(resolved.error(), target.name);
  describeResolved(*resolved, target);
  if (!tag.empty()) target.repo_tags.push_back(std::string(tag));

  std::vector<LayerInput> layers;
  for (const auto& descriptor : resolved->layers) {
    LayerInput input;
    input.name = "layer " + descriptor.digest;
    input.digest = descriptor.digest;
    input.open = [store, descriptor] { return store->openBlob(descriptor); };
    layers.push_back(std::move(input));
  }
  for (std::size_t i = 0; i < layers.size(); ++i) layers[i].diff_id = resolved->diff_ids[i];
  return makeLayeredImage(std::move(target), std::move(layers), options);
}

}  // namespace bulwark::image
