// `bulwark serve` end to end with real components, all on loopback ports and in temp dirs:
// Debian's docker-registry with a `notifications:` endpoint pointing at bulwark's distribution
// webhook (an ingest token as the shared secret), images made with umoci from the small Debian
// fixture (tests/fixtures/rootfs/debian-mini) and pushed with skopeo, the vulnerability database
// imported from tests/fixtures/advisories/debian-mini, and the bulwark binary under test run as
// `serve`. Every process is stopped at the end of its test, also when an assertion fails.
#include <map>

#include "e2e/service/service_harness.h"

namespace bulwark::testing {
namespace {

TEST(ServiceE2E, PushedImageIsScannedAndItsFindingsServed) {
  REQUIRE_TOOLS();
  Service service;
  ASSERT_TRUE(service.start());
  const fs::path layout = service.dir() / "layout";
  ASSERT_TRUE(addImage(layout, "mini", miniRootfs()));
  ASSERT_TRUE(service.push(layout, "mini", "team/app:1.0"));
  const std::string digest = service.registryDigest("team/app:1.0");
  ASSERT_FALSE(digest.empty());

  // The registry notifies bulwark; a worker scans; the tag resolves to a scanned image.
  const Json image = service.waitForScan("team/app", "1.0");
  ASSERT_TRUE(scanned(image)) << image.dump(2) << "\n" << service.log();
  EXPECT_EQ(image["digest"], digest);
  EXPECT_EQ(image["counts"]["high"], 1) << image.dump(2);
  EXPECT_EQ(image["counts"]["low"], 1);
  EXPECT_EQ(image["counts"]["negligible"], 2);
  EXPECT_FALSE(image["scan"]["db_build_id"].get<std::string>().empty());

  // Drill down: registry → repository → image → finding.
  auto res = service.get("/api/v1/registries", service.admin());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const Json registries = Json::parse(res->body);
  ASSERT_EQ(registries["registries"].size(), 1U) << registries.dump(2);
  EXPECT_EQ(registries["registries"][0]["name"], "local");
  EXPECT_EQ(registries["registries"][0]["counts"]["high"], 1);

  res = service.get("/api/v1/registries/local/repositories", service.admin());
  ASSERT_TRUE(res);
  const Json repositories = Json::parse(res->body);
  ASSERT_EQ(repositories["repositories"].size(), 1U) << repositories.dump(2);
  EXPECT_EQ(repositories["repositories"][0]["repository"], "team/app");

  res = service.get("/api/v1/images/" + digest + "/findings?severity=high", service.admin());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const Json findings = Json::parse(res->body);
  ASSERT_EQ(findings["total"], 1) << findings.dump(2);
  EXPECT_EQ(findings["findings"][0]["vulnerability_id"], "CVE-2024-2961");
  EXPECT_EQ(findings["findings"][0]["fixed_version"], "2.36-9+deb12u7");

  res = service.get("/api/v1/images/" + digest + "/findings/CVE-2024-2961?package=libc6",
                    service.admin());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_NE(res->body.find("iconv"), std::string::npos) << res->body;

  // The job that did it is visible.
  // The scan is stored before its job is marked done (two commits): wait for the job too.
  Json jobs = service.waitFor("/api/v1/jobs?digest=" + digest, [](const Json& j) {
    return j.contains("jobs") && !j["jobs"].empty() && j["jobs"][0]["state"] == "done";
  });
  ASSERT_GE(jobs["jobs"].size(), 1U) << jobs.dump(2);
  EXPECT_EQ(jobs["jobs"][0]["state"], "done");
  EXPECT_EQ(jobs["jobs"][0]["source"], "webhook:distribution");

  // Metrics count the scan.
  res = service.get("/metrics", service.admin());
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find("scans_total{result=\"ok\"} 1"), std::string::npos) << res->body;
}

TEST(ServiceE2E, WebhookWithoutTheSecretIsRefusedAndNothingIsLost) {
  REQUIRE_TOOLS();
  Service service;
  ASSERT_TRUE(service.start());
  const std::string body =
      R"({"events":[{"action":"push","target":{"mediaType":)"
      R"("application/vnd.oci.image.manifest.v1+json","repository":"x","digest":)"
      R"("sha256:0000000000000000000000000000000000000000000000000000000000000000"}}]})";
  const std::string type = "application/vnd.docker.distribution.events.v1+json";
  auto res = service.post("/api/v1/webhooks/distribution/local", body, type, "");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  res = service.post("/api/v1/webhooks/distribution/local", body, type, "bwk_not-a-token");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  // A reader may not push events either.
  res = service.post("/api/v1/webhooks/distribution/local", "{not json", type, service.ingest());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  res = service.post("/api/v1/webhooks/distribution/nowhere", body, type, service.ingest());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404) << res->body;

  res = service.get("/api/v1/jobs", service.admin());
  ASSERT_TRUE(res);
  EXPECT_EQ(Json::parse(res->body)["jobs"].size(), 0U) << res->body;
  res = service.get("/healthz", "");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(ServiceE2E, QuarantinedImagesArePromotedOnlyWhenThePolicyPasses) {
  REQUIRE_TOOLS();
  Service service(
      "quarantine:\n  mappings:\n    - {registry: local, from: \"quarantine/*\", to: "
      "\"release/*\"}\n  policy: {severity: [CRITICAL, HIGH]}\n");
  ASSERT_TRUE(service.start());
  const fs::path layout = service.dir() / "layout";
  ASSERT_TRUE(addImage(layout, "mini", miniRootfs()));
  ASSERT_TRUE(addImage(layout, "clean", cleanRootfs(service.dir())));
  ASSERT_TRUE(service.push(layout, "mini", "quarantine/app:1"));
  ASSERT_TRUE(service.push(layout, "clean", "quarantine/tool:1"));
  const std::string vulnerable = service.registryDigest("quarantine/app:1");
  const std::string clean = service.registryDigest("quarantine/tool:1");
  ASSERT_FALSE(vulnerable.empty());
  ASSERT_FALSE(clean.empty());

  // The clean image appears in release/ with the same digest.
  EXPECT_EQ(service.waitForDigest("release/tool:1", clean), clean) << service.log();

  // The vulnerable one stays, and the decision says why.
  const Json decisions = service.decisions(vulnerable);
  ASSERT_FALSE(decisions["decisions"].empty()) << decisions.dump(2) << service.log();
  EXPECT_EQ(decisions["decisions"][0]["promoted"], false);
  EXPECT_NE(decisions["decisions"][0]["reason"].get<std::string>().find("CVE-2024-2961"),
            std::string::npos)
      << decisions.dump(2);
  EXPECT_EQ(service.registryDigest("release/app:1"), "");
}

TEST(ServiceE2E, AQuarantinedIndexIsPromotedWholeWhenEveryPlatformPasses) {
  REQUIRE_TOOLS();
  Service service(
      "quarantine:\n  mappings:\n    - {registry: local, from: \"quarantine/*\", to: "
      "\"release/*\"}\n  policy: {severity: [CRITICAL, HIGH]}\n");
  ASSERT_TRUE(service.start());
  const fs::path layout = service.dir() / "layout";
  const fs::path clean = cleanRootfs(service.dir());
  ASSERT_TRUE(addImage(layout, "clean-amd64", clean, "amd64"));
  ASSERT_TRUE(addImage(layout, "clean-arm64", clean, "arm64"));
  ASSERT_TRUE(addImage(layout, "mini-arm64", miniRootfs(), "arm64"));
  ASSERT_TRUE(
      addIndex(layout, "clean", {{"clean-amd64", "amd64", ""}, {"clean-arm64", "arm64", "v8"}}));
  ASSERT_TRUE(
      addIndex(layout, "mixed", {{"clean-amd64", "amd64", ""}, {"mini-arm64", "arm64", "v8"}}));
  ASSERT_TRUE(service.push(layout, "clean", "quarantine/multi:1", true));
  ASSERT_TRUE(service.push(layout, "mixed", "quarantine/mixed:1", true));
  const std::string clean_index = service.rawDigest("quarantine/multi:1");
  const std::string mixed_index = service.rawDigest("quarantine/mixed:1");
  ASSERT_TRUE(clean_index.starts_with("sha256:")) << clean_index;
  ASSERT_TRUE(mixed_index.starts_with("sha256:")) << mixed_index;

  // Both platforms pass: the index itself reaches release/ under its digest and tag.
  EXPECT_EQ(service.waitForDigest("release/multi:1", clean_index, 90s), clean_index)
      << service.log();
  const Json promoted = service.decisions(clean_index);
  ASSERT_FALSE(promoted["decisions"].empty()) << promoted.dump(2) << service.log();
  EXPECT_EQ(promoted["decisions"][0]["promoted"], true) << promoted.dump(2);

  // arm64 carries the vulnerable glibc: the index stays, and its decision names that platform.
  const Json kept = service.decisions(mixed_index, 90s);
  ASSERT_FALSE(kept["decisions"].empty()) << kept.dump(2) << service.log();
  EXPECT_EQ(kept["decisions"][0]["promoted"], false);
  const std::string reason = kept["decisions"][0]["reason"];
  EXPECT_NE(reason.find("linux/arm64"), std::string::npos) << reason;
  EXPECT_EQ(reason.find("linux/amd64"), std::string::npos) << reason;
  EXPECT_EQ(service.rawDigest("release/mixed:1"), "");
}

// An AdmissionReview v1 for a Pod running `images` (Kubernetes API reference, admission.k8s.io/v1).
std::string admissionReview(const std::string& uid, const std::vector<std::string>& images) {
  Json containers = Json::array();
  for (std::size_t i = 0; i < images.size(); ++i) {
    containers.push_back({{"name", "c" + std::to_string(i)}, {"image", images[i]}});
  }
  const Json review = {{"apiVersion", "admission.k8s.io/v1"},
                       {"kind", "AdmissionReview"},
                       {"request",
                        {{"uid", uid},
                         {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
                         {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
                         {"name", "web"},
                         {"namespace", "shop"},
                         {"operation", "CREATE"},
                         {"userInfo", {{"username", "system:serviceaccount:shop:deployer"}}},
                         {"object",
                          {{"apiVersion", "v1"},
                           {"kind", "Pod"},
                           {"metadata", {{"name", "web"}, {"namespace", "shop"}}},
                           {"spec", {{"containers", containers}}}}},
                         {"dryRun", false}}}};
  return review.dump();
}

TEST(ServiceE2E, AdmissionDecidesByTheStoredScan) {
  REQUIRE_TOOLS();
  Service service("quarantine:\n  policy: {severity: [CRITICAL, HIGH]}\n");
  ASSERT_TRUE(service.start());
  const fs::path layout = service.dir() / "layout";
  ASSERT_TRUE(addImage(layout, "mini", miniRootfs()));
  ASSERT_TRUE(addImage(layout, "clean", cleanRootfs(service.dir())));
  ASSERT_TRUE(service.push(layout, "mini", "shop/web:1"));
  ASSERT_TRUE(service.push(layout, "clean", "shop/tool:1"));
  for (const std::string tag : {"/api/v1/registries/local/tags/1?repository=shop/web",
                                "/api/v1/registries/local/tags/1?repository=shop/tool"}) {
    ASSERT_TRUE(scanned(service.waitFor(tag, [](const Json& j) { return scanned(j); })))
        << service.log();
  }
  const std::string host = service.registryHost();
  auto review = [&](const std::string& uid, const std::vector<std::string>& images) {
    auto res = service.post("/api/v1/admission", admissionReview(uid, images), "application/json",
                            service.ingest());
    EXPECT_TRUE(res);
    if (!res) return Json();
    EXPECT_EQ(res->status, 200) << res->body;
    return Json::parse(res->body, nullptr, false);
  };

  // Clean and scanned: allowed.
  Json answer = review("a1", {host + "/shop/tool:1"});
  EXPECT_EQ(answer["kind"], "AdmissionReview");
  EXPECT_EQ(answer["response"]["uid"], "a1");
  EXPECT_EQ(answer["response"]["allowed"], true) << answer.dump(2);

  // A HIGH finding fails the policy: refused, and the message names the finding.
  answer = review("a2", {host + "/shop/tool:1", host + "/shop/web:1"});
  EXPECT_EQ(answer["response"]["allowed"], false) << answer.dump(2);
  EXPECT_NE(answer["response"]["status"]["message"].get<std::string>().find("CVE-2024-2961"),
            std::string::npos)
      << answer.dump(2);

  // Never pushed, and a registry bulwark does not know: refused.
  answer = review("a3", {host + "/shop/ghost:9"});
  EXPECT_EQ(answer["response"]["allowed"], false) << answer.dump(2);
  answer = review("a4", {"quay.io/prometheus/node-exporter:v1.7.0"});
  EXPECT_EQ(answer["response"]["allowed"], false) << answer.dump(2);

  // Without a token the webhook refuses to answer; a body that is no review is a 400.
  auto res = service.post("/api/v1/admission", admissionReview("a5", {host + "/shop/tool:1"}),
                          "application/json", "");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  res =
      service.post("/api/v1/admission", R"({"kind":"Pod"})", "application/json", service.ingest());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
}

// Harbor's pluggable scanner API (scanner-adapter-openapi-v1.1), driven as Harbor drives it:
// metadata, a scan request with the registry's URL and robot credentials, then the report,
// polled while the scan runs.
TEST(ServiceE2E, HarborCanUseBulwarkAsItsScanner) {
  REQUIRE_TOOLS();
  Service service;
  ASSERT_TRUE(service.start());
  const fs::path layout = service.dir() / "layout";
  ASSERT_TRUE(addImage(layout, "mini", miniRootfs()));
  ASSERT_TRUE(service.push(layout, "mini", "library/app:7"));
  const std::string digest = service.registryDigest("library/app:7");
  ASSERT_FALSE(digest.empty());

  auto res = service.get("/api/v1/metadata", service.ingest());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const Json metadata = Json::parse(res->body);
  EXPECT_EQ(metadata["scanner"]["name"], "bulwark");
  EXPECT_NE(res->body.find("application/vnd.security.vulnerability.report; version=1.1"),
            std::string::npos);

  const Json request = {
      {"registry",
       {{"url", "http://" + service.registryHost()}, {"authorization", "Basic cm9ib3Q6c2VjcmV0"}}},
      {"artifact",
       {{"repository", "library/app"},
        {"digest", digest},
        {"tag", "7"},
        {"mime_type", "application/vnd.oci.image.manifest.v1+json"}}}};
  res = service.post("/api/v1/scan", request.dump(),
                     "application/vnd.scanner.adapter.scan.request+json; version=1.0",
                     service.ingest());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  const std::string id = Json::parse(res->body)["id"];

  // 302 with Refresh-After while the scan runs, then the report.
  Json report;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    httplib::Client client("127.0.0.1", std::stoi(service.servicePort()));
    client.set_follow_location(false);
    auto got =
        client.Get("/api/v1/scan/" + id + "/report",
                   {{"Authorization", "Bearer " + service.ingest()},
                    {"Accept", "application/vnd.security.vulnerability.report; version=1.1"}});
    ASSERT_TRUE(got);
    if (got->status == 302) {
      EXPECT_EQ(got->get_header_value("Refresh-After"), "2");
      std::this_thread::sleep_for(100ms);
      continue;
    }
    ASSERT_EQ(got->status, 200) << got->body;
    report = Json::parse(got->body);
    break;
  }
  ASSERT_TRUE(report.is_object()) << service.log();
  EXPECT_EQ(report["artifact"]["digest"], digest);
  EXPECT_EQ(report["scanner"]["name"], "bulwark");
  EXPECT_EQ(report["severity"], "High");
  ASSERT_EQ(report["vulnerabilities"].size(), 4U) << report.dump(2);
  bool found = false;
  for (const auto& v : report["vulnerabilities"]) {
    if (v["id"] != "CVE-2024-2961") continue;
    found = true;
    EXPECT_EQ(v["package"], "libc6");
    EXPECT_EQ(v["fix_version"], "2.36-9+deb12u7");
    EXPECT_EQ(v["severity"], "High");
  }
  EXPECT_TRUE(found) << report.dump(2);

  res = service.get("/api/v1/scan/999999/report", service.ingest());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  res = service.post("/api/v1/scan", R"({"registry":{"url":"ftp://x"}})", "application/json",
                     service.ingest());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
}

// `registry add` without --poll-interval takes the configuration's poll.interval.
TEST(ServiceE2E, RegistryAddTakesThePollIntervalFromTheConfiguration) {
  TempDir dir("bulwark-registry-add");
  writeFile(dir.path() / "bulwark.yml", "poll: {interval: 2m}\n");
  const std::string store = "sqlite:" + (dir.path() / "s.db").string();
  const std::string common = " --store " + shellQuote(store) + " --config " +
                             shellQuote((dir.path() / "bulwark.yml").string());
  std::string out;
  ASSERT_TRUE(runCommand(
      shellQuote(bulwarkBin()) + " registry add polled https://r.example" + common, &out));
  ASSERT_TRUE(runCommand(shellQuote(bulwarkBin()) +
                             " registry add hooked https://h.example --poll-interval 0s" + common,
                         &out));
  ASSERT_TRUE(runCommand(shellQuote(bulwarkBin()) + " registry list" + common, &out));
  EXPECT_NE(out.find("polled"), std::string::npos) << out;
  EXPECT_NE(out.find("120s"), std::string::npos) << out;
  EXPECT_NE(out.find("webhook"), std::string::npos) << out;
}

TEST(ServiceE2E, ResultsSurviveARestart) {
  REQUIRE_TOOLS();
  Service service;
  ASSERT_TRUE(service.start());
  const fs::path layout = service.dir() / "layout";
  ASSERT_TRUE(addImage(layout, "mini", miniRootfs()));
  ASSERT_TRUE(service.push(layout, "mini", "team/app:2"));
  const Json image = service.waitForScan("team/app", "2");
  ASSERT_TRUE(scanned(image)) << service.log();
  EXPECT_EQ(service.stopServer(), 0) << service.log();  // SIGTERM: a graceful stop, exit 0
  ASSERT_TRUE(service.startServer());
  const auto res =
      service.get("/api/v1/registries/local/tags/2?repository=team/app", service.admin());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(Json::parse(res->body)["counts"]["high"], 1) << res->body;
}

// BW-K8S-407 against a real bulwark serve: `bench k8s --scan-server` asks it for every digest
// the manifests pin. The image pushed (and so scanned) passes, a digest the server never saw
// fails, and a token the server refuses leaves the check not evaluated — never a pass.
TEST(ServiceE2E, BenchK8sAsksTheServerWhichImagesItScanned) {
  REQUIRE_TOOLS();
  Service service;
  ASSERT_TRUE(service.start());
  const fs::path layout = service.dir() / "layout";
  ASSERT_TRUE(addImage(layout, "mini", miniRootfs()));
  ASSERT_TRUE(service.push(layout, "mini", "team/app:1.0"));
  const std::string digest = service.registryDigest("team/app:1.0");
  ASSERT_FALSE(digest.empty());
  ASSERT_TRUE(scanned(service.waitForScan("team/app", "1.0"))) << service.log();

  const std::string host = service.registryHost();
  const std::string ghost = "sha256:" + std::string(63, '0') + "1";
  auto deployment = [](const std::string& name, const std::string& image) {
    return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name +
           ", namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: "
           "app, image: \"" +
           image + "\"}\n---\n";
  };
  const fs::path manifest = service.dir() / "shop.yaml";
  writeFile(manifest, deployment("scanned", host + "/team/app:1.0@" + digest) +
                          deployment("ghost", host + "/team/ghost@" + ghost));
  const fs::path report = service.dir() / "report.json";
  auto bench = [&](const std::string& token) {
    // Findings make the exit code 1: the report is what is asserted.
    (void)runCommand("BULWARK_TOKEN=" + shellQuote(token) + " " + shellQuote(bulwarkBin()) +
                     " bench k8s " + shellQuote(manifest.string()) +
                     " --check BW-K8S-407 -f json -o " + shellQuote(report.string()) +
                     " --scan-server http://127.0.0.1:" + service.servicePort());
    std::map<std::string, Json> by_resource;
    const Json doc = Json::parse(readFile(report), nullptr, false);
    for (const auto& resource : doc.value("resources", Json::array())) {
      for (const auto& result : resource.value("results", Json::array())) {
        by_resource[resource.value("resource", "")] = result;
      }
    }
    return by_resource;
  };

  auto results = bench(service.admin());
  ASSERT_EQ(results.size(), 2U) << readFile(report);
  const Json& ok = results["k8s:shop/Deployment/scanned"];
  EXPECT_EQ(ok["status"], "pass") << ok.dump(2);
  EXPECT_NE(ok["evidence"][0]["observed"].get<std::string>().find("1 high"), std::string::npos)
      << ok.dump(2);
  const Json& never = results["k8s:shop/Deployment/ghost"];
  EXPECT_EQ(never["status"], "fail") << never.dump(2);
  EXPECT_NE(never["evidence"][0]["observed"].get<std::string>().find("no scan result"),
            std::string::npos)
      << never.dump(2);

  results = bench("bwk_not-a-token");
  EXPECT_EQ(results["k8s:shop/Deployment/scanned"]["status"], "not-evaluated");
  EXPECT_EQ(results["k8s:shop/Deployment/scanned"]["cause"], "permission-denied")
      << results["k8s:shop/Deployment/scanned"].dump(2);
}

// Runtime alerts end to end: `bulwark detect` posts its alerts to the server's /api/v1/alerts
// through its HTTP output with the ingest token; the server stores them and serves them back,
// filtered and summarised. Every built-in rule's simulation arrives marked simulated; a
// recording replayed twice is stored once (the same alerts of the same events, the same ids).
TEST(ServiceE2E, DetectAlertsAreStoredOnceAndServed) {
  REQUIRE_TOOLS();
  Service service;
  ASSERT_TRUE(service.start());
  writeFile(service.dir() / "ingest.token", service.ingest() + "\n");
  const std::string post = " -o http://127.0.0.1:" + service.servicePort() +
                           "/api/v1/alerts --output-token-file " +
                           shellQuote((service.dir() / "ingest.token").string()) + " 2>&1";
  // "output http://…: N sent, 0 dropped (queue full), 0 rejected, 0 failed, …"
  const auto sent = [](const std::string& out) {
    const auto at = out.find(" sent, 0 dropped (queue full), 0 rejected, 0 failed");
    if (at == std::string::npos) return -1;
    const auto number = out.rfind(' ', at - 1);
    return std::stoi(out.substr(number + 1, at - number - 1));
  };
  const auto stored = [&](const std::string& query) {
    const auto res = service.get("/api/v1/alerts?limit=1000&since=3650d" + query, service.admin());
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
    return res && res->status == 200 ? Json::parse(res->body) : Json::object();
  };
  std::string out;
  ASSERT_TRUE(runCommand(shellQuote(bulwarkBin()) + " detect --simulate all" + post, &out)) << out;
  const int simulated = sent(out);
  EXPECT_GE(simulated, 57) << out;
  Json page = stored("");
  EXPECT_EQ(page["alerts"].size(), static_cast<std::size_t>(simulated));
  page = stored("&rule=Bulwark%20Test%20Alert");
  ASSERT_EQ(page["alerts"].size(), 1U) << page.dump(2);
  EXPECT_EQ(page["alerts"][0]["rule_id"], "BW-RT-215");
  EXPECT_EQ(page["alerts"][0]["simulated"], true);

  const fs::path fixtures = sourceDir() / "tests/fixtures/runtime/sinks";
  const std::string replay =
      shellQuote(bulwarkBin()) + " detect -r " + shellQuote((fixtures / "rules.yaml").string()) +
      " -s events:" + shellQuote((fixtures / "events.jsonl").string()) + post;
  ASSERT_TRUE(runCommand(replay, &out)) << out;
  const int replayed = sent(out);
  EXPECT_EQ(replayed, 4) << out;
  ASSERT_TRUE(runCommand(replay, &out)) << out;  // again: all duplicates
  page = stored("");
  EXPECT_EQ(page["alerts"].size(), static_cast<std::size_t>(simulated + replayed));
  const auto res = service.get("/api/v1/alerts/summary?by=rule&since=3650d", service.admin());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_NE(res->body.find("Read of shadow"), std::string::npos) << res->body;
}

}  // namespace
}  // namespace bulwark::testing
