// RegistryClient's read-side additions: catalog and tag listings with Link pagination, and
// HEAD probes of manifests and blobs.
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "core/text.h"
#include "image/registry/client.h"
#include "image/registry/reference.h"
#include "image/registry/transfer.h"

namespace bulwark::image::registry {

using core::ErrorCode;
using detail::escape;
using detail::mediaTypeOf;
using detail::readBody;
using detail::RequestSpec;
using detail::Transfer;
using Json = nlohmann::json;

namespace {

constexpr std::size_t kMaxLocationBytes = 8U << 10;
constexpr std::string_view kDummyDomain = "registry.invalid/";

std::string manifestAccept() {
  return fmt::format("{}, {}, {}, {}", image::media::kOciIndex, image::media::kOciManifest,
                     image::media::kDockerList, image::media::kDockerManifest);
}

}  // namespace

core::Status checkRepositoryName(std::string_view name) {
  if (!name.empty() && name.size() <= kMaxNameLength) {
    auto parsed = Reference::parse(std::string(kDummyDomain) + std::string(name));
    if (parsed && parsed->repository == name && parsed->digest.empty()) return {};
  }
  return core::fail(ErrorCode::Usage, "invalid repository name '{}'",
                    core::printable(name.substr(0, 300)));
}

core::Status checkTagName(std::string_view tag) {
  if (!tag.empty() && tag.size() <= 128) {
    auto parsed = Reference::parse(std::string(kDummyDomain) + "x:" + std::string(tag));
    if (parsed && parsed->tag == tag && parsed->digest.empty()) return {};
  }
  return core::fail(ErrorCode::Usage, "invalid tag '{}'", core::printable(tag.substr(0, 200)));
}

std::optional<std::string> parseNextLink(std::string_view header) {
  // link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param ), values separated by ","
  std::size_t pos = 0;
  for (int guard = 0; guard < 64 && pos < header.size(); ++guard) {
    const auto open = header.find('<', pos);
    if (open == std::string_view::npos) return std::nullopt;
    const auto close = header.find('>', open + 1);
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view target = header.substr(open + 1, close - open - 1);
    // The parameters run to the next '<' (a ',' may sit inside a quoted value).
    const auto next = header.find('<', close + 1);
    const std::string_view params = header.substr(
        close + 1, next == std::string_view::npos ? std::string_view::npos : next - close - 1);
    for (const auto param : core::split(params, ';')) {
      const auto eq = param.find('=');
      if (eq == std::string_view::npos) continue;
      if (core::asciiLower(core::trim(param.substr(0, eq))) != "rel") continue;
      std::string_view value = core::trim(param.substr(eq + 1));
      if (!value.empty() && value.back() == ',')
        value = core::trim(value.substr(0, value.size() - 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      for (const auto rel : core::split(value, ' ')) {
        if (core::asciiLower(rel) == "next") return std::string(target);
      }
    }
    pos = close + 1;
  }
  return std::nullopt;
}

core::Result<std::string> RegistryClient::localPath(std::string_view location) const {
  if (location.empty() || location.size() > kMaxLocationBytes ||
      location.find_first_of(" \t\r\n\"<>\\") != std::string_view::npos) {
    return core::fail(ErrorCode::Input, "{}: malformed location '{}'", host_,
                      core::printable(location.substr(0, 200)));
  }
  if (location.front() == '/' && location.substr(0, 2) != "//") return std::string(location);
  for (const std::string_view scheme : {"https://", "http://"}) {
    if (core::asciiLower(location.substr(0, scheme.size())) != scheme) continue;
    const std::string_view rest = location.substr(scheme.size());
    const auto slash = rest.find('/');
    const std::string_view authority = rest.substr(0, slash);
    if (core::asciiLower(authority) != core::asciiLower(host_)) break;
    return slash == std::string_view::npos ? std::string("/") : std::string(rest.substr(slash));
  }
  return core::fail(ErrorCode::Input, "{}: refusing a location outside the registry: '{}'", host_,
                    core::printable(location.substr(0, 200)));
}

core::Result<NameList> RegistryClient::listNames(const std::string& scope, std::string path,
                                                 std::string_view key, const ListLimits& limits,
                                                 bool tags) {
  NameList out;
  const std::string base = path.substr(0, path.find('?'));
  for (std::size_t page = 0;; ++page) {
    if (page >= limits.max_pages) {
      out.truncated = true;
      return out;
    }
    const std::string what = fmt::format("{} (page {})", base, page + 1);
    RequestSpec spec;
    spec.headers.emplace_back("Accept: application/json");
    auto transfer = authorized(scope, spec, path);
    if (!transfer) return tl::unexpected(transfer.error());
    if ((*transfer)->status() != 200) return tl::unexpected(httpError(**transfer, what));
    auto body = readBody(**transfer, limits.max_page_bytes, what);
    if (!body) return tl::unexpected(body.error());
    const Json json = Json::parse(*body, nullptr, false);
    if (!json.is_object()) {
      return core::fail(ErrorCode::Input, "{}: {}: the answer is not a JSON object", host_, what);
    }
    const auto list = json.find(key);
    if (list != json.end() && !list->is_null() && !list->is_array()) {
      return core::fail(ErrorCode::Input, "{}: {}: '{}' is not a list", host_, what, key);
    }
    if (list != json.end() && list->is_array()) {
      for (const auto& entry : *list) {
        if (out.names.size() >= limits.max_entries) {
          out.truncated = true;
          return out;
        }
        const std::string* name = entry.get_ptr<const std::string*>();
        if (name == nullptr || !(tags ? checkTagName(*name) : checkRepositoryName(*name))) {
          ++out.rejected;
          continue;
        }
        out.names.push_back(*name);
      }
    }
    const auto next = parseNextLink((*transfer)->header("link"));
    if (!next) return out;
    auto next_path = localPath(*next);
    if (!next_path) return tl::unexpected(next_path.error());
    const bool same_list = next_path->compare(0, base.size(), base) == 0 &&
                           (next_path->size() == base.size() || (*next_path)[base.size()] == '?');
    if (!same_list || *next_path == path) {
      return core::fail(ErrorCode::Input, "{}: {}: a next page link that goes elsewhere: '{}'",
                        host_, what, core::printable(next_path->substr(0, 200)));
    }
    path = std::move(*next_path);
  }
}

core::Result<NameList> RegistryClient::listCatalog(const ListLimits& limits) {
  const std::size_t n = std::max<std::size_t>(limits.page_size, 1);
  return listNames("registry:catalog:*", fmt::format("/v2/_catalog?n={}", n), "repositories",
                   limits, false);
}

core::Result<NameList> RegistryClient::listTags(std::string_view repository,
                                                const ListLimits& limits) {
  if (auto ok = checkRepositoryName(repository); !ok) return tl::unexpected(ok.error());
  const std::size_t n = std::max<std::size_t>(limits.page_size, 1);
  return listNames(fmt::format("repository:{}:pull", repository),
                   fmt::format("/v2/{}/tags/list?n={}", repository, n), "tags", limits, true);
}

core::Result<ManifestHead> RegistryClient::headManifest(std::string_view repository,
                                                        std::string_view reference) {
  if (auto ok = checkRepositoryName(repository); !ok) return tl::unexpected(ok.error());
  const bool by_digest = reference.rfind("sha256:", 0) == 0;
  if (auto ok = by_digest ? image::checkDigest(reference) : checkTagName(reference); !ok) {
    return tl::unexpected(ok.error());
  }
  const std::string what = fmt::format("manifest {}:{}", repository, reference);
  RequestSpec spec;
  spec.method = "HEAD";
  spec.headers.push_back("Accept: " + manifestAccept());
  auto transfer = authorized(fmt::format("repository:{}:pull", repository), spec,
                             fmt::format("/v2/{}/manifests/{}", repository, reference));
  if (!transfer) return tl::unexpected(transfer.error());
  if ((*transfer)->status() != 200) return tl::unexpected(httpError(**transfer, what));
  ManifestHead head;
  head.media_type = mediaTypeOf((*transfer)->header("content-type"));
  head.digest = std::string(core::trim((*transfer)->header("docker-content-digest")));
  if (const auto length = core::parseUnsigned(core::trim((*transfer)->header("content-length")));
      length && *length <= image::kMaxManifestBytes) {
    head.size = static_cast<std::int64_t>(*length);
  }
  if (head.digest.empty()) {  // not every registry sends it on HEAD: read and hash the bytes
    auto fetched = fetchManifest(repository, reference);
    if (!fetched) return tl::unexpected(fetched.error());
    head.digest = fetched->digest;
    head.size = static_cast<std::int64_t>(fetched->bytes.size());
    if (!fetched->media_type.empty()) head.media_type = fetched->media_type;
    return head;
  }
  if (auto ok = image::checkDigest(head.digest); !ok) {
    return core::withContext(ok.error(), fmt::format("{}: {}: Docker-Content-Digest", host_, what));
  }
  if (by_digest && head.digest != reference) {
    return core::fail(ErrorCode::Integrity, "{}: {}: the registry answers with digest {}", host_,
                      what, head.digest);
  }
  return head;
}

core::Result<bool> RegistryClient::blobExists(std::string_view repository,
                                              std::string_view digest) {
  if (auto ok = checkRepositoryName(repository); !ok) return tl::unexpected(ok.error());
  if (auto ok = image::checkDigest(digest); !ok) return tl::unexpected(ok.error());
  RequestSpec spec;
  spec.method = "HEAD";
  auto transfer = authorized(fmt::format("repository:{}:pull", repository), spec,
                             fmt::format("/v2/{}/blobs/{}", repository, digest));
  if (!transfer) return tl::unexpected(transfer.error());
  const long status = (*transfer)->status();
  if (status == 200) return true;
  if (status == 404) return false;
  return tl::unexpected(httpError(**transfer, fmt::format("blob {} in {}", digest, repository)));
}

}  // namespace bulwark::image::registry
