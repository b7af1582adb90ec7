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

// A Service (service_harness.h) whose registry needs `password` and speaks TLS, registered as
// kRegistryName with kUser; jobs are tried twice so that failures end quickly.
Service::Options secureOptions(const std::string& password, Service::SecureRegistry secure = {}) {
  secure.user = kUser;
  secure.password = password;
  Service::Options options;
  options.config_yaml = "jobs: {max_attempts: 2}\n";
  options.secure = std::move(secure);
  options.registry_name = kRegistryName;
  return options;
}

std::string tagPath(const std::string& repository, const std::string& tag) {
  return std::string("/api/v1/registries/") + kRegistryName + "/tags/" + tag +
         "?repository=" + repository;
}

// The jobs of the registry in `state` once at least one is there (60 s at most).
Json jobsIn(Service& service, const std::string& state) {
  return service.waitFor(std::string("/api/v1/jobs?registry=") + kRegistryName + "&state=" + state,
                         [](const Json& j) { return j.contains("jobs") && !j["jobs"].empty(); });
}

// After a failure the service still answers, and the registry is still listed.
void expectStillServing(Service& service) {
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
  const std::string password = randomPassword("Tls-e2e-");
  Service service(secureOptions(password));
  ASSERT_TRUE(service.start()) << service.log();

  // What `registry add` stored: the user, the CA file, and the password sealed ("v1:" +
  // base64(nonce | ciphertext | tag)), which the key beside the store opens.
  const StoredRegistry stored = readStoredRegistry(service.storeFile(), kRegistryName);
  ASSERT_TRUE(stored.found);
  EXPECT_EQ(stored.username, kUser);
  EXPECT_EQ(stored.ca_file, service.registryCert().string());
  ASSERT_TRUE(stored.password_sealed.starts_with("v1:")) << stored.password_sealed;
  EXPECT_EQ(stored.password_sealed.find(password), std::string::npos);
  const auto sealed_bytes = core::base64Decode(stored.password_sealed.substr(3));
  ASSERT_TRUE(sealed_bytes) << sealed_bytes.error().message;
  EXPECT_EQ(sealed_bytes->size(), 12 + password.size() + 16);
  EXPECT_EQ(sealed_bytes->find(password), std::string::npos);
  const auto box = core::loadOrCreateKeyFile(service.keyFile().string());
  ASSERT_TRUE(box) << box.error().message;
  const auto opened = box->open(stored.password_sealed);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, password);

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

  // The scan is stored before its job is marked done (two commits): wait for the job too.
  Json jobs = service.waitFor("/api/v1/jobs?digest=" + digest, [](const Json& j) {
    return j.contains("jobs") && !j["jobs"].empty() && j["jobs"][0]["state"] == "done";
  });
  ASSERT_EQ(jobs["jobs"].size(), 1U) << jobs.dump(2);
  EXPECT_EQ(jobs["jobs"][0]["state"], "done");
  EXPECT_EQ(jobs["jobs"][0]["attempts"], 1) << jobs.dump(2);
  EXPECT_EQ(jobs["jobs"][0]["registry"], kRegistryName);
  EXPECT_EQ(jobs["jobs"][0]["source"], "webhook:distribution");

  // The API says there is a password and never shows it.
  res = service.get("/api/v1/registries", service.admin());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->body.find(password), std::string::npos);
  const Json registries = Json::parse(res->body);
  ASSERT_EQ(registries["registries"].size(), 1U) << registries.dump(2);
  EXPECT_EQ(registries["registries"][0]["username"], kUser);
  EXPECT_EQ(registries["registries"][0]["has_password"], true);
  EXPECT_EQ(registries["registries"][0]["counts"]["high"], 1);

  // No file bulwark wrote (the store with its WAL, the key, the config, the log) holds the
  // password in the clear. The user name, stored in the clear, is found: the search does read the
  // store.
  EXPECT_EQ(filesHolding(service.dir(), password), std::vector<std::string>{});
  EXPECT_FALSE(filesHolding(service.dir(), kUser).empty());
}

TEST(ServiceTlsE2E, WrongRegisteredPasswordEndsTheJobDeadWithTheReason) {
  REQUIRE_TOOLS();
  const std::string wrong = randomPassword("Wrong-");
  const std::string password = randomPassword("Tls-e2e-");
  Service service(secureOptions(password, {.registered_password = wrong}));
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
  EXPECT_EQ(filesHolding(service.dir(), password), std::vector<std::string>{});
}

// Without --ca-file bulwark verifies the registry's certificate against the system's CAs, which
// do not know the self-signed one: the pull fails on TLS, not on the password.
TEST(ServiceTlsE2E, UntrustedRegistryCertificateEndsTheJobDeadWithTheReason) {
  REQUIRE_TOOLS();
  Service service(secureOptions(randomPassword("Tls-e2e-"), {.trust_ca = false}));
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
