#include "pipeline/service/promote.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "image/oci.h"

namespace bulwark::pipeline::service {

using core::ErrorCode;
using image::registry::RegistryClient;
using Json = nlohmann::json;

namespace {

constexpr int kMaxIndexDepth = 4;

bool isIndex(std::string_view media_type) {
  return media_type == image::media::kOciIndex || media_type == image::media::kDockerList;
}

bool isForeign(std::string_view media_type) {
  return media_type.find(".foreign.") != std::string_view::npos ||
         media_type.find(".nondistributable.") != std::string_view::npos;
}

core::Result<image::Descriptor> descriptorOf(const Json& json, std::string_view where) {
  if (!json.is_object())
    return core::fail(ErrorCode::Input, "{}: a descriptor is no object", where);
  image::Descriptor out;
  const auto media = json.find("mediaType");
  if (media != json.end() && media->is_string()) out.media_type = media->get<std::string>();
  const auto digest = json.find("digest");
  if (digest == json.end() || !digest->is_string()) {
    return core::fail(ErrorCode::Input, "{}: a descriptor has no digest", where);
  }
  out.digest = digest->get<std::string>();
  if (auto ok = image::checkDigest(out.digest); !ok) return core::withContext(ok.error(), where);
  const auto size = json.find("size");
  if (size == json.end() || !size->is_number_integer() || size->get<std::int64_t>() < 0) {
    return core::fail(ErrorCode::Input, "{}: descriptor {} has no valid size", where, out.digest);
  }
  out.size = size->get<std::int64_t>();
  return out;
}

class Promotion {
 public:
  Promotion(RegistryClient& client, std::string_view from, std::string_view to,
            const PromoteOptions& options)
      : client_(client), from_(from), to_(to), options_(options) {}

  // Copies the manifest `digest` and everything under it; PUTs it by digest unless `top`.
  core::Result<image::FetchedManifest> copyManifest(const std::string& digest,
                                                    std::string_view descriptor_media_type,
                                                    int depth, bool top) {
    if (depth > kMaxIndexDepth) {
      return core::fail(ErrorCode::Limit, "manifest {}: indexes nested deeper than {}", digest,
                        kMaxIndexDepth);
    }
    auto fetched = client_.fetchManifest(from_, digest);
    if (!fetched) return fetched;
    const std::string where = fmt::format("manifest {}@{}", from_, digest);
    const Json json = Json::parse(fetched->bytes, nullptr, false);
    if (!json.is_object()) return core::fail(ErrorCode::Input, "{}: not a JSON object", where);
    if (fetched->media_type.empty()) {
      const auto media = json.find("mediaType");
      if (media != json.end() && media->is_string()) {
        fetched->media_type = media->get<std::string>();
      } else if (!descriptor_media_type.empty()) {
        fetched->media_type = std::string(descriptor_media_type);
      } else {
        fetched->media_type = std::string(json.contains("manifests") ? image::media::kOciIndex
                                                                     : image::media::kOciManifest);
      }
    }
    if (isIndex(fetched->media_type)) {
      const auto children = json.find("manifests");
      if (children == json.end() || !children->is_array()) {
        return core::fail(ErrorCode::Input, "{}: an index without a manifests list", where);
      }
      for (const auto& child : *children) {
        auto descriptor = descriptorOf(child, where);
        if (!descriptor) return tl::unexpected(descriptor.error());
        if (!seen_manifests_.insert(descriptor->digest).second) continue;
        if (seen_manifests_.size() > options_.max_manifests) {
          return core::fail(ErrorCode::Limit, "{}: more than {} manifests", where,
                            options_.max_manifests);
        }
        auto copied = copyManifest(descriptor->digest, descriptor->media_type, depth + 1, false);
        if (!copied) return copied;
      }
    } else {
      std::vector<image::Descriptor> blobs;
      if (const auto config = json.find("config"); config != json.end()) {
        auto descriptor = descriptorOf(*config, where);
        if (!descriptor) return tl::unexpected(descriptor.error());
        blobs.push_back(std::move(*descriptor));
      }
      if (const auto layers = json.find("layers"); layers != json.end()) {
        if (!layers->is_array())
          return core::fail(ErrorCode::Input, "{}: layers is no list", where);
        for (const auto& layer : *layers) {
          auto descriptor = descriptorOf(layer, where);
          if (!descriptor) return tl::unexpected(descriptor.error());
          blobs.push_back(std::move(*descriptor));
        }
      }
      for (const auto& blob : blobs) {
        if (auto ok = copyBlob(blob); !ok) return tl::unexpected(ok.error());
      }
    }
    if (!top) {
      auto put = client_.putManifest(to_, digest, fetched->bytes, fetched->media_type);
      if (!put) return tl::unexpected(put.error());
      ++result_.manifests;
    }
    return fetched;
  }

  core::Status copyBlob(const image::Descriptor& blob) {
    if (isForeign(blob.media_type)) {
      ++result_.blobs_foreign;
      return {};
    }
    if (seen_blobs_.count(blob.digest) != 0) return {};
    if (seen_blobs_.size() >= options_.max_blobs) {
      return core::fail(ErrorCode::Limit, "image with more than {} blobs", options_.max_blobs);
    }
    seen_blobs_.insert(blob.digest);
    auto exists = client_.blobExists(to_, blob.digest);
    if (!exists) return tl::unexpected(exists.error());
    if (*exists) {
      ++result_.blobs_present;
      return {};
    }
    if (options_.try_mount) {
      auto mounted = client_.mountBlob(to_, blob.digest, from_);
      if (mounted && *mounted) {
        ++result_.blobs_mounted;
        return {};
      }
      if (!mounted) {
        spdlog::debug("registry {}: mounting {} into {} failed, copying it: {}", client_.host(),
                      blob.digest, to_, mounted.error().message);
      }
    }
    auto source = client_.openBlob(from_, blob);
    if (!source) return tl::unexpected(source.error());
    image::registry::UploadOptions upload;
    upload.chunk_bytes = options_.chunk_bytes;
    if (auto ok = client_.uploadBlob(to_, blob, **source, upload); !ok) return ok;
    ++result_.blobs_copied;
    result_.bytes_copied += static_cast<std::uint64_t>(blob.size);
    return {};
  }

  PromoteResult& result() { return result_; }

 private:
  RegistryClient& client_;
  std::string from_;
  std::string to_;
  const PromoteOptions& options_;
  PromoteResult result_;
  std::set<std::string> seen_blobs_;
  std::set<std::string> seen_manifests_;
};

}  // namespace

core::Result<PromoteResult> promoteImage(RegistryClient& client, std::string_view from_repository,
                                         std::string_view digest, std::string_view to_repository,
                                         std::string_view tag, const PromoteOptions& options) {
  using image::registry::checkRepositoryName;
  if (auto ok = checkRepositoryName(from_repository); !ok) return tl::unexpected(ok.error());
  if (auto ok = checkRepositoryName(to_repository); !ok) return tl::unexpected(ok.error());
  if (auto ok = image::checkDigest(digest); !ok) return tl::unexpected(ok.error());
  if (!tag.empty()) {
    if (auto ok = image::registry::checkTagName(tag); !ok) return tl::unexpected(ok.error());
  }
  const std::string what =
      fmt::format("promote {}@{} to {}", from_repository, digest, to_repository);
  if (from_repository == to_repository) {
    return core::fail(ErrorCode::Usage, "{}: the same repository", what);
  }
  Promotion promotion(client, from_repository, to_repository, options);
  auto top = promotion.copyManifest(std::string(digest), "", 0, true);
  if (!top) return core::withContext(top.error(), what);
  // By digest first, so the content is there before a tag points at it.
  auto put = client.putManifest(to_repository, digest, top->bytes, top->media_type);
  if (!put) return core::withContext(put.error(), what);
  if (!tag.empty()) {
    put = client.putManifest(to_repository, tag, top->bytes, top->media_type);
    if (!put) return core::withContext(put.error(), what);
  }
  PromoteResult result = std::move(promotion.result());
  ++result.manifests;
  result.digest = std::string(digest);
  result.media_type = top->media_type;
  return result;
}

std::optional<std::string> mapQuarantine(std::string_view pattern_from, std::string_view pattern_to,
                                         std::string_view repository) {
  const auto star = pattern_from.find('*');
  const auto to_star = pattern_to.find('*');
  if (pattern_from.empty() || pattern_to.empty()) return std::nullopt;
  if (star != std::string_view::npos &&
      pattern_from.find('*', star + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  if (to_star != std::string_view::npos &&
      (star == std::string_view::npos ||
       pattern_to.find('*', to_star + 1) != std::string_view::npos)) {
    return std::nullopt;
  }
  std::string out;
  if (star == std::string_view::npos) {
    if (repository != pattern_from) return std::nullopt;
    out = std::string(pattern_to);
  } else {
    const std::string_view prefix = pattern_from.substr(0, star);
    const std::string_view suffix = pattern_from.substr(star + 1);
    if (repository.size() <= prefix.size() + suffix.size()) return std::nullopt;  // '*' ≥ 1 char
    if (repository.substr(0, prefix.size()) != prefix) return std::nullopt;
    if (repository.substr(repository.size() - suffix.size()) != suffix) return std::nullopt;
    const std::string_view matched =
        repository.substr(prefix.size(), repository.size() - prefix.size() - suffix.size());
    out = to_star == std::string_view::npos
              ? std::string(pattern_to)
              : std::string(pattern_to.substr(0, to_star)) + std::string(matched) +
                    std::string(pattern_to.substr(to_star + 1));
  }
  if (out == repository || !image::registry::checkRepositoryName(out)) return std::nullopt;
  return out;
}

}  // namespace bulwark::pipeline::service
