#include "server/alerts_api.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <memory>
#include <set>
#include <utility>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "server/posture_query.h"
#include "server/query.h"
#include "server/routes.h"

namespace bulwark::server {
namespace {

using Json = nlohmann::json;
using Response = httplib::Response;
using core::ErrorCode;

constexpr std::int64_t kDefaultAlertLimit = 100;
constexpr store::Millis kDefaultSummaryWindowMs = std::int64_t{24} * 3600 * 1000;
// A host name (RFC 1123: 253 bytes) as the `host` of an agent's requests.
constexpr std::size_t kMaxSensorHostBytes = 253;

std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json alertJson(const store::AlertRecord& alert) {
  Json tags = Json::parse(alert.tags_json, nullptr, false);
  if (!tags.is_array()) tags = Json::array();
  Json fields = Json::parse(alert.fields_json, nullptr, false);
  if (!fields.is_object()) fields = Json::object();
  return {{"alert_id", alert.alert_id},
          {"time", rfc3339Millis(alert.time_ms)},
          {"time_ms", alert.time_ms},
          {"received_ms", alert.received_ms},
          {"rule", alert.rule},
          {"rule_id", alert.rule_id},
          {"priority", std::string(alertPriorityName(alert.priority))},
          {"source", alert.source},
          {"hostname", alert.host},
          {"agent", alert.agent},
          {"container_id", alert.container_id},
          {"container_image", alert.container_image},
          {"k8s_ns", alert.k8s_ns},
          {"k8s_pod", alert.k8s_pod},
          {"tags", std::move(tags)},
          {"output", alert.output},
          {"output_fields", std::move(fields)},
          {"simulated", alert.simulated},
          {"status", std::string(model::toString(alert.status))},
          {"status_at", alert.status_at ? Json(*alert.status_at) : Json(nullptr)},
          {"status_by", alert.status_by},
          {"status_comment", alert.status_comment},
          {"resource_id", alert.resource_id}};
}

void sendStoreFailure(Response& res, const core::Error& error) {
  if (error.code == ErrorCode::Input) return sendError(res, 400, "bad_request", error.message);
  sendError(res, 500, "store_error", "the store failed: " + error.message);
}

// "<time_ms>_<alert_id>" ↔ the store's cursor.
std::string encodeCursor(const store::AlertRecord& last) {
  return fmt::format("{}_{}", last.time_ms, last.alert_id);
}

std::optional<std::pair<store::Millis, std::string>> decodeCursor(std::string_view text) {
  const auto sep = text.find('_');
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  store::Millis at = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + sep, at);
  if (error != std::errc() || end != text.data() + sep || at < 0) return std::nullopt;
  const std::string_view id = text.substr(sep + 1);
  if (!validUuid(id)) return std::nullopt;
  return std::pair<store::Millis, std::string>(at, core::asciiLower(id));
}

class AlertsApi : public std::enable_shared_from_this<AlertsApi> {
 public:
  explicit AlertsApi(store::Store& store) : store_(store) {}

  void registerOn(Server& server) {
    const MemberRoutes routes(server, shared_from_this());
    routes.add("POST", "/api/v1/alerts", Access::Ingest, &AlertsApi::postAlerts);
    routes.add("GET", "/api/v1/alerts", Access::Reader, &AlertsApi::listAlerts);
    // Before /api/v1/alerts/{id}: the first route whose pattern matches serves.
    routes.add("GET", "/api/v1/alerts/summary", Access::Reader, &AlertsApi::summary);
    routes.add("GET", "/api/v1/alerts/{id}", Access::Reader, &AlertsApi::getAlert);
    routes.add("PUT", "/api/v1/alerts/{id}/status", Access::Admin, &AlertsApi::setStatus);
  }

 private:
  // The sender watches the hosts it reports for (posture: the runtime sensor, BW-REC-061): the
  // host its requests name (`?host=`, also on an empty batch: the agent's heartbeat) and the
  // host of each alert. A failure here costs no alert: logged.
  void touchSensors(const std::string& agent, const std::string& host,
                    const std::vector<store::AlertRecord>& alerts) {
    std::set<std::string> hosts;
    if (!host.empty()) hosts.insert(host);
    for (const store::AlertRecord& alert : alerts) {
      if (!alert.simulated && !alert.host.empty()) hosts.insert(alert.host);
    }
    const store::Millis now = store::nowMillis();
    for (const std::string& name : hosts) {
      if (auto touched = store_.touchSensor({agent, name, "", now}); !touched) {
        spdlog::warn("alerts: recording the sensor {} on {}: {}", core::printable(agent),
                     core::printable(name), touched.error().message);
      }
    }
  }

  void postAlerts(const RequestContext& context, Response& res) {
    const std::string& body = context.http.body;
    if (body.size() > kMaxAlertBodyBytes) {
      return sendError(res, 413, "payload_too_large",
                       fmt::format("the alert batch is larger than {} bytes", kMaxAlertBodyBytes));
    }
    const std::string agent = context.token ? context.token->name : std::string();
    if (const std::string host = context.query("host");
        host.size() > kMaxSensorHostBytes || host.find('\0') != std::string::npos) {
      return sendError(res, 400, "bad_request",
                       fmt::format("host: at most {} bytes, without NUL", kMaxSensorHostBytes));
    }
    if (body.empty()) {  // an idle agent's heartbeat
      touchSensors(agent, context.query("host"), {});
      return sendJson(res, 200,
                      dump({{"accepted", 0}, {"duplicates", 0}, {"rejected", Json::array()}}));
    }
    auto batch = parseAlertBatch(body, store::nowMillis(), agent);
    if (!batch) return sendError(res, 400, "bad_request", batch.error().message);
    store::AlertInsertResult stored;
    if (!batch->alerts.empty()) {
      auto added = store_.addAlerts(batch->alerts);
      if (!added) return sendStoreFailure(res, added.error());
      stored = *added;
    }
    touchSensors(agent, context.query("host"), batch->alerts);
    Json rejected = Json::array();
    for (const auto& line : batch->rejected) {
      rejected.push_back({{"line", line.line}, {"error", line.error}});
    }
    sendJson(res, 200,
             dump({{"accepted", stored.inserted},
                   {"duplicates", stored.duplicates},
                   {"rejected", std::move(rejected)}}));
  }

  void listAlerts(const RequestContext& context, Response& res) {
    const store::Millis now = store::nowMillis();
    store::AlertQuery query;
    auto since = timeQuery(context, res, "since", now);
    if (!since) return;
    auto until = timeQuery(context, res, "until", now);
    if (!until) return;
    query.since = *since;
    query.until = *until;
    if (!textQuery(context, res, "rule", query.rule) ||
        !textQuery(context, res, "host", query.host) ||
        !textQuery(context, res, "container", query.container) ||
        !textQuery(context, res, "namespace", query.k8s_ns) ||
        !textQuery(context, res, "tag", query.tag)) {
      return;
    }
    // Triage (docs/dev/posture-design.md §5.2): the status people gave and the resource.
    if (auto triage = parseAlertTriageFilters(context.http.params, query); !triage) {
      return sendError(res, 400, "bad_request", triage.error().message);
    }
    if (context.http.has_param("priority_min")) {
      auto level = parseAlertPriority(context.http.get_param_value("priority_min"));
      if (!level) {
        return sendError(res, 400, "bad_request",
                         "query parameter 'priority_min' must be a Falco priority (emergency, "
                         "alert, critical, error, warning, notice, informational, debug)");
      }
      query.priority_min = *level;
    }
    query.limit = kDefaultAlertLimit;
    if (context.http.has_param("limit")) {
      const std::string text = context.http.get_param_value("limit");
      std::int64_t limit = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
      if (error != std::errc() || end != text.data() + text.size() || limit < 1 ||
          limit > store::kMaxAlertPage) {
        return sendError(res, 400, "bad_request",
                         fmt::format("query parameter 'limit' must be an integer from 1 to {}",
                                     store::kMaxAlertPage));
      }
      query.limit = limit;
    }
    if (context.http.has_param("cursor")) {
      auto after = decodeCursor(context.http.get_param_value("cursor"));
      if (!after) {
        return sendError(res, 400, "bad_request",
                         "query parameter 'cursor' is not a cursor this server gave out");
      }
      query.after = std::move(*after);
    }
    auto page = store_.queryAlerts(query);
    if (!page) return sendStoreFailure(res, page.error());
    Json alerts = Json::array();
    for (const auto& alert : page->alerts) alerts.push_back(alertJson(alert));
    Json cursor = nullptr;
    if (page->more && !page->alerts.empty()) cursor = encodeCursor(page->alerts.back());
    sendJson(res, 200, dump({{"alerts", std::move(alerts)}, {"next_cursor", std::move(cursor)}}));
  }

  void getAlert(const RequestContext& context, Response& res) {
    const std::string id = context.param("id");
    if (!validUuid(id)) return sendError(res, 400, "bad_request", "the alert id must be a UUID");
    auto alert = store_.getAlert(core::asciiLower(id));
    if (!alert) return sendStoreFailure(res, alert.error());
    if (!*alert) return sendError(res, 404, "not_found", fmt::format("no alert {}", id));
    sendJson(res, 200, dump(alertJson(**alert)));
  }

  // PUT /api/v1/alerts/{id}/status: triage. The store keeps the status with who set it, when and
  // the comment (replaced by each call). The comment is the caller's text: never logged.
  void setStatus(const RequestContext& context, Response& res) {
    const std::string id = context.param("id");
    if (!validUuid(id)) return sendError(res, 400, "bad_request", "the alert id must be a UUID");
    auto body = parseAlertStatusBody(context.http.body);
    if (!body) return sendError(res, 400, "bad_request", body.error().message);
    const std::string alert_id = core::asciiLower(id);
    const std::string by = context.token ? context.token->name : std::string();
    auto set = store_.setAlertStatus(alert_id, body->status, by, store::nowMillis(), body->comment);
    if (!set) {
      if (set.error().code == ErrorCode::NotFound) {
        return sendError(res, 404, "not_found", fmt::format("no alert {}", id));
      }
      return sendStoreFailure(res, set.error());
    }
    auto alert = store_.getAlert(alert_id);
    if (!alert) return sendStoreFailure(res, alert.error());
    if (!*alert) return sendError(res, 404, "not_found", fmt::format("no alert {}", id));
    sendJson(res, 200, dump(alertJson(**alert)));
  }

  void summary(const RequestContext& context, Response& res) {
    const store::Millis now = store::nowMillis();
    const std::string by = context.query("by").empty() ? "rule" : context.query("by");
    store::AlertGroup group = store::AlertGroup::Rule;
    if (by == "host") {
      group = store::AlertGroup::Host;
    } else if (by == "priority") {
      group = store::AlertGroup::Priority;
    } else if (by != "rule") {
      return sendError(res, 400, "bad_request",
                       "query parameter 'by' must be rule, host or priority");
    }
    auto since = timeQuery(context, res, "since", now);
    if (!since) return;
    const store::Millis from = since->value_or(now - kDefaultSummaryWindowMs);
    auto counts = store_.alertSummary(group, from);
    if (!counts) return sendStoreFailure(res, counts.error());
    Json groups = Json::array();
    std::int64_t total = 0;
    for (const auto& count : *counts) {
      std::string key = count.key;
      if (group == store::AlertGroup::Priority) {
        int level = 0;
        const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), level);
        if (error == std::errc()) key = std::string(alertPriorityName(level));
      }
      groups.push_back(
          {{"key", key}, {"count", count.count}, {"last", rfc3339Millis(count.last_ms)}});
      total += count.count;
    }
    sendJson(res, 200,
             dump({{"by", by},
                   {"since", rfc3339Millis(from)},
                   {"total", total},
                   {"groups", std::move(groups)}}));
  }

  store::Store& store_;
};

}  // namespace

void registerAlertRoutes(Server& server, store::Store& store) {
  // Kept alive by the route handlers, which hold it.
  std::make_shared<AlertsApi>(store)->registerOn(server);
}

}  // namespace bulwark::server
