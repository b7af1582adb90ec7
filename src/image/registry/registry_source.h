// A registry repository as an image source: `bulwark sbom registry.example/repo:tag`.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "image/oci.h"
#include "image/registry/client.h"
#include "image/registry/reference.h"

namespace bulwark::image::registry {

// The blobs and manifests of one repository. Manifests are fetched from the manifests endpoint
// (by digest, verified); blobs stream from the blobs endpoint, verified as they are read.
class RegistryStore final : public image::ImageStore {
 public:
  RegistryStore(std::shared_ptr<RegistryClient> client, std::string repository)
      : client_(std::move(client)), repository_(std::move(repository)) {}

  core::Result<std::unique_ptr<image::ByteStream>> openBlob(
      const image::Descriptor& descriptor) override;
  core::Result<image::FetchedManifest> fetchManifest(const image::Descriptor& descriptor) override;

  [[nodiscard]] RegistryClient& client() { return *client_; }
  [[nodiscard]] const std::string& repository() const { return repository_; }

 private:
  std::shared_ptr<RegistryClient> client_;
  std::string repository_;
};

struct RegistryImage {
  std::shared_ptr<RegistryStore> store;  // open the layers of `image` through it
  image::ResolvedImage image;            // resolved for the requested platform
  Reference reference;                   // as parsed, with defaults filled in
  // "<domain>/<repository>@<digest of the top manifest or index>", as `docker images
  // --digests` shows it: it names the tag's content whatever platform was chosen.
  std::string repo_digest;
};

// Fetches the top manifest (index or manifest) by tag or digest and resolves it to `platform`.
core::Result<RegistryImage> openRegistryImage(const Reference& reference,
                                              const RegistryOptions& options,
                                              const image::Platform& platform);

}  // namespace bulwark::image::registry
