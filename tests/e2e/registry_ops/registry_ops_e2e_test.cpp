// What the service does with registries, against a REAL registry: Debian's docker-registry
// (distribution 2.8) on a free loopback port, storage in a temp dir, stopped at the end of each
// test even when an assertion fails:
//   listing    the catalog and tag lists, paginated with the registry's own Link headers;
//   probing    HEAD of manifests (the digest skopeo reports) and blobs;
//   promotion  quarantine/x → release/x of an image, of a multi-platform index, of a 4 MiB
//              layer streamed without a mount (one PUT, and PATCH chunks); checked with
//              `skopeo inspect` (same digest) and byte comparison; run twice (idempotent);
//   polling    catalog → tags → digests, per-repository errors as diagnostics;
// anonymous over plain HTTP, and htpasswd (bcrypt) Basic auth over TLS with a self-signed
// certificate made by openssl at test time, and token auth with the test's own token server
// (checking the scopes asked for push and cross-repository mount). Images are made with umoci and
// pushed with skopeo.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "image/registry/client.h"
#include "pipeline/service/poller.h"
#include "pipeline/service/promote.h"
#include "support/process.h"
#include "support/registry.h"

namespace bulwark::pipeline::service {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using image::registry::Credentials;
using image::registry::RegistryClient;
using image::registry::RegistryOptions;
using Json = nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Process and file helpers (tests/support)

using bulwark::testing::readFile;
using bulwark::testing::runCommand;
using bulwark::testing::shellQuote;
using bulwark::testing::TempDir;
using bulwark::testing::writeFile;

std::string missingTools() {
  return bulwark::testing::missingTools(
      {"docker-registry", "skopeo", "umoci", "openssl", "htpasswd"});
}

struct Output {
  int status = -1;
  std::string text;
};

// Runs a shell command; `status` is 0 when it succeeded, `text` its stdout and stderr.
Output capture(const std::string& command) {
  Output out;
  out.status = runCommand(command, &out.text) ? 0 : 1;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Test images: an OCI layout with tags amd64, arm64 (three small layers each), multi (an index
// of both) and big (one layer holding 4 MiB of random bytes, which gzip cannot shrink).

struct TestImages {
  TempDir dir;
  fs::path layout;
  bool ok = false;
  std::string failure;
};

TestImages* images = nullptr;

::testing::AssertionResult buildImages(TestImages& out) {
  out.layout = out.dir.path() / "layout";
  const std::string layout = shellQuote(out.layout.string());
  if (auto ok = runCommand("umoci init --layout " + layout); !ok) return ok;
  const auto image = [&](const std::string& tag) {
    return shellQuote(out.layout.string() + ":" + tag);
  };
  for (const std::string arch : {"amd64", "arm64"}) {
    const fs::path root = out.dir.path() / ("root-" + arch);
    writeFile(root / "etc" / "os-release", "ID=debian\nVERSION_ID=\"12\"\n");
    writeFile(root / "var" / "lib" / "dpkg" / "status",
              "Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nArchitecture: " +
                  arch + "\n\n");
    writeFile(root / "usr" / "share" / "doc" / "hello" / "README", "hello from " + arch + "\n");
    if (auto ok = runCommand("umoci new --image " + image(arch)); !ok) return ok;
    if (auto ok = runCommand("umoci config --image " + image(arch) + " --os linux --architecture " +
                             arch);
        !ok) {
      return ok;
    }
    for (const std::string top : {"etc", "var", "usr"}) {
      if (auto ok = runCommand("umoci insert --image " + image(arch) + " " +
                               shellQuote((root / top).string()) + " /" + top);
          !ok) {
        return ok;
      }
    }
  }
  {
    std::mt19937_64 random(1);
    std::string noise(4U << 20, '\0');
    for (auto& c : noise) c = static_cast<char>(random());
    writeFile(out.dir.path() / "big" / "noise.bin", noise);
    if (auto ok = runCommand("umoci new --image " + image("big")); !ok) return ok;
    if (auto ok = runCommand("umoci insert --image " + image("big") + " " +
                             shellQuote((out.dir.path() / "big").string()) + " /data");
        !ok) {
      return ok;
    }
  }
  Json index_json = Json::parse(readFile(out.layout / "index.json"));
  Json manifests = Json::array();
  for (const auto& entry : index_json["manifests"]) {
    const std::string tag = entry["annotations"]["org.opencontainers.image.ref.name"];
    if (tag != "amd64" && tag != "arm64") continue;
    manifests.push_back({{"mediaType", entry["mediaType"]},
                         {"digest", entry["digest"]},
                         {"size", entry["size"]},
                         {"platform", {{"os", "linux"}, {"architecture", tag}}}});
  }
  if (manifests.size() != 2) return ::testing::AssertionFailure() << "umoci made no 2 images";
  const std::string nested = Json{
      {"schemaVersion", 2},
      {"mediaType", image::media::kOciIndex},
      {"manifests", manifests}}.dump();
  const std::string hex = core::sha256Hex(nested);
  writeFile(out.layout / "blobs" / "sha256" / hex, nested);
  index_json["manifests"].push_back(
      {{"mediaType", image::media::kOciIndex},
       {"digest", "sha256:" + hex},
       {"size", nested.size()},
       {"annotations", {{"org.opencontainers.image.ref.name", "multi"}}}});
  writeFile(out.layout / "index.json", index_json.dump());
  return ::testing::AssertionSuccess();
}

class Environment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!missingTools().empty()) return;
    images = new TestImages();
    auto built = buildImages(*images);
    images->ok = built;
    if (!built) images->failure = built.message();
  }
  void TearDown() override {
    delete images;
    images = nullptr;
  }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new Environment);

#define REQUIRE_IMAGES()                                                                     \
  do {                                                                                       \
    if (const std::string missing = missingTools(); !missing.empty()) {                      \
      GTEST_SKIP() << "registry ops e2e needs " << missing << " (run scripts/install-deps)"; \
    }                                                                                        \
    ASSERT_NE(images, nullptr);                                                              \
    ASSERT_TRUE(images->ok) << "building the test images failed: " << images->failure;       \
  } while (0)

// ---------------------------------------------------------------------------------------------
// A registry for one test

struct Registry : bulwark::testing::DockerRegistry {
  std::string skopeo_flags = "--tls-verify=false";  // for inspect
  std::string push_flags = "--dest-tls-verify=false";

  Registry() : DockerRegistry("bulwark-regops") {}

  ::testing::AssertionResult startWithPasswordOverTls(const std::string& user,
                                                      const std::string& password) {
    const std::string creds = shellQuote(user + ":" + password);
    skopeo_flags = "--tls-verify=false --creds " + creds;
    push_flags = "--dest-tls-verify=false --dest-creds " + creds;
    return DockerRegistry::startWithPasswordOverTls(user, password);
  }

  ::testing::AssertionResult push(const std::string& tag, const std::string& destination,
                                  bool all = false) {
    return runCommand("skopeo copy --quiet " + std::string(all ? "--all " : "") + push_flags + " " +
                      shellQuote("oci:" + images->layout.string() + ":" + tag) + " " +
                      shellQuote("docker://" + host() + "/" + destination));
  }

  // The sha256 of the manifest bytes skopeo reads ("" on failure).
  std::string rawDigest(const std::string& reference) {
    const auto out = capture("skopeo inspect --raw " + skopeo_flags + " " +
                             shellQuote("docker://" + host() + "/" + reference) + " 2>/dev/null");
    return out.status == 0 ? "sha256:" + core::sha256Hex(out.text) : "";
  }

  // What skopeo says the digest of `reference` is ("" on failure).
  std::string skopeoDigest(const std::string& reference) {
    const auto out = capture("skopeo inspect --raw " + skopeo_flags + " " +
                             shellQuote("docker://" + host() + "/" + reference) + " 2>/dev/null");
    if (out.status != 0) return "";
    const auto inspected =
        capture("skopeo inspect " + skopeo_flags + " --format '{{.Digest}}' " +
                shellQuote("docker://" + host() + "/" + reference) + " 2>/dev/null");
    std::string digest = inspected.text.substr(0, inspected.text.find('\n'));
    // `--raw` gives the stored bytes: their hash must be the same digest.
    if (digest != "sha256:" + core::sha256Hex(out.text)) return "mismatch:" + digest;
    return digest;
  }
};

RegistryOptions baseOptions() {
  RegistryOptions options;
  options.use_docker_config = false;
  options.connect_timeout = 10s;
  options.stall_timeout = 30s;
  return options;
}

// Every manifest, config and layer of `digest` reads back from `repository`, verified.
void expectReadable(RegistryClient& client, const std::string& repository,
                    const std::string& digest, int depth = 0) {
  auto manifest = client.fetchManifest(repository, digest);
  ASSERT_TRUE(manifest) << repository << "@" << digest << ": " << manifest.error().message;
  const Json json = Json::parse(manifest->bytes);
  if (json.contains("manifests")) {
    ASSERT_LT(depth, 2);
    for (const auto& child : json["manifests"]) {
      expectReadable(client, repository, child["digest"].get<std::string>(), depth + 1);
    }
    return;
  }
  std::vector<Json> blobs = {json["config"]};
  for (const auto& layer : json["layers"]) blobs.push_back(layer);
  for (const auto& blob : blobs) {
    image::Descriptor descriptor;
    descriptor.digest = blob["digest"];
    descriptor.size = blob["size"];
    auto stream = client.openBlob(repository, descriptor);
    ASSERT_TRUE(stream) << stream.error().message;
    auto bytes = image::readAll(**stream, 64U << 20);
    ASSERT_TRUE(bytes) << descriptor.digest << ": " << bytes.error().message;
  }
}

// Lists, probes, promotes and polls on `registry` with `client`; shared by both set-ups.
void exerciseRegistry(Registry& registry, RegistryClient& client) {
  ASSERT_TRUE(registry.push("amd64", "quarantine/app:1.0"));
  ASSERT_TRUE(registry.push("amd64", "quarantine/app:1.1"));
  ASSERT_TRUE(registry.push("arm64", "quarantine/app:arm"));
  ASSERT_TRUE(registry.push("multi", "quarantine/multi:latest", true));
  ASSERT_TRUE(registry.push("big", "quarantine/big:1"));

  // Listing, with pages of one entry: the registry's Link headers are followed.
  image::registry::ListLimits one_per_page;
  one_per_page.page_size = 1;
  auto catalog = client.listCatalog(one_per_page);
  ASSERT_TRUE(catalog) << catalog.error().message;
  EXPECT_EQ(catalog->names,
            (std::vector<std::string>{"quarantine/app", "quarantine/big", "quarantine/multi"}));
  EXPECT_FALSE(catalog->truncated);
  auto tags = client.listTags("quarantine/app", one_per_page);
  ASSERT_TRUE(tags) << tags.error().message;
  auto all_tags = client.listTags("quarantine/app");
  ASSERT_TRUE(all_tags) << all_tags.error().message;
  EXPECT_EQ(tags->names, all_tags->names);  // the registry's order, page by page
  std::sort(tags->names.begin(), tags->names.end());
  EXPECT_EQ(tags->names, (std::vector<std::string>{"1.0", "1.1", "arm"}));
  auto no_tags = client.listTags("quarantine/none");
  ASSERT_FALSE(no_tags);
  EXPECT_EQ(no_tags.error().code, core::ErrorCode::NotFound) << no_tags.error().message;

  // HEAD of a manifest gives what skopeo sees.
  const std::string app_digest = registry.skopeoDigest("quarantine/app:1.0");
  ASSERT_EQ(app_digest.rfind("sha256:", 0), 0U) << app_digest;
  auto head = client.headManifest("quarantine/app", "1.0");
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->digest, app_digest);
  EXPECT_EQ(head->media_type, image::media::kOciManifest);
  EXPECT_GT(head->size, 0);
  auto by_digest = client.headManifest("quarantine/app", app_digest);
  ASSERT_TRUE(by_digest);
  EXPECT_EQ(by_digest->digest, app_digest);
  auto multi_head = client.headManifest("quarantine/multi", "latest");
  ASSERT_TRUE(multi_head) << multi_head.error().message;
  EXPECT_EQ(multi_head->media_type, image::media::kOciIndex);

  // Promotion of one image: the blobs are mounted, the manifest is the same bytes.
  const auto target = mapQuarantine("quarantine/*", "release/*", "quarantine/app");
  ASSERT_EQ(target, "release/app");
  auto promoted = promoteImage(client, "quarantine/app", app_digest, *target, "1.0");
  ASSERT_TRUE(promoted) << promoted.error().message;
  EXPECT_EQ(promoted->digest, app_digest);
  EXPECT_EQ(promoted->blobs_mounted, 4U);  // config + 3 layers
  EXPECT_EQ(promoted->blobs_copied, 0U);
  EXPECT_EQ(promoted->manifests, 1U);
  EXPECT_EQ(registry.skopeoDigest("release/app:1.0"), app_digest);
  EXPECT_EQ(client.fetchManifest("release/app", "1.0")->bytes,
            client.fetchManifest("quarantine/app", "1.0")->bytes);
  expectReadable(client, "release/app", app_digest);

  // Again: idempotent, every blob already there.
  auto again = promoteImage(client, "quarantine/app", app_digest, "release/app", "1.0");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->blobs_present, 4U);
  EXPECT_EQ(again->blobs_mounted + again->blobs_copied, 0U);
  EXPECT_EQ(registry.skopeoDigest("release/app:1.0"), app_digest);

  // A multi-platform index: both children and the index, same digest.
  const std::string multi_digest = registry.skopeoDigest("quarantine/multi:latest");
  ASSERT_EQ(multi_digest, multi_head->digest);
  auto multi = promoteImage(client, "quarantine/multi", multi_digest, "release/multi", "latest");
  ASSERT_TRUE(multi) << multi.error().message;
  EXPECT_EQ(multi->media_type, image::media::kOciIndex);
  EXPECT_EQ(multi->manifests, 3U);
  // Every distinct blob of the two children is mounted once: 2 configs and their layers, of
  // which identical ones (the same files with the same mtimes, when both images were made in
  // the same second) count once.
  std::set<std::string> blobs;
  auto index = client.fetchManifest("quarantine/multi", multi_digest);
  ASSERT_TRUE(index) << index.error().message;
  const Json index_doc = Json::parse(index->bytes);
  for (const auto& child : index_doc["manifests"]) {
    auto manifest = client.fetchManifest("quarantine/multi", child["digest"].get<std::string>());
    ASSERT_TRUE(manifest) << manifest.error().message;
    const Json doc = Json::parse(manifest->bytes);
    blobs.insert(doc["config"]["digest"].get<std::string>());
    for (const auto& layer : doc["layers"]) blobs.insert(layer["digest"].get<std::string>());
  }
  EXPECT_GE(blobs.size(), 7U);  // 2 configs + 3 layers each, /etc the same for both at best
  EXPECT_EQ(multi->blobs_mounted, blobs.size());
  EXPECT_EQ(registry.skopeoDigest("release/multi:latest"), multi_digest);
  for (const std::string arch : {"amd64", "arm64"}) {
    const auto out = capture("skopeo inspect " + registry.skopeo_flags + " --override-arch " +
                             arch + " --format '{{.Architecture}}' " +
                             shellQuote("docker://" + registry.host() + "/release/multi:latest"));
    EXPECT_EQ(out.text, arch + "\n");
  }
  expectReadable(client, "release/multi", multi_digest);

  // A 4 MiB layer streamed through bulwark (no mount), in one PUT and in PATCH chunks.
  const std::string big_digest = registry.skopeoDigest("quarantine/big:1");
  PromoteOptions no_mount;
  no_mount.try_mount = false;
  auto copied = promoteImage(client, "quarantine/big", big_digest, "release/big", "1", no_mount);
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_EQ(copied->blobs_copied, 2U);
  EXPECT_GT(copied->bytes_copied, 4U << 20);
  EXPECT_EQ(registry.skopeoDigest("release/big:1"), big_digest);
  no_mount.chunk_bytes = 1U << 20;
  auto chunked =
      promoteImage(client, "quarantine/big", big_digest, "release/chunked", "", no_mount);
  ASSERT_TRUE(chunked) << chunked.error().message;
  EXPECT_EQ(chunked->blobs_copied, 2U);
  EXPECT_EQ(registry.rawDigest("release/chunked@" + big_digest), big_digest);  // no tag
  expectReadable(client, "release/chunked", big_digest);

  // A digest the source does not have fails cleanly.
  auto unknown =
      promoteImage(client, "quarantine/app", "sha256:" + std::string(64, '0'), "release/app", "x");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::NotFound) << unknown.error().message;

  // Polling: every tag of every repository with its digest.
  auto poll = pollRegistry(client);
  ASSERT_TRUE(poll) << poll.error().message;
  EXPECT_TRUE(poll->diagnostics.empty());
  EXPECT_FALSE(poll->truncated);
  EXPECT_EQ(poll->repositories, 7U);  // release/chunked has no tag
  const auto find = [&](const std::string& repository, const std::string& tag) {
    return std::find_if(poll->images.begin(), poll->images.end(), [&](const PolledImage& image) {
      return image.repository == repository && image.tag == tag;
    });
  };
  ASSERT_NE(find("release/app", "1.0"), poll->images.end());
  EXPECT_EQ(find("release/app", "1.0")->digest, app_digest);
  EXPECT_EQ(find("quarantine/multi", "latest")->digest, multi_digest);
  EXPECT_EQ(find("quarantine/multi", "latest")->media_type, image::media::kOciIndex);
  EXPECT_NE(find("quarantine/app", "arm")->digest, app_digest);
  EXPECT_EQ(poll->images.size(), 8U);  // quarantine/app ×3, big, multi; release/app, big, multi

  // Named repositories instead of the catalog: an unknown one is a diagnostic, not a failure.
  PollLimits named;
  named.repositories = {"quarantine/app", "nobody/here", "Not A Name"};
  named.max_tags_per_repository = 2;
  auto partial = pollRegistry(client, named);
  ASSERT_TRUE(partial) << partial.error().message;
  EXPECT_EQ(partial->images.size(), 2U);
  EXPECT_TRUE(partial->truncated);
  std::vector<std::string> kinds;
  for (const auto& diagnostic : partial->diagnostics) kinds.push_back(diagnostic.kind);
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"poll.invalid-name", "poll.tags-failed", "poll.truncated"}));
}

TEST(RegistryOpsE2E, AnonymousPlainHttp) {
  REQUIRE_IMAGES();
  Registry registry;
  ASSERT_TRUE(registry.start(""));
  RegistryOptions options = baseOptions();
  options.insecure = true;
  auto client = RegistryClient::create(registry.host(), options);
  ASSERT_TRUE(client) << client.error().message;
  exerciseRegistry(registry, **client);
}

TEST(RegistryOpsE2E, HtpasswdBasicAuthOverTls) {
  REQUIRE_IMAGES();
  Registry registry;
  ASSERT_TRUE(registry.startWithPasswordOverTls("alice", "open sesame"));
  RegistryOptions options = baseOptions();
  options.ca_file = registry.cert().string();
  options.credentials = Credentials{"alice", "open sesame", ""};
  auto client = RegistryClient::create(registry.host(), options);
  ASSERT_TRUE(client) << client.error().message;
  exerciseRegistry(registry, **client);

  // Wrong password: listing and promotion fail as Auth errors, and the password stays out.
  RegistryOptions wrong = options;
  wrong.credentials = Credentials{"alice", "not the password", ""};
  auto refused_client = RegistryClient::create(registry.host(), wrong);
  ASSERT_TRUE(refused_client);
  auto catalog = (*refused_client)->listCatalog();
  ASSERT_FALSE(catalog);
  EXPECT_EQ(catalog.error().code, core::ErrorCode::Auth) << catalog.error().message;
  const std::string digest = registry.skopeoDigest("quarantine/app:1.0");
  auto refused = promoteImage(**refused_client, "quarantine/app", digest, "release/other", "1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Auth) << refused.error().message;
  EXPECT_EQ(refused.error().message.find("not the password"), std::string::npos);
  auto poll = pollRegistry(**refused_client);
  ASSERT_FALSE(poll);  // without a catalog there is nothing to poll
  EXPECT_EQ(poll.error().code, core::ErrorCode::Auth);
}

// ---------------------------------------------------------------------------------------------
// Token auth: the registry trusts the certificate of a token server run by this test (RS256 JWTs
// with an x5c header, as in tests/e2e/registry), which grants what is asked and records it.

std::string base64(std::string_view bytes, bool url) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  if (url) {
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (auto& c : out) c = c == '+' ? '-' : (c == '/' ? '_' : c);
  }
  return out;
}

class TokenServer {
 public:
  TokenServer(const fs::path& key_pem, const fs::path& cert_pem, std::string issuer,
              std::string user, std::string password)
      : issuer_(std::move(issuer)), user_(std::move(user)), password_(std::move(password)) {
    if (FILE* f = fopen(key_pem.c_str(), "r")) {
      key_ = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
      fclose(f);
    }
    if (FILE* f = fopen(cert_pem.c_str(), "r")) {
      if (X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr)) {
        unsigned char* der = nullptr;
        const int n = i2d_X509(cert, &der);
        if (n > 0) cert_der_.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
        OPENSSL_free(der);
        X509_free(cert);
      }
      fclose(f);
    }
    server_.Get("/token",
                [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(2ms);
  }
  ~TokenServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
    EVP_PKEY_free(key_);
  }
  bool ready() const { return key_ != nullptr && !cert_der_.empty() && port_ > 0; }
  std::string realm() const { return "http://127.0.0.1:" + std::to_string(port_) + "/token"; }
  int requests() const { return requests_.load(); }
  std::vector<std::string> scopes() {
    const std::lock_guard lock(scopes_mutex_);
    return scopes_;
  }

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    const std::string expected = "Basic " + base64(user_ + ":" + password_, false);
    if (req.get_header_value("Authorization") != expected) {
      res.status = 401;
      res.set_content(R"({"details":"invalid credentials"})", "application/json");
      return;
    }
    Json access = Json::array();
    const auto count = req.get_param_value_count("scope");
    {
      std::string joined;
      for (std::size_t i = 0; i < count; ++i) {
        joined += (i == 0 ? "" : " ") + req.get_param_value("scope", i);
      }
      const std::lock_guard lock(scopes_mutex_);
      scopes_.push_back(joined);
    }
    for (std::size_t i = 0; i < count; ++i) {
      const std::string scope = req.get_param_value("scope", i);  // repository:NAME:ACTIONS
      const auto first = scope.find(':');
      const auto last = scope.rfind(':');
      if (first == std::string::npos || last == first) continue;
      Json actions = Json::array();
      std::stringstream list(scope.substr(last + 1));
      for (std::string action; std::getline(list, action, ',');) actions.push_back(action);
      access.push_back({{"type", scope.substr(0, first)},
                        {"name", scope.substr(first + 1, last - first - 1)},
                        {"actions", actions}});
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const Json header = {{"typ", "JWT"}, {"alg", "RS256"}, {"x5c", {base64(cert_der_, false)}}};
    const Json claims = {{"iss", issuer_},
                         {"sub", user_},
                         {"aud", req.get_param_value("service")},
                         {"exp", now + 300},
                         {"nbf", now - 10},
                         {"iat", now},
                         {"jti", std::to_string(now) + "-" + std::to_string(requests_.load())},
                         {"access", access}};
    const std::string signing_input =
        base64(header.dump(), true) + "." + base64(claims.dump(), true);
    std::string signature(static_cast<std::size_t>(EVP_PKEY_get_size(key_)), '\0');
    std::size_t length = signature.size();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool signed_ok =
        EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_) == 1 &&
        EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!signed_ok) {
      res.status = 500;
      return;
    }
    signature.resize(length);
    const std::string token = signing_input + "." + base64(signature, true);
    res.set_content(Json{{"token", token}, {"expires_in", 300}}.dump(), "application/json");
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::mutex scopes_mutex_;
  std::vector<std::string> scopes_;  // the scopes of each token request, space-separated
  EVP_PKEY* key_ = nullptr;
  std::string cert_der_;
  std::string issuer_;
  std::string user_;
  std::string password_;
};

TEST(RegistryOpsE2E, BearerTokenScopesForPushAndMount) {
  REQUIRE_IMAGES();
  Registry registry;
  const fs::path cert = registry.dir() / "token-cert.pem";
  const fs::path key = registry.dir() / "token-key.pem";
  ASSERT_TRUE(runCommand(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bulwark-token -keyout " +
      shellQuote(key.string()) + " -out " + shellQuote(cert.string())));
  TokenServer tokens(key, cert, "bulwark-test-issuer", "bob", "hunter2");
  ASSERT_TRUE(tokens.ready());
  ASSERT_TRUE(registry.start("auth:\n  token:\n    realm: " + tokens.realm() +
                             "\n    service: bulwark-registry\n    issuer: bulwark-test-issuer\n"
                             "    rootcertbundle: " +
                             cert.string() + "\n"));
  registry.skopeo_flags = "--tls-verify=false --creds bob:hunter2";
  registry.push_flags = "--dest-tls-verify=false --dest-creds bob:hunter2";
  ASSERT_TRUE(registry.push("amd64", "quarantine/app:1"));
  const std::string digest = registry.skopeoDigest("quarantine/app:1");
  ASSERT_EQ(digest.rfind("sha256:", 0), 0U) << digest;

  RegistryOptions options = baseOptions();
  options.insecure = true;  // plain-HTTP registry and token realm
  options.credentials = Credentials{"bob", "hunter2", ""};
  auto client = RegistryClient::create(registry.host(), options);
  ASSERT_TRUE(client);
  const auto before = tokens.scopes().size();
  auto promoted = promoteImage(**client, "quarantine/app", digest, "release/app", "1");
  ASSERT_TRUE(promoted) << promoted.error().message;
  EXPECT_EQ(promoted->blobs_mounted, 4U);
  const auto scopes = tokens.scopes();  // before skopeo asks for its own tokens
  EXPECT_EQ(registry.skopeoDigest("release/app:1"), digest);
  const std::vector<std::string> asked(scopes.begin() + static_cast<std::ptrdiff_t>(before),
                                       scopes.end());
  // Whether a token request asked for exactly these actions on the resource. The registry names
  // the scope it wants in its challenge, and Distribution lists the actions in Go map order
  // ("pull,push" or "push,pull"), so actions compare as a set.
  const auto has = [&](const std::string& resource, const std::set<std::string>& actions) {
    return std::any_of(asked.begin(), asked.end(), [&](const std::string& request) {
      std::stringstream scopes(request);
      std::string scope;
      while (scopes >> scope) {
        const auto last = scope.rfind(':');
        if (last == std::string::npos || scope.substr(0, last) != resource) continue;
        std::set<std::string> granted;
        std::stringstream list(scope.substr(last + 1));
        for (std::string action; std::getline(list, action, ',');) granted.insert(action);
        if (granted == actions) return true;
      }
      return false;
    });
  };
  EXPECT_TRUE(has("repository:release/app", {"pull", "push"})) << ::testing::PrintToString(asked);
  EXPECT_TRUE(has("repository:quarantine/app", {"pull"})) << ::testing::PrintToString(asked);
  // One token per scope, reused for every blob: source pull, target pull, mount, push.
  EXPECT_EQ(asked.size(), 4U) << ::testing::PrintToString(asked);

  // Streamed copies (no mount) and a second run.
  PromoteOptions no_mount;
  no_mount.try_mount = false;
  auto copied = promoteImage(**client, "quarantine/app", digest, "release/copy", "1", no_mount);
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_EQ(copied->blobs_copied, 4U);
  EXPECT_EQ(registry.skopeoDigest("release/copy:1"), digest);
  auto again = promoteImage(**client, "quarantine/app", digest, "release/app", "1");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->blobs_present, 4U);

  auto poll = pollRegistry(**client);
  ASSERT_TRUE(poll) << poll.error().message;
  EXPECT_EQ(poll->images.size(), 3U);
  EXPECT_TRUE(poll->diagnostics.empty());

  RegistryOptions wrong = options;
  wrong.credentials = Credentials{"bob", "hunter3", ""};
  auto refused_client = RegistryClient::create(registry.host(), wrong);
  auto refused = promoteImage(**refused_client, "quarantine/app", digest, "release/x", "1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Auth) << refused.error().message;
}

}  // namespace
}  // namespace bulwark::pipeline::service
