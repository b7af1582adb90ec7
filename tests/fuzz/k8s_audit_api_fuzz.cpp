// POST /k8s-audit (src/server/k8s_audit_api.cpp): untrusted bytes from whoever holds an ingest
// token, decoded, matched against the built-in rules and turned into the alerts the store keeps.
// Nothing may crash, throw or recurse without bound; every alert is one POST /api/v1/alerts
// would store (a UUID id, a rule, source k8s_audit, bounded output, JSON the GET routes read);
// the event key does not depend on how the event was encoded (the compact text re-parsed, and
// its members in reverse order, give the same key).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "events/k8s_audit/audit_event.h"
#include "server/alert_ndjson.h"
#include "server/k8s_audit_api.h"

namespace {

namespace ka = bulwark::events::k8s_audit;

const bulwark::pipeline::LoadedRules& builtinRules() {
  static const std::unique_ptr<bulwark::pipeline::LoadedRules> kRules =
      bulwark::pipeline::loadRules({}, bulwark::rules::Priority::Debug);
  return *kRules;
}

// The object's members in reverse order (values as they are), as compact JSON.
std::string reversed(simdjson::dom::element value) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) return simdjson::minify(value);
  std::vector<std::string> members;
  for (const simdjson::dom::key_value_pair member : object) {
    members.push_back(nlohmann::json(std::string(member.key))
                          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                      ":" + simdjson::minify(member.value));
  }
  std::string out = "{";
  for (auto it = members.rbegin(); it != members.rend(); ++it) {
    if (out.size() > 1) out += ',';
    out += *it;
  }
  return out + "}";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using bulwark::server::k8sAuditEventKey;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto& rules = builtinRules();
  if (!rules.result.ok()) __builtin_trap();

  auto batch = bulwark::server::evaluateK8sAuditBody(body, rules.ruleset, "fuzz-host",
                                                     1700000000000, "fuzz");
  if (!batch && batch.error().message.empty()) __builtin_trap();
  if (batch) {
    if (batch->alerts.size() + batch->rejected != batch->raised) __builtin_trap();
    for (const auto& alert : batch->alerts) {
      if (!bulwark::server::validUuid(alert.alert_id) || alert.rule.empty()) __builtin_trap();
      if (alert.source != "k8s_audit" || alert.host != "fuzz-host" || alert.agent != "fuzz") {
        __builtin_trap();
      }
      if (alert.output.size() > bulwark::server::kMaxAlertOutputBytes) __builtin_trap();
      if (!nlohmann::json::accept(alert.fields_json) || !nlohmann::json::accept(alert.tags_json)) {
        __builtin_trap();
      }
    }
  }

  // The key of every event, against the same event encoded otherwise.
  simdjson::dom::parser parser;
  std::vector<ka::AuditEvent> events;
  std::size_t skipped = 0;
  if (!ka::parseAuditBody(body, parser, events, skipped)) return 0;
  simdjson::dom::parser other;
  for (const ka::AuditEvent& event : events) {
    const std::uint64_t key = k8sAuditEventKey(event.root);
    for (const std::string& text :
         {std::string(simdjson::minify(event.root)), reversed(event.root)}) {
      simdjson::dom::element again;
      if (other.parse(text).get(again) != simdjson::SUCCESS) __builtin_trap();
      if (k8sAuditEventKey(again) != key) __builtin_trap();
    }
  }
  return 0;
}
