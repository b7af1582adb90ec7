// RegistryClient against small in-process HTTP servers (cpp-httplib) on loopback ports: the
// challenge flows, redirects, error bodies, limits and digest checks. The e2e tests in
// tests/e2e/registry run the same client against Debian's real docker-registry.
#include "image/registry/client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.h"
#include "image/registry/registry_source.h"

namespace bulwark::image::registry {
namespace {

using namespace std::chrono_literals;

class LoopbackServer {
 public:
  httplib::Server server;
  int port = 0;

  void start() {
    port = server.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    thread_ = std::thread([this] { server.listen_after_bind(); });
    for (int i = 0; i < 500 && !server.is_running(); ++i) std::this_thread::sleep_for(2ms);
    ASSERT_TRUE(server.is_running());
  }
  ~LoopbackServer() {
    server.stop();
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] std::string host() const { return "127.0.0.1:" + std::to_string(port); }

 private:
  std::thread thread_;
};

std::string digestOf(const std::string& bytes) { return "sha256:" + core::sha256Hex(bytes); }

std::string randomBytes(std::size_t size) {
  std::mt19937_64 random(42);
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(random());
  return out;
}

const std::string kManifest =
    R"({"schemaVersion":2,"mediaType":")" + std::string(media::kOciManifest) + R"(","layers":[]})";

RegistryOptions plainHttp() {
  RegistryOptions options;
  options.insecure = true;
  options.use_docker_config = false;
  options.connect_timeout = 5s;
  options.stall_timeout = 10s;
  return options;
}

image::Descriptor blobDescriptor(const std::string& bytes) {
  image::Descriptor d;
  d.digest = digestOf(bytes);
  d.size = static_cast<std::int64_t>(bytes.size());
  return d;
}

core::Result<std::string> readStream(image::ByteStream& stream, std::size_t chunk = 7919) {
  std::string out;
  std::vector<char> buffer(chunk);
  for (;;) {
    auto got = stream.read(buffer.data(), buffer.size());
    if (!got) return tl::unexpected(got.error());
    if (*got == 0) return out;
    out.append(buffer.data(), *got);
  }
}

TEST(RegistryClient, AnonymousManifestAndStreamedBlob) {
  const std::string blob = randomBytes(5U << 20);
  std::string seen_accept;
  std::mutex mutex;
  LoopbackServer registry;
  registry.server.Get("/v2/team/app/manifests/v1", [&](const auto& req, auto& res) {
    const std::lock_guard lock(mutex);
    seen_accept = req.get_header_value("Accept");
    res.set_header("Docker-Content-Digest", digestOf(kManifest));
    res.set_content(kManifest, std::string(media::kOciManifest) + "; charset=utf-8");
  });
  registry.server.Get("/v2/team/app/blobs/" + digestOf(blob), [&](const auto&, auto& res) {
    res.set_content(blob, "application/octet-stream");
  });
  registry.start();

  auto client = RegistryClient::create(registry.host(), plainHttp());
  ASSERT_TRUE(client) << client.error().message;
  auto manifest = (*client)->fetchManifest("team/app", "v1");
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->bytes, kManifest);
  EXPECT_EQ(manifest->media_type, media::kOciManifest);
  EXPECT_EQ(manifest->digest, digestOf(kManifest));
  for (const auto type :
       {media::kOciIndex, media::kOciManifest, media::kDockerList, media::kDockerManifest}) {
    EXPECT_NE(seen_accept.find(type), std::string::npos) << type;
  }
  auto by_digest = (*client)->fetchManifest("team/app", digestOf(kManifest));
  EXPECT_FALSE(by_digest);  // not served by digest here: a 404
  EXPECT_EQ(by_digest.error().code, core::ErrorCode::NotFound);

  auto stream = (*client)->openBlob("team/app", blobDescriptor(blob));
  ASSERT_TRUE(stream) << stream.error().message;
  auto bytes = readStream(**stream);
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_TRUE(*bytes == blob);
  // After the end, reads keep answering 0.
  char c;
  auto again = (*stream)->read(&c, 1);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0U);
}

TEST(RegistryClient, CorruptOrWrongSizeBlobIsAnIntegrityError) {
  const std::string blob = randomBytes(300000);
  std::string corrupt = blob;
  corrupt[1234] ^= 1;
  LoopbackServer registry;
  registry.server.Get(R"(/v2/r/blobs/(sha256:[0-9a-f]+))", [&](const auto&, auto& res) {
    res.set_content(corrupt, "application/octet-stream");
  });
  registry.start();
  auto client = RegistryClient::create(registry.host(), plainHttp());
  ASSERT_TRUE(client);

  auto stream = (*client)->openBlob("r", blobDescriptor(blob));
  ASSERT_TRUE(stream) << stream.error().message;
  auto bytes = readStream(**stream);
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().code, core::ErrorCode::Integrity);
  EXPECT_NE(bytes.error().message.find("digest mismatch"), std::string::npos);
  char c;
  EXPECT_FALSE((*stream)->read(&c, 1));  // the failure sticks

  image::Descriptor short_size = blobDescriptor(corrupt);
  short_size.size = 1000;
  auto longer = (*client)->openBlob("r", short_size);
  ASSERT_TRUE(longer);
  auto read = readStream(**longer);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, core::ErrorCode::Integrity);

  image::Descriptor long_size = blobDescriptor(corrupt);
  long_size.size = 1000000;
  auto shorter = (*client)->openBlob("r", long_size);
  ASSERT_TRUE(shorter);
  read = readStream(**shorter);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, core::ErrorCode::Integrity);
}

// A registry with token auth: /token hands out a token for the right user, /v2/ wants it.
struct TokenRegistry {
  LoopbackServer server;
  std::atomic<int> token_requests{0};
  std::atomic<int> registry_requests{0};
  std::string last_scope;
  std::string last_service;
  std::mutex mutex;
  bool anonymous_allowed = false;
  bool use_access_token = false;

  void start() {
    server.server.Get("/token", [this](const httplib::Request& req, httplib::Response& res) {
      ++token_requests;
      {
        const std::lock_guard lock(mutex);
        last_scope = req.get_param_value("scope");
        last_service = req.get_param_value("service");
      }
      const std::string auth = req.get_header_value("Authorization");
      const bool good = auth == "Basic " + std::string("Ym9iOmh1bnRlcjI=");
      if (!good && !(anonymous_allowed && auth.empty())) {
        res.status = 401;
        res.set_content(R"({"details":"incorrect username or password"})", "application/json");
        return;
      }
      res.set_content(use_access_token ? R"({"access_token":"T0K3N","expires_in":300})"
                                       : R"({"token":"T0K3N","expires_in":300})",
                      "application/json");
    });
    server.server.Get(R"(/v2/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      ++registry_requests;
      if (req.get_header_value("Authorization") != "Bearer T0K3N") {
        res.status = 401;
        res.set_header("WWW-Authenticate",
                       "Bearer realm=\"http://" + server.host() +
                           "/token\",service=\"test-registry\",scope=\"repository:"
                           "lib/app:pull\"");
        res.set_content(
            R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
            "application/json");
        return;
      }
      if (req.path == "/v2/lib/app/manifests/latest") {
        res.set_header("Docker-Content-Digest", digestOf(kManifest));
        res.set_content(kManifest, std::string(media::kOciManifest));
        return;
      }
      res.status = 404;
      res.set_content(
          R"({"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]})",
          "application/json");
    });
    server.start();
  }
};

TEST(RegistryClient, BearerTokenFlowWithCredentialsAndCache) {
  TokenRegistry registry;
  registry.start();
  RegistryOptions options = plainHttp();
  options.credentials = Credentials{"bob", "hunter2", ""};
  auto client = RegistryClient::create(registry.server.host(), options);
  ASSERT_TRUE(client);
  for (int i = 0; i < 3; ++i) {
    auto manifest = (*client)->fetchManifest("lib/app", "latest");
    ASSERT_TRUE(manifest) << manifest.error().message;
    EXPECT_EQ(manifest->bytes, kManifest);
  }
  EXPECT_EQ(registry.token_requests.load(), 1);     // cached for the scope
  EXPECT_EQ(registry.registry_requests.load(), 4);  // one 401, then three with the token
  EXPECT_EQ(registry.last_scope, "repository:lib/app:pull");
  EXPECT_EQ(registry.last_service, "test-registry");

  image::Descriptor missing;
  missing.digest = digestOf("nope");
  auto blob = (*client)->openBlob("lib/app", missing);
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, core::ErrorCode::NotFound);
  EXPECT_NE(blob.error().message.find("BLOB_UNKNOWN: blob unknown to registry"), std::string::npos)
      << blob.error().message;
}

TEST(RegistryClient, BearerAnonymousAndAccessToken) {
  TokenRegistry registry;
  registry.anonymous_allowed = true;
  registry.use_access_token = true;
  registry.start();
  auto client = RegistryClient::create(registry.server.host(), plainHttp());
  ASSERT_TRUE(client);
  auto manifest = (*client)->fetchManifest("lib/app", "latest");
  ASSERT_TRUE(manifest) << manifest.error().message;
}

TEST(RegistryClient, BearerWrongPasswordIsAnAuthError) {
  TokenRegistry registry;
  registry.start();
  RegistryOptions options = plainHttp();
  options.credentials = Credentials{"bob", "wrong-password-xyzzy", ""};
  auto client = RegistryClient::create(registry.server.host(), options);
  ASSERT_TRUE(client);
  auto manifest = (*client)->fetchManifest("lib/app", "latest");
  ASSERT_FALSE(manifest);
  EXPECT_EQ(manifest.error().code, core::ErrorCode::Auth);
  EXPECT_NE(manifest.error().message.find("incorrect username or password"), std::string::npos)
      << manifest.error().message;
  EXPECT_EQ(manifest.error().message.find("xyzzy"), std::string::npos);  // never the secret
}

TEST(RegistryClient, HttpsOnlyUnlessInsecure) {
  TokenRegistry registry;
  registry.anonymous_allowed = true;
  registry.start();
  RegistryOptions options = plainHttp();
  auto client = RegistryClient::create(registry.server.host(), options);
  ASSERT_TRUE(client);
  ASSERT_TRUE((*client)->fetchManifest("lib/app", "latest"));
  options.insecure = false;  // HTTPS only: the plain-HTTP loopback server cannot be reached
  auto secure = RegistryClient::create(registry.server.host(), options);
  ASSERT_TRUE(secure);
  auto manifest = (*secure)->fetchManifest("lib/app", "latest");
  ASSERT_FALSE(manifest);
  EXPECT_EQ(manifest.error().code, core::ErrorCode::Network);
}

TEST(RegistryClient, BasicAuth) {
  LoopbackServer registry;
  std::atomic<int> unauthorised{0};
  registry.server.Get(R"(/v2/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != "Basic " + std::string("YWxpY2U6cGE6c3M=")) {
      ++unauthorised;
      res.status = 401;
      res.set_header("WWW-Authenticate", R"(Basic realm="Registry Realm")");
      res.set_content(R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
                      "application/json");
      return;
    }
    res.set_content(kManifest, std::string(media::kOciManifest));
  });
  registry.start();

  RegistryOptions options = plainHttp();
  options.credentials = Credentials{"alice", "pa:ss", ""};
  auto client = RegistryClient::create(registry.host(), options);
  ASSERT_TRUE(client);
  ASSERT_TRUE((*client)->fetchManifest("x", "1"));
  ASSERT_TRUE((*client)->fetchManifest("x", "2"));
  EXPECT_EQ(unauthorised.load(), 1);  // Basic is sent up front once the registry asked for it

  auto anonymous = RegistryClient::create(registry.host(), plainHttp());
  auto refused = (*anonymous)->fetchManifest("x", "1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Auth);

  options.credentials = Credentials{"alice", "wrong", ""};
  auto wrong = RegistryClient::create(registry.host(), options);
  auto denied = (*wrong)->fetchManifest("x", "1");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, core::ErrorCode::Auth);
  EXPECT_NE(denied.error().message.find("UNAUTHORIZED"), std::string::npos);
}

TEST(RegistryClient, RedirectToStorageDropsAuthorization) {
  const std::string blob = randomBytes(100000);
  LoopbackServer storage;
  std::string storage_auth = "unset";
  storage.server.Get("/bucket/blob", [&](const httplib::Request& req, httplib::Response& res) {
    storage_auth = req.get_header_value("Authorization");
    res.set_content(blob, "application/octet-stream");
  });
  storage.start();
  LoopbackServer registry;
  registry.server.Get(R"(/v2/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != "Bearer T") {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer realm=\"http://" + registry.host() + "/t\"");
      return;
    }
    res.set_redirect("http://" + storage.host() + "/bucket/blob", 307);
  });
  registry.server.Get("/t", [](const auto&, auto& res) {
    res.set_content(R"({"token":"T"})", "application/json");
  });
  registry.start();

  auto client = RegistryClient::create(registry.host(), plainHttp());
  auto stream = (*client)->openBlob("r", blobDescriptor(blob));
  ASSERT_TRUE(stream) << stream.error().message;
  auto bytes = readStream(**stream);
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_TRUE(*bytes == blob);
  EXPECT_EQ(storage_auth, "");
}

TEST(RegistryClient, ManifestChecks) {
  const std::string big(image::kMaxManifestBytes + 10, ' ');
  const std::string schema1 = R"({"schemaVersion":1,"name":"x","fsLayers":[]})";
  LoopbackServer registry;
  registry.server.Get(
      R"(/v2/r/manifests/(.*))", [&](const httplib::Request& req, httplib::Response& res) {
        const std::string ref = req.matches[1];
        if (ref == "big") {
          res.set_content(big, std::string(media::kOciManifest));
        } else if (ref == "lying") {
          res.set_header("Docker-Content-Digest", digestOf("something else"));
          res.set_content(kManifest, std::string(media::kOciManifest));
        } else if (ref == "schema1") {
          res.set_content(schema1, "application/vnd.docker.distribution.manifest.v1+prettyjws");
        } else if (ref == "schema1-json") {
          res.set_content(schema1, "application/json");
        } else if (ref == "broken") {
          res.status = 500;
          res.set_content("<html>oops</html>\nmore", "text/html");
        } else {
          res.set_content(kManifest, std::string(media::kOciManifest));  // whatever was asked
        }
      });
  registry.start();
  auto client = RegistryClient::create(registry.host(), plainHttp());
  ASSERT_TRUE(client);
  const auto code = [&](std::string_view ref) {
    auto got = (*client)->fetchManifest("r", ref);
    return got ? std::string("ok") : std::string(got.error().message);
  };
  auto big_result = (*client)->fetchManifest("r", "big");
  ASSERT_FALSE(big_result);
  EXPECT_EQ(big_result.error().code, core::ErrorCode::Limit);
  auto lying = (*client)->fetchManifest("r", "lying");
  ASSERT_FALSE(lying);
  EXPECT_EQ(lying.error().code, core::ErrorCode::Integrity);
  auto wrong = (*client)->fetchManifest("r", digestOf("other"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, core::ErrorCode::Integrity);
  EXPECT_EQ(code(digestOf(kManifest)), "ok");
  for (const char* ref : {"schema1", "schema1-json"}) {
    auto old = (*client)->fetchManifest("r", ref);
    ASSERT_FALSE(old);
    EXPECT_EQ(old.error().code, core::ErrorCode::Input);
    EXPECT_NE(old.error().message.find("unsupported"), std::string::npos);
  }
  auto broken = (*client)->fetchManifest("r", "broken");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, core::ErrorCode::Network);
  EXPECT_NE(broken.error().message.find("HTTP 500: <html>oops</html>"), std::string::npos)
      << broken.error().message;
  auto bad = (*client)->fetchManifest("r", "sha256:xyz");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::ErrorCode::Input);
}

TEST(RegistryClient, UnreachableRegistryIsANetworkError) {
  int port = 0;
  {
    LoopbackServer closed;
    closed.start();
    port = closed.port;
  }
  auto client = RegistryClient::create("127.0.0.1:" + std::to_string(port), plainHttp());
  ASSERT_TRUE(client);
  auto manifest = (*client)->fetchManifest("r", "t");
  ASSERT_FALSE(manifest);
  EXPECT_EQ(manifest.error().code, core::ErrorCode::Network);
}

TEST(RegistryErrorMessage, Formats) {
  EXPECT_EQ(
      registryErrorMessage(
          R"({"errors":[{"code":"A","message":"one"},{"code":"B","message":"two","detail":{}}]})"),
      "A: one; B: two");
  EXPECT_EQ(registryErrorMessage(R"({"error":"invalid_grant","error_description":"bad"})"), "bad");
  EXPECT_EQ(registryErrorMessage("plain text\nsecond line"), "plain text");
  EXPECT_EQ(registryErrorMessage(""), "");
  EXPECT_EQ(registryErrorMessage("\x1b[31mred"), "\\x1b[31mred");
}

}  // namespace
}  // namespace bulwark::image::registry
