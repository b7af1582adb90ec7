// The k8s_audit field table: every `ka.*` field of Falco's k8saudit plugin and the `jevt.*` /
// `json.*` fields of its json plugin (../shared/reference/falco-rule-language.md §2.3), read from
// the simdjson DOM of an audit event. Values follow the plugin: strings as they are, any other
// JSON value as its compact JSON text (`true`, `201`, `["SYS_ADMIN"]`); a path that is absent
// gives no value; an event without `auditID` gives no value for any ka.* field.
//
// Where the plugin's code and its documentation disagree we follow the documentation and say
// so next to the field: `eff_run_as_user` reads the container's, then the pod's
// securityContext; `image.repository` keeps a registry's port (`host:5000/app`); the deprecated
// `ka.req.volume.hostpath[p]` looks at every volume; `ka.sourceips` reads `sourceIPs`.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/field.h"
#include "events/k8s_audit/audit_event.h"

namespace bulwark::events::k8s_audit {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using namespace field_flag;

const element& rootOf(const Event& event) {
  return static_cast<const AuditEvent*>(event.payload)->root;
}

// The value at `keys` below `value`, each step an object member.
std::optional<element> at(element value, std::initializer_list<std::string_view> keys) {
  for (const std::string_view key : keys) {
    if (value.type() != element_type::OBJECT) return std::nullopt;
    auto next = value.get_object().at_key(key);
    if (next.error() != simdjson::SUCCESS) return std::nullopt;
    value = next.value_unsafe();
  }
  return value;
}

// A JSON value as the plugin renders it: a string as is, anything else as compact JSON
// (scalars without going through the serialiser: they are most of what rules read).
void addValue(element value, Values& out) {
  switch (value.type()) {
    case element_type::STRING: out.add(value.get_string().value_unsafe()); return;
    case element_type::INT64: out.own(std::to_string(value.get_int64().value_unsafe())); return;
    case element_type::UINT64: out.own(std::to_string(value.get_uint64().value_unsafe())); return;
    case element_type::BOOL: out.add(value.get_bool().value_unsafe() ? "true" : "false"); return;
    case element_type::NULL_VALUE: out.add("null"); return;
    default: out.own(simdjson::minify(value));
  }
}

bool hasAuditId(const Event& event) {
  return static_cast<const AuditEvent*>(event.payload)->has_audit_id;
}

std::optional<element> atPath(element value, std::span<const std::string_view> keys) {
  for (const std::string_view key : keys) {
    const auto next = at(value, {key});
    if (!next) return std::nullopt;
    value = *next;
  }
  return value;
}

// A scalar field: the value at the row's path.
void fromPath(const Event& event, const FieldRow& row, const FieldArg& /*arg*/, Values& out) {
  if (!hasAuditId(event)) return;
  if (const auto value = atPath(rootOf(event), row.keys)) addValue(*value, out);
}

// A list field: the array at the row's path, each element a value; `[n]` picks one.
void listFromPath(const Event& event, const FieldRow& row, const FieldArg& arg, Values& out) {
  if (!hasAuditId(event)) return;
  const auto value = atPath(rootOf(event), row.keys);
  if (!value || value->type() != element_type::ARRAY) return;
  std::int64_t index = 0;
  for (const element item : value->get_array()) {
    if (arg.index < 0 || index == arg.index) addValue(item, out);
    ++index;
  }
}

// The plugin's recursive walk: along `keys`, every array met is entered element by element
// (or only at `index` when one is given); an element where the path ends early yields an empty
// slot. False when the path is absent before any array.
bool walk(element value, std::int64_t index, std::span<const std::string_view> keys,
          std::vector<std::optional<element>>& out) {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (value.type() == element_type::ARRAY) {
      const auto array = value.get_array().value_unsafe();
      if (index < 0) {
        for (const element item : array) {
          std::vector<std::optional<element>> found;
          if (walk(item, index, keys.subspan(i), found)) {
            out.insert(out.end(), found.begin(), found.end());
          } else {
            out.emplace_back(std::nullopt);
          }
        }
        return true;
      }
      auto picked = array.at(static_cast<std::size_t>(index));
      if (picked.error() != simdjson::SUCCESS) return false;
      value = picked.value_unsafe();
    }
    if (keys[i] == "*") continue;  // the element itself
    const auto next = at(value, {keys[i]});
    if (!next) return false;
    value = *next;
  }
  out.emplace_back(value);
  return true;
}

bool walkPath(const Event& event, std::span<const std::string_view> keys, std::int64_t index,
              std::vector<std::optional<element>>& found) {
  return hasAuditId(event) && walk(rootOf(event), index, keys, found);
}

// Every value the walk finds; elements without one are skipped.
void walked(const Event& event, const FieldRow& row, const FieldArg& arg, Values& out) {
  std::vector<std::optional<element>> found;
  if (!walkPath(event, row.keys, arg.index, found)) return;
  for (const auto& value : found) {
    if (value) addValue(*value, out);
  }
}

// Images: one container without an image makes the field missing (the plugin's rule).
bool images(const Event& event, std::span<const std::string_view> keys, std::int64_t index,
            std::vector<std::string_view>& out) {
  std::vector<std::optional<element>> found;
  if (!walkPath(event, keys, index, found)) return false;
  for (const auto& value : found) {
    if (!value || value->type() != element_type::STRING) return false;
    out.push_back(value->get_string().value_unsafe());
  }
  return true;
}

// The repository of an image reference: without digest and tag. Unlike the plugin (which cuts
// at the first ':'), a registry port stays: `registry:5000/app:1` → `registry:5000/app`.
std::string_view repositoryOf(std::string_view image) {
  image = image.substr(0, image.find('@'));
  const std::size_t colon = image.rfind(':');
  const std::size_t slash = image.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    image = image.substr(0, colon);
  }
  return image;
}

void containerImages(const Event& event, const FieldRow& row, const FieldArg& arg, Values& out) {
  std::vector<std::string_view> found;
  if (!images(event, row.keys, arg.index, found)) return;
  for (const auto image : found) out.add(image);
}

void containerRepositories(const Event& event, const FieldRow& row, const FieldArg& arg,
                           Values& out) {
  std::vector<std::string_view> found;
  if (!images(event, row.keys, arg.index, found)) return;
  for (const auto image : found) out.add(repositoryOf(image));
}

// Deprecated single-value forms: the first container's image or repository.
void firstImage(const Event& event, const FieldRow& row, const FieldArg& /*arg*/, Values& out) {
  std::vector<std::string_view> found;
  if (images(event, row.keys, 0, found) && !found.empty()) out.add(found.front());
}

void firstRepository(const Event& event, const FieldRow& row, const FieldArg& /*arg*/,
                     Values& out) {
  std::vector<std::string_view> found;
  if (images(event, row.keys, 0, found) && !found.empty()) out.add(repositoryOf(found.front()));
}

// hostPort of every port of every container, or containerPort when no hostPort is set (with
// hostNetwork the two are the same). The path ends at the containers' `ports`.
void containerHostPorts(const Event& event, const FieldRow& row, const FieldArg& arg, Values& out) {
  std::vector<std::optional<element>> found;
  if (!walkPath(event, row.keys, arg.index, found)) return;
  for (const auto& ports : found) {
    if (!ports) continue;
    if (ports->type() != element_type::ARRAY) return;
    for (const element port : ports->get_array()) {
      if (const auto host = at(port, {"hostPort"})) {
        addValue(*host, out);
      } else if (const auto container = at(port, {"containerPort"})) {
        addValue(*container, out);
      }
    }
  }
}

// The uid/gid each container starts with: its own securityContext value, else the pod's,
// else 0. Path: requestObject spec <list> securityContext <key>; the pod's is the same path
// without <list>.
void containerEffective(const Event& event, const FieldRow& row, const FieldArg& arg, Values& out) {
  if (!hasAuditId(event)) return;
  const auto& keys = row.keys;
  if (keys.size() != 5) return;
  const std::array<std::string_view, 4> pod_keys = {keys[0], keys[1], keys[3], keys[4]};
  std::string fallback = "0";
  if (const auto pod = atPath(rootOf(event), pod_keys)) {
    fallback = pod->type() == element_type::STRING ? std::string(pod->get_string().value_unsafe())
                                                   : simdjson::minify(*pod);
  }
  std::vector<std::optional<element>> found;
  if (!walkPath(event, row.keys, arg.index, found)) return;
  for (const auto& value : found) {
    if (value) {
      addValue(*value, out);
    } else {
      out.own(fallback);
    }
  }
}

// Deprecated: "true" when any container is privileged, else "false".
void anyPrivileged(const Event& event, const FieldRow& row, const FieldArg& /*arg*/, Values& out) {
  std::vector<std::optional<element>> found;
  if (!walkPath(event, row.keys, -1, found)) return;
  const bool any = std::any_of(found.begin(), found.end(), [](const auto& value) {
    return value && value->type() == element_type::BOOL && value->get_bool().value_unsafe();
  });
  out.add(any ? "true" : "false");
}

// Deprecated: "true" when a hostPath volume is the argument, or starts with it when the
// argument ends in '*'; every volume is looked at.
void volumeHostpath(const Event& event, const FieldRow& row, const FieldArg& arg, Values& out) {
  std::vector<std::optional<element>> found;
  if (!walkPath(event, row.keys, -1, found)) return;
  const std::string_view wanted = arg.text;
  const bool prefix = wanted.ends_with('*');
  const std::string_view stem = prefix ? wanted.substr(0, wanted.size() - 1) : wanted;
  for (const auto& value : found) {
    if (!value || value->type() != element_type::STRING) continue;
    const std::string_view path = value->get_string().value_unsafe();
    if ((prefix && path.starts_with(stem)) || path == wanted) {
      out.add("true");
      return;
    }
  }
  out.add("false");
}

// The kind of each volume: every key of the volume object except `name`.
void volumeTypes(const Event& event, const FieldRow& row, const FieldArg& arg, Values& out) {
  std::vector<std::optional<element>> found;
  if (!walkPath(event, row.keys, arg.index, found)) return;
  for (const auto& volume : found) {
    if (!volume || volume->type() != element_type::OBJECT) continue;
    for (const auto field : volume->get_object()) {
      if (field.key != "name") out.add(field.key);
    }
  }
}

// requestObject.rules[*].<key>[*], flattened.
void roleRules(const Event& event, const FieldRow& row, const FieldArg& arg, Values& out) {
  std::vector<std::optional<element>> found;
  if (!walkPath(event, row.keys, arg.index, found)) return;
  for (const auto& value : found) {
    if (!value || value->type() != element_type::ARRAY) continue;
    for (const element item : value->get_array()) addValue(item, out);
  }
}

// The binding's subjects of the kind named by the field (…user_names → User); service
// accounts optionally as "namespace:name".
void subjectNames(const Event& event, const FieldRow& row, const FieldArg& /*arg*/, Values& out) {
  if (!hasAuditId(event)) return;
  std::string_view wanted = "User";
  if (row.name.ends_with(".group_names")) wanted = "Group";
  if (row.name.ends_with(".serviceaccount_names") || row.name.ends_with("_ns_names")) {
    wanted = "ServiceAccount";
  }
  const bool with_namespace = row.name.ends_with("_ns_names");
  const auto subjects = atPath(rootOf(event), row.keys);
  if (!subjects || subjects->type() != element_type::ARRAY) return;
  for (const element subject : subjects->get_array()) {
    const auto kind = at(subject, {"kind"});
    const auto name = at(subject, {"name"});
    if (!kind || !name || kind->type() != element_type::STRING ||
        name->type() != element_type::STRING || kind->get_string().value_unsafe() != wanted) {
      continue;
    }
    if (!with_namespace) {
      out.add(name->get_string().value_unsafe());
      continue;
    }
    const auto ns = at(subject, {"namespace"});
    const std::string_view ns_text = ns && ns->type() == element_type::STRING
                                         ? ns->get_string().value_unsafe()
                                         : std::string_view();
    out.own(std::string(ns_text) + ":" + std::string(name->get_string().value_unsafe()));
  }
}

// The name of the pod a request is about, from the response (pods only, no subresource).
void targetPodName(const Event& event, const FieldRow& row, const FieldArg& /*arg*/, Values& out) {
  if (!hasAuditId(event)) return;
  const element root = rootOf(event);
  const auto resource = at(root, {"objectRef", "resource"});
  if (!resource || resource->type() != element_type::STRING ||
      resource->get_string().value_unsafe() != "pods" ||
      at(root, {"objectRef", "subresource"}).has_value()) {
    return;
  }
  if (const auto name = atPath(root, row.keys)) addValue(*name, out);
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A query component decoded as Go's url.QueryUnescape does ('+' is a blank); false when a '%'
// is not followed by two hex digits.
bool unescapeQuery(std::string_view text, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return false;
      const int high = hexDigit(text[i + 1]);
      const int low = hexDigit(text[i + 2]);
      if (high < 0 || low < 0) return false;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return true;
}

// The first value of query parameter `arg` in requestURI.
void uriParam(const Event& event, const FieldRow& row, const FieldArg& arg, Values& out) {
  if (!hasAuditId(event)) return;
  const auto uri = atPath(rootOf(event), row.keys);
  if (!uri || uri->type() != element_type::STRING) return;
  const std::string_view text = uri->get_string().value_unsafe();
  const std::size_t question = text.find('?');
  if (question == std::string_view::npos) return;
  std::string_view query = text.substr(question + 1);
  query = query.substr(0, query.find('#'));
  std::string key;
  std::string value;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t equals = pair.find('=');
    if (!unescapeQuery(pair.substr(0, equals), key)) return;  // Go rejects the whole query
    if (key != arg.text) continue;
    const std::string_view raw =
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    if (unescapeQuery(raw, value)) out.own(value);
    return;
  }
}

void deprecatedTrue(const Event& event, const FieldRow& /*row*/, const FieldArg& /*arg*/,
                    Values& out) {
  if (hasAuditId(event)) out.add("true");
}

// RFC 6901 JSON pointer into the whole event (jevt.value[/a/b], json.value[/a/b]).
void jsonValue(const Event& event, const FieldRow& /*row*/, const FieldArg& arg, Values& out) {
  auto value = rootOf(event).at_pointer(arg.text);
  if (value.error() != simdjson::SUCCESS) return;
  addValue(value.value_unsafe(), out);
}

void jsonObject(const Event& event, const FieldRow& /*row*/, const FieldArg& /*arg*/, Values& out) {
  out.own(simdjson::minify(rootOf(event)));
}

void rawTime(const Event& event, const FieldRow& /*row*/, const FieldArg& /*arg*/, Values& out) {
  out.own(std::to_string(event.ts_ns));
}

constexpr std::uint32_t kIndexedList = kList | kArgIndex;

// The per-container fields, once per container list (containers, initContainers,
// ephemeralContainers).
#define BW_CONTAINER_ROWS(PREFIX, LIST, WHICH)                                                \
  FieldRow{PREFIX ".name", FieldType::Str,                                                    \
           kIndexedList,   "The names of the " WHICH ".",                                     \
           &walked,        "requestObject spec " LIST " name"},                               \
      FieldRow{PREFIX ".image",  FieldType::Str,                                              \
               kIndexedList,     "The images of the " WHICH " (missing when one has none).",  \
               &containerImages, "requestObject spec " LIST " image"},                        \
      FieldRow{PREFIX ".image.repository",                                                    \
               FieldType::Str,                                                                \
               kIndexedList,                                                                  \
               "The images of the " WHICH " without tag or digest.",                          \
               &containerRepositories,                                                        \
               "requestObject spec " LIST " image"},                                          \
      FieldRow{PREFIX ".command", FieldType::Str,                                             \
               kIndexedList,      "The command of each of the " WHICH ", as JSON.",           \
               &walked,           "requestObject spec " LIST " command"},                     \
      FieldRow{PREFIX ".args", FieldType::Str,                                                \
               kIndexedList,   "The args of each of the " WHICH ", as JSON.",                 \
               &walked,        "requestObject spec " LIST " args"},                           \
      FieldRow{PREFIX ".privileged",                                                          \
               FieldType::Str,                                                                \
               kIndexedList,                                                                  \
               "securityContext.privileged of the " WHICH " that set it.",                    \
               &walked,                                                                       \
               "requestObject spec " LIST " securityContext privileged"},                     \
      FieldRow{PREFIX ".allow_privilege_escalation",                                          \
               FieldType::Str,                                                                \
               kIndexedList,                                                                  \
               "securityContext.allowPrivilegeEscalation of the " WHICH " that set it.",      \
               &walked,                                                                       \
               "requestObject spec " LIST " securityContext allowPrivilegeEscalation"},       \
      FieldRow{PREFIX ".read_only_fs",                                                        \
               FieldType::Str,                                                                \
               kIndexedList,                                                                  \
               "securityContext.readOnlyRootFilesystem of the " WHICH " that set it.",        \
               &walked,                                                                       \
               "requestObject spec " LIST " securityContext readOnlyRootFilesystem"},         \
      FieldRow{PREFIX ".run_as_user",                                                         \
               FieldType::Str,                                                                \
               kIndexedList,                                                                  \
               "securityContext.runAsUser of the " WHICH " that set it.",                     \
               &walked,                                                                       \
               "requestObject spec " LIST " securityContext runAsUser"},                      \
      FieldRow{PREFIX ".eff_run_as_user",                                                     \
               FieldType::Str,                                                                \
               kIndexedList,                                                                  \
               "The uid each of the " WHICH " starts with: its own, else the pod's, else 0.", \
               &containerEffective,                                                           \
               "requestObject spec " LIST " securityContext runAsUser"},                      \
      FieldRow{PREFIX ".run_as_group",                                                        \
               FieldType::Str,                                                                \
               kIndexedList,                                                                  \
               "securityContext.runAsGroup of the " WHICH " that set it.",                    \
               &walked,                                                                       \
               "requestObject spec " LIST " securityContext runAsGroup"},                     \
      FieldRow{PREFIX ".eff_run_as_group",                                                    \
               FieldType::Str,                                                                \
               kIndexedList,                                                                  \
               "The gid each of the " WHICH " starts with: its own, else the pod's, else 0.", \
               &containerEffective,                                                           \
               "requestObject spec " LIST " securityContext runAsGroup"},                     \
      FieldRow{PREFIX ".proc_mount",                                                          \
               FieldType::Str,                                                                \
               kIndexedList,                                                                  \
               "securityContext.procMount of the " WHICH " that set it.",                     \
               &walked,                                                                       \
               "requestObject spec " LIST " securityContext procMount"},                      \
      FieldRow {                                                                              \
    PREFIX ".add_capabilities", FieldType::Str, kIndexedList,                                 \
        "securityContext.capabilities.add of each of the " WHICH ", as JSON.", &walked,       \
        "requestObject spec " LIST " securityContext capabilities add"                        \
  }

std::vector<FieldRow> buildRows() {
  return {
      {"ka.auditid", FieldType::Str, 0, "The event's auditID.", &fromPath, "auditID"},
      {"ka.stage", FieldType::Str, 0, "The stage of the request (ResponseComplete, …).", &fromPath,
       "stage"},
      {"ka.auth.decision", FieldType::Str, 0, "The authorizer's decision (allow, forbid).",
       &fromPath, "annotations authorization.k8s.io/decision"},
      {"ka.auth.reason", FieldType::Str, 0, "Why the authorizer decided so.", &fromPath,
       "annotations authorization.k8s.io/reason"},
      {"ka.auth.openshift.decision", FieldType::Str, 0, "OpenShift's authentication decision.",
       &fromPath, "annotations authentication.openshift.io/decision"},
      {"ka.auth.openshift.username", FieldType::Str, 0, "The user OpenShift authenticated.",
       &fromPath, "annotations authentication.openshift.io/username"},
      {"ka.validations.admission.policy.failure", FieldType::Str, 0,
       "What a ValidatingAdmissionPolicy found wrong.", &fromPath,
       "annotations validation.policy.admission.k8s.io/validation_failure"},
      {"ka.security.pod.violations", FieldType::Str, 0,
       "What Pod Security admission found in audit mode.", &fromPath,
       "annotations pod-security.kubernetes.io/audit-violations"},
      {"ka.user.name", FieldType::Str, 0, "The user who made the request.", &fromPath,
       "user username"},
      {"ka.user.groups", FieldType::Str, kList, "The groups of the user who made the request.",
       &listFromPath, "user groups"},
      {"ka.impuser.name", FieldType::Str, 0, "The user being impersonated.", &fromPath,
       "impersonatedUser username"},
      {"ka.verb", FieldType::Str, 0, "The action (create, update, delete, get, …).", &fromPath,
       "verb"},
      {"ka.uri", FieldType::Str, 0, "The request URI sent to the API server.", &fromPath,
       "requestURI"},
      {"ka.uri.param", FieldType::Str, kArgKey | kArgRequired,
       "The first value of a query parameter of the request URI (ka.uri.param[command]).",
       &uriParam, "requestURI"},
      {"ka.target.name", FieldType::Str, 0, "The name of the object the request is about.",
       &fromPath, "objectRef name"},
      {"ka.target.namespace", FieldType::Str, 0, "The namespace of the object.", &fromPath,
       "objectRef namespace"},
      {"ka.target.resource", FieldType::Str, 0, "The resource (pods, secrets, …).", &fromPath,
       "objectRef resource"},
      {"ka.target.subresource", FieldType::Str, 0, "The subresource (exec, attach, status, …).",
       &fromPath, "objectRef subresource"},
      {"ka.target.pod.name", FieldType::Str, 0,
       "For requests on pods without a subresource: the pod's name from the response.",
       &targetPodName, "responseObject metadata name"},
      {"ka.req.binding.subjects", FieldType::Str, kList,
       "The subjects of a (cluster) role binding, each as JSON.", &listFromPath,
       "requestObject subjects"},
      {"ka.req.binding.subjects.user_names", FieldType::Str, kList,
       "The names of the binding's User subjects.", &subjectNames, "requestObject subjects"},
      {"ka.req.binding.subjects.group_names", FieldType::Str, kList,
       "The names of the binding's Group subjects.", &subjectNames, "requestObject subjects"},
      {"ka.req.binding.subjects.serviceaccount_names", FieldType::Str, kList,
       "The names of the binding's ServiceAccount subjects.", &subjectNames,
       "requestObject subjects"},
      {"ka.req.binding.subjects.serviceaccount_ns_names", FieldType::Str, kList,
       "The binding's ServiceAccount subjects as namespace:name.", &subjectNames,
       "requestObject subjects"},
      {"ka.req.binding.role", FieldType::Str, 0, "The role a binding refers to.", &fromPath,
       "requestObject roleRef name"},
      {"ka.req.binding.subject.has_name", FieldType::Str, kArgKey | kArgRequired | kDeprecated,
       "Deprecated; always \"true\", as in Falco's plugin.", &deprecatedTrue, ""},
      {"ka.req.configmap.name", FieldType::Str, 0, "The name of a config map.", &fromPath,
       "objectRef name"},
      {"ka.req.configmap.obj", FieldType::Str, 0, "The data of a config map, as JSON.", &fromPath,
       "requestObject data"},
      BW_CONTAINER_ROWS("ka.req.pod.containers", "containers", "containers"),
      {"ka.req.pod.containers.host_port", FieldType::Str, kIndexedList,
       "The hostPort (else containerPort) of every port of the containers.", &containerHostPorts,
       "requestObject spec containers ports"},
      BW_CONTAINER_ROWS("ka.req.pod.initContainers", "initContainers", "init containers"),
      {"ka.req.pod.initContainers.host_port", FieldType::Str, kIndexedList,
       "The hostPort (else containerPort) of every port of the init containers.",
       &containerHostPorts, "requestObject spec initContainers ports"},
      BW_CONTAINER_ROWS("ka.req.pod.ephemeralContainers", "ephemeralContainers",
                        "ephemeral containers"),
      {"ka.req.container.image", FieldType::Str, kDeprecated,
       "Deprecated: the image of the first container.", &firstImage,
       "requestObject spec containers image"},
      {"ka.req.container.image.repository", FieldType::Str, kDeprecated,
       "Deprecated: the repository of the first container's image.", &firstRepository,
       "requestObject spec containers image"},
      {"ka.req.container.privileged", FieldType::Str, kDeprecated,
       "Deprecated: \"true\" when any container is privileged, else \"false\".", &anyPrivileged,
       "requestObject spec containers securityContext privileged"},
      {"ka.req.container.host_network", FieldType::Str, kDeprecated,
       "Deprecated alias of ka.req.pod.host_network.", &fromPath, "requestObject spec hostNetwork"},
      {"ka.req.pod.host_ipc", FieldType::Str, 0, "The pod's hostIPC.", &fromPath,
       "requestObject spec hostIPC"},
      {"ka.req.pod.host_network", FieldType::Str, 0, "The pod's hostNetwork.", &fromPath,
       "requestObject spec hostNetwork"},
      {"ka.req.pod.host_pid", FieldType::Str, 0, "The pod's hostPID.", &fromPath,
       "requestObject spec hostPID"},
      {"ka.req.pod.run_as_user", FieldType::Str, 0, "The pod's securityContext.runAsUser.",
       &fromPath, "requestObject spec securityContext runAsUser"},
      {"ka.req.pod.run_as_group", FieldType::Str, 0, "The pod's securityContext.runAsGroup.",
       &fromPath, "requestObject spec securityContext runAsGroup"},
      {"ka.req.pod.fs_group", FieldType::Str, 0, "The pod's securityContext.fsGroup.", &fromPath,
       "requestObject spec securityContext fsGroup"},
      {"ka.req.pod.supplemental_groups", FieldType::Str, kList,
       "The pod's securityContext.supplementalGroups.", &listFromPath,
       "requestObject spec securityContext supplementalGroups"},
      {"ka.req.pod.volumes.hostpath", FieldType::Str, kIndexedList,
       "The hostPath path of every volume of the pod.", &walked,
       "requestObject spec volumes hostPath path"},
      {"ka.req.pod.volumes.flexvolume_driver", FieldType::Str, kIndexedList,
       "The flexVolume driver of every volume of the pod.", &walked,
       "requestObject spec volumes flexVolume driver"},
      {"ka.req.pod.volumes.volume_type", FieldType::Str, kIndexedList,
       "The kind of every volume (hostPath, configMap, …).", &volumeTypes,
       "requestObject spec volumes *"},
      {"ka.req.volume.hostpath", FieldType::Str, kArgKey | kArgRequired | kDeprecated,
       "Deprecated: \"true\" when a hostPath volume is the argument (or starts with it, when "
       "it ends in '*'), else \"false\".",
       &volumeHostpath, "requestObject spec volumes hostPath path"},
      {"ka.req.role.rules", FieldType::Str, kList, "The rules of a (cluster) role, each as JSON.",
       &listFromPath, "requestObject rules"},
      {"ka.req.role.rules.apiGroups", FieldType::Str, kIndexedList,
       "The apiGroups of the role's rules.", &roleRules, "requestObject rules apiGroups"},
      {"ka.req.role.rules.nonResourceURLs", FieldType::Str, kIndexedList,
       "The nonResourceURLs of the role's rules.", &roleRules,
       "requestObject rules nonResourceURLs"},
      {"ka.req.role.rules.verbs", FieldType::Str, kIndexedList, "The verbs of the role's rules.",
       &roleRules, "requestObject rules verbs"},
      {"ka.req.role.rules.resources", FieldType::Str, kIndexedList,
       "The resources of the role's rules.", &roleRules, "requestObject rules resources"},
      {"ka.req.service.type", FieldType::Str, 0, "The type of a service (NodePort, …).", &fromPath,
       "requestObject spec type"},
      {"ka.req.service.ports", FieldType::Str, kIndexedList,
       "The ports of a service, as one JSON array (as Falco's plugin gives them).", &walked,
       "requestObject spec ports"},
      {"ka.resp.name", FieldType::Str, 0, "The name of the object in the response.", &fromPath,
       "responseObject metadata name"},
      {"ka.response.code", FieldType::Str, 0, "The HTTP status code of the response.", &fromPath,
       "responseStatus code"},
      {"ka.response.reason", FieldType::Str, 0, "The reason of the response (on failures).",
       &fromPath, "responseStatus reason"},
      {"ka.useragent", FieldType::Str, 0, "The client's user agent.", &fromPath, "userAgent"},
      {"ka.sourceips", FieldType::Str, kIndexedList, "The client addresses of the request.",
       &listFromPath, "sourceIPs"},
      {"ka.cluster.name", FieldType::Str, 0, "The cluster's name (annotation cluster_name).",
       &fromPath, "annotations cluster_name"},
      {"jevt.value", FieldType::Str, kArgKey | kArgRequired,
       "The value at a JSON pointer (RFC 6901) into the event: jevt.value[/objectRef/name].",
       &jsonValue, ""},
      {"jevt.obj", FieldType::Str, 0, "The whole event as JSON.", &jsonObject, ""},
      {"jevt.rawtime", FieldType::Str, 0, "The event time (stageTimestamp), ns since the epoch.",
       &rawTime, "stageTimestamp"},
      {"json.value", FieldType::Str, kArgKey | kArgRequired,
       "The value at a JSON pointer (RFC 6901) into the event: json.value[/objectRef/name].",
       &jsonValue, ""},
      {"json.obj", FieldType::Str, 0, "The whole event as JSON.", &jsonObject, ""},
      {"json.rawtime", FieldType::Str, 0, "The event time (stageTimestamp), ns since the epoch.",
       &rawTime, "stageTimestamp"},
  };
}

#undef BW_CONTAINER_ROWS

}  // namespace

const FieldTable& fieldTable() {
  static const std::vector<FieldRow> kRows = [] {
    std::vector<FieldRow> out = buildRows();
    std::sort(out.begin(), out.end(),
              [](const FieldRow& a, const FieldRow& b) { return a.name < b.name; });
    for (auto& row : out) {
      for (std::string_view path = row.path; !path.empty();) {
        const std::size_t blank = path.find(' ');
        row.keys.push_back(path.substr(0, blank));
        path = blank == std::string_view::npos ? std::string_view() : path.substr(blank + 1);
      }
    }
    return out;
  }();
  static const FieldTable kTable{Source::K8sAudit, kRows};
  return kTable;
}

}  // namespace bulwark::events::k8s_audit
