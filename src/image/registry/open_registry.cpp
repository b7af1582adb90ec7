// image::openRegistry (image/sources.h): a registry reference as an Image for the layer walker.
#include "image/registry/registry_source.h"
#include "image/sources.h"

namespace bulwark::image {

core::Result<std::unique_ptr<Image>> openRegistry(std::string_view reference, model::Target target,
                                                  const SourceOptions& options) {
  auto ref = registry::Reference::parse(reference);
  if (!ref) return tl::unexpected(ref.error());
  registry::RegistryOptions access;
  access.insecure = options.registry.insecure;
  access.ca_file = options.registry.ca_file;
  if (!options.registry.username.empty() || !options.registry.password.empty()) {
    access.credentials =
        registry::Credentials{options.registry.username, options.registry.password, ""};
  }
  auto opened = registry::openRegistryImage(*ref, access, options.platform);
  if (!opened) return tl::unexpected(opened.error());
  describeResolved(opened->image, target);
  if (!ref->tag.empty()) target.repo_tags.push_back(ref->name() + ":" + ref->tag);
  target.repo_digests.push_back(opened->repo_digest);

  std::vector<LayerInput> layers;
  const auto& resolved = opened->image;
  for (std::size_t i = 0; i < resolved.layers.size(); ++i) {
    LayerInput input;
    const Descriptor& descriptor = resolved.layers[i];
    input.name = "layer " + descriptor.digest;
    input.digest = descriptor.digest;
    if (i < resolved.diff_ids.size()) input.diff_id = resolved.diff_ids[i];
    input.open = [store = opened->store, descriptor] { return store->openBlob(descriptor); };
    layers.push_back(std::move(input));
  }
  return makeLayeredImage(std::move(target), std::move(layers), options);
}

}  // namespace bulwark::image
