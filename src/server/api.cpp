#include "server/api.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include <nlohmann/json.hpp>

#include "pipeline/service/inventory_codec.h"
#include "posture/resource_key.h"
#include "server/alerts_api.h"
#include "server/api_bodies.h"
#include "server/posture_api.h"
#include "server/posture_ingest_api.h"
#include "server/posture_query.h"
#include "server/query.h"
#include "server/routes.h"
#include "server/tokens.h"
#include "server/whoami_api.h"

namespace bulwark::server {
namespace {

using Json = nlohmann::json;
using Response = httplib::Response;

constexpr std::int64_t kMaxChanges = 1000;
constexpr std::int64_t kCountPage = 500;
constexpr std::int64_t kMaxCountedJobs = 10000;

std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void sendValue(Response& res, int status, const Json& value) { sendJson(res, status, dump(value)); }

// A store failure: 404 for NotFound, 400 for Input, else 500 (logged by the caller's message).
void sendStoreError(Response& res, const core::Error& error) {
  switch (error.code) {
    case core::ErrorCode::NotFound: sendError(res, 404, "not_found", error.message); return;
    case core::ErrorCode::Input: sendError(res, 400, "bad_request", error.message); return;
    default: sendError(res, 500, "store_error", "the store failed: " + error.message); return;
  }
}

Json optionalMillis(const std::optional<store::Millis>& at) {
  return at ? Json(*at) : Json(nullptr);
}

Json countsJson(const store::SeverityCounts& counts) {
  return {{"critical", counts.critical},     {"high", counts.high},
          {"medium", counts.medium},         {"low", counts.low},
          {"negligible", counts.negligible}, {"unknown", counts.unknown},
          {"total", counts.total()}};
}

Json tokenJson(const store::Token& token) {
  return {{"id", token.id},
          {"name", token.name},
          {"role", std::string(store::toString(token.role))},
          {"created_at", token.created_at},
          {"expires_at", optionalMillis(token.expires_at)},
          {"revoked", token.revoked}};
}

Json registryJson(const store::Registry& registry) {
  return {{"name", registry.name},
          {"url", registry.url},
          {"username", registry.username},
          {"has_password", !registry.password_sealed.empty()},
          {"insecure", registry.insecure},
          {"ca_file", registry.ca_file},
          {"poll_interval_s", registry.poll_interval_s},
          {"created_at", registry.created_at},
          {"last_polled_at", optionalMillis(registry.last_polled_at)}};
}

Json registrySummaryJson(const store::RegistrySummary& summary) {
  Json out = registryJson(summary.registry);
  out["repositories"] = summary.repositories;
  out["images"] = summary.images;
  out["scanned"] = summary.scanned;
  out["counts"] = countsJson(summary.counts);
  return out;
}

Json scanJson(const store::ScanMetadata& scan) {
  return {{"db_build_id", scan.db_build_id},   {"bulwark_version", scan.bulwark_version},
          {"duration_ms", scan.duration_ms},   {"scanned_at", scan.scanned_at},
          {"evaluated_at", scan.evaluated_at}, {"os", scan.os},
          {"platform", scan.platform},         {"package_count", scan.package_count}};
}

Json imageJson(const store::ImageRecord& image) {
  return {{"registry", image.registry},
          {"repository", image.repository},
          {"digest", image.digest},
          {"tags", image.tags},
          {"first_seen", image.first_seen},
          {"last_pushed", image.last_pushed},
          {"scanned", image.scan.has_value()},
          {"scan", image.scan ? scanJson(*image.scan) : Json(nullptr)},
          {"counts", countsJson(image.counts)}};
}

Json findingJson(const store::FindingRecord& finding) {
  return {{"vulnerability_id", finding.vulnerability_id},
          {"package_name", finding.package_name},
          {"installed_version", finding.installed_version},
          {"fixed_version", finding.fixed_version},
          {"fixable", !finding.fixed_version.empty()},
          {"severity", std::string(severityText(finding.severity))},
          {"first_seen", finding.first_seen}};
}

Json changeJson(const store::FindingChange& change) {
  return {{"kind", std::string(store::toString(change.kind))},
          {"vulnerability_id", change.vulnerability_id},
          {"package_name", change.package_name},
          {"installed_version", change.installed_version},
          {"severity", std::string(severityText(change.severity))},
          {"db_build_id", change.db_build_id},
          {"at", change.at}};
}

Json decisionJson(const store::QuarantineDecision& decision) {
  return {{"registry", decision.registry}, {"repository", decision.repository},
          {"digest", decision.digest},     {"target_repository", decision.target_repository},
          {"tag", decision.tag},           {"promoted", decision.promoted},
          {"reason", decision.reason},     {"at", decision.at}};
}

// ---- query parameters (server/query.h) ---------------------------------------------------

// A page of a vector already in memory, as a JSON array.
template <class T, class Encode>
Json pageArray(const std::vector<T>& items, const Page& page, Encode encode) {
  Json out = Json::array();
  const auto size = static_cast<std::int64_t>(items.size());
  for (std::int64_t i = page.offset; i < size && i < page.offset + page.limit; ++i) {
    out.push_back(encode(items[static_cast<std::size_t>(i)]));
  }
  return out;
}

bool requireDigest(const std::string& digest, Response& res) {
  if (validDigest(digest)) return true;
  sendError(res, 400, "bad_request", "the digest must be sha256: and 64 lower-case hex digits");
  return false;
}

bool requireRepository(const RequestContext& context, Response& res, std::string& repository) {
  repository = context.query("repository");
  if (validRepository(repository)) return true;
  sendError(res, 400, "bad_request", "query parameter 'repository' must name a repository");
  return false;
}

// The registry named in the path, or nullopt with 404/400/500 sent.
std::optional<store::Registry> pathRegistry(store::Store& store, const RequestContext& context,
                                            Response& res) {
  const std::string name = context.param("name");
  if (!validRegistryName(name)) {
    sendError(res, 400, "bad_request", "bad registry name");
    return std::nullopt;
  }
  auto registry = store.findRegistry(name);
  if (!registry) {
    sendStoreError(res, registry.error());
    return std::nullopt;
  }
  if (!*registry) {
    sendError(res, 404, "not_found", fmt::format("no registry named '{}'", name));
    return std::nullopt;
  }
  return std::move(**registry);
}

// Counts by severity of a digest's findings, from the store's filtered totals.
core::Result<store::SeverityCounts> digestCounts(store::Store& store, const std::string& digest) {
  store::SeverityCounts counts;
  std::int64_t above = 0;  // findings of a higher severity than the one being counted
  for (auto severity :
       {model::Severity::Critical, model::Severity::High, model::Severity::Medium,
        model::Severity::Low, model::Severity::Negligible, model::Severity::Unknown}) {
    store::FindingQuery query;
    query.digest = digest;
    query.min_severity = severity;
    query.limit = 1;
    auto page = store.findings(query);
    if (!page) return tl::unexpected(page.error());
    counts.add(severity, std::max<std::int64_t>(0, page->total - above));
    above = std::max(above, page->total);
  }
  return counts;
}

// The layer that brought a finding's package (docs/dev/posture-design.md §5.2): the
// package's `location.layer` in the finding's detail, joined with the stored inventory's target
// layers, so that the details pane shows the instruction that added it. Null when the detail
// names no layer or the inventory does not list it; an inventory that does not decode is null
// too (the finding is still worth showing).
core::Result<Json> findingLayer(store::Store& store, const std::string& digest,
                                const Json& detail) {
  if (!detail.is_object()) return Json(nullptr);
  const Json* layer = &detail;
  for (const char* key : {"package", "location", "layer"}) {
    if (!layer->is_object() || !layer->contains(key)) return Json(nullptr);
    layer = &(*layer)[key];
  }
  if (!layer->is_string() || layer->get_ref<const std::string&>().empty()) return Json(nullptr);
  auto text = store.inventory(digest);
  if (!text) return tl::unexpected(text.error());
  if (!*text) return Json(nullptr);
  auto inventory = pipeline::service::decodeInventory(**text);
  if (!inventory) return Json(nullptr);
  const auto& layers = inventory->target.layers;
  for (std::size_t index = 0; index < layers.size(); ++index) {
    if (layers[index].digest != layer->get_ref<const std::string&>()) continue;
    return Json{{"index", index},
                {"digest", layers[index].digest},
                {"created_by", layers[index].created_by},
                {"size", layers[index].size}};
  }
  return Json(nullptr);
}

// ---- handlers -----------------------------------------------------------------------------

class Api : public std::enable_shared_from_this<Api> {
 public:
  Api(store::Store& store, const Hooks& hooks, Metrics& metrics)
      : store_(store), hooks_(hooks), metrics_(metrics) {}

  void registerOn(Server& server) {
    const MemberRoutes routes(server, shared_from_this());
    using A = Access;
    routes.add("GET", "/healthz", A::Public, &Api::healthz);
    routes.add("GET", "/readyz", A::Public, &Api::readyz);
    routes.add("GET", "/metrics", A::Reader, &Api::metrics);
    routes.add("GET", "/api/v1/status", A::Reader, &Api::status);
    routes.add("GET", "/api/v1/tokens", A::Admin, &Api::listTokens);
    routes.add("POST", "/api/v1/tokens", A::Admin, &Api::createToken);
    routes.add("DELETE", "/api/v1/tokens/{id}", A::Admin, &Api::revokeToken);
    routes.add("GET", "/api/v1/registries", A::Reader, &Api::listRegistries);
    routes.add("POST", "/api/v1/registries", A::Admin, &Api::addRegistry);
    routes.add("GET", "/api/v1/registries/{name}", A::Reader, &Api::getRegistry);
    routes.add("DELETE", "/api/v1/registries/{name}", A::Admin, &Api::removeRegistry);
    routes.add("GET", "/api/v1/registries/{name}/repositories", A::Reader, &Api::listRepositories);
    routes.add("GET", "/api/v1/registries/{name}/images", A::Reader, &Api::listImages);
    routes.add("GET", "/api/v1/registries/{name}/tags/{tag}", A::Reader, &Api::getTag);
    routes.add("GET", "/api/v1/images/{digest}", A::Reader, &Api::getImage);
    routes.add("GET", "/api/v1/images/{digest}/findings", A::Reader, &Api::listFindings);
    routes.add("GET", "/api/v1/images/{digest}/findings/{vulnerability_id}", A::Reader,
               &Api::getFinding);
    routes.add("GET", "/api/v1/images/{digest}/inventory", A::Reader, &Api::getInventory);
    routes.add("GET", "/api/v1/images/{digest}/changes", A::Reader, &Api::listChanges);
    routes.add("GET", "/api/v1/images/{digest}/decisions", A::Reader, &Api::listDecisions);
    routes.add("POST", "/api/v1/scans", A::Ingest, &Api::requestScan);
    routes.add("GET", "/api/v1/jobs", A::Reader, &Api::listJobs);
    routes.add("GET", "/api/v1/jobs/{id}", A::Reader, &Api::getJob);
    routes.add("POST", "/api/v1/reevaluate", A::Admin, &Api::reevaluate);
  }

 private:
  void healthz(const RequestContext&, Response& res) { sendValue(res, 200, {{"status", "ok"}}); }

  void readyz(const RequestContext&, Response& res) {
    auto ping = store_.ping();
    if (!ping) {
      sendError(res, 503, "unavailable", "the store does not answer");
      return;
    }
    sendValue(res, 200, {{"status", "ok"}});
  }

  void metrics(const RequestContext&, Response& res) {
    if (auto counts = store_.countJobs()) metrics_.setJobCounts(*counts);
    res.status = 200;
    res.set_content(metrics_.serialize(), "text/plain; version=0.0.4");
  }

  void status(const RequestContext&, Response& res) {
    StatusInfo info;
    if (hooks_.status) info = hooks_.status();
    auto schema = store_.schemaVersion();
    auto counts = store_.countJobs();
    if (!schema || !counts) {
      sendStoreError(res, !schema ? schema.error() : counts.error());
      return;
    }
    Json jobs = Json::object();
    for (auto state : {store::JobState::Queued, store::JobState::Running, store::JobState::Done,
                       store::JobState::Failed, store::JobState::Dead}) {
      std::int64_t n = 0;
      for (const auto& [counted, value] : *counts) {
        if (counted == state) n += value;
      }
      jobs[std::string(store::toString(state))] = n;
    }
    sendValue(res, 200,
              {{"version", info.version},
               {"db_build_id", info.db_build_id},
               {"workers", info.workers},
               {"store", {{"backend", std::string(store_.backend())}, {"schema_version", *schema}}},
               {"jobs", jobs}});
  }

  void listTokens(const RequestContext& context, Response& res) {
    auto page = pageQuery(context, res);
    if (!page) return;
    auto tokens = store_.listTokens();
    if (!tokens) return sendStoreError(res, tokens.error());
    sendValue(res, 200,
              {{"tokens", pageArray(*tokens, *page, tokenJson)},
               {"total", tokens->size()},
               {"limit", page->limit},
               {"offset", page->offset}});
  }

  void createToken(const RequestContext& context, Response& res) {
    auto body = parseTokenRequest(context.http.body, store::nowMillis());
    if (!body) return sendError(res, 400, "bad_request", body.error().message);
    auto created = server::createToken(store_, body->name, body->role, body->expires_at);
    if (!created) return sendStoreError(res, created.error());
    sendValue(res, 201, {{"token", tokenJson(created->token)}, {"secret", created->secret}});
  }

  void revokeToken(const RequestContext& context, Response& res) {
    const std::string text = context.param("id");
    std::int64_t id = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (error != std::errc() || end != text.data() + text.size() || id <= 0) {
      return sendError(res, 400, "bad_request", "the token id must be a positive integer");
    }
    auto revoked = store_.revokeToken(id);
    if (!revoked) return sendStoreError(res, revoked.error());
    res.status = 204;
  }

  void listRegistries(const RequestContext& context, Response& res) {
    auto page = pageQuery(context, res);
    if (!page) return;
    auto summaries = store_.registrySummaries();
    if (!summaries) return sendStoreError(res, summaries.error());
    sendValue(res, 200,
              {{"registries", pageArray(*summaries, *page, registrySummaryJson)},
               {"total", summaries->size()},
               {"limit", page->limit},
               {"offset", page->offset}});
  }

  void addRegistry(const RequestContext& context, Response& res) {
    auto body = parseRegistryRequest(context.http.body);
    if (!body) return sendError(res, 400, "bad_request", body.error().message);
    if (!body->password.empty()) {
      if (!hooks_.seal_secret) {
        return sendError(res, 503, "unavailable",
                         "no secret key is configured: registry passwords cannot be stored");
      }
      auto sealed = hooks_.seal_secret(body->password);
      if (!sealed) {
        return sendError(res, 500, "internal", "the password could not be sealed");
      }
      body->registry.password_sealed = std::move(*sealed);
    }
    auto existing = store_.findRegistry(body->registry.name);
    if (!existing) return sendStoreError(res, existing.error());
    if (*existing) {
      return sendError(res, 409, "conflict",
                       fmt::format("a registry named '{}' exists", body->registry.name));
    }
    body->registry.created_at = store::nowMillis();
    auto added = store_.addRegistry(body->registry);
    if (!added) {
      if (added.error().code == core::ErrorCode::Input) {
        return sendError(res, 409, "conflict", added.error().message);
      }
      return sendStoreError(res, added.error());
    }
    sendValue(res, 201, registryJson(*added));
  }

  void getRegistry(const RequestContext& context, Response& res) {
    auto registry = pathRegistry(store_, context, res);
    if (!registry) return;
    auto summaries = store_.registrySummaries();
    if (!summaries) return sendStoreError(res, summaries.error());
    for (const auto& summary : *summaries) {
      if (summary.registry.name == registry->name) {
        return sendValue(res, 200, registrySummaryJson(summary));
      }
    }
    store::RegistrySummary empty;
    empty.registry = *registry;
    sendValue(res, 200, registrySummaryJson(empty));
  }

  void removeRegistry(const RequestContext& context, Response& res) {
    const std::string name = context.param("name");
    if (!validRegistryName(name)) return sendError(res, 400, "bad_request", "bad registry name");
    auto removed = store_.removeRegistry(name);
    if (!removed) return sendStoreError(res, removed.error());
    res.status = 204;
  }

  void listRepositories(const RequestContext& context, Response& res) {
    auto page = pageQuery(context, res);
    if (!page) return;
    auto registry = pathRegistry(store_, context, res);
    if (!registry) return;
    auto repositories = store_.listRepositories(registry->name);
    if (!repositories) return sendStoreError(res, repositories.error());
    auto encode = [](const store::RepositorySummary& summary) -> Json {
      return {{"repository", summary.repository},
              {"images", summary.images},
              {"scanned", summary.scanned},
              {"counts", countsJson(summary.counts)},
              {"last_pushed", summary.last_pushed}};
    };
    sendValue(res, 200,
              {{"registry", registry->name},
               {"repositories", pageArray(*repositories, *page, encode)},
               {"total", repositories->size()},
               {"limit", page->limit},
               {"offset", page->offset}});
  }

  void listImages(const RequestContext& context, Response& res) {
    auto page = pageQuery(context, res);
    if (!page) return;
    std::string repository;
    if (!requireRepository(context, res, repository)) return;
    auto registry = pathRegistry(store_, context, res);
    if (!registry) return;
    auto images = store_.listImages(registry->name, repository);
    if (!images) return sendStoreError(res, images.error());
    sendValue(res, 200,
              {{"registry", registry->name},
               {"repository", repository},
               {"images", pageArray(*images, *page, imageJson)},
               {"total", images->size()},
               {"limit", page->limit},
               {"offset", page->offset}});
  }

  void getTag(const RequestContext& context, Response& res) {
    std::string repository;
    if (!requireRepository(context, res, repository)) return;
    const std::string tag = context.param("tag");
    if (!validTag(tag)) return sendError(res, 400, "bad_request", "bad tag");
    auto registry = pathRegistry(store_, context, res);
    if (!registry) return;
    auto image = store_.findTag(registry->name, repository, tag);
    if (!image) return sendStoreError(res, image.error());
    if (!*image) {
      return sendError(res, 404, "not_found",
                       fmt::format("no tag '{}' in {}/{}", tag, registry->name, repository));
    }
    sendValue(res, 200, imageJson(**image));
  }

  void getImage(const RequestContext& context, Response& res) {
    const std::string digest = context.param("digest");
    if (!requireDigest(digest, res)) return;
    const std::string registry = context.query("registry");
    const std::string repository = context.query("repository");
    if (registry.empty() != repository.empty()) {
      return sendError(res, 400, "bad_request", "give both 'registry' and 'repository' or none");
    }
    if (!registry.empty()) {
      if (!validRegistryName(registry) || !validRepository(repository)) {
        return sendError(res, 400, "bad_request", "bad registry or repository name");
      }
      auto image = store_.findImage(registry, repository, digest);
      if (!image) return sendStoreError(res, image.error());
      if (!*image) return sendError(res, 404, "not_found", "no such image in that repository");
      auto repositories = imageRepositories(digest);
      if (!repositories) return sendStoreError(res, repositories.error());
      Json out = imageJson(**image);
      out["resource_id"] = nullptr;
      for (const Json& place : *repositories) {
        if (place["registry"] == registry && place["repository"] == repository) {
          out["resource_id"] = place["resource_id"];
        }
      }
      out["repositories"] = std::move(*repositories);
      return sendValue(res, 200, out);
    }
    auto metadata = store_.resultMetadata(digest);
    if (!metadata) return sendStoreError(res, metadata.error());
    if (!*metadata) return sendError(res, 404, "not_found", "no scan result for this digest");
    auto counts = digestCounts(store_, digest);
    if (!counts) return sendStoreError(res, counts.error());
    auto repositories = imageRepositories(digest);
    if (!repositories) return sendStoreError(res, repositories.error());
    sendValue(res, 200,
              {{"digest", digest},
               {"tags", Json::array()},
               {"scanned", true},
               {"scan", scanJson(**metadata)},
               {"counts", countsJson(*counts)},
               {"repositories", std::move(*repositories)}});
  }

  // Every registry and repository the digest was pushed to, with the posture resource of the
  // image there (posture/resource_key.h): [{"registry", "repository", "resource_id"}], by
  // registry and repository. resource_id is null until the posture sync has that resource.
  core::Result<Json> imageRepositories(const std::string& digest) {
    auto places = store_.imagesOfDigest(digest);
    if (!places) return tl::unexpected(places.error());
    Json out = Json::array();
    for (const store::ImageKey& place : *places) {
      const std::string id = posture::imageResource(place.registry, place.repository, digest).id;
      auto resource = store_.getResource(id);
      if (!resource) return tl::unexpected(resource.error());
      out.push_back({{"registry", place.registry},
                     {"repository", place.repository},
                     {"resource_id", *resource ? Json(id) : Json(nullptr)}});
    }
    return out;
  }

  // The digest in the path when it has a scan result; else nullopt with 400/404 sent.
  std::optional<std::string> scannedDigest(const RequestContext& context, Response& res) {
    std::string digest = context.param("digest");
    if (!requireDigest(digest, res)) return std::nullopt;
    auto metadata = store_.resultMetadata(digest);
    if (!metadata) {
      sendStoreError(res, metadata.error());
      return std::nullopt;
    }
    if (!*metadata) {
      sendError(res, 404, "not_found", "no scan result for this digest");
      return std::nullopt;
    }
    return digest;
  }

  void listFindings(const RequestContext& context, Response& res) {
    auto page = pageQuery(context, res);
    if (!page) return;
    store::FindingQuery query;
    const std::string severity = context.query("severity");
    if (!severity.empty()) {
      query.min_severity = parseSeverityText(severity);
      if (!query.min_severity) {
        return sendError(res, 400, "bad_request",
                         "'severity' must be critical, high, medium, low, negligible or unknown");
      }
    }
    const std::string fixable = context.query("fixable");
    if (!fixable.empty() && fixable != "true" && fixable != "false") {
      return sendError(res, 400, "bad_request", "'fixable' must be true or false");
    }
    query.fixable_only = fixable == "true";
    query.search = context.query("q");
    if (query.search.size() > kMaxQueryBytes) {
      return sendError(res, 400, "bad_request", "'q' is too long");
    }
    const std::string sort = context.query("sort");
    if (!sort.empty()) {
      if (sort != "severity" && sort != "id" && sort != "package" && sort != "first_seen") {
        return sendError(res, 400, "bad_request",
                         "'sort' must be severity, id, package or first_seen");
      }
      query.sort = sort;
    }
    auto digest = scannedDigest(context, res);
    if (!digest) return;
    query.digest = *digest;
    query.limit = page->limit;
    query.offset = page->offset;
    auto found = store_.findings(query);
    if (!found) return sendStoreError(res, found.error());
    Json findings = Json::array();
    for (const auto& finding : found->findings) findings.push_back(findingJson(finding));
    sendValue(res, 200,
              {{"digest", *digest},
               {"findings", std::move(findings)},
               {"total", found->total},
               {"limit", page->limit},
               {"offset", page->offset}});
  }

  void getFinding(const RequestContext& context, Response& res) {
    const std::string id = context.param("vulnerability_id");
    if (id.size() > kMaxQueryBytes) return sendError(res, 400, "bad_request", "id too long");
    std::string package = context.query("package");
    if (package.size() > kMaxQueryBytes) {
      return sendError(res, 400, "bad_request", "'package' is too long");
    }
    auto digest = scannedDigest(context, res);
    if (!digest) return;
    if (package.empty()) {
      // Without a package, the id must name one finding.
      store::FindingQuery query;
      query.digest = *digest;
      query.search = id;
      query.limit = kMaxLimit;
      auto found = store_.findings(query);
      if (!found) return sendStoreError(res, found.error());
      std::vector<std::string> packages;
      for (const auto& finding : found->findings) {
        if (finding.vulnerability_id == id) packages.push_back(finding.package_name);
      }
      std::sort(packages.begin(), packages.end());
      packages.erase(std::unique(packages.begin(), packages.end()), packages.end());
      if (packages.size() > 1) {
        return sendError(res, 400, "bad_request",
                         fmt::format("{} packages have {}; give ?package=", packages.size(), id));
      }
      if (packages.empty()) return sendError(res, 404, "not_found", "no such finding");
      package = packages.front();
    }
    auto finding = store_.finding(*digest, id, package);
    if (!finding) return sendStoreError(res, finding.error());
    if (!*finding) return sendError(res, 404, "not_found", "no such finding");
    Json out = findingJson(**finding);
    Json detail = Json::parse((*finding)->detail_json, nullptr, false);
    auto layer = findingLayer(store_, *digest, detail);
    if (!layer) return sendStoreError(res, layer.error());
    out["layer"] = std::move(*layer);
    out["detail"] = detail.is_discarded() ? Json(nullptr) : std::move(detail);
    out["digest"] = *digest;
    sendValue(res, 200, out);
  }

  void getInventory(const RequestContext& context, Response& res) {
    auto digest = scannedDigest(context, res);
    if (!digest) return;
    auto inventory = store_.inventory(*digest);
    if (!inventory) return sendStoreError(res, inventory.error());
    if (!*inventory) return sendError(res, 404, "not_found", "no inventory for this digest");
    // The pipeline's encoding is JSON: embed it as it is, without building a tree of it.
    const std::string& text = **inventory;
    const bool json = !text.empty() && Json::accept(text);
    std::string body = R"({"digest":")" + *digest + R"(","inventory":)";
    body += json ? text : dump(Json(text));
    body += '}';
    sendJson(res, 200, body);
  }

  void listChanges(const RequestContext& context, Response& res) {
    auto limit = intQuery(context, res, "limit", kDefaultLimit, 1, kMaxChanges);
    if (!limit) return;
    auto digest = scannedDigest(context, res);
    if (!digest) return;
    auto changes = store_.findingChanges(*digest, *limit);
    if (!changes) return sendStoreError(res, changes.error());
    Json items = Json::array();
    for (const auto& change : *changes) items.push_back(changeJson(change));
    sendValue(res, 200,
              {{"digest", *digest},
               {"changes", std::move(items)},
               {"total", changes->size()},
               {"limit", *limit}});
  }

  void listDecisions(const RequestContext& context, Response& res) {
    auto page = pageQuery(context, res);
    if (!page) return;
    const std::string digest = context.param("digest");
    if (!requireDigest(digest, res)) return;
    auto decisions = store_.decisions(digest);
    if (!decisions) return sendStoreError(res, decisions.error());
    sendValue(res, 200,
              {{"digest", digest},
               {"decisions", pageArray(*decisions, *page, decisionJson)},
               {"total", decisions->size()},
               {"limit", page->limit},
               {"offset", page->offset}});
  }

  void requestScan(const RequestContext& context, Response& res) {
    auto body = parseScanRequest(context.http.body);
    if (!body) return sendError(res, 400, "bad_request", body.error().message);
    auto registry = store_.findRegistry(body->registry);
    if (!registry) return sendStoreError(res, registry.error());
    if (!*registry) {
      return sendError(res, 404, "not_found",
                       fmt::format("no registry named '{}'", body->registry));
    }
    if (body->digest.empty()) {
      if (!hooks_.resolve_tag) {
        return sendError(res, 503, "unavailable", "tags cannot be resolved here; give a digest");
      }
      auto digest = hooks_.resolve_tag(**registry, body->repository, body->tag);
      if (!digest) {
        const int status = digest.error().code == core::ErrorCode::NotFound ? 404 : 502;
        return sendError(res, status, status == 404 ? "not_found" : "bad_gateway",
                         "resolving the tag failed: " + digest.error().message);
      }
      if (!validDigest(*digest)) {
        return sendError(res, 502, "bad_gateway", "the registry answered a bad digest");
      }
      body->digest = std::move(*digest);
    }
    const store::Millis now = store::nowMillis();
    if (auto pushed =
            store_.recordPush(body->registry, body->repository, body->digest, body->tag, now);
        !pushed) {
      return sendStoreError(res, pushed.error());
    }
    store::JobRequest request;
    request.kind = store::JobKind::Scan;
    request.registry = body->registry;
    request.repository = body->repository;
    request.digest = body->digest;
    request.tag = body->tag;
    request.platform = body->platform;
    request.source = "api";
    auto enqueued = store_.enqueue(request, now);
    if (!enqueued) return sendStoreError(res, enqueued.error());
    if (enqueued->created && hooks_.on_enqueue) hooks_.on_enqueue();
    auto job = store_.getJob(enqueued->job_id);
    if (!job) return sendStoreError(res, job.error());
    if (!*job) return sendError(res, 500, "internal", "the enqueued job vanished");
    sendValue(res, 202, {{"job", jobJson(**job)}, {"created", enqueued->created}});
  }

  void listJobs(const RequestContext& context, Response& res) {
    auto page = pageQuery(context, res);
    if (!page) return;
    store::JobFilter filter;
    const std::string state = context.query("state");
    if (!state.empty()) {
      auto parsed = store::parseJobState(state);
      if (!parsed) {
        return sendError(res, 400, "bad_request",
                         "'state' must be queued, running, done, failed or dead");
      }
      filter.state = *parsed;
    }
    filter.registry = context.query("registry");
    if (!filter.registry.empty() && !validRegistryName(filter.registry)) {
      return sendError(res, 400, "bad_request", "bad registry name");
    }
    filter.digest = context.query("digest");
    if (!filter.digest.empty() && !requireDigest(filter.digest, res)) return;
    filter.limit = page->limit;
    filter.offset = page->offset;
    auto jobs = store_.listJobs(filter);
    if (!jobs) return sendStoreError(res, jobs.error());
    auto total = countJobs(filter);
    if (!total) return sendStoreError(res, total.error());
    Json items = Json::array();
    for (const auto& job : *jobs) items.push_back(jobJson(job));
    sendValue(res, 200,
              {{"jobs", std::move(items)},
               {"total", total->first},
               {"total_exact", total->second},
               {"limit", page->limit},
               {"offset", page->offset}});
  }

  // Jobs matching a filter (ignoring its page): exact from countJobs() without a registry or
  // digest filter, else counted page by page up to kMaxCountedJobs (second = false beyond).
  core::Result<std::pair<std::int64_t, bool>> countJobs(store::JobFilter filter) {
    if (filter.registry.empty() && filter.digest.empty()) {
      auto counts = store_.countJobs();
      if (!counts) return tl::unexpected(counts.error());
      std::int64_t total = 0;
      for (const auto& [state, n] : *counts) {
        if (!filter.state || *filter.state == state) total += n;
      }
      return std::pair{total, true};
    }
    std::int64_t total = 0;
    filter.limit = kCountPage;
    for (filter.offset = 0; filter.offset < kMaxCountedJobs; filter.offset += kCountPage) {
      auto jobs = store_.listJobs(filter);
      if (!jobs) return tl::unexpected(jobs.error());
      total += static_cast<std::int64_t>(jobs->size());
      if (static_cast<std::int64_t>(jobs->size()) < kCountPage) return std::pair{total, true};
    }
    return std::pair{total, false};
  }

  void getJob(const RequestContext& context, Response& res) {
    const std::string text = context.param("id");
    std::int64_t id = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (error != std::errc() || end != text.data() + text.size() || id <= 0) {
      return sendError(res, 400, "bad_request", "the job id must be a positive integer");
    }
    auto job = store_.getJob(id);
    if (!job) return sendStoreError(res, job.error());
    if (!*job) return sendError(res, 404, "not_found", fmt::format("no job {}", id));
    sendValue(res, 200, jobJson(**job));
  }

  void reevaluate(const RequestContext&, Response& res) {
    if (!hooks_.reevaluate) {
      return sendError(res, 503, "unavailable", "re-evaluation is not available here");
    }
    auto started = hooks_.reevaluate();
    if (!started) {
      if (started.error().code == core::ErrorCode::Limit) {
        return sendError(res, 409, "conflict", started.error().message);
      }
      return sendError(res, 500, "internal", started.error().message);
    }
    sendValue(res, 202, {{"status", "started"}});
  }

  store::Store& store_;
  const Hooks& hooks_;
  Metrics& metrics_;
};

}  // namespace

// (api.h)
nlohmann::json jobJson(const store::Job& job) {
  const store::JobRequest& request = job.request;
  return {{"id", job.id},
          {"kind", std::string(store::toString(request.kind))},
          {"state", std::string(store::toString(job.state))},
          {"registry", request.registry},
          {"repository", request.repository},
          {"digest", request.digest},
          {"tag", request.tag},
          {"platform", request.platform},
          {"source", request.source},
          {"target_repository", request.target_repository},
          {"parent_digest", request.parent_digest},
          {"parent_job_id", request.parent_job_id},
          {"attempts", job.attempts},
          {"max_attempts", request.max_attempts},
          {"last_error", job.last_error},
          {"worker", job.worker},
          {"created_at", job.created_at},
          {"updated_at", job.updated_at},
          {"run_after", job.run_after},
          {"started_at", optionalMillis(job.started_at)},
          {"finished_at", optionalMillis(job.finished_at)}};
}

void registerApiRoutes(Server& server, store::Store& store, const Hooks& hooks, Metrics& metrics) {
  // Kept alive by the route handlers, which hold it.
  std::make_shared<Api>(store, hooks, metrics)->registerOn(server);
  registerAlertRoutes(server, store);
  registerWhoamiRoute(server);
  registerPostureRoutes(server, store, hooks);
  registerPostureIngestRoutes(server, store, hooks);
}

}  // namespace bulwark::server
