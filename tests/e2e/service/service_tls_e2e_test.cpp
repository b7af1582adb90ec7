// `bulwark serve` against a registry that needs a password and speaks TLS: Debian's
// docker-registry with htpasswd (bcrypt) Basic auth and a self-signed certificate for 127.0.0.1
// made by openssl at test time (DockerRegistry::startWithPasswordOverTls), its `notifications:`
// pointing at bulwark's distribution webhook. The registry is added the documented way,
// `bulwark registry add NAME https://… --username U --password-stdin --ca-file CERT`, so the
// password is sealed with the key beside the store and the scan worker opens it to pull. The
// image (tests/fixtures/rootfs/debian-mini, made with umoci) is pushed with skopeo, which
// verifies the same certificate (--dest-cert-dir). Checked: the findings appear through the API;
// the store holds the password sealed (never in the clear, in the database or in any file bulwark
// wrote); a wrong password or a certificate bulwark was not told to trust ends the job dead with
// a clear reason while the service keeps serving. Every process is stopped at the end of its
// test, also when an assertion fails.
#include <sqlite3.h>

#include <random>

#include "core/secret_box.h"
#include "e2e/service/service_harness.h"

namespace bulwark::testing {
namespace {

constexpr const char* kRegistryName = "secure";
constexpr const char* kUser = "ci-robot";

// A password no other text in the temp dir can contain by chance.
std::string randomPassword(const std::string& prefix) {
  std::random_device random;
  std::string out = prefix;
  for (int i = 0; i < 24; ++i) out += "0123456789abcdef"[random() % 16];
  return out;
}

// The registry's row as the SQLite store keeps it.
struct StoredRegistry {
  bool found = false;
  std::string username;
  std::string password_sealed;
  std::string ca_file;
};

StoredRegistry readStoredRegistry(const fs::path& database, const std::string& name) {
  StoredRegistry out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db,
                         "SELECT username, password_sealed, ca_file FROM registries WHERE name = ?",
                         -1, &statement, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(statement, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(statement) == SQLITE_ROW) {
      auto column = [&](int i) {
        const auto* text = sqlite3_column_text(statement, i);
        return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
      };
      out.found = true;
      out.username = column(0);
      out.password_sealed = column(1);
      out.ca_file = column(2);
    }
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return out;
}

// The files under `dir` whose bytes contain `secret` (the store, its WAL, logs, config, …).
std::vector<std::string> filesHolding(const fs::path& dir, const std::string& secret) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    if (readFile(it->path()).find(secret) != std::string::npos) {
      out.push_back(it->path().string());
    }
  }
  return out;
}

// A set-up like Service (service_harness.h), but the registry is the htpasswd + TLS one and is
// registered with credentials: a vulnerability database, a SQLite store, tokens, the registry
// notifying bulwark, `bulwark registry add` with --username/--password-stdin (and --ca-file
// unless told otherwise), and `bulwark serve` with one worker.
class TlsService {
 public:
  struct Options {
    std::string registered_password;  // given to `registry add`; "" = the registry's own
    bool trust_ca = true;             // --ca-file with the registry's certificate
    std::string config_yaml = "jobs: {max_attempts: 2}\n";
  };

  explicit TlsService(Options options) : options_(std::move(options)) {}

  ::testing::AssertionResult start() {
    if (auto ok = bulwark("db import --db " + q(db()) + " " +
                          q((sourceDir() / "tests/fixtures/advisories/debian-mini").string()));
        !ok) {
      return ok;
    }
    if (auto ok = bulwark("token create --name e2e-admin --role admin" + storeFlag(), &admin_);
        !ok) {
      return ok;
    }
    if (auto ok = bulwark("token create --name registry --role ingest" + storeFlag(), &ingest_);
        !ok) {
      return ok;
    }
    admin_ = lastLine(admin_);
    ingest_ = lastLine(ingest_);
    if (auto ok = registry_.startWithPasswordOverTls(
            kUser, password_,
            std::string("notifications:\n  endpoints:\n    - name: bulwark\n      url: http://") +
                serviceHost() + "/api/v1/webhooks/distribution/" + kRegistryName +
                "\n      headers:\n        Authorization: [\"Bearer " + ingest_ +
                "\"]\n      timeout: 2s\n      threshold: 3\n      backoff: 500ms\n");
        !ok) {
      return ok;
    }
    // skopeo trusts the *.crt files of a --cert-dir as CAs.
    fs::create_directories(certDir());
    fs::copy_file(registry_.cert(), certDir() / "ca.crt", fs::copy_options::overwrite_existing);

    const std::string registered =
        options_.registered_password.empty() ? password_ : options_.registered_password;
    const std::string ca = options_.trust_ca ? " --ca-file " + q(registry_.cert().string()) : "";
    if (auto ok = runCommand("printf '%s\\n' " + q(registered) + " | " + q(bulwarkBin()) +
                             " registry add " + kRegistryName + " https://" + registryHost() +
                             " --username " + kUser + " --password-stdin" + ca + storeFlag());
        !ok) {
      return ok;
    }

    writeFile(dir() / "bulwark.yml", options_.config_yaml);
    server_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{bulwarkBin(), "serve", "--config",
                                 (dir() / "bulwark.yml").string(), "--listen", serviceHost(),
                                 "--store", store(), "--db", db(), "--workers", "1"},
        dir() / "serve.log");
    if (!server_->waitForPort(service_port_)) {
      return ::testing::AssertionFailure() << "bulwark serve did not start:\n" << log();
    }
    return ::testing::AssertionSuccess();
  }

  // Pushes a layout's tag to REPOSITORY:TAG over verified TLS with the registry's credentials.
  ::testing::AssertionResult push(const fs::path& layout, const std::string& image_tag,
                                  const std::string& destination) {
    return runCommand("skopeo copy --quiet --dest-tls-verify=true --dest-cert-dir " +
                      q(certDir().string()) + " --dest-creds " +
                      q(std::string(kUser) + ":" + password_) + " " +
                      q("oci:" + layout.string() + ":" + image_tag) + " " +
                      q("docker://" + registryHost() + "/" + destination));
  }

  // The manifest digest of REPOSITORY:TAG in the registry ("" when absent).
  std::string registryDigest(const std::string& reference) {
    std::string out;
    if (!runCommand("skopeo inspect --tls-verify=true --cert-dir " + q(certDir().string()) +
                        " --creds " + q(std::string(kUser) + ":" + password_) +
                        " --format '{{.Digest}}' " +
                        q("docker://" + registryHost() + "/" + reference),
                    &out)) {
      return "";
    }
    return lastLine(out);
  }

  httplib::Result get(const std::string& path, const std::string& token) {
    httplib::Client client("127.0.0.1", service_port_);
    client.set_read_timeout(10, 0);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client.Get(path, headers);
  }

  // GETs `path` until `ready(json)` holds or `timeout` passes; the last document either way.
  Json waitFor(const std::string& path, const std::function<bool(const Json&)>& ready,
               std::chrono::milliseconds timeout = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Json last;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto res = get(path, admin_); res && res->status == 200) {
        last = Json::parse(res->body, nullptr, false);
        if (!last.is_discarded() && ready(last)) return last;
      }
      std::this_thread::sleep_for(100ms);
    }
    return last;
  }

  std::string log() const {
    return "--- serve.log\n" + readFile(dir() / "serve.log") + "--- registry.log\n" +
           readFile(registry_.log());
  }
  bool serverRunning() { return server_ && server_->running(); }
  const std::string& admin() const { return admin_; }
  const std::string& password() const { return password_; }
  std::string registryHost() const { return registry_.host(); }
  fs::path registryCert() const { return registry_.cert(); }
  const fs::path& dir() const { return dir_.path(); }
  fs::path storeFile() const { return dir() / "service.db"; }
  // Where `secret_key_file` defaults to for a SQLite store: beside it.
  fs::path keyFile() const { return dir() / "secret.key"; }

 private:
  static std::string q(const std::string& text) { return shellQuote(text); }
  static std::string lastLine(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    const auto newline = text.rfind('\n');
    return newline == std::string::npos ? text : text.substr(newline + 1);
  }
  std::string db() const { return (dir() / "vuln.db").string(); }
  std::string store() const { return "sqlite:" + storeFile().string(); }
  std::string storeFlag() const { return " --store " + q(store()); }
  std::string serviceHost() const { return "127.0.0.1:" + std::to_string(service_port_); }
  fs::path certDir() const { return dir() / "registry-certs"; }

  ::testing::AssertionResult bulwark(const std::string& args, std::string* output = nullptr) {
    std::string out;
    auto ok = runCommand(q(bulwarkBin()) + " " + args + " 2>/dev/null", &out);
    if (output != nullptr) *output = out;
    return ok;
  }

  Options options_;
  TempDir dir_{"bulwark-service-tls-e2e"};
  std::string password_ = randomPassword("Tls-e2e-");
  int service_port_ = freePort();
  std::string admin_;
  std::string ingest_;
  DockerRegistry registry_{"bulwark-service-tls-registry"};
  std::unique_ptr<ChildProcess> server_;
};

std::string tagPath(const std::string& repository, const std::string& tag) {
  return std::string("/api/v1/registries/") + kRegistryName + "/tags/" + tag +
         "?repository=" + repository;
}

// The jobs of the registry in `state` once at least one is there (60 s at most).
Json jobsIn(TlsService& service, const std::string& state) {
  return service.waitFor(std::string("/api/v1/jobs?registry=") + kRegistryName + "&state=" + state,
                         [](const Json& j) { return j.contains("jobs") && !j["jobs"].empty(); });
}

// After a failure the service still answers, and the registry is still listed.
void expectStillServing(TlsService& service) {
  EXPECT_TRUE(service.serverRunning()) << service.log();
  auto res = service.get("/healthz", "");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  res = service.get("/api/v1/registries", service.admin());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
}

TEST(ServiceTlsE2E, ImageInAPasswordProtectedTlsRegistryIsScannedWithTheSealedPassword) {
  REQUIRE_TOOLS();
  TlsService service({});
  ASSERT_TRUE(service.start()) << service.log();

  // What `registry add` stored: the user, the CA file, and the password sealed ("v1:" +
  // base64(nonce | ciphertext | tag)), which the key beside the store opens.
  const StoredRegistry stored = readStoredRegistry(service.storeFile(), kRegistryName);
  ASSERT_TRUE(stored.found);
  EXPECT_EQ(stored.username, kUser);
  EXPECT_EQ(stored.ca_file, service.registryCert().string());
  ASSERT_TRUE(stored.password_sealed.starts_with("v1:")) << stored.password_sealed;
  EXPECT_EQ(stored.password_sealed.find(service.password()), std::string::npos);
  const auto sealed_bytes = core::base64Decode(stored.password_sealed.substr(3));
  ASSERT_TRUE(sealed_bytes) << sealed_bytes.error().message;
  EXPECT_EQ(sealed_bytes->size(), 12 + service.password().size() + 16);
  EXPECT_EQ(sealed_bytes->find(service.password()), std::string::npos);
  const auto box = core::loadOrCreateKeyFile(service.keyFile().string());
  ASSERT_TRUE(box) << box.error().message;
  const auto opened = box->open(stored.password_sealed);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, service.password());

  const fs::path layout = service.dir() / "layout";
  ASSERT_TRUE(addImage(layout, "mini", miniRootfs()));
  ASSERT_TRUE(service.push(layout, "mini", "team/app:1.0"));
  const std::string digest = service.registryDigest("team/app:1.0");
  ASSERT_FALSE(digest.empty());

  // The registry notifies bulwark; the worker opens the password, pulls over verified TLS and
  // scans; the tag resolves to a scanned image with the fixture's findings.
  const Json image =
      service.waitFor(tagPath("team/app", "1.0"), [](const Json& j) { return scanned(j); });
  ASSERT_TRUE(scanned(image)) << image.dump(2) << "\n" << service.log();
  EXPECT_EQ(image["digest"], digest);
  EXPECT_EQ(image["counts"]["high"], 1) << image.dump(2);
  EXPECT_EQ(image["counts"]["low"], 1);
  EXPECT_EQ(image["counts"]["negligible"], 2);

  auto res = service.get("/api/v1/images/" + digest + "/findings?severity=high", service.admin());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const Json findings = Json::parse(res->body);
  ASSERT_EQ(findings["total"], 1) << findings.dump(2);
  EXPECT_EQ(findings["findings"][0]["vulnerability_id"], "CVE-2024-2961");

  res = service.get("/api/v1/jobs?digest=" + digest, service.admin());
  ASSERT_TRUE(res);
  const Json jobs = Json::parse(res->body);
  ASSERT_EQ(jobs["jobs"].size(), 1U) << jobs.dump(2);
  EXPECT_EQ(jobs["jobs"][0]["state"], "done");
  EXPECT_EQ(jobs["jobs"][0]["attempts"], 1) << jobs.dump(2);
  EXPECT_EQ(jobs["jobs"][0]["registry"], kRegistryName);
  EXPECT_EQ(jobs["jobs"][0]["source"], "webhook:distribution");

  // The API says there is a password and never shows it.
  res = service.get("/api/v1/registries", service.admin());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->body.find(service.password()), std::string::npos);
  const Json registries = Json::parse(res->body);
  ASSERT_EQ(registries["registries"].size(), 1U) << registries.dump(2);
  EXPECT_EQ(registries["registries"][0]["username"], kUser);
  EXPECT_EQ(registries["registries"][0]["has_password"], true);
  EXPECT_EQ(registries["registries"][0]["counts"]["high"], 1);

  // No file bulwark wrote (the store with its WAL, the key, the config, the log) holds the
  // password in the clear. The user name, stored in the clear, is found: the search does read the
  // store.
  EXPECT_EQ(filesHolding(service.dir(), service.password()), std::vector<std::string>{});
  EXPECT_FALSE(filesHolding(service.dir(), kUser).empty());
}

TEST(ServiceTlsE2E, WrongRegisteredPasswordEndsTheJobDeadWithTheReason) {
  REQUIRE_TOOLS();
  const std::string wrong = randomPassword("Wrong-");
  TlsService service({.registered_password = wrong});
  ASSERT_TRUE(service.start()) << service.log();
  const fs::path layout = service.dir() / "layout";
  ASSERT_TRUE(addImage(layout, "mini", miniRootfs()));
  ASSERT_TRUE(service.push(layout, "mini", "team/app:2"));  // skopeo has the right password
  const std::string digest = service.registryDigest("team/app:2");
  ASSERT_FALSE(digest.empty());

  // Refused credentials are retried (max_attempts: 2, one back-off), then the job is dead and
  // says why.
  const Json dead = jobsIn(service, "dead");
  ASSERT_EQ(dead["jobs"].size(), 1U) << dead.dump(2) << "\n" << service.log();
  const Json& job = dead["jobs"][0];
  EXPECT_EQ(job["digest"], digest);
  EXPECT_EQ(job["attempts"], 2) << job.dump(2);
  const std::string reason = job["last_error"];
  EXPECT_NE(reason.find("HTTP 401"), std::string::npos) << reason;
  EXPECT_NE(reason.find("credentials refused"), std::string::npos) << reason;
  EXPECT_NE(reason.find(service.registryHost()), std::string::npos) << reason;
  EXPECT_EQ(reason.find(wrong), std::string::npos) << reason;

  // Nothing was scanned, the service still serves, and neither password is in the clear.
  auto res = service.get(tagPath("team/app", "2"), service.admin());
  ASSERT_TRUE(res);
  if (res->status == 200) {
    EXPECT_FALSE(scanned(Json::parse(res->body))) << res->body;
  }
  expectStillServing(service);
  EXPECT_EQ(filesHolding(service.dir(), wrong), std::vector<std::string>{});
  EXPECT_EQ(filesHolding(service.dir(), service.password()), std::vector<std::string>{});
}

// Without --ca-file bulwark verifies the registry's certificate against the system's CAs, which
// do not know the self-signed one: the pull fails on TLS, not on the password.
TEST(ServiceTlsE2E, UntrustedRegistryCertificateEndsTheJobDeadWithTheReason) {
  REQUIRE_TOOLS();
  TlsService service({.trust_ca = false});
  ASSERT_TRUE(service.start()) << service.log();
  EXPECT_EQ(readStoredRegistry(service.storeFile(), kRegistryName).ca_file, "");
  const fs::path layout = service.dir() / "layout";
  ASSERT_TRUE(addImage(layout, "mini", miniRootfs()));
  ASSERT_TRUE(service.push(layout, "mini", "team/app:3"));

  const Json dead = jobsIn(service, "dead");
  ASSERT_EQ(dead["jobs"].size(), 1U) << dead.dump(2) << "\n" << service.log();
  const std::string reason = dead["jobs"][0]["last_error"];
  EXPECT_NE(reason.find("certificate"), std::string::npos) << reason;
  EXPECT_EQ(reason.find("HTTP 401"), std::string::npos) << reason;
  expectStillServing(service);
}

}  // namespace
}  // namespace bulwark::testing
