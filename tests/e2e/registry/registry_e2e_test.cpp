// The registry client against a REAL registry: Debian's docker-registry (distribution 2.8)
// started on a free loopback port with its storage in a temp dir, in three set-ups:
//   1. anonymous, plain HTTP (--insecure);
//   2. htpasswd (bcrypt) Basic auth over TLS with a self-signed certificate made by openssl at
//      test time, trusted through RegistryOptions::ca_file;
//   3. token auth: the registry trusts the certificate of a token server run by this test
//      (cpp-httplib + OpenSSL), which issues RS256 JWTs with an x5c header.
// Images are made at test time with umoci (a few small files) and pushed with skopeo; one is a
// multi-platform index (amd64 + arm64) pushed with `skopeo copy --all`. Every test reads every
// blob through openBlob and checks its digest, then corrupts a layer file in the registry's
// storage and expects ErrorCode::Integrity. Missing tools skip the tests with the reason.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "image/registry/registry_source.h"
#include "support/process.h"
#include "support/registry.h"

namespace bulwark::image::registry {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
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

#define REQUIRE_TOOLS()                                                                  \
  do {                                                                                   \
    if (const std::string missing = missingTools(); !missing.empty()) {                  \
      GTEST_SKIP() << "registry e2e needs " << missing << " (run scripts/install-deps)"; \
    }                                                                                    \
  } while (0)

// ---------------------------------------------------------------------------------------------
// Test images: an OCI layout with tags amd64, arm64 and multi (an index of both).

struct TestImages {
  TempDir dir;
  fs::path layout;
  bool ok = false;
  std::string failure;
};

TestImages* images = nullptr;

// Writes a blob into the layout and returns its descriptor JSON.
Json addBlob(const fs::path& layout, const std::string& bytes, std::string_view media_type) {
  const std::string hex = core::sha256Hex(bytes);
  writeFile(layout / "blobs" / "sha256" / hex, bytes);
  return Json{{"mediaType", media_type},
              {"digest", "sha256:" + hex},
              {"size", static_cast<std::int64_t>(bytes.size())}};
}

::testing::AssertionResult buildImages(TestImages& out) {
  out.layout = out.dir.path() / "layout";
  const std::string layout = shellQuote(out.layout.string());
  if (auto ok = runCommand("umoci init --layout " + layout); !ok) return ok;
  for (const std::string arch : {"amd64", "arm64"}) {
    const fs::path root = out.dir.path() / ("root-" + arch);
    writeFile(root / "etc" / "os-release",
              "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
    writeFile(root / "var" / "lib" / "dpkg" / "status",
              "Package: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u5\n"
              "Architecture: " +
                  arch +
                  "\n\nPackage: hello\nStatus: install ok installed\n"
                  "Version: 2.10-3\nArchitecture: " +
                  arch + "\n\n");
    writeFile(root / "usr" / "share" / "doc" / "hello" / "README", "hello from " + arch + "\n");
    const std::string image = shellQuote(out.layout.string() + ":" + arch);
    if (auto ok = runCommand("umoci new --image " + image); !ok) return ok;
    if (auto ok =
            runCommand("umoci config --image " + image + " --os linux --architecture " + arch);
        !ok) {
      return ok;
    }
    if (auto ok = runCommand("umoci insert --image " + image + " " +
                             shellQuote((root / "etc").string()) + " /etc");
        !ok) {
      return ok;
    }
    if (auto ok = runCommand("umoci insert --image " + image + " " +
                             shellQuote((root / "var").string()) + " /var");
        !ok) {
      return ok;
    }
    if (auto ok = runCommand("umoci insert --image " + image + " " +
                             shellQuote((root / "usr").string()) + " /usr");
        !ok) {
      return ok;
    }
  }
  // A multi-platform index over the two manifests, tagged "multi".
  Json index_json = Json::parse(readFile(out.layout / "index.json"));
  Json manifests = Json::array();
  for (const auto& entry : index_json["manifests"]) {
    const std::string tag = entry["annotations"]["org.opencontainers.image.ref.name"];
    Json descriptor = {{"mediaType", entry["mediaType"]},
                       {"digest", entry["digest"]},
                       {"size", entry["size"]},
                       {"platform", {{"os", "linux"}, {"architecture", tag}}}};
    if (tag == "arm64") descriptor["platform"]["variant"] = "v8";
    manifests.push_back(descriptor);
  }
  if (manifests.size() != 2) return ::testing::AssertionFailure() << "umoci made no 2 images";
  const Json nested = {
      {"schemaVersion", 2}, {"mediaType", media::kOciIndex}, {"manifests", manifests}};
  Json entry = addBlob(out.layout, nested.dump(), media::kOciIndex);
  entry["annotations"] = {{"org.opencontainers.image.ref.name", "multi"}};
  index_json["manifests"].push_back(entry);
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

// ---------------------------------------------------------------------------------------------
// A registry for one test

struct Registry : bulwark::testing::DockerRegistry {
  Registry() : DockerRegistry("bulwark-registry") {}

  // skopeo copy from the test layout; `flags` carries TLS and credentials options.
  ::testing::AssertionResult push(const std::string& tag, const std::string& destination,
                                  const std::string& flags, bool all = false) {
    return runCommand("skopeo copy --quiet " + std::string(all ? "--all " : "") + flags + " " +
                      shellQuote("oci:" + images->layout.string() + ":" + tag) + " " +
                      shellQuote("docker://" + host() + "/" + destination));
  }
};

#define REQUIRE_IMAGES()                                                               \
  do {                                                                                 \
    REQUIRE_TOOLS();                                                                   \
    ASSERT_NE(images, nullptr);                                                        \
    ASSERT_TRUE(images->ok) << "building the test images failed: " << images->failure; \
  } while (0)

core::Result<std::string> readAllOf(image::ByteStream& stream) {
  std::string out;
  char buffer[65536];
  for (;;) {
    auto got = stream.read(buffer, sizeof buffer);
    if (!got) return tl::unexpected(got.error());
    if (*got == 0) return out;
    out.append(buffer, *got);
  }
}

// Resolves `reference` for `platform`, reads the config and every layer through openBlob and
// checks each digest; returns the image for further checks.
RegistryImage verifyImage(const std::string& reference, const RegistryOptions& options,
                          const image::Platform& platform) {
  auto ref = Reference::parse(reference);
  EXPECT_TRUE(ref) << ref.error().message;
  if (!ref) return {};
  auto opened = openRegistryImage(*ref, options, platform);
  EXPECT_TRUE(opened) << reference << ": " << opened.error().message;
  if (!opened) return {};
  const auto& image = opened->image;
  EXPECT_EQ(image.platform.architecture, platform.architecture);
  EXPECT_EQ(image.layers.size(), 3U);
  EXPECT_EQ(image.diff_ids.size(), image.layers.size());
  EXPECT_EQ(opened->repo_digest.rfind(ref->name() + "@sha256:", 0), 0U) << opened->repo_digest;
  std::vector<image::Descriptor> blobs = image.layers;
  blobs.push_back(image.config);
  for (const auto& descriptor : blobs) {
    auto stream = opened->store->openBlob(descriptor);
    EXPECT_TRUE(stream) << descriptor.digest << ": " << stream.error().message;
    if (!stream) continue;
    auto bytes = readAllOf(**stream);
    EXPECT_TRUE(bytes) << descriptor.digest << ": " << bytes.error().message;
    if (!bytes) continue;
    EXPECT_EQ("sha256:" + core::sha256Hex(*bytes), descriptor.digest);
    EXPECT_EQ(static_cast<std::int64_t>(bytes->size()), descriptor.size);
  }
  return std::move(*opened);
}

// Flips one byte of the first layer in the registry's storage; reading it must then fail with
// ErrorCode::Integrity.
void expectCorruptionDetected(const Registry& registry, RegistryImage& opened) {
  ASSERT_FALSE(opened.image.layers.empty());
  const auto& layer = opened.image.layers.front();
  const fs::path file = registry.blobFile(layer.digest);
  ASSERT_TRUE(fs::exists(file)) << file;
  std::string bytes = readFile(file);
  ASSERT_FALSE(bytes.empty());
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x20);
  writeFile(file, bytes);
  auto stream = opened.store->openBlob(layer);
  ASSERT_TRUE(stream) << stream.error().message;
  auto read = readAllOf(**stream);
  ASSERT_FALSE(read) << "a corrupted blob was accepted";
  EXPECT_EQ(read.error().code, core::ErrorCode::Integrity) << read.error().message;
}

RegistryOptions baseOptions() {
  RegistryOptions options;
  options.use_docker_config = false;
  options.connect_timeout = 10s;
  options.stall_timeout = 30s;
  return options;
}

const image::Platform kAmd64{"linux", "amd64", ""};
const image::Platform kArm64{"linux", "arm64", ""};

// ---------------------------------------------------------------------------------------------

TEST(RegistryE2E, AnonymousPlainHttp) {
  REQUIRE_IMAGES();
  Registry registry;
  ASSERT_TRUE(registry.start(""));
  ASSERT_TRUE(registry.push("amd64", "test/app:1.0", "--dest-tls-verify=false"));
  ASSERT_TRUE(registry.push("multi", "test/multi:latest", "--dest-tls-verify=false", true));

  RegistryOptions options = baseOptions();
  options.insecure = true;
  auto opened = verifyImage(registry.host() + "/test/app:1.0", options, kAmd64);
  ASSERT_TRUE(opened.store);

  // By digest, too.
  const std::string pinned =
      registry.host() + "/test/app@" + opened.repo_digest.substr(opened.repo_digest.find('@') + 1);
  verifyImage(pinned, options, kAmd64);

  // The multi-platform index resolves to the requested platform.
  auto amd = verifyImage(registry.host() + "/test/multi", options, kAmd64);
  auto arm = verifyImage(registry.host() + "/test/multi", options, kArm64);
  ASSERT_TRUE(amd.store && arm.store);
  EXPECT_NE(amd.image.manifest_digest, arm.image.manifest_digest);
  EXPECT_EQ(amd.repo_digest, arm.repo_digest);  // the index's digest
  auto s390 = Reference::parse(registry.host() + "/test/multi");
  auto none = openRegistryImage(*s390, options, image::Platform{"linux", "s390x", ""});
  EXPECT_FALSE(none);

  auto missing = Reference::parse(registry.host() + "/test/app:no-such-tag");
  auto not_found = openRegistryImage(*missing, options, kAmd64);
  ASSERT_FALSE(not_found);
  EXPECT_EQ(not_found.error().code, core::ErrorCode::NotFound) << not_found.error().message;
  EXPECT_NE(not_found.error().message.find("MANIFEST_UNKNOWN"), std::string::npos)
      << not_found.error().message;

  // Without --insecure the client insists on HTTPS and fails cleanly.
  auto secure = openRegistryImage(*missing, baseOptions(), kAmd64);
  ASSERT_FALSE(secure);
  EXPECT_EQ(secure.error().code, core::ErrorCode::Network) << secure.error().message;

  expectCorruptionDetected(registry, opened);
}

TEST(RegistryE2E, HtpasswdBasicAuthOverTls) {
  REQUIRE_IMAGES();
  Registry registry;
  ASSERT_TRUE(registry.startWithPasswordOverTls("alice", "open sesame"));
  const fs::path cert = registry.cert();
  ASSERT_TRUE(registry.push("amd64", "secure/app:1",
                            "--dest-tls-verify=false "
                            "--dest-creds 'alice:open sesame'"));

  RegistryOptions options = baseOptions();
  options.ca_file = cert.string();
  options.credentials = Credentials{"alice", "open sesame", ""};
  auto opened = verifyImage(registry.host() + "/secure/app:1", options, kAmd64);
  ASSERT_TRUE(opened.store);

  const auto ref = *Reference::parse(registry.host() + "/secure/app:1");
  RegistryOptions wrong = options;
  wrong.credentials = Credentials{"alice", "not the password", ""};
  auto refused = openRegistryImage(ref, wrong, kAmd64);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Auth) << refused.error().message;
  EXPECT_EQ(refused.error().message.find("not the password"), std::string::npos);

  RegistryOptions anonymous = options;
  anonymous.credentials.reset();
  auto no_credentials = openRegistryImage(ref, anonymous, kAmd64);
  ASSERT_FALSE(no_credentials);
  EXPECT_EQ(no_credentials.error().code, core::ErrorCode::Auth);

  // Without the CA file the self-signed certificate is refused.
  RegistryOptions untrusted = options;
  untrusted.ca_file.clear();
  auto tls = openRegistryImage(ref, untrusted, kAmd64);
  ASSERT_FALSE(tls);
  EXPECT_EQ(tls.error().code, core::ErrorCode::Network) << tls.error().message;

  expectCorruptionDetected(registry, opened);
}

// ---------------------------------------------------------------------------------------------
// The token server: GET /token?service=…&scope=repository:NAME:ACTIONS with Basic credentials
// answers {"token": JWT}, the JWT signed RS256 by the key whose certificate the registry trusts.

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
  EVP_PKEY* key_ = nullptr;
  std::string cert_der_;
  std::string issuer_;
  std::string user_;
  std::string password_;
};

TEST(RegistryE2E, BearerTokenAuthWithOwnTokenServer) {
  REQUIRE_IMAGES();
  Registry registry;
  const fs::path cert = registry.dir() / "token-cert.pem";
  const fs::path key = registry.dir() / "token-key.pem";
  ASSERT_TRUE(
      runCommand("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bulwark-token "
                 "-keyout " +
                 shellQuote(key.string()) + " -out " + shellQuote(cert.string())));
  TokenServer tokens(key, cert, "bulwark-test-issuer", "bob", "hunter2");
  ASSERT_TRUE(tokens.ready());
  ASSERT_TRUE(registry.start("auth:\n  token:\n    realm: " + tokens.realm() +
                             "\n    service: bulwark-registry\n    issuer: bulwark-test-issuer\n"
                             "    rootcertbundle: " +
                             cert.string() + "\n"));
  ASSERT_TRUE(registry.push("amd64", "tok/app:1",
                            "--dest-tls-verify=false "
                            "--dest-creds bob:hunter2"));
  ASSERT_TRUE(registry.push("multi", "tok/multi:1",
                            "--dest-tls-verify=false "
                            "--dest-creds bob:hunter2",
                            true));

  RegistryOptions options = baseOptions();
  options.insecure = true;  // plain-HTTP registry and token realm
  options.credentials = Credentials{"bob", "hunter2", ""};
  const int before = tokens.requests();
  auto opened = verifyImage(registry.host() + "/tok/app:1", options, kAmd64);
  ASSERT_TRUE(opened.store);
  EXPECT_EQ(tokens.requests() - before, 1);  // one token for the scope, reused for every blob
  verifyImage(registry.host() + "/tok/multi:1", options, kArm64);

  const auto ref = *Reference::parse(registry.host() + "/tok/app:1");
  RegistryOptions wrong = options;
  wrong.credentials = Credentials{"bob", "hunter3", ""};
  auto refused = openRegistryImage(ref, wrong, kAmd64);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Auth) << refused.error().message;
  EXPECT_NE(refused.error().message.find("invalid credentials"), std::string::npos)
      << refused.error().message;

  expectCorruptionDetected(registry, opened);
}

// ---------------------------------------------------------------------------------------------
// The same through the command line: `bulwark sbom HOST/REPO:TAG` with its registry flags.

struct CliRun {
  int status = -1;
  std::string out;
};

CliRun runCli(const std::string& args, const std::string& stdin_text = "") {
  const char* bin = std::getenv("BULWARK_BIN");
  const std::string command =
      (stdin_text.empty() ? "" : "printf '%s\\n' " + shellQuote(stdin_text) + " | ") +
      shellQuote(bin != nullptr ? bin : "build/bin/bulwark") + " " + args + " 2>&1";
  CliRun result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  result.status = WEXITSTATUS(::pclose(pipe));
  return result;
}

std::vector<std::string> packageLines(const std::string& json_text) {
  std::vector<std::string> lines;
  const Json doc = Json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.contains("packages")) return lines;
  for (const auto& p : doc["packages"]) {
    lines.push_back(p["name"].get<std::string>() + " " + p["full_version"].get<std::string>() +
                    " " + p["arch"].get<std::string>());
  }
  return lines;
}

TEST(RegistryE2E, CliSbomFromRegistry) {
  REQUIRE_IMAGES();
  Registry registry;
  ASSERT_TRUE(registry.start(""));
  ASSERT_TRUE(registry.push("multi", "cli/multi:1", "--dest-tls-verify=false", true));
  const auto amd = runCli("sbom " + registry.host() + "/cli/multi:1 --insecure --format json");
  ASSERT_EQ(amd.status, 0) << amd.out;
  EXPECT_EQ(packageLines(amd.out),
            (std::vector<std::string>{"base-files 12.4+deb12u5 amd64", "hello 2.10-3 amd64"}));
  const Json doc = Json::parse(amd.out);
  EXPECT_EQ(doc["target"]["kind"], "registry");
  EXPECT_EQ(doc["distro"]["id"], "debian");
  ASSERT_EQ(doc["target"]["repo_digests"].size(), 1U);
  EXPECT_EQ(doc["packages"][0]["location"]["layer"].get<std::string>().substr(0, 7), "sha256:");
  const auto arm = runCli("sbom registry:" + registry.host() +
                          "/cli/multi:1 --insecure --platform linux/arm64 --format json");
  ASSERT_EQ(arm.status, 0) << arm.out;
  EXPECT_EQ(packageLines(arm.out),
            (std::vector<std::string>{"base-files 12.4+deb12u5 arm64", "hello 2.10-3 arm64"}));
  const auto missing = runCli("sbom " + registry.host() + "/cli/none:1 --insecure");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.out.find("MANIFEST_UNKNOWN"), std::string::npos) << missing.out;
}

TEST(RegistryE2E, CliPasswordFromStdinOverTls) {
  REQUIRE_IMAGES();
  Registry registry;
  ASSERT_TRUE(registry.startWithPasswordOverTls("bob", "s3cret pass"));
  const fs::path cert = registry.cert();
  ASSERT_TRUE(registry.push("amd64", "private/app:2",
                            "--dest-tls-verify=false --dest-creds 'bob:s3cret pass'"));
  const std::string target =
      registry.host() + "/private/app:2 --ca-file " + shellQuote(cert.string());
  const auto ok =
      runCli("sbom " + target + " --username bob --password-stdin --format json", "s3cret pass");
  ASSERT_EQ(ok.status, 0) << ok.out;
  EXPECT_EQ(packageLines(ok.out).size(), 2U);
  const auto refused = runCli("sbom " + target + " --username bob --password-stdin", "wrong pass");
  EXPECT_EQ(refused.status, 2);
  EXPECT_EQ(refused.out.find("wrong pass"), std::string::npos) << "a secret was printed";
}

}  // namespace
}  // namespace bulwark::image::registry
