#include "server/posture_ingest_api.h"

#include <stdexcept>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "pipeline/posture/ingest_run.h"
#include "server/api.h"

namespace bulwark::server {

void registerPostureIngestRoutes(Server& server, store::Store& store, const Hooks& hooks) {
  auto on_enqueue = hooks.on_enqueue;
  auto added = server.addRoute(
      "POST", "/api/v1/posture/snapshots", Access::Ingest,
      [&store, on_enqueue](const RequestContext& context, httplib::Response& res) {
        const std::string cluster = context.query("cluster");
        if (cluster.size() > 253 || cluster.find('\0') != std::string::npos) {
          return sendError(res, 400, "bad_request", "cluster: at most 253 bytes, without NUL");
        }
        auto target = pipeline::identifySnapshot(context.http.body, cluster);
        if (!target) return sendError(res, 400, "bad_request", target.error().message);
        const std::string source =
            context.token ? "api:" + core::printable(context.token->name) : std::string("api");
        auto submitted =
            pipeline::submitSnapshot(store, *target, context.http.body, source, store::nowMillis());
        if (!submitted) {
          return sendError(res, 500, "store_error",
                           "the store failed: " + submitted.error().message);
        }
        if (submitted->job.created && on_enqueue) on_enqueue();
        auto job = store.getJob(submitted->job.job_id);
        if (!job || !*job) {
          return sendError(res, 500, "store_error", "the enqueued job could not be read");
        }
        nlohmann::json answer = {{"job", jobJson(**job)},
                                 {"created", submitted->job.created},
                                 {"target", target->target_key},
                                 {"kind", std::string(pipeline::toString(target->kind))}};
        sendJson(res, 202, answer.dump());
      },
      kMaxSnapshotBody);
  if (!added) throw std::logic_error(added.error().message);
}

}  // namespace bulwark::server
