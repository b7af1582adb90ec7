// Fuzzes the rules loader (src/rules/loader.h) with arbitrary file contents: read, compiled,
// built into a ruleset against the field tables, then every k8s_audit rule evaluated and its
// output rendered on a fixed audit event. Nothing may crash, hang or recurse without bound;
// every message names a code and an item type; every compiled rule has a condition and comes
// from an enabled rule item.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <simdjson.h>

#include "events/k8s_audit/audit_event.h"
#include "rules/loader.h"
#include "rules/ruleset.h"

namespace {

constexpr const char* kEvent = R"json({"kind": "Event", "auditID": "a", "verb": "create",
  "stage": "ResponseComplete", "user": {"username": "u", "groups": ["g"]},
  "objectRef": {"resource": "pods", "namespace": "default", "name": "p"},
  "responseStatus": {"code": 201}, "requestURI": "/api/v1/pods?x=1",
  "requestObject": {"spec": {"containers": [{"image": "nginx:1",
    "securityContext": {"privileged": true}}], "volumes": [{"hostPath": {"path": "/etc"}}]},
    "rules": [{"verbs": ["*"], "resources": ["pods/exec"]}]},
  "stageTimestamp": "2024-01-01T00:00:00.000000001Z"})json";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bulwark::rules::RulesSource source;
  bulwark::rules::LoadResult result;
  bulwark::rules::loadRulesText(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml",
                                source, result);
  const auto rules = bulwark::rules::compileRules(source, result);
  for (const auto& rule : rules) {
    if (!rule.condition || rule.item == nullptr || !rule.item->enabled) std::abort();
  }
  const auto ruleset =
      bulwark::rules::Ruleset::build(rules, bulwark::rules::Priority::Debug, result);
  for (const auto& message : result.messages) {
    if (message.code.empty() || message.item_type.empty() || message.text.empty()) std::abort();
  }

  static simdjson::dom::parser parser;
  static const simdjson::padded_string json{std::string_view(kEvent)};
  simdjson::dom::element root;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) std::abort();
  const auto audit = bulwark::events::k8s_audit::AuditEvent::of(root, 0);
  bulwark::events::Event event;
  event.payload = &audit;
  bulwark::rules::EvalContext context;
  ruleset.match(event, context, false, [&](const bulwark::rules::Rule& rule) {
    (void)bulwark::rules::Ruleset::render(rule, context);
    (void)bulwark::rules::Ruleset::outputFields(rule, context);
  });
  return 0;
}
