#include "image/registry/registry_source.h"

namespace bulwark::image::registry {

core::Result<std::unique_ptr<image::ByteStream>> RegistryStore::openBlob(
    const image::Descriptor& descriptor) {
  return client_->openBlob(repository_, descriptor);
}

core::Result<image::FetchedManifest> RegistryStore::fetchManifest(
    const image::Descriptor& descriptor) {
  auto manifest = client_->fetchManifest(repository_, descriptor.digest);
  if (!manifest) return manifest;
  if (manifest->media_type.empty()) manifest->media_type = descriptor.media_type;
  return manifest;
}

core::Result<RegistryImage> openRegistryImage(const Reference& reference,
                                              const RegistryOptions& options,
                                              const image::Platform& platform) {
  auto client = RegistryClient::create(reference.domain, options);
  if (!client) return tl::unexpected(client.error());
  auto store = std::make_shared<RegistryStore>(std::move(*client), reference.repository);
  auto top = store->client().fetchManifest(reference.repository, reference.manifestReference());
  if (!top) return tl::unexpected(top.error());
  const std::string top_digest = top->digest;
  auto resolved = image::resolveImage(*store, std::move(*top), platform);
  if (!resolved) return core::withContext(resolved.error(), reference.str());
  RegistryImage out;
  out.store = std::move(store);
  out.image = std::move(*resolved);
  out.reference = reference;
  out.repo_digest = reference.name() + "@" + top_digest;
  return out;
}

}  // namespace bulwark::image::registry
