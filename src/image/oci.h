// OCI / Docker image model: descriptors, index → manifest → config resolution.
// Every source (docker-archive, OCI layout and archive, registry) implements ImageStore and
// shares the resolution below, so that platform choice and validation are written once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "image/stream.h"
#include "model/package.h"

namespace bulwark::image {

namespace media {
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
}  // namespace media

// Sizes past which manifests and configs are refused: real ones are a few KiB.
inline constexpr std::size_t kMaxManifestBytes = 4U << 20;
inline constexpr std::size_t kMaxConfigBytes = 16U << 20;

struct Platform {
  std::string os = "linux";
  std::string architecture = "amd64";
  std::string variant;

  // "linux/arm64/v8" → {linux, arm64, v8}
  static core::Result<Platform> parse(std::string_view text);
  [[nodiscard]] std::string str() const;
};

struct Descriptor {
  std::string media_type;
  std::string digest;  // "sha256:<hex>"
  std::int64_t size = -1;
  std::optional<Platform> platform;
  std::string ref_name;  // org.opencontainers.image.ref.name annotation, when present
};

// A fetched manifest or index: its raw bytes (digest-verified) and media type.
struct FetchedManifest {
  std::string bytes;
  std::string media_type;  // from the transport (Content-Type) or the descriptor; may be empty
  std::string digest;
};

class ImageStore {
 public:
  virtual ~ImageStore() = default;
  // The raw bytes of a blob as stored (layers still compressed). The caller verifies digests.
  virtual core::Result<std::unique_ptr<ByteStream>> openBlob(const Descriptor& descriptor) = 0;
  // A manifest or index by digest; registries use their manifests endpoint, layouts their blobs.
  virtual core::Result<FetchedManifest> fetchManifest(const Descriptor& descriptor);
};

struct ResolvedImage {
  std::string manifest_digest;
  Descriptor config;
  std::string config_bytes;
  std::vector<Descriptor> layers;
  std::vector<std::string> diff_ids;  // from the config, one per layer
  Platform platform;
  std::string created;
  std::vector<std::string> history_created_by;  // non-empty-layer history entries, in order
  model::ImageConfig runtime;                   // User, Env, Labels, ... and every history entry
};

// Validates a digest string ("sha256:" + 64 lower-case hex) — the only algorithm accepted.
core::Status checkDigest(std::string_view digest);
// Fails with ErrorCode::Integrity unless sha256(bytes) matches the digest.
core::Status verifyDigest(std::string_view bytes, std::string_view digest, std::string_view what);

// Parses an image config into `image` (created, platform, diff_ids, history). `image.layers`
// must already be set: the config must list one diff_id per layer.
core::Status parseConfig(ResolvedImage& image, std::string bytes);

// Parses an index or manifest and follows it down to one image for `platform`:
// index → (platform match) → manifest → config. Nested indexes are followed up to a small depth.
core::Result<ResolvedImage> resolveImage(ImageStore& store, FetchedManifest top,
                                         const Platform& platform);

}  // namespace bulwark::image
