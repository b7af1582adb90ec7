#include "server/service_routes.h"

#include <memory>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

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
