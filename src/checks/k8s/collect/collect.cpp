#include "checks/k8s/collect/collect.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "checks/k8s/collect/api_client.h"
#include "checks/k8s/version.h"
#include "core/text.h"

namespace bulwark::checks::k8s::collect {
namespace {

using docker::FactState;
using docker::FactStatus;
using Json = nlohmann::json;

constexpr int kMaxJsonDepth = 512;
constexpr std::size_t kMaxPages = 10'000;
constexpr std::size_t kMaxItemsPerList = 1'000'000;
constexpr std::size_t kWorkers = 4;

// One list of §1.4 of the design. The key is what Inventory::sources and the checks name it by.
struct ListSpec {
  std::string_view key;          // "apps/deployments"
  std::string_view prefix;       // "/apis/apps/v1"
  std::string_view resource;     // "deployments"
  std::string_view api_version;  // "apps/v1"
  std::string_view kind;         // "Deployment"
  bool namespaced;
  // Served only where a CRD is installed (Cilium's policies): read when discovery of `prefix`
  // answers; a 404 there records the list as empty, not as missing.
  bool optional = false;
};

constexpr std::array<ListSpec, 20> kLists = {{
    {"namespaces", "/api/v1", "namespaces", "v1", "Namespace", false},
    {"nodes", "/api/v1", "nodes", "v1", "Node", false},
    {"pods", "/api/v1", "pods", "v1", "Pod", true},
    {"services", "/api/v1", "services", "v1", "Service", true},
    {"serviceaccounts", "/api/v1", "serviceaccounts", "v1", "ServiceAccount", true},
    {"replicationcontrollers", "/api/v1", "replicationcontrollers", "v1", "ReplicationController",
     true},
    {"apps/deployments", "/apis/apps/v1", "deployments", "apps/v1", "Deployment", true},
    {"apps/statefulsets", "/apis/apps/v1", "statefulsets", "apps/v1", "StatefulSet", true},
    {"apps/daemonsets", "/apis/apps/v1", "daemonsets", "apps/v1", "DaemonSet", true},
    {"apps/replicasets", "/apis/apps/v1", "replicasets", "apps/v1", "ReplicaSet", true},
    {"batch/jobs", "/apis/batch/v1", "jobs", "batch/v1", "Job", true},
    {"batch/cronjobs", "/apis/batch/v1", "cronjobs", "batch/v1", "CronJob", true},
    {"networking.k8s.io/ingresses", "/apis/networking.k8s.io/v1", "ingresses",
     "networking.k8s.io/v1", "Ingress", true},
    {"networking.k8s.io/networkpolicies", "/apis/networking.k8s.io/v1", "networkpolicies",
     "networking.k8s.io/v1", "NetworkPolicy", true},
    {"rbac.authorization.k8s.io/roles", "/apis/rbac.authorization.k8s.io/v1", "roles",
     "rbac.authorization.k8s.io/v1", "Role", true},
    {"rbac.authorization.k8s.io/rolebindings", "/apis/rbac.authorization.k8s.io/v1", "rolebindings",
     "rbac.authorization.k8s.io/v1", "RoleBinding", true},
    {"rbac.authorization.k8s.io/clusterroles", "/apis/rbac.authorization.k8s.io/v1", "clusterroles",
     "rbac.authorization.k8s.io/v1", "ClusterRole", false},
    {"rbac.authorization.k8s.io/clusterrolebindings", "/apis/rbac.authorization.k8s.io/v1",
     "clusterrolebindings", "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", false},
    {"cilium.io/ciliumnetworkpolicies", "/apis/cilium.io/v2", "ciliumnetworkpolicies",
     "cilium.io/v2", "CiliumNetworkPolicy", true, true},
    {"cilium.io/ciliumclusterwidenetworkpolicies", "/apis/cilium.io/v2",
     "ciliumclusterwidenetworkpolicies", "cilium.io/v2", "CiliumClusterwideNetworkPolicy", false,
     true},
}};

constexpr std::string_view kVersionKey = "version";

FactState makeState(FactStatus status, std::string detail, std::string source) {
  FactState state;
  state.status = status;
  state.detail = std::move(detail);
  state.source = std::move(source);
  return state;
}

// RFC 3986 unreserved characters stay, the rest is %XX (continue tokens are base64 with '=').
std::string percentEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

// A namespace name goes into request paths: RFC 1123 labels only.
bool validNamespace(std::string_view name) {
  return !name.empty() && name.size() <= 63 && name.front() != '-' && name.back() != '-' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

const std::string* stringMember(const Json& doc, std::string_view key) {
  if (!doc.is_object()) return nullptr;
  const auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

// Drops what a snapshot drops (design §1.6), so a live run and a run on its snapshot read the
// same documents: metadata.managedFields and status, except the images' digests.
void trimObject(Json& item) {
  if (const auto meta = item.find("metadata"); meta != item.end() && meta->is_object()) {
    meta->erase("managedFields");
  }
  const auto status = item.find("status");
  if (status == item.end()) return;
  Json kept = Json::object();
  if (status->is_object()) {
    for (const char* list :
         {"containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"}) {
      const auto statuses = status->find(list);
      if (statuses == status->end() || !statuses->is_array()) continue;
      Json digests = Json::array();
      for (const auto& entry : *statuses) {
        Json one = Json::object();
        if (const auto* name = stringMember(entry, "name")) one["name"] = *name;
        if (const auto* id = stringMember(entry, "imageID")) one["imageID"] = *id;
        digests.push_back(std::move(one));
      }
      kept[list] = std::move(digests);
    }
  }
  if (kept.empty()) {
    item.erase("status");
  } else {
    *status = std::move(kept);
  }
}

// Whether the object is made by a controller whose own template is checked (§1.5). Static
// (mirror) pods are always checked.
bool controllerOwned(const Json& item, std::string_view kind) {
  const auto meta = item.find("metadata");
  if (meta == item.end() || !meta->is_object()) return false;
  if (kind == "Pod") {
    const auto annotations = meta->find("annotations");
    if (annotations != meta->end() && annotations->is_object() &&
        annotations->contains("kubernetes.io/config.mirror")) {
      return false;
    }
  }
  const auto owners = meta->find("ownerReferences");
  if (owners == meta->end() || !owners->is_array()) return false;
  for (const auto& owner : *owners) {
    if (!owner.is_object()) continue;
    const auto controller = owner.find("controller");
    if (controller == owner.end() || !controller->is_boolean() || !controller->get<bool>()) {
      continue;
    }
    const std::string* owner_kind = stringMember(owner, "kind");
    if (owner_kind == nullptr) continue;
    if (kind == "Pod") {
      return *owner_kind == "ReplicaSet" || *owner_kind == "Job" || *owner_kind == "StatefulSet" ||
             *owner_kind == "DaemonSet" || *owner_kind == "ReplicationController";
    }
    if (kind == "ReplicaSet") return *owner_kind == "Deployment";
    if (kind == "Job") return *owner_kind == "CronJob";
  }
  return false;
}

// "Kind/namespace/name" of the controller that owns `item` (the ownerReference with
// `controller: true`), else "". Owners live in their object's namespace.
std::string controllerKey(const Json& item) {
  const auto meta = item.find("metadata");
  if (meta == item.end() || !meta->is_object()) return {};
  const std::string* ns = stringMember(*meta, "namespace");
  const auto owners = meta->find("ownerReferences");
  if (owners == meta->end() || !owners->is_array()) return {};
  for (const auto& owner : *owners) {
    const auto controller = owner.is_object() ? owner.find("controller") : owner.end();
    if (!owner.is_object() || controller == owner.end() || !controller->is_boolean() ||
        !controller->get<bool>()) {
      continue;
    }
    const std::string* kind = stringMember(owner, "kind");
    const std::string* name = stringMember(owner, "name");
    if (kind == nullptr || name == nullptr) return {};
    return fmt::format("{}/{}/{}", *kind, ns != nullptr ? *ns : "", *name);
  }
  return {};
}

std::string objectKey(const Json& item, std::string_view kind) {
  const auto meta = item.find("metadata");
  if (meta == item.end() || !meta->is_object()) return {};
  const std::string* ns = stringMember(*meta, "namespace");
  const std::string* name = stringMember(*meta, "name");
  if (name == nullptr) return {};
  return fmt::format("{}/{}/{}", kind, ns != nullptr ? *ns : "", *name);
}

// The images skipped pods run, moved to their top controller (a ReplicaSet's Deployment, a
// Job's CronJob) so the controller's template finds them (BW-K8S-407).
void keepRunningImages(RunningImages& by_owner,
                       const std::map<std::string, std::string, std::less<>>& owner_of,
                       RunningImages& out) {
  for (auto& [key, images] : by_owner) {
    std::string top = key;
    for (int hop = 0; hop < 2; ++hop) {
      const auto up = owner_of.find(top);
      if (up == owner_of.end()) break;
      top = up->second;
    }
    auto& kept = out[top];
    for (auto& [image, digests] : images) kept[image].merge(digests);
  }
}

// One request stream: a list path read page by page.
struct Task {
  const ListSpec* list = nullptr;
  std::string path;  // "/apis/apps/v1/namespaces/web/deployments"
  FactState state;
  std::vector<Json> items;
  bool unauthorized = false;
  bool restarted = false;
};

FactState httpState(long status, std::string_view body, const std::string& source) {
  const std::string message = statusMessage(body);
  if (status == 401) {
    return makeState(FactStatus::PermissionDenied,
                     fmt::format("credentials rejected (401: {})", message), source);
  }
  if (status == 403) {
    return makeState(FactStatus::PermissionDenied, fmt::format("403: {}", message), source);
  }
  if (status == 404) {
    return makeState(FactStatus::Missing, fmt::format("404: {}", message), source);
  }
  if (status == 429 || status >= 500) {
    return makeState(FactStatus::Unreachable, fmt::format("HTTP {}: {}", status, message), source);
  }
  return makeState(FactStatus::Malformed, fmt::format("HTTP {}: {}", status, message), source);
}

// Each Node's /configz through the API server's node proxy. The kubelet answers
// {"kubeletconfig": {…}}; anything else is Malformed, and a node the API server cannot reach
// (502/503) Unreachable.
void readKubeletConfigz(ApiClient& client, Inventory& inventory) {
  for (const auto& object : inventory.objects) {
    if (object.kind != "Node" || object.name.empty()) continue;
    const std::string path =
        fmt::format("/api/v1/nodes/{}/proxy/configz", percentEncode(object.name));
    const std::string source = "GET " + path;
    KubeletConfigz configz;
    const ApiResponse response = client.get(path);
    if (!response.transport.ok()) {
      configz.state = response.transport;
      configz.state.source = source;
    } else if (response.status != 200) {
      configz.state = httpState(response.status, response.body, source);
    } else {
      Json doc = Json::parse(response.body, nullptr, false);
      const auto config = doc.is_object() ? doc.find("kubeletconfig") : doc.end();
      if (doc.is_object() && config != doc.end() && config->is_object()) {
        configz.state = makeState(FactStatus::Ok, "", source);
        configz.config = std::move(*config);
      } else {
        configz.state =
            makeState(FactStatus::Malformed, "the answer has no `kubeletconfig` object", source);
      }
    }
    inventory.kubelet_configz.insert_or_assign(object.name, std::move(configz));
  }
}

void readList(ApiClient& client, const ClusterCollectOptions& options, Task& task) {
  const std::string source = "GET " + task.path;
  std::string token;
  std::size_t pages = 0;
  for (;;) {
    std::string query = fmt::format("{}?limit={}", task.path, options.page_size);
    if (!token.empty()) query += "&continue=" + percentEncode(token);
    ApiResponse response = client.get(query);
    if (!response.transport.ok()) {
      task.state = std::move(response.transport);
      task.state.source = source;
      task.items.clear();
      return;
    }
    if (response.status == 410 && !token.empty()) {
      // The continue token expired (the list changed and etcd compacted): start over once.
      if (task.restarted) {
        task.state =
            makeState(FactStatus::Malformed,
                      "list changed too often (410 Gone on a continue token twice)", source);
        task.items.clear();
        return;
      }
      task.restarted = true;
      task.items.clear();
      token.clear();
      pages = 0;
      continue;
    }
    if (response.status < 200 || response.status > 299) {
      task.unauthorized = response.status == 401;
      task.state = httpState(response.status, response.body, source);
      task.items.clear();
      return;
    }
    if (!core::jsonNestingWithin(response.body, kMaxJsonDepth)) {
      task.state = makeState(FactStatus::Malformed,
                             fmt::format("JSON nested deeper than {}", kMaxJsonDepth), source);
      task.items.clear();
      return;
    }
    Json page = Json::parse(response.body, nullptr, false);
    response.body = std::string();
    const auto items = page.is_object() ? page.find("items") : page.end();
    if (page.is_discarded() || !page.is_object() || items == page.end() ||
        !(items->is_array() || items->is_null())) {
      task.state = makeState(FactStatus::Malformed, "the body is not a JSON list", source);
      task.items.clear();
      return;
    }
    if (items->is_array()) {
      if (task.items.size() + items->size() > kMaxItemsPerList) {
        task.state = makeState(FactStatus::Malformed,
                               fmt::format("more than {} items", kMaxItemsPerList), source);
        task.items.clear();
        return;
      }
      for (auto& item : *items) task.items.push_back(std::move(item));
    }
    token.clear();
    if (const auto meta = page.find("metadata"); meta != page.end()) {
      if (const auto* next = stringMember(*meta, "continue")) token = *next;
    }
    if (token.empty()) break;
    if (++pages >= kMaxPages) {
      task.state =
          makeState(FactStatus::Malformed, fmt::format("more than {} pages", kMaxPages), source);
      task.items.clear();
      return;
    }
  }
  task.state = makeState(FactStatus::Ok, "", source);
}

// The first failure of the list's tasks (in task order), else Ok.
FactState combined(const FactState& a, const FactState& b) { return a.ok() ? b : a; }

void setEvery(Inventory& inventory, const FactState& state) {
  SourceState source{state, 0};
  inventory.sources[std::string(kVersionKey)] = source;
  for (const auto& list : kLists) inventory.sources[std::string(list.key)] = source;
}

// "v1.30.4" and the rule version from /version's major and minor ("30+" on some servers).
void readVersion(const Json& doc, Inventory& inventory, core::Diagnostics& diagnostics) {
  if (const auto* git = stringMember(doc, "gitVersion")) {
    inventory.server_git_version = core::printable(git->substr(0, 100));
  }
  const auto* major = stringMember(doc, "major");
  const auto* minor = stringMember(doc, "minor");
  core::Result<K8sVersion> version = core::fail(core::ErrorCode::Input, "no version");
  if (major != nullptr && minor != nullptr) {
    version = parseK8sVersion(fmt::format("{}.{}", *major, *minor));
  }
  if (!version && !inventory.server_git_version.empty()) {
    version = parseK8sVersion(inventory.server_git_version);
  }
  if (version) {
    inventory.server_version = *version;
  } else {
    diagnostics.add("k8s.server-version", "GET /version",
                    "the server's version could not be read; the newest rules apply");
  }
}

}  // namespace

Object objectFromApi(nlohmann::json item, std::string_view api_version, std::string_view kind,
                     std::string_view api_path) {
  Object object;
  const auto* item_kind = stringMember(item, "kind");
  object.kind = item_kind != nullptr && !item_kind->empty() ? *item_kind : std::string(kind);
  const auto* item_version = stringMember(item, "apiVersion");
  object.api_version =
      item_version != nullptr && !item_version->empty() ? *item_version : std::string(api_version);
  // Written back, so the object reads like the manifest of itself (and a snapshot holds both).
  if (item.is_object()) {
    item["kind"] = object.kind;
    item["apiVersion"] = object.api_version;
    trimObject(item);
  }
  if (const std::size_t slash = object.api_version.find('/'); slash != std::string::npos) {
    object.group = object.api_version.substr(0, slash);
    object.version = object.api_version.substr(slash + 1);
  } else {
    object.version = object.api_version;
  }
  const auto meta = item.is_object() ? item.find("metadata") : item.end();
  if (item.is_object() && meta != item.end() && meta->is_object()) {
    if (const auto* name = stringMember(*meta, "name")) object.name = *name;
    if (namespaced(object.kind)) {
      if (const auto* ns = stringMember(*meta, "namespace")) object.ns = *ns;
    }
  }
  object.doc = std::move(item);
  object.origin.api_path = std::string(api_path);
  object.state.status = FactStatus::Ok;
  object.state.source = std::string(api_path);
  if (!object.doc.is_object() || object.name.empty()) {
    object.state.status = FactStatus::Malformed;
    object.state.detail = "the list item has no metadata.name";
  }
  classify(object);
  return object;
}

std::string readerClusterRole(bool kubelet_configz) {
  // Resources grouped by API group, in table order.
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const auto& list : kLists) {
    const std::string_view prefix = list.prefix;
    const std::string group = prefix.starts_with("/apis/")
                                  ? std::string(prefix.substr(6, prefix.find('/', 6) - 6))
                                  : std::string();
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& entry) { return entry.first == group; });
    if (it == groups.end()) it = groups.insert(groups.end(), {group, {}});
    it->second.emplace_back(list.resource);
  }
  std::string out =
      "apiVersion: rbac.authorization.k8s.io/v1\n"
      "kind: ClusterRole\n"
      "metadata:\n"
      "  name: bulwark-reader\n"
      "rules:\n";
  for (const auto& [group, resources] : groups) {
    out += fmt::format("  - apiGroups: [\"{}\"]\n    resources: [{}]\n    verbs: [get, list]\n",
                       group, fmt::join(resources, ", "));
  }
  if (kubelet_configz) {
    out += "  - apiGroups: [\"\"]\n    resources: [nodes/proxy]\n    verbs: [get]\n";
  }
  out += "  - nonResourceURLs: [/version]\n    verbs: [get]\n";
  return out;
}

core::Result<Inventory> collectCluster(const ClusterCollectOptions& options,
                                       core::Diagnostics& diagnostics) {
  for (const auto& ns : options.namespaces) {
    if (!validNamespace(ns)) {
      return core::fail(core::ErrorCode::Usage, "namespace \"{}\": not a namespace name",
                        core::printable(ns));
    }
  }
  ApiClientOptions client_options;
  client_options.timeout = options.timeout;
  client_options.max_body_bytes = options.max_body_bytes;
  client_options.user_agent = options.user_agent;
  auto first = ApiClient::open(options.client, client_options);
  if (!first) return tl::unexpected(first.error());

  Inventory inventory;
  inventory.cluster = options.client.context.empty() ? "cluster" : options.client.context;
  inventory.source = fmt::format("kubeconfig context {} ({})", inventory.cluster,
                                 core::printable(options.client.server));

  // /version first: a cluster that cannot be reached (or refuses the credentials) is said once
  // for every list, without waiting for each.
  const std::string version_source = "GET /version";
  ApiResponse version = (*first)->get("/version");
  if (!version.transport.ok()) {
    version.transport.source = version_source;
    setEvery(inventory, version.transport);
    inventory.index();
    return inventory;
  }
  if (version.status == 401) {
    setEvery(inventory, httpState(401, version.body, version_source));
    inventory.index();
    return inventory;
  }
  if (version.status >= 200 && version.status <= 299 &&
      core::jsonNestingWithin(version.body, kMaxJsonDepth)) {
    const Json doc = Json::parse(version.body, nullptr, false);
    if (doc.is_object()) {
      readVersion(doc, inventory, diagnostics);
      inventory.sources[std::string(kVersionKey)] = {makeState(FactStatus::Ok, "", version_source),
                                                     1};
    } else {
      inventory.sources[std::string(kVersionKey)] = {
          makeState(FactStatus::Malformed, "the body is not a JSON object", version_source), 0};
    }
  } else if (version.status >= 200 && version.status <= 299) {
    inventory.sources[std::string(kVersionKey)] = {
        makeState(FactStatus::Malformed, "JSON nested too deep", version_source), 0};
  } else {
    inventory.sources[std::string(kVersionKey)] = {
        httpState(version.status, version.body, version_source), 0};
  }

  // Optional lists only where discovery serves their group version (one GET per prefix, which
  // every authenticated user may make); otherwise they are recorded as empty, or with the
  // discovery's failure.
  std::map<std::string_view, FactState> served;  // prefix → Ok, or why its lists are not read
  for (const auto& list : kLists) {
    if (!list.optional || served.contains(list.prefix)) continue;
    const std::string discovery = fmt::format("GET {}", list.prefix);
    ApiResponse answer = (*first)->get(std::string(list.prefix));
    if (!answer.transport.ok()) {
      answer.transport.source = discovery;
      served[list.prefix] = answer.transport;
    } else if (answer.status >= 200 && answer.status <= 299) {
      served[list.prefix] = makeState(FactStatus::Ok, "", discovery);
    } else {
      served[list.prefix] = httpState(answer.status, answer.body, discovery);
    }
  }
  for (const auto& list : kLists) {
    if (!list.optional) continue;
    const FactState& state = served[list.prefix];
    if (state.ok()) continue;
    // 404: the cluster does not serve the group (Cilium not installed): nothing to read.
    inventory.sources[std::string(list.key)] = {
        state.status == FactStatus::Missing
            ? makeState(FactStatus::Ok, fmt::format("{} is not served", list.api_version),
                        state.source)
            : state,
        0};
  }

  // Every list (per namespace with --namespace), read by a few workers, each with its own
  // connection; the results are merged in table order, so the outcome does not depend on timing.
  std::vector<Task> tasks;
  for (const auto& list : kLists) {
    if (list.optional && !served[list.prefix].ok()) continue;
    if (list.namespaced && !options.namespaces.empty()) {
      for (const auto& ns : options.namespaces) {
        tasks.push_back(
            {&list, fmt::format("{}/namespaces/{}/{}", list.prefix, ns, list.resource)});
      }
    } else {
      tasks.push_back({&list, fmt::format("{}/{}", list.prefix, list.resource)});
    }
  }
  std::atomic<std::size_t> next{0};
  auto work = [&](ApiClient& client) {
    for (std::size_t i = next++; i < tasks.size(); i = next++) readList(client, options, tasks[i]);
  };
  std::vector<std::unique_ptr<ApiClient>> clients;
  clients.push_back(std::move(*first));
  for (std::size_t i = 1; i < std::min(kWorkers, tasks.size()); ++i) {
    auto client = ApiClient::open(options.client, client_options);
    if (!client) return tl::unexpected(client.error());
    clients.push_back(std::move(*client));
  }
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 1; i < clients.size(); ++i) {
      threads.emplace_back([&work, &clients, i] { work(*clients[i]); });
    }
    work(*clients[0]);
  }

  if (std::any_of(tasks.begin(), tasks.end(), [](const Task& t) { return t.unauthorized; })) {
    const auto it =
        std::find_if(tasks.begin(), tasks.end(), [](const Task& t) { return t.unauthorized; });
    setEvery(inventory, it->state);
    inventory.index();
    return inventory;
  }

  std::size_t restarts = 0;
  std::map<std::string, std::size_t, std::less<>> skipped;   // kind → owned objects skipped
  RunningImages skipped_images;                              // by the pod's controller
  std::map<std::string, std::string, std::less<>> owner_of;  // "ReplicaSet/ns/a" → its owner
  for (auto& task : tasks) {
    auto& source = inventory.sources[std::string(task.list->key)];
    const bool first_task = source.state.status == FactStatus::NotCollected;
    source.state = first_task ? task.state : combined(source.state, task.state);
    if (task.restarted) ++restarts;
    if (!task.state.ok()) continue;
    source.items += task.items.size();
    for (auto& item : task.items) {
      if (!item.is_object()) {
        diagnostics.add("k8s.malformed-item", task.state.source, "a list item is not an object");
        continue;
      }
      if (task.list->kind == "ReplicaSet" || task.list->kind == "Job") {
        if (std::string owner = controllerKey(item); !owner.empty()) {
          owner_of.emplace(objectKey(item, task.list->kind), std::move(owner));
        }
      }
      if (!options.include_owned_pods && controllerOwned(item, task.list->kind)) {
        if (task.list->kind == "Pod") addRunningImages(item, controllerKey(item), skipped_images);
        ++skipped[std::string(task.list->kind)];
        continue;
      }
      Object object =
          objectFromApi(std::move(item), task.list->api_version, task.list->kind, task.path);
      // With --namespace only the chosen namespaces' Namespace objects are checked.
      if (object.kind == "Namespace" && !options.namespaces.empty() &&
          std::find(options.namespaces.begin(), options.namespaces.end(), object.name) ==
              options.namespaces.end()) {
        continue;
      }
      inventory.objects.push_back(std::move(object));
    }
    task.items.clear();
  }
  for (auto& [key, source] : inventory.sources) {
    if (!source.state.ok()) source.items = 0;
  }
  keepRunningImages(skipped_images, owner_of, inventory.running_images);
  if (options.kubelet_configz) readKubeletConfigz(*clients[0], inventory);
  if (restarts > 0) {
    diagnostics.add(
        "k8s.list-restarted", inventory.cluster,
        fmt::format("{} list(s) restarted after 410 Gone on a continue token", restarts));
  }
  if (!skipped.empty()) {
    std::size_t total = 0;
    std::string parts;
    for (const auto& [kind, count] : skipped) {
      total += count;
      inventory.skipped_owned += count;
      parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", count, kind);
    }
    diagnostics.add("k8s.owned-skipped", inventory.cluster,
                    fmt::format("{} controller-owned objects not checked ({}); their "
                                "controllers' templates are (--owned-pods include checks them)",
                                total, parts));
  }
  inventory.index();
  return inventory;
}

}  // namespace bulwark::checks::k8s::collect
