#include "e2e/k8s/api_playback.h"

#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "checks/k8s/object.h"
#include "checks/k8s/yaml_json.h"

namespace bulwark::testing {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The YAML (or JSON) documents of a file, split at `---` lines.
std::vector<Json> documents(const std::string& text, const std::string& name) {
  std::vector<Json> out;
  std::vector<std::string> parts(1);
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("---", 0) == 0) {
      parts.emplace_back();
      continue;
    }
    parts.back() += line + "\n";
  }
  for (const auto& part : parts) {
    auto doc = checks::k8s::yamlToJson(part, {});
    if (!doc) throw std::runtime_error(name + ": " + doc.error().message);
    if (doc->value.is_object()) out.push_back(std::move(doc->value));
  }
  return out;
}

Json status(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", Json::object()},
          {"status", "Failure"}, {"message", message}, {"reason", reason},
          {"code", code}};
}

std::string reasonOf(int code) {
  switch (code) {
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 410: return "Expired";
    case 429: return "TooManyRequests";
    default: return "InternalError";
  }
}

struct Scenario {
  std::string token;
  std::string client_cn;
  std::map<std::string, PlaybackRoute> routes;
};

// Reads routes.yaml of `dir` (and its `base` scenario first).
void loadScenario(const fs::path& dir, const fs::path& testdata, Scenario& scenario) {
  const auto docs = documents(readFile(dir / "routes.yaml"), (dir / "routes.yaml").string());
  if (docs.size() != 1) throw std::runtime_error("routes.yaml: one document expected");
  const Json& root = docs.front();
  if (const auto base = root.find("base"); base != root.end()) {
    loadScenario(dir.parent_path() / base->get<std::string>(), testdata, scenario);
  }
  if (const auto auth = root.find("auth"); auth != root.end()) {
    scenario.token = auth->value("token", std::string());
    scenario.client_cn = auth->value("client_cn", std::string());
  }
  for (const auto& entry : root.value("routes", Json::array())) {
    const std::string path = entry.at("path").get<std::string>();
    PlaybackRoute& route = scenario.routes[path];  // a base route is amended
    route.path = path;
    route.status = entry.value("status", route.status);
    route.message = entry.value("message", route.message);
    route.delay_ms = entry.value("delay_ms", route.delay_ms);
    route.gone_once = entry.value("gone_once", route.gone_once);
    route.throttle_once = entry.value("throttle_once", route.throttle_once);
    route.body_bytes = entry.value("body_bytes", route.body_bytes);
    route.max_page = entry.value("max_page", root.value("max_page", route.max_page));
    if (const auto body = entry.find("body"); body != entry.end()) {
      const auto bodies = documents(readFile(dir / body->get<std::string>()), path);
      route.body = bodies.empty() ? Json::object() : bodies.front();
    }
    if (const auto kind = entry.find("kind"); kind != entry.end()) {
      route.list = true;
      route.list_kind = kind->get<std::string>();
      route.api_version = entry.at("apiVersion").get<std::string>();
      route.items.clear();
      const std::string item_kind = route.list_kind.substr(0, route.list_kind.size() - 4);
      for (const auto& item : entry.value("items", Json::array())) {
        const std::string file = item.at("file").get<std::string>();
        const fs::path source =
            file.rfind("shared:", 0) == 0 ? testdata / file.substr(7) : dir / file;
        for (auto& doc : documents(readFile(source), source.string())) {
          std::vector<Json> objects;
          if (doc.value("kind", std::string()).ends_with("List") && doc.contains("items")) {
            for (auto& one : doc["items"]) objects.push_back(std::move(one));
          } else {
            objects.push_back(std::move(doc));
          }
          for (auto& object : objects) {
            if (object.value("kind", item_kind) != item_kind) continue;
            // List items carry neither (the API server leaves them out).
            object.erase("kind");
            object.erase("apiVersion");
            auto& meta = object["metadata"];
            if (item.contains("name")) meta["name"] = item["name"];
            if (item.contains("namespace")) meta["namespace"] = item["namespace"];
            if (checks::k8s::namespaced(item_kind) && !meta.contains("namespace")) {
              meta["namespace"] = "default";
            }
            meta["resourceVersion"] = "1000";
            route.items.push_back(std::move(object));
          }
        }
      }
    }
  }
}

// "/api/v1/namespaces/web/pods" → {"/api/v1/pods", "web"}; else nullopt.
std::optional<std::pair<std::string, std::string>> namespacedPath(const std::string& path) {
  const auto at = path.find("/namespaces/");
  if (at == std::string::npos) return std::nullopt;
  const auto ns_start = at + 12;
  const auto slash = path.find('/', ns_start);
  if (slash == std::string::npos) return std::nullopt;
  const std::string rest = path.substr(slash + 1);
  if (rest.empty() || rest.find('/') != std::string::npos) return std::nullopt;
  return std::make_pair(path.substr(0, at) + "/" + rest, path.substr(ns_start, slash - ns_start));
}

}  // namespace

ApiPlayback::ApiPlayback(const fs::path& scenario_dir, const fs::path& testdata,
                         const TestPki& pki) {
  Scenario scenario;
  loadScenario(scenario_dir, testdata, scenario);
  routes_ = std::move(scenario.routes);
  token_ = scenario.token;
  client_cn_ = scenario.client_cn;

  server_ = std::make_unique<httplib::SSLServer>([&pki](SSL_CTX& ctx) {
    auto pem = [](const std::string& text) {
      return BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
    };
    BIO* cert_bio = pem(pki.server.cert);
    X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
    BIO_free(cert_bio);
    BIO* key_bio = pem(pki.server.key);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    BIO_free(key_bio);
    BIO* ca_bio = pem(pki.ca.cert);
    X509* ca = PEM_read_bio_X509(ca_bio, nullptr, nullptr, nullptr);
    BIO_free(ca_bio);
    const bool ok = cert != nullptr && key != nullptr && ca != nullptr &&
                    SSL_CTX_use_certificate(&ctx, cert) == 1 &&
                    SSL_CTX_use_PrivateKey(&ctx, key) == 1 &&
                    X509_STORE_add_cert(SSL_CTX_get_cert_store(&ctx), ca) == 1;
    if (ca != nullptr) SSL_CTX_add_client_CA(&ctx, ca);
    X509_free(cert);
    EVP_PKEY_free(key);
    X509_free(ca);
    // A client certificate is asked for but optional (bearer tokens need none), as
    // kube-apiserver does.
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
    // Needed to resume sessions when client certificates are verified (curl resumes when it
    // reconnects after the server closed an idle connection).
    static constexpr unsigned char kSessionContext[] = "bulwark-e2e";
    SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof kSessionContext - 1);
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    return ok;
  });
  if (!server_->is_valid()) throw std::runtime_error("SSLServer setup failed");
  server_->set_keep_alive_timeout(1);
  server_->Get(".*", [this](const httplib::Request& request, httplib::Response& response) {
    handle(request, response);
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

ApiPlayback::~ApiPlayback() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  stopping_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string ApiPlayback::url() const { return "https://127.0.0.1:" + std::to_string(port_); }

std::size_t ApiPlayback::count(const std::string& path) const {
  std::lock_guard lock(mutex_);
  const auto it = counts_.find(path);
  return it == counts_.end() ? 0 : it->second;
}

std::vector<std::string> ApiPlayback::requests() const {
  std::lock_guard lock(mutex_);
  return log_;
}

const PlaybackRoute* ApiPlayback::route(const std::string& path) const {
  const auto it = routes_.find(path);
  return it == routes_.end() ? nullptr : &it->second;
}

bool ApiPlayback::authorized(const httplib::Request& request) const {
  const std::string header = request.get_header_value("Authorization");
  if (!token_.empty() && header == "Bearer " + token_) return true;
  if (!client_cn_.empty() && request.ssl != nullptr) {
    X509* cert = SSL_get1_peer_certificate(request.ssl);
    if (cert != nullptr) {
      char cn[256] = {};
      X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
      X509_free(cert);
      return client_cn_ == cn;
    }
  }
  return false;
}

void ApiPlayback::handle(const httplib::Request& request, httplib::Response& response) {
  const std::string token =
      request.has_param("continue") ? request.get_param_value("continue") : std::string();
  {
    std::lock_guard lock(mutex_);
    ++counts_[request.path];
    log_.push_back("GET " + request.path + (token.empty() ? "" : "?continue=" + token));
  }
  auto reply = [&response](int code, const Json& body) {
    response.status = code;
    response.set_content(body.dump(), "application/json");
  };
  if (!authorized(request)) {
    reply(401, status(401, "Unauthorized", "Unauthorized"));
    return;
  }
  std::string lookup = request.path;
  std::string ns;
  auto it = routes_.find(lookup);
  if (it == routes_.end()) {
    if (const auto split = namespacedPath(request.path)) {
      lookup = split->first;
      ns = split->second;
      it = routes_.find(lookup);
    }
  }
  if (it == routes_.end()) {
    reply(404, status(404, "NotFound", "the server could not find the requested resource"));
    return;
  }
  const PlaybackRoute& route = it->second;
  if (route.delay_ms > 0) {
    std::unique_lock lock(mutex_);
    if (stopping_.wait_for(lock, std::chrono::milliseconds(route.delay_ms),
                           [this] { return stopped_; })) {
      return;
    }
  }
  if (route.throttle_once > 0) {
    std::lock_guard lock(mutex_);
    if (!throttled_[lookup]) {
      throttled_[lookup] = true;
      response.set_header("Retry-After", std::to_string(route.throttle_once));
      reply(429, status(429, "TooManyRequests", "Too many requests, please try again later."));
      return;
    }
  }
  if (route.status != 200) {
    reply(route.status, status(route.status, reasonOf(route.status),
                               route.message.empty() ? reasonOf(route.status) : route.message));
    return;
  }
  if (route.body_bytes > 0) {
    std::string body = R"({"kind":")" + route.list_kind + R"(","items":[],"padding":")";
    body.append(route.body_bytes, 'x');
    body += "\"}";
    response.set_content(body, "application/json");
    return;
  }
  if (!route.list) {
    reply(200, route.body);
    return;
  }
  std::size_t offset = 0;
  if (!token.empty()) {
    {
      std::lock_guard lock(mutex_);
      if (route.gone_once && !gone_sent_[lookup]) {
        gone_sent_[lookup] = true;
        reply(410, status(410, "Expired",
                          "The provided continue parameter is too old to display a consistent "
                          "list result. You can start a new list without the continue parameter."));
        return;
      }
    }
    const auto colon = token.find(':');
    try {
      if (token.rfind("tok:", 0) != 0 || colon != 3) throw std::invalid_argument("prefix");
      offset = std::stoul(token.substr(4));
    } catch (const std::exception&) {
      reply(400, status(400, "BadRequest", "invalid continue token"));
      return;
    }
  }
  std::vector<const Json*> selected;
  for (const auto& item : route.items) {
    if (ns.empty() || item["metadata"].value("namespace", std::string()) == ns) {
      selected.push_back(&item);
    }
  }
  if (offset > selected.size()) {
    reply(400, status(400, "BadRequest", "invalid continue token"));
    return;
  }
  std::size_t limit = selected.size();
  if (request.has_param("limit")) {
    limit = std::max<std::size_t>(1, std::stoul(request.get_param_value("limit")));
  }
  // A server may return fewer items than asked for (kube-apiserver does with field selectors).
  if (route.max_page > 0) limit = std::min(limit, route.max_page);
  Json list = {{"kind", route.list_kind},
               {"apiVersion", route.api_version},
               {"metadata", {{"resourceVersion", "1000"}}},
               {"items", Json::array()}};
  const std::size_t end = std::min(selected.size(), offset + limit);
  for (std::size_t i = offset; i < end; ++i) list["items"].push_back(*selected[i]);
  if (end < selected.size()) {
    list["metadata"]["continue"] = "tok:" + std::to_string(end);
    list["metadata"]["remainingItemCount"] = selected.size() - end;
  }
  reply(200, list);
}

}  // namespace bulwark::testing
