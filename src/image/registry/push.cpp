// RegistryClient's write side: cross-repository blob mounts, blob uploads (monolithic or
// chunked, streamed from a ByteStream) and manifest PUTs.
#include "core/log.h"
#include "core/sha256.h"
#include "core/text.h"
#include "image/registry/client.h"
#include "image/registry/transfer.h"

namespace bulwark::image::registry {

using core::ErrorCode;
using detail::escape;
using detail::RequestSpec;
using detail::Transfer;
using detail::UploadBody;

namespace {

std::string pushScope(std::string_view repository) {
  return fmt::format("repository:{}:pull,push", repository);
}

std::string withQuery(const std::string& path, std::string_view query) {
  return path + (path.find('?') == std::string::npos ? "?" : "&") + std::string(query);
}

// Distribution answers "202 Accepted" with the session's URL in Location.
core::Result<std::string> sessionLocation(Transfer& transfer, std::string_view what) {
  std::string location(core::trim(transfer.header("location")));
  if (location.empty()) {
    return core::fail(ErrorCode::Network, "{}: the registry sent no upload Location", what);
  }
  return location;
}

}  // namespace

core::Result<std::string> RegistryClient::startUpload(std::string_view repository,
                                                      const std::string& scope) {
  const std::string what = fmt::format("{}: blob upload to {}", host_, repository);
  RequestSpec spec;
  spec.method = "POST";
  spec.send_body = true;
  spec.headers.emplace_back("Content-Type: application/octet-stream");
  auto transfer = authorized(scope, spec, fmt::format("/v2/{}/blobs/uploads/", repository));
  if (!transfer) return tl::unexpected(transfer.error());
  if ((*transfer)->status() != 202) {
    return tl::unexpected(httpError(**transfer, fmt::format("blob upload to {}", repository)));
  }
  auto location = sessionLocation(**transfer, what);
  if (!location) return location;
  return localPath(*location);
}

core::Result<bool> RegistryClient::mountBlob(std::string_view to_repository,
                                             std::string_view digest,
                                             std::string_view from_repository) {
  if (auto ok = checkRepositoryName(to_repository); !ok) return tl::unexpected(ok.error());
  if (auto ok = checkRepositoryName(from_repository); !ok) return tl::unexpected(ok.error());
  if (auto ok = image::checkDigest(digest); !ok) return tl::unexpected(ok.error());
  const std::string what =
      fmt::format("mount of {} from {} into {}", digest, from_repository, to_repository);
  const std::string scope =
      fmt::format("{} repository:{}:pull", pushScope(to_repository), from_repository);
  RequestSpec spec;
  spec.method = "POST";
  spec.send_body = true;
  spec.headers.emplace_back("Content-Type: application/octet-stream");
  auto transfer = authorized(scope, spec,
                             fmt::format("/v2/{}/blobs/uploads/?mount={}&from={}", to_repository,
                                         escape(digest), escape(from_repository)));
  if (!transfer) return tl::unexpected(transfer.error());
  const long status = (*transfer)->status();
  if (status == 201) {
    const std::string announced(core::trim((*transfer)->header("docker-content-digest")));
    if (!announced.empty() && announced != digest) {
      return core::fail(ErrorCode::Integrity, "{}: {}: the registry mounted {}", host_, what,
                        core::printable(announced.substr(0, 100)));
    }
    return true;
  }
  if (status != 202) return tl::unexpected(httpError(**transfer, what));
  // Not mounted: the registry opened an ordinary upload session instead. Cancel it (best
  // effort; registries also expire abandoned sessions).
  const std::string location(core::trim((*transfer)->header("location")));
  if (auto path = localPath(location); path) {
    RequestSpec cancel;
    cancel.method = "DELETE";
    if (auto done = authorized(pushScope(to_repository), cancel, *path); !done) {
      spdlog::debug("registry {}: cancelling an upload session failed: {}", host_,
                    done.error().message);
    }
  }
  return false;
}

core::Status RegistryClient::uploadBlob(std::string_view repository,
                                        const image::Descriptor& descriptor,
                                        image::ByteStream& source, const UploadOptions& options) {
  if (auto ok = checkRepositoryName(repository); !ok) return ok;
  if (auto ok = image::checkDigest(descriptor.digest); !ok) return ok;
  if (descriptor.size < 0) {
    return core::fail(ErrorCode::Input, "blob {}: the size is unknown", descriptor.digest);
  }
  const std::string what = fmt::format("upload of {} to {}", descriptor.digest, repository);
  const std::string scope = pushScope(repository);
  auto path = startUpload(repository, scope);
  if (!path) return tl::unexpected(path.error());

  const auto size = static_cast<std::uint64_t>(descriptor.size);
  const auto finish = [&](Transfer& transfer) -> core::Status {
    if (transfer.status() != 201) return tl::unexpected(httpError(transfer, what));
    const std::string announced(core::trim(transfer.header("docker-content-digest")));
    if (!announced.empty() && announced != descriptor.digest) {
      return core::fail(ErrorCode::Integrity, "{}: {}: the registry stored {}", host_, what,
                        core::printable(announced.substr(0, 100)));
    }
    return {};
  };
  const std::string digest_query = "digest=" + escape(descriptor.digest);

  if (options.chunk_bytes == 0 || size <= options.chunk_bytes) {
    UploadBody body(source, size, true);
    RequestSpec spec;
    spec.method = "PUT";
    spec.upload = &body;
    spec.headers.emplace_back("Content-Type: application/octet-stream");
    spec.headers.emplace_back("Expect:");
    auto transfer = authorized(scope, spec, withQuery(*path, digest_query));
    if (body.failure()) return core::withContext(*body.failure(), what);
    if (!transfer) return tl::unexpected(transfer.error());
    return finish(**transfer);
  }

  // Chunked: PATCH each chunk with its Content-Range, then PUT ?digest= with no body.
  const std::uint64_t max_chunks = 1U << 20;
  if (size / options.chunk_bytes > max_chunks) {
    return core::fail(ErrorCode::Limit, "{}: more than {} chunks", what, max_chunks);
  }
  std::uint64_t offset = 0;
  while (offset < size) {
    const std::uint64_t length = std::min<std::uint64_t>(options.chunk_bytes, size - offset);
    const bool last = offset + length == size;
    UploadBody body(source, length, last);
    RequestSpec spec;
    spec.method = "PATCH";
    spec.upload = &body;
    spec.headers.emplace_back("Content-Type: application/octet-stream");
    spec.headers.emplace_back("Expect:");
    spec.headers.push_back(fmt::format("Content-Range: {}-{}", offset, offset + length - 1));
    auto transfer = authorized(scope, spec, *path);
    if (body.failure()) return core::withContext(*body.failure(), what);
    if (!transfer) return tl::unexpected(transfer.error());
    if ((*transfer)->status() != 202) return tl::unexpected(httpError(**transfer, what));
    auto location = sessionLocation(**transfer, host_ + ": " + what);
    if (!location) return tl::unexpected(location.error());
    path = localPath(*location);
    if (!path) return tl::unexpected(path.error());
    offset += length;
  }
  RequestSpec spec;
  spec.method = "PUT";
  spec.send_body = true;
  spec.headers.emplace_back("Content-Type: application/octet-stream");
  auto transfer = authorized(scope, spec, withQuery(*path, digest_query));
  if (!transfer) return tl::unexpected(transfer.error());
  return finish(**transfer);
}

core::Result<std::string> RegistryClient::putManifest(std::string_view repository,
                                                      std::string_view reference,
                                                      std::string_view bytes,
                                                      std::string_view media_type) {
  if (auto ok = checkRepositoryName(repository); !ok) return tl::unexpected(ok.error());
  const bool by_digest = reference.rfind("sha256:", 0) == 0;
  if (auto ok = by_digest ? image::checkDigest(reference) : checkTagName(reference); !ok) {
    return tl::unexpected(ok.error());
  }
  if (bytes.size() > image::kMaxManifestBytes) {
    return core::fail(ErrorCode::Limit, "manifest larger than {} bytes", image::kMaxManifestBytes);
  }
  if (media_type.empty() || media_type.find_first_of("\r\n") != std::string_view::npos ||
      media_type.size() > 200) {
    return core::fail(ErrorCode::Input, "manifest media type '{}' is unusable",
                      core::printable(media_type.substr(0, 200)));
  }
  const std::string digest = "sha256:" + core::sha256Hex(bytes);
  if (by_digest && reference != digest) {
    return core::fail(ErrorCode::Input, "manifest for {}: the bytes hash to {}", reference, digest);
  }
  const std::string what = fmt::format("manifest {}:{}", repository, reference);
  RequestSpec spec;
  spec.method = "PUT";
  spec.send_body = true;
  spec.post_fields = std::string(bytes);
  spec.headers.push_back(fmt::format("Content-Type: {}", media_type));
  spec.headers.emplace_back("Expect:");
  auto transfer = authorized(pushScope(repository), spec,
                             fmt::format("/v2/{}/manifests/{}", repository, reference));
  if (!transfer) return tl::unexpected(transfer.error());
  if ((*transfer)->status() != 201) return tl::unexpected(httpError(**transfer, what));
  const std::string announced(core::trim((*transfer)->header("docker-content-digest")));
  if (!announced.empty() && announced != digest) {
    return core::fail(ErrorCode::Integrity,
                      "{}: {}: the registry stored digest {}, the bytes hash to {}", host_, what,
                      core::printable(announced.substr(0, 100)), digest);
  }
  return digest;
}

}  // namespace bulwark::image::registry
