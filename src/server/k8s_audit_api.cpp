#include "server/k8s_audit_api.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "core/text.h"
#include "events/k8s_audit/audit_event.h"
#include "server/alert_ndjson.h"

namespace bulwark::server {
namespace {

using Json = nlohmann::ordered_json;  // the answer's keys in the documented order
namespace ka = events::k8s_audit;

constexpr const char* kRoutes[] = {"/k8s-audit", "/api/v1/k8s-audit"};

// `value` as text for a digest: scalars as compact JSON, arrays in order, object members in
// order of key, then of value (JSON allows a key twice). Keys are length-prefixed, and so are
// member values, except that one over kInlineBytes is replaced by its digest: each level then
// passes a bounded text up, so deep nesting costs no more than the size of the event. The
// recursion is as deep as the document, which the parser bounds (simdjson's default maximum
// depth, 1024).
constexpr std::size_t kInlineBytes = 64;
void canonicalText(simdjson::dom::element value, std::string& out) {
  if (simdjson::dom::array array; value.get_array().get(array) == simdjson::SUCCESS) {
    out += '[';
    for (const simdjson::dom::element item : array) {
      canonicalText(item, out);
      out += ',';
    }
    out += ']';
  } else if (simdjson::dom::object object; value.get_object().get(object) == simdjson::SUCCESS) {
    std::vector<std::pair<std::string_view, std::string>> members;
    members.reserve(object.size());
    for (const simdjson::dom::key_value_pair member : object) {
      std::string text;
      canonicalText(member.value, text);
      members.emplace_back(member.key, text.size() > kInlineBytes
                                           ? "#" + core::sha256Hex(text)
                                           : std::to_string(text.size()) + ":" + text);
    }
    std::sort(members.begin(), members.end());
    out += '{';
    for (const auto& [key, text] : members) {
      out += std::to_string(key.size());
      out += ':';
      out += key;
      out += text;
      out += ',';
    }
    out += '}';
  } else {
    out += simdjson::minify(value);
  }
}

class K8sAuditApi {
 public:
  K8sAuditApi(store::Store& store, K8sAuditOptions options)
      : store_(store), options_(std::move(options)) {}

  void post(const RequestContext& context, httplib::Response& res) const {
    const httplib::Request& req = context.http;
    // Falco's plugin answers the same; the API server always sends application/json.
    if (req.get_header_value("Content-Type").find("application/json") == std::string::npos) {
      return sendError(res, 400, "bad_request", "Content-Type must be application/json");
    }
    const std::string agent = context.token ? context.token->name : std::string();
    auto batch = evaluateK8sAuditBody(req.body, options_.rules->ruleset, options_.hostname,
                                      store::nowMillis(), agent);
    if (!batch) {
      // Limit is also arrays nested too deep: a bad body, not a large one.
      if (req.body.size() > ka::kMaxBodyBytes) {
        return sendError(res, 413, "payload_too_large", batch.error().message);
      }
      return sendError(res, 400, "bad_request", batch.error().message);
    }
    std::vector<store::AlertRecord> alerts = takePending();
    alerts.insert(alerts.end(), std::make_move_iterator(batch->alerts.begin()),
                  std::make_move_iterator(batch->alerts.end()));
    store::AlertInsertResult stored;
    if (!alerts.empty()) {
      auto added = store_.addAlerts(alerts);
      if (!added) {
        const std::size_t kept = keepPending(std::move(alerts));
        return sendError(res, 500, "store_error",
                         fmt::format("the store failed: {} ({} alerts are kept for the next "
                                     "request)",
                                     added.error().message, kept));
      }
      stored = *added;
    }
    if (options_.metrics != nullptr) {
      options_.metrics->countK8sAudit(batch->events, batch->skipped, batch->raised);
    }
    // The webhook is the cluster's runtime sensor (posture: BW-REC-061); the sync maps the
    // token's name to its cluster (posture.agents).
    if (auto touched = store_.touchSensor({agent, "", agent, store::nowMillis()}); !touched) {
      spdlog::warn("k8s-audit: recording the sensor {}: {}", core::printable(agent),
                   touched.error().message);
    }
    sendJson(res, 200,
             Json{{"events", batch->events},
                  {"skipped", batch->skipped},
                  {"alerts", batch->raised},
                  {"accepted", stored.inserted},
                  {"duplicates", stored.duplicates},
                  {"rejected", batch->rejected}}
                 .dump());
  }

 private:
  std::vector<store::AlertRecord> takePending() const {
    const std::lock_guard lock(pending_mutex_);
    return std::exchange(pending_, {});
  }

  // Returns how many alerts wait now.
  std::size_t keepPending(std::vector<store::AlertRecord> alerts) const {
    const std::lock_guard lock(pending_mutex_);
    // Those of requests that failed meanwhile came later: they go after these.
    alerts.insert(alerts.end(), std::make_move_iterator(pending_.begin()),
                  std::make_move_iterator(pending_.end()));
    if (alerts.size() > kMaxPendingAlerts) {
      alerts.erase(alerts.begin(),
                   alerts.begin() + static_cast<std::ptrdiff_t>(alerts.size() - kMaxPendingAlerts));
    }
    pending_ = std::move(alerts);
    return pending_.size();
  }

  store::Store& store_;
  K8sAuditOptions options_;
  // Alerts of requests whose store failed. The rules' state has moved past their events (a
  // sequence that fired starts over, a count falls silent), so the API server's retry of the
  // same body would not raise them again: they are stored with the next request instead, and
  // their ids make a copy the retry does raise a duplicate. Bounded; the oldest go first.
  static constexpr std::size_t kMaxPendingAlerts = 10000;
  mutable std::mutex pending_mutex_;
  mutable std::vector<store::AlertRecord> pending_;
};

}  // namespace

std::uint64_t k8sAuditEventKey(simdjson::dom::element event) {
  std::string text;
  canonicalText(event, text);
  const std::string digest = core::sha256Hex(text);
  std::uint64_t key = 0;
  std::from_chars(digest.data(), digest.data() + 16, key, 16);
  return key;
}

core::Result<K8sAuditBatch> evaluateK8sAuditBody(std::string_view body,
                                                 const rules::Ruleset& ruleset,
                                                 const std::string& hostname, store::Millis now,
                                                 std::string_view agent) {
  // One parser per thread: the events borrow its document until the next body.
  thread_local simdjson::dom::parser parser;
  std::vector<ka::AuditEvent> events;
  K8sAuditBatch batch;
  if (auto parsed = ka::parseAuditBody(body, parser, events, batch.skipped); !parsed) {
    return tl::unexpected(parsed.error());
  }
  batch.events = events.size();
  // What `detect --format json` puts in each alert line: the output fields with their values.
  pipeline::DetectOptions options;
  options.output_fields = true;
  rules::EvalContext context;
  for (const ka::AuditEvent& audit : events) {
    events::Event event;
    event.source = events::Source::K8sAudit;
    event.ts_ns = audit.ts_ns;
    event.payload = &audit;
    auto alerts = pipeline::matchEvent(event, ruleset, context, options);
    if (alerts.empty()) continue;
    // Only events that raise alerts pay for the digest that makes their ids stable.
    const std::uint64_t key = k8sAuditEventKey(audit.root);
    for (auto& alert : alerts) {
      ++batch.raised;
      alert.id = pipeline::alertId(alert.rule->item->name, alert.ts_ns, key);
      // The line `detect --format json` would post, read by POST /api/v1/alerts' parser: the
      // stored alert is the same whichever way it came.
      const std::string line =
          pipeline::formatAlert(alert, pipeline::AlertFormat::Json, true, hostname);
      auto record = parseAlertLine(line, now, agent);
      if (record) {
        batch.alerts.push_back(std::move(*record));
      } else {
        ++batch.rejected;  // e.g. an output over kMaxAlertOutputBytes rendered from a huge field
      }
    }
  }
  return batch;
}

core::Status registerK8sAuditRoutes(Server& server, store::Store& store, K8sAuditOptions options) {
  if (!options.rules) return core::fail(core::ErrorCode::Input, "no rules for /k8s-audit");
  // Kept alive by the route handlers, which hold it.
  auto api = std::make_shared<const K8sAuditApi>(store, std::move(options));
  for (const char* pattern : kRoutes) {
    auto added = server.addRoute(
        "POST", pattern, Access::Ingest,
        [api](const RequestContext& context, httplib::Response& res) { api->post(context, res); },
        ka::kMaxBodyBytes);
    if (!added) return added;
  }
  return {};
}

}  // namespace bulwark::server
