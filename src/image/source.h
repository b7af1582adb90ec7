// Image sources: turn what the user named into an Image whose files can be read.
//   docker-archive:PATH[:name:tag|@N]   `docker save` output (legacy and OCI-style)
//   oci:DIR[:tag]                       an OCI image layout
//   oci-archive:PATH[:tag]              a tar of an OCI image layout
//   DIR                                 a root filesystem (a host's "/" too)
//   host[:port]/repo[:tag|@digest]      a registry (Registry HTTP API v2)
// A bare path is auto-detected.
#pragma once

#include <memory>
#include <string>

#include "core/diagnostic.h"
#include "core/result.h"
#include "image/fs_view.h"
#include "image/layer.h"
#include "image/oci.h"
#include "model/package.h"

namespace bulwark::image {

struct RegistryAccess {
  bool insecure = false;  // plain HTTP and unverified TLS allowed
  std::string username;   // with password: explicit basic credentials
  std::string password;
  std::string ca_file;  // extra trusted CA bundle
};

struct SourceOptions {
  Platform platform;         // linux/amd64 unless --platform
  unsigned parallelism = 0;  // layers walked at once; 0 = one per core
  LayerLimits limits;
  RegistryAccess registry;
};

class Image {
 public:
  virtual ~Image() = default;
  [[nodiscard]] const model::Target& target() const { return target_; }
  // Streams the image once and returns the merged view of the files `filter` wants.
  virtual core::Result<FsView> readFiles(const PathFilter& filter, core::Diagnostics& diagnostics,
                                         bool show_progress) = 0;

 protected:
  model::Target target_;
};

core::Result<std::unique_ptr<Image>> openImage(std::string_view target,
                                               const SourceOptions& options);

// The layered-image reader shared by every source that has layers.
std::unique_ptr<Image> makeLayeredImage(model::Target target, std::vector<LayerInput> layers,
                                        const SourceOptions& options);

// Fills target.layers, created, platform from a resolved image.
void describeResolved(const ResolvedImage& image, model::Target& target);

}  // namespace bulwark::image
