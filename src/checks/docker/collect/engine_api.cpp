// The Engine API collector: /version, /info, every container (summary, inspect, execs), every
// image (inspect, history), networks, plugins, swarm and — on managers — nodes, over one
// keep-alive connection to the daemon's unix socket.
#include <curl/curl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "checks/docker/collect/collectors.h"
#include "checks/docker/collect/engine_client.h"
#include "core/text.h"

namespace bulwark::checks::docker {
namespace {

constexpr int kMaxJsonDepth = 512;
constexpr std::size_t kMaxContainers = 10'000;
constexpr std::size_t kMaxImages = 10'000;
constexpr std::size_t kMaxExecsPerContainer = 1'000;
constexpr std::size_t kMaxMessage = 300;

FactState makeState(FactStatus status, std::string detail, std::string source) {
  FactState state;
  state.status = status;
  state.detail = std::move(detail);
  state.source = std::move(source);
  return state;
}

void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The `message` of a Docker error body, or the body's start.
std::string errorMessage(const std::string& body) {
  std::string message;
  if (core::jsonNestingWithin(body, kMaxJsonDepth)) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object() && json.contains("message") && json["message"].is_string()) {
      message = json["message"].get<std::string>();
    }
  }
  if (message.empty()) message = body;
  if (message.size() > kMaxMessage) message.resize(kMaxMessage);
  return core::printable(core::trim(message));
}

}  // namespace

core::Result<std::string> unixSocketPath(std::string_view endpoint) {
  if (endpoint.empty()) endpoint = kDefaultEndpoint;
  constexpr std::string_view kUnix = "unix://";
  if (endpoint.starts_with(kUnix)) {
    std::string path(endpoint.substr(kUnix.size()));
    if (path.empty() || path.front() != '/') {
      return core::fail(core::ErrorCode::Usage,
                        "endpoint {}: a unix socket endpoint needs an absolute path "
                        "(unix:///var/run/docker.sock)",
                        core::printable(endpoint));
    }
    if (path.find('\0') != std::string::npos || path.size() > 107) {
      return core::fail(core::ErrorCode::Usage, "endpoint {}: not a usable socket path",
                        core::printable(endpoint));
    }
    return path;
  }
  if (endpoint.starts_with("tcp://") || endpoint.starts_with("http://") ||
      endpoint.starts_with("https://")) {
    return core::fail(core::ErrorCode::Usage,
                      "endpoint {}: TCP endpoints are not supported yet (no TLS client); "
                      "run on the Docker host and use its unix socket "
                      "(unix:///var/run/docker.sock)",
                      core::printable(endpoint));
  }
  return core::fail(core::ErrorCode::Usage,
                    "endpoint {}: unsupported; use unix:///path/to/docker.sock",
                    core::printable(endpoint));
}

struct EngineClient::Curl {
  CURL* handle = nullptr;
  std::string body;
  std::size_t max_body = 0;
  bool overflow = false;

  static std::size_t onData(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Curl*>(user);
    const std::size_t bytes = size * count;
    if (bytes > self->max_body - std::min(self->max_body, self->body.size())) {
      self->overflow = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    self->body.append(data, bytes);
    return bytes;
  }
  ~Curl() {
    if (handle != nullptr) curl_easy_cleanup(handle);
  }
};

EngineClient::EngineClient(std::string socket, const Options& options)
    : socket_(std::move(socket)), options_(options), curl_(std::make_unique<Curl>()) {}

EngineClient::~EngineClient() = default;

core::Result<std::unique_ptr<EngineClient>> EngineClient::open(std::string_view endpoint,
                                                               const Options& options) {
  auto socket = unixSocketPath(endpoint);
  if (!socket) return tl::unexpected(socket.error());
  initCurlOnce();
  std::unique_ptr<EngineClient> client(new EngineClient(std::move(*socket), options));
  auto& curl = *client->curl_;
  curl.handle = curl_easy_init();
  if (curl.handle == nullptr) {
    return core::fail(core::ErrorCode::Internal, "libcurl: cannot create a handle");
  }
  curl.max_body = options.max_body;
  const auto timeout = std::max<long>(1, static_cast<long>(options.timeout.count()));
  const auto connect =
      std::max<long>(1, std::min(timeout, static_cast<long>(options.connect_timeout.count())));
  curl_easy_setopt(curl.handle, CURLOPT_UNIX_SOCKET_PATH, client->socket_.c_str());
  curl_easy_setopt(curl.handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.handle, CURLOPT_TIMEOUT_MS, timeout);
  curl_easy_setopt(curl.handle, CURLOPT_CONNECTTIMEOUT_MS, connect);
  curl_easy_setopt(curl.handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl.handle, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(curl.handle, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options.max_body));
  curl_easy_setopt(curl.handle, CURLOPT_WRITEFUNCTION, &Curl::onData);
  curl_easy_setopt(curl.handle, CURLOPT_WRITEDATA, &curl);
  curl_easy_setopt(curl.handle, CURLOPT_USERAGENT, "bulwark");
  return client;
}

DocFact EngineClient::get(std::string_view path) {
  DocFact fact;
  std::string source = "GET " + core::printable(path);
  if (dead_) {
    fact.state = *dead_;
    fact.state.source = std::move(source);
    return fact;
  }
  ++requests_;
  auto& curl = *curl_;
  curl.body.clear();
  curl.overflow = false;
  const std::string url = "http://docker" + std::string(path);
  curl_easy_setopt(curl.handle, CURLOPT_URL, url.c_str());
  const CURLcode code = curl_easy_perform(curl.handle);
  if (code != CURLE_OK) {
    if (curl.overflow || code == CURLE_FILESIZE_EXCEEDED) {
      fact.state = makeState(FactStatus::Malformed,
                             fmt::format("response body exceeds {} bytes", options_.max_body),
                             std::move(source));
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      fact.state = makeState(FactStatus::Timeout,
                             fmt::format("no answer within {} ms", options_.timeout.count()),
                             std::move(source));
      dead_ = fact.state;
    } else if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST) {
      struct stat info {};
      if (::stat(socket_.c_str(), &info) != 0) {
        fact.state =
            makeState(FactStatus::Unreachable, fmt::format("{}: {}", socket_, std::strerror(errno)),
                      std::move(source));
      } else if (::geteuid() != 0 && ::access(socket_.c_str(), R_OK | W_OK) != 0) {
        fact.state =
            makeState(FactStatus::PermissionDenied,
                      fmt::format("{}: {}", socket_, std::strerror(errno)), std::move(source));
      } else {
        fact.state = makeState(FactStatus::Unreachable,
                               fmt::format("{}: connection refused", socket_), std::move(source));
      }
      dead_ = fact.state;
    } else if (code == CURLE_GOT_NOTHING || code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR) {
      fact.state = makeState(FactStatus::Unreachable, curl_easy_strerror(code), std::move(source));
    } else {
      fact.state = makeState(FactStatus::Malformed, curl_easy_strerror(code), std::move(source));
    }
    curl.body.clear();
    return fact;
  }
  long status = 0;
  curl_easy_getinfo(curl.handle, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) {
    const std::string detail = fmt::format("HTTP {}: {}", status, errorMessage(curl.body));
    FactStatus mapped = FactStatus::Malformed;
    if (status == 404) {
      mapped = FactStatus::Missing;
    } else if (status == 401 || status == 403) {
      mapped = FactStatus::PermissionDenied;
    } else if (status == 503 && (path.starts_with("/swarm") || path.starts_with("/nodes"))) {
      mapped = FactStatus::Missing;  // not a swarm manager
    }
    fact.state = makeState(mapped, detail, std::move(source));
    curl.body.clear();
    return fact;
  }
  if (!core::jsonNestingWithin(curl.body, kMaxJsonDepth)) {
    fact.state =
        makeState(FactStatus::Malformed, fmt::format("JSON nested deeper than {}", kMaxJsonDepth),
                  std::move(source));
    curl.body.clear();
    return fact;
  }
  auto json = nlohmann::json::parse(curl.body, nullptr, false);
  curl.body.clear();
  curl.body.shrink_to_fit();
  if (json.is_discarded()) {
    fact.state = makeState(FactStatus::Malformed, "the body is not JSON", std::move(source));
    return fact;
  }
  fact.state = makeState(FactStatus::Ok, "", std::move(source));
  fact.doc = std::move(json);
  return fact;
}

namespace collect {
namespace {

// Engine object ids end up in request paths: only hex (after an optional "sha256:").
bool safeId(std::string_view id) {
  if (const auto colon = id.find(':'); colon != std::string_view::npos) {
    const auto algorithm = id.substr(0, colon);
    if (algorithm.empty() || !std::all_of(algorithm.begin(), algorithm.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        })) {
      return false;
    }
    id.remove_prefix(colon + 1);
  }
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

std::string stringField(const nlohmann::json& doc, const char* key) {
  if (doc.is_object()) {
    const auto it = doc.find(key);
    if (it != doc.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

bool matchesAny(const std::vector<std::string>& globs, std::string_view name) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& glob) { return core::globMatch(glob, name); });
}

void setAll(Snapshot::Engine& engine, const FactState& state) {
  for (DocFact* doc :
       {&engine.info, &engine.networks, &engine.plugins, &engine.swarm, &engine.nodes}) {
    doc->state = state;
    doc->state.source.clear();
    doc->doc = nullptr;
  }
  engine.containers_state = state;
  engine.images_state = state;
}

// A DocFact whose document must be of `type` (an array or an object) to be usable.
void requireShape(DocFact& fact, bool array) {
  if (fact.state.ok() && (array ? !fact.doc.is_array() : !fact.doc.is_object())) {
    fact.state.status = FactStatus::Malformed;
    fact.state.detail = array ? "expected a JSON array" : "expected a JSON object";
    fact.doc = nullptr;
  }
}

// The command line of the container's health check as the daemon runs it in an exec session:
// CMD-SHELL through the container's shell (default /bin/sh -c), CMD as given; empty when none.
std::vector<std::string> healthCheckCommand(const nlohmann::json& inspect) {
  const auto config = inspect.find("Config");
  if (config == inspect.end() || !config->is_object()) return {};
  const auto check = config->find("Healthcheck");
  if (check == config->end() || !check->is_object()) return {};
  const auto test = check->find("Test");
  if (test == check->end() || !test->is_array() || test->empty()) return {};
  std::vector<std::string> words;
  for (const auto& word : *test) {
    if (!word.is_string()) return {};
    words.push_back(word.get<std::string>());
  }
  if (words.front() == "CMD") return {words.begin() + 1, words.end()};
  if (words.front() != "CMD-SHELL" || words.size() != 2) return {};
  std::vector<std::string> command = {"/bin/sh", "-c"};
  if (const auto shell = config->find("Shell"); shell != config->end() && shell->is_array()) {
    command.clear();
    for (const auto& word : *shell) {
      if (word.is_string()) command.push_back(word.get<std::string>());
    }
  }
  command.push_back(words[1]);
  return command;
}

// An exec session the daemon started for the health check (they come and go every interval):
// not someone's `docker exec`, and not a stable fact to report.
bool isHealthCheck(const nlohmann::json& exec, const std::vector<std::string>& health) {
  if (health.empty() || !exec.is_object()) return false;
  const auto process = exec.find("ProcessConfig");
  if (process == exec.end() || !process->is_object()) return false;
  std::vector<std::string> command;
  if (const auto entry = process->find("entrypoint");
      entry != process->end() && entry->is_string()) {
    command.push_back(entry->get<std::string>());
  }
  if (const auto args = process->find("arguments"); args != process->end() && args->is_array()) {
    for (const auto& arg : *args) {
      if (!arg.is_string()) return false;
      command.push_back(arg.get<std::string>());
    }
  }
  return command == health;
}

void collectExecs(EngineClient& client, Container& container) {
  if (!container.inspect.state.ok()) {
    container.execs_state = container.inspect.state;
    return;
  }
  container.execs_state = makeState(FactStatus::Ok, "", "GET /exec/{id}/json");
  const std::vector<std::string> health = healthCheckCommand(container.inspect.doc);
  const auto it = container.inspect.doc.find("ExecIDs");
  if (it == container.inspect.doc.end() || !it->is_array()) return;
  std::size_t count = 0;
  for (const auto& exec_id : *it) {
    if (++count > kMaxExecsPerContainer) break;
    if (!exec_id.is_string() || !safeId(exec_id.get_ref<const std::string&>())) continue;
    DocFact exec = client.get("/exec/" + exec_id.get<std::string>() + "/json");
    if (exec.state.status == FactStatus::Missing) continue;  // ended since the inspect
    if (!exec.state.ok()) {
      container.execs_state = exec.state;
      container.execs.clear();
      return;
    }
    if (isHealthCheck(exec.doc, health)) continue;
    container.execs.push_back(std::move(exec.doc));
  }
}

void collectContainers(EngineClient& client, const CollectOptions& options,
                       const std::optional<std::string>& self_id, Snapshot& snapshot,
                       core::Diagnostics& diagnostics) {
  auto& engine = snapshot.engine;
  DocFact list = client.get("/containers/json?all=1");
  requireShape(list, true);
  engine.containers_state = list.state;
  if (!list.state.ok()) return;
  std::size_t seen = 0;
  for (auto& summary : list.doc) {
    if (++seen > kMaxContainers) {
      diagnostics.add(
          "docker.truncated", "GET /containers/json",
          fmt::format("more than {} containers; the rest are not checked", kMaxContainers));
      break;
    }
    const std::string id = stringField(summary, "Id");
    if (!safeId(id)) {
      diagnostics.add("docker.malformed-container", "GET /containers/json",
                      "a container without a usable Id is skipped");
      continue;
    }
    std::string name;
    if (summary.contains("Names") && summary["Names"].is_array() && !summary["Names"].empty() &&
        summary["Names"][0].is_string()) {
      name = summary["Names"][0].get<std::string>();
      if (name.starts_with('/')) name.erase(0, 1);
    }
    if (name.empty()) name = id.substr(0, 12);
    if (options.running_only && stringField(summary, "State") != "running") continue;
    if (!options.include.empty() && !matchesAny(options.include, name)) continue;
    if (matchesAny(options.exclude, name)) continue;
    const bool labelled =
        summary.contains("Labels") && stringField(summary["Labels"], "io.bulwark.self") == "true";
    if (labelled || (self_id && id == *self_id)) {
      diagnostics.add("docker.self-excluded", core::printable(name),
                      "bulwark's own container is not checked");
      continue;
    }
    Container container;
    container.id = id;
    container.name = name;
    container.summary.state = makeState(FactStatus::Ok, "", "GET /containers/json?all=1");
    container.summary.doc = std::move(summary);
    container.inspect = client.get("/containers/" + id + "/json");
    requireShape(container.inspect, false);
    collectExecs(client, container);
    engine.containers.push_back(std::move(container));
  }
  std::sort(engine.containers.begin(), engine.containers.end(),
            [](const Container& a, const Container& b) {
              return std::tie(a.name, a.id) < std::tie(b.name, b.id);
            });
}

void collectImages(EngineClient& client, Snapshot& snapshot, core::Diagnostics& diagnostics) {
  auto& engine = snapshot.engine;
  DocFact list = client.get("/images/json");
  requireShape(list, true);
  engine.images_state = list.state;
  if (!list.state.ok()) return;
  std::size_t seen = 0;
  for (const auto& summary : list.doc) {
    if (++seen > kMaxImages) {
      diagnostics.add("docker.truncated", "GET /images/json",
                      fmt::format("more than {} images; the rest are not checked", kMaxImages));
      break;
    }
    const std::string id = stringField(summary, "Id");
    if (!safeId(id)) {
      diagnostics.add("docker.malformed-image", "GET /images/json",
                      "an image without a usable Id is skipped");
      continue;
    }
    Image image;
    image.id = id;
    if (summary.contains("RepoTags") && summary["RepoTags"].is_array()) {
      for (const auto& tag : summary["RepoTags"]) {
        if (tag.is_string() && tag.get_ref<const std::string&>() != "<none>:<none>") {
          image.tags.push_back(tag.get<std::string>());
        }
      }
    }
    std::sort(image.tags.begin(), image.tags.end());
    image.tags.erase(std::unique(image.tags.begin(), image.tags.end()), image.tags.end());
    image.inspect = client.get("/images/" + id + "/json");
    requireShape(image.inspect, false);
    image.history = client.get("/images/" + id + "/history");
    requireShape(image.history, true);
    engine.images.push_back(std::move(image));
  }
  std::sort(engine.images.begin(), engine.images.end(),
            [](const Image& a, const Image& b) { return a.id < b.id; });
}

}  // namespace

void collectEngine(EngineClient& client, const CollectOptions& options,
                   const std::optional<std::string>& self_id, Snapshot& snapshot,
                   core::Diagnostics& diagnostics) {
  auto& engine = snapshot.engine;
  engine.version = client.get("/version");
  requireShape(engine.version, false);
  const FactStatus status = engine.version.state.status;
  if (status == FactStatus::Unreachable || status == FactStatus::Timeout ||
      status == FactStatus::PermissionDenied) {
    engine.state = engine.version.state;
    setAll(engine, engine.version.state);
    return;
  }
  engine.state = makeState(FactStatus::Ok, "", engine.version.state.source);
  engine.info = client.get("/info");
  requireShape(engine.info, false);
  collectContainers(client, options, self_id, snapshot, diagnostics);
  collectImages(client, snapshot, diagnostics);
  engine.networks = client.get("/networks");
  requireShape(engine.networks, true);
  engine.plugins = client.get("/plugins");
  requireShape(engine.plugins, true);
  engine.swarm = client.get("/swarm");
  requireShape(engine.swarm, false);
  bool manager = false;
  if (engine.info.state.ok()) {
    const auto& swarm = engine.info.doc.find("Swarm");
    if (swarm != engine.info.doc.end() && swarm->is_object()) {
      const auto control = swarm->find("ControlAvailable");
      manager = control != swarm->end() && control->is_boolean() && control->get<bool>();
    }
  }
  if (manager) {
    engine.nodes = client.get("/nodes");
    requireShape(engine.nodes, true);
  } else if (engine.info.state.ok()) {
    engine.nodes.state =
        makeState(FactStatus::Missing, "not a swarm manager", "GET /info Swarm.ControlAvailable");
  } else {
    engine.nodes.state = engine.info.state;
  }
}

}  // namespace collect
}  // namespace bulwark::checks::docker
