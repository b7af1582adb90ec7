#include "server/service_routes.h"

#include <memory>
#include <mutex>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/secret_box.h"
#include "pipeline/service/finding_records.h"
#include "pipeline/service/stored_images.h"
#include "server/webhooks/distribution.h"
#include "server/webhooks/generic.h"
#include "server/webhooks/harbor.h"

namespace bulwark::server {

namespace {

using Json = nlohmann::json;
using Parser = core::Result<webhooks::PushEvents> (*)(std::string_view, std::string_view);

void sendParseError(httplib::Response& res, const core::Error& error) {
  if (error.code == core::ErrorCode::Limit) {
    sendError(res, 413, "too_large", error.message);
  } else {
    sendError(res, 400, "bad_request", error.message);
  }
}

class PushIntake {
 public:
  PushIntake(store::Store& store, ServiceRouteHooks& hooks) : store_(store), hooks_(hooks) {}

  // Records and enqueues every event of a parsed body; `bound` is the registry of the route
  // ("" for the generic webhook, whose events name theirs).
  void accept(const webhooks::PushEvents& events, httplib::Response& res) {
    std::size_t queued = 0;
    std::size_t deduplicated = 0;
    std::size_t unknown_registry = 0;
    const auto now = store::nowMillis();
    for (const auto& event : events.events) {
      auto registry = store_.findRegistry(event.registry);
      if (!registry) return sendError(res, 500, "store_error", registry.error().message);
      if (!registry->has_value()) {
        ++unknown_registry;
        continue;
      }
      if (auto pushed =
              store_.recordPush(event.registry, event.repository, event.digest, event.tag, now);
          !pushed) {
        return sendError(res, 500, "store_error", pushed.error().message);
      }
      store::JobRequest request;
      request.kind = store::JobKind::Scan;
      request.registry = event.registry;
      request.repository = event.repository;
      request.digest = event.digest;
      request.tag = event.tag;
      request.source = event.source;
      request.max_attempts = hooks_.max_attempts;
      auto enqueued = store_.enqueue(request, now);
      if (!enqueued) return sendError(res, 500, "store_error", enqueued.error().message);
      (enqueued->created ? queued : deduplicated) += 1;
    }
    if (queued > 0 && hooks_.wake) hooks_.wake();
    const Json answer = {{"received", events.received},
                         {"queued", queued},
                         {"deduplicated", deduplicated + events.duplicates},
                         {"ignored", events.ignored},
                         {"malformed", events.malformed},
                         {"dropped", events.dropped},
                         {"unknown_registry", unknown_registry}};
    sendJson(res, 202, answer.dump());
  }

  // A route bound to the registry in its path.
  void bound(const RequestContext& context, httplib::Response& res, Parser parse) {
    const std::string name = context.param("registry");
    auto registry = store_.findRegistry(name);
    if (!registry) return sendError(res, 500, "store_error", registry.error().message);
    if (!registry->has_value()) {
      return sendError(res, 404, "not_found", "no registry named '" + name + "' is registered");
    }
    auto events = parse(context.http.body, name);
    if (!events) return sendParseError(res, events.error());
    accept(*events, res);
  }

 private:
  store::Store& store_;
  ServiceRouteHooks& hooks_;
};

void sendHarbor(httplib::Response& res, int status, std::string_view media_type,
                const std::string& body) {
  res.status = status;
  res.set_content(body, std::string(media_type));
}

void sendHarborError(httplib::Response& res, int status, std::string_view message) {
  sendHarbor(res, status, kHarborErrorMimeType, renderHarborError(message));
}

// "harbor.example.com:8443" → "harbor-harbor.example.com-8443"
std::string harborRegistryName(std::string_view host) {
  std::string name = "harbor-";
  for (const char c : host) name += c == ':' ? '-' : c;
  return name;
}

// Harbor's pluggable scanner API over the store and the job queue.
class HarborAdapter {
 public:
  HarborAdapter(store::Store& store, ServiceRouteHooks& hooks) : store_(store), hooks_(hooks) {}

  void metadata(httplib::Response& res) {
    sendHarbor(
        res, 200, kHarborMetadataMimeType,
        renderHarborMetadata(hooks_.scanner, hooks_.db_built_at ? hooks_.db_built_at() : ""));
  }

  void scan(const RequestContext& context, httplib::Response& res) {
    auto request = parseHarborScanRequest(context.http.body);
    if (!request) {
      return sendHarborError(res, request.error().code == core::ErrorCode::Limit ? 413 : 400,
                             request.error().message);
    }
    auto registry = registryFor(*request);
    if (!registry) {
      const int status = registry.error().code == core::ErrorCode::Input ? 400 : 500;
      return sendHarborError(res, status, registry.error().message);
    }
    const auto now = store::nowMillis();
    const auto& artifact = request->artifact;
    if (auto pushed = store_.recordPush(registry->name, artifact.repository, artifact.digest,
                                        artifact.tag, now);
        !pushed) {
      return sendHarborError(res, 500, pushed.error().message);
    }
    store::JobRequest job;
    job.registry = registry->name;
    job.repository = artifact.repository;
    job.digest = artifact.digest;
    job.tag = artifact.tag;
    job.source = "harbor";
    job.max_attempts = hooks_.max_attempts;
    auto enqueued = store_.enqueue(job, now);
    if (!enqueued) return sendHarborError(res, 500, enqueued.error().message);
    if (enqueued->created && hooks_.wake) hooks_.wake();
    sendHarbor(res, 202, kHarborScanResponseMimeType,
               renderHarborScanResponse(std::to_string(enqueued->job_id)));
  }

  void report(const RequestContext& context, httplib::Response& res) {
    const std::string id = context.param("id");
    const auto media_type = harborReportMimeTypeFor(context.http.get_header_value("Accept"));
    if (!media_type) return sendHarborError(res, 406, "no report type the client accepts");
    std::int64_t job_id = 0;
    if (!validHarborScanId(id) || !parseId(id, job_id)) {
      return sendHarborError(res, 404, "unknown scan request id");
    }
    auto job = store_.getJob(job_id);
    if (!job) return sendHarborError(res, 500, job.error().message);
    if (!job->has_value() || (*job)->request.kind != store::JobKind::Scan) {
      return sendHarborError(res, 404, "unknown scan request id");
    }
    const store::Job& found = **job;
    if (found.state == store::JobState::Queued || found.state == store::JobState::Running) {
      res.status = 302;
      res.set_header("Refresh-After", "2");
      res.set_header("Location", context.http.path);
      return;
    }
    if (found.state != store::JobState::Done) {
      return sendHarborError(res, 500, "the scan failed: " + found.last_error);
    }
    auto result = pipeline::service::loadScanResult(store_, found.request.digest);
    if (!result) return sendHarborError(res, 500, result.error().message);
    if (!result->has_value()) return sendHarborError(res, 500, "the scan stored no result");
    std::vector<model::Finding> findings;
    findings.reserve((*result)->findings.size());
    for (const auto& record : (*result)->findings) {
      auto finding = pipeline::service::fromFindingRecord(record);
      if (!finding) return sendHarborError(res, 500, finding.error().message);
      findings.push_back(std::move(*finding));
    }
    HarborArtifact artifact;
    artifact.repository = found.request.repository;
    artifact.digest = found.request.digest;
    artifact.tag = found.request.tag;
    sendHarbor(
        res, 200, *media_type,
        renderHarborReport(artifact, hooks_.scanner, (*result)->metadata.evaluated_at, findings));
  }

 private:
  static bool parseId(const std::string& text, std::int64_t& out) {
    if (text.empty() || text.size() > 18) return false;
    out = 0;
    for (const char c : text) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    return true;
  }

  // The registry for the request's host: the registered one, or one registered now with the
  // credentials Harbor sent.
  core::Result<store::Registry> registryFor(const HarborScanRequest& request) {
    std::string username;
    std::string password;
    if (!request.authorization.empty()) {
      constexpr std::string_view kBasic = "Basic ";
      if (!std::string_view(request.authorization).starts_with(kBasic)) {
        return core::fail(core::ErrorCode::Input,
                          "registry authorization: only Basic credentials (a robot account) are "
                          "supported");
      }
      auto decoded = core::base64Decode(request.authorization.substr(kBasic.size()));
      const auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (!decoded || colon == std::string::npos) {
        return core::fail(core::ErrorCode::Input, "registry authorization: malformed Basic value");
      }
      username = decoded->substr(0, colon);
      password = decoded->substr(colon + 1);
    }
    std::lock_guard lock(mutex_);
    auto known = pipeline::service::registryForDomain(store_, request.registry_host);
    if (!known) return tl::unexpected(known.error());
    const std::string name = harborRegistryName(request.registry_host);
    if (known->has_value() && (*known)->name != name) return std::move(**known);  // the admin's
    store::Registry registry;
    registry.name = name;
    registry.url = request.registry_url;
    registry.insecure = request.plain_http;
    registry.username = username;
    if (!password.empty()) {
      if (!hooks_.seal_secret) {
        return core::fail(core::ErrorCode::Internal, "no key to seal registry credentials");
      }
      auto sealed = hooks_.seal_secret(password);
      if (!sealed) return tl::unexpected(sealed.error());
      registry.password_sealed = std::move(*sealed);
    }
    if (known->has_value()) {
      // Ours from an earlier request: keep it while Harbor's credentials stay the same.
      if ((*known)->username == username && sameSecret(**known, password)) {
        return std::move(**known);
      }
      if (auto removed = store_.removeRegistry(name); !removed) {
        return tl::unexpected(removed.error());
      }
    }
    return store_.addRegistry(registry);
  }

  bool sameSecret(const store::Registry& registry, const std::string& password) const {
    if (registry.password_sealed.empty() || password.empty()) {
      return registry.password_sealed.empty() && password.empty();
    }
    return hooks_.open_secret && hooks_.open_secret(registry.password_sealed) == password;
  }

  store::Store& store_;
  ServiceRouteHooks& hooks_;
  std::mutex mutex_;  // one registration at a time
};

}  // namespace

core::Status registerServiceRoutes(Server& server, store::Store& store, ServiceRouteHooks hooks) {
  auto shared_hooks = std::make_shared<ServiceRouteHooks>(std::move(hooks));
  auto intake = std::make_shared<PushIntake>(store, *shared_hooks);
  const auto distribution = [](std::string_view body, std::string_view registry) {
    return webhooks::parseDistributionEvents(body, registry);
  };
  const auto harbor = [](std::string_view body, std::string_view registry) {
    return webhooks::parseHarborWebhook(body, registry);
  };
  if (auto added =
          server.addRoute("POST", "/api/v1/webhooks/distribution/{registry}", Access::Ingest,
                          [intake, shared_hooks, distribution](const RequestContext& context,
                                                               httplib::Response& res) {
                            intake->bound(context, res, distribution);
                          });
      !added) {
    return added;
  }
  if (auto added = server.addRoute(
          "POST", "/api/v1/webhooks/harbor/{registry}", Access::Ingest,
          [intake, shared_hooks, harbor](const RequestContext& context, httplib::Response& res) {
            intake->bound(context, res, harbor);
          });
      !added) {
    return added;
  }
  if (auto added = server.addRoute(
          "POST", "/api/v1/webhooks/generic", Access::Ingest,
          [intake, shared_hooks](const RequestContext& context, httplib::Response& res) {
            auto events = webhooks::parseGenericWebhook(context.http.body);
            if (!events) return sendParseError(res, events.error());
            intake->accept(*events, res);
          });
      !added) {
    return added;
  }
  auto harbor_adapter = std::make_shared<HarborAdapter>(store, *shared_hooks);
  if (auto added = server.addRoute(
          "GET", "/api/v1/metadata", Access::Ingest,
          [harbor_adapter, shared_hooks](const RequestContext&, httplib::Response& res) {
            harbor_adapter->metadata(res);
          });
      !added) {
    return added;
  }
  if (auto added = server.addRoute(
          "POST", "/api/v1/scan", Access::Ingest,
          [harbor_adapter, shared_hooks](const RequestContext& context, httplib::Response& res) {
            harbor_adapter->scan(context, res);
          });
      !added) {
    return added;
  }
  if (auto added = server.addRoute(
          "GET", "/api/v1/scan/{id}/report", Access::Ingest,
          [harbor_adapter, shared_hooks](const RequestContext& context, httplib::Response& res) {
            harbor_adapter->report(context, res);
          });
      !added) {
    return added;
  }
  return server.addRoute("POST", "/api/v1/admission", Access::Ingest,
                         [shared_hooks](const RequestContext& context, httplib::Response& res) {
                           auto request = parseAdmissionReview(context.http.body);
                           if (!request) return sendParseError(res, request.error());
                           const auto response = decideAdmission(*request, shared_hooks->admission,
                                                                 shared_hooks->decide_image);
                           if (!response.allowed) {
                             spdlog::info("admission: refused {} {}/{}: {}", request->kind,
                                          request->namespace_name, request->name, response.message);
                           }
                           sendJson(res, 200, renderAdmissionReview(response));
                         });
}

}  // namespace bulwark::server
