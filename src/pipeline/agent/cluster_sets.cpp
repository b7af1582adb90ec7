#include "pipeline/agent/cluster_sets.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace bulwark::pipeline::agent {

namespace {

namespace collect = checks::k8s::collect;
using Json = nlohmann::json;

std::string encodeSelector(std::string_view selector) {
  std::string out;
  for (const char c : selector) {
    if (c == '=') {
      out += "%3D";
    } else if (c == '/') {
      out += "%2F";
    } else {
      out += c;
    }
  }
  return out;
}

// GET `path` as JSON; 404 is "not there" (an empty object), other failures are errors.
core::Result<Json> getJson(collect::ApiClient& client, const std::string& path) {
  const collect::ApiResponse response = client.get(path);
  if (!response.transport.ok()) {
    return core::fail(core::ErrorCode::Network, "GET {}: {}", path, response.transport.detail);
  }
  if (response.status == 404) return Json::object();
  if (response.status != 200) {
    return core::fail(core::ErrorCode::Network, "GET {}: HTTP {}: {}", path, response.status,
                      collect::statusMessage(response.body));
  }
  Json json = Json::parse(response.body, nullptr, false);
  if (!json.is_object()) {
    return core::fail(core::ErrorCode::Input, "GET {}: the answer is not a JSON object", path);
  }
  return json;
}

void addServiceIps(const Json& service, std::set<std::string>& out) {
  const Json& spec = service.value("spec", Json::object());
  if (!spec.is_object()) return;
  auto add = [&](const Json& ip) {
    if (ip.is_string() && ip.get<std::string>() != "None" && !ip.get<std::string>().empty()) {
      out.insert(ip.get<std::string>());
    }
  };
  if (spec.contains("clusterIP")) add(spec["clusterIP"]);
  if (spec.contains("clusterIPs") && spec["clusterIPs"].is_array()) {
    for (const auto& ip : spec["clusterIPs"]) add(ip);
  }
}

void addEndpointIps(const Json& endpoints, std::set<std::string>& out) {
  const Json& subsets = endpoints.value("subsets", Json::array());
  if (!subsets.is_array()) return;
  for (const auto& subset : subsets) {
    if (!subset.is_object() || !subset.contains("addresses") || !subset["addresses"].is_array()) {
      continue;
    }
    for (const auto& address : subset["addresses"]) {
      if (address.is_object() && address.contains("ip") && address["ip"].is_string()) {
        out.insert(address["ip"].get<std::string>());
      }
    }
  }
}

const Json& items(const Json& list) {
  static const Json kEmpty = Json::array();
  return list.contains("items") && list["items"].is_array() ? list["items"] : kEmpty;
}

std::string joined(const std::vector<std::string>& values) {
  return values.empty() ? std::string("none") : fmt::format("{}", fmt::join(values, ", "));
}

}  // namespace

core::Result<ClusterAddresses> fetchClusterAddresses(collect::ApiClient& client) {
  std::set<std::string> api;
  auto service = getJson(client, "/api/v1/namespaces/default/services/kubernetes");
  if (!service) return tl::unexpected(service.error());
  addServiceIps(*service, api);
  auto endpoints = getJson(client, "/api/v1/namespaces/default/endpoints/kubernetes");
  if (!endpoints) return tl::unexpected(endpoints.error());
  addEndpointIps(*endpoints, api);

  std::set<std::string> dashboard;
  for (const char* selector : kDashboardSelectors) {
    const std::string query = "?labelSelector=" + encodeSelector(selector);
    auto services = getJson(client, "/api/v1/services" + query);
    if (!services) return tl::unexpected(services.error());
    for (const auto& item : items(*services)) addServiceIps(item, dashboard);
    auto all_endpoints = getJson(client, "/api/v1/endpoints" + query);
    if (!all_endpoints) return tl::unexpected(all_endpoints.error());
    for (const auto& item : items(*all_endpoints)) addEndpointIps(item, dashboard);
  }
  ClusterAddresses out;
  out.api.assign(api.begin(), api.end());
  out.dashboard.assign(dashboard.begin(), dashboard.end());
  return out;
}

core::Result<collect::ClientConfig> inClusterConfig(const std::string& account_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0') {
    return core::fail(core::ErrorCode::NotFound, "not in a pod (no KUBERNETES_SERVICE_HOST)");
  }
  auto read = [](const std::string& path) -> core::Result<std::string> {
    std::ifstream in(path);
    if (!in) return core::fail(core::ErrorCode::NotFound, "cannot read {}", path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  };
  collect::ClientConfig config;
  config.context = "in-cluster";
  const std::string host_text = host;
  // An IPv6 service address goes in brackets.
  config.server = fmt::format(
      "https://{}:{}", host_text.find(':') != std::string::npos ? "[" + host_text + "]" : host_text,
      port != nullptr && *port != '\0' ? port : "443");
  auto token = read(account_dir + "/token");
  if (!token) return tl::unexpected(token.error());
  config.token = std::move(*token);
  while (!config.token.empty() && (config.token.back() == '\n' || config.token.back() == '\r')) {
    config.token.pop_back();
  }
  config.auth_kind = "token-file";
  auto ca = read(account_dir + "/ca.crt");
  if (!ca) return tl::unexpected(ca.error());
  config.ca_pem = std::move(*ca);
  return config;
}

core::Result<std::unique_ptr<ClusterSetsRefresher>> ClusterSetsRefresher::start(
    ConfigSource config, const rules::IntelRegistry& registry, std::chrono::milliseconds interval,
    std::function<void(const std::string&)> on_message) {
  for (const char* name : {kApiSet, kDashboardSet}) {
    if (!registry.contains(name)) {
      return core::fail(core::ErrorCode::Usage,
                        "cluster addresses: the rules declare no intel set {} (load the "
                        "built-in rules)",
                        name);
    }
  }
  std::unique_ptr<ClusterSetsRefresher> refresher(new ClusterSetsRefresher());
  refresher->config_ = std::move(config);
  refresher->registry_ = &registry;
  refresher->interval_ = interval;
  refresher->on_message_ = std::move(on_message);
  refresher->thread_ = std::thread([self = refresher.get()] { self->loop(); });
  return refresher;
}

ClusterSetsRefresher::~ClusterSetsRefresher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool ClusterSetsRefresher::waitForFirst(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return wake_.wait_for(lock, timeout, [&] { return first_done_; });
}

void ClusterSetsRefresher::refresh() {
  auto config = config_();
  if (!config) {
    on_message_("cluster addresses: " + config.error().message +
                " (the last addresses stay in force)");
    return;
  }
  collect::ApiClientOptions options;
  options.user_agent = "bulwark-agent";
  options.max_body_bytes = std::size_t{32} << 20;
  auto client = collect::ApiClient::open(*config, options);
  config->wipeSecrets();
  if (!client) {
    on_message_("cluster addresses: " + client.error().message);
    return;
  }
  auto addresses = fetchClusterAddresses(**client);
  if (!addresses) {
    on_message_("cluster addresses: " + addresses.error().message +
                " (the last addresses stay in force)");
    return;
  }
  auto api = rules::setIntel(*registry_, kApiSet, addresses->api);
  auto dashboard = rules::setIntel(*registry_, kDashboardSet, addresses->dashboard);
  if (!api || !dashboard) {
    on_message_("cluster addresses: " + (!api ? api.error() : dashboard.error()).message);
    return;
  }
  const std::string now = fmt::format("API server {}; dashboard {}", joined(addresses->api),
                                      joined(addresses->dashboard));
  if (now != last_) {
    on_message_("cluster addresses: " + now);
    last_ = now;
  }
}

void ClusterSetsRefresher::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    refresh();
    lock.lock();
    first_done_ = true;
    wake_.notify_all();
    wake_.wait_for(lock, interval_, [&] { return stopping_; });
  }
}

}  // namespace bulwark::pipeline::agent
