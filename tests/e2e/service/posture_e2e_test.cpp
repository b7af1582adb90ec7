// Posture from the real pipeline (docs/dev/posture-design.md §2.4): `bulwark serve` with a
// registry that notifies it, a pushed image scanned by its worker and assessed by the posture
// sync; a Docker host snapshot posted by `bulwark bench docker --post` and evaluated by a
// worker; an alert posted by an agent resolved to the container it names. Every answer comes
// through the posture API. Every process is stopped at the end, also when an assertion fails.
#include <ctime>

#include "e2e/service/service_harness.h"

namespace bulwark::testing {
namespace {

// The member at a JSON pointer ("/resources/0/id"), or null: the pages polled may be anything.
Json at(const Json& doc, const std::string& pointer) {
  const Json::json_pointer path(pointer);
  return doc.contains(path) ? doc.at(path) : Json();
}

// The assessment by `source` of an assessments page, or null.
Json assessmentOf(const Json& page, const std::string& source) {
  const Json list = at(page, "/assessments");
  if (!list.is_array()) return nullptr;
  for (const Json& a : list) {
    if (at(a, "/source") == source) return a;
  }
  return nullptr;
}

std::string firstResourceId(const Json& page) {
  const Json id = at(page, "/resources/0/id");
  return id.is_string() ? id.get<std::string>() : std::string();
}

TEST(PostureE2E, PushesSnapshotsAndAlertsBecomeAssessedResources) {
  REQUIRE_TOOLS();
  Service service;
  ASSERT_TRUE(service.start());
  const fs::path layout = service.dir() / "layout";
  ASSERT_TRUE(addImage(layout, "mini", miniRootfs()));
  ASSERT_TRUE(service.push(layout, "mini", "team/app:1.0"));
  ASSERT_TRUE(scanned(service.waitForScan("team/app", "1.0"))) << service.log();

  // The image, judged on its scan: the mini fixture has a high finding.
  const Json images = service.waitFor("/api/v1/posture/resources?type=image", [](const Json& j) {
    return at(j, "/total") == 1 && at(j, "/resources/0/health") == "unhealthy";
  });
  ASSERT_EQ(images["total"], 1) << images.dump(2) << service.log();
  const std::string image = firstResourceId(images);
  const Json image_assessments =
      service.waitFor("/api/v1/posture/resources/" + image + "/assessments?limit=1000",
                      [](const Json& j) { return at(j, "/assessments").size() > 2; });
  EXPECT_EQ(assessmentOf(image_assessments, "vuln:severe")["status"], "unhealthy")
      << image_assessments.dump(2);
  EXPECT_EQ(assessmentOf(image_assessments, "scan")["status"], "healthy");
  // The worker's image configuration checks assess it too.
  EXPECT_FALSE(assessmentOf(image_assessments, "BW-IMG-002").is_null())
      << image_assessments.dump(2);

  // A Docker host: its snapshot posted, evaluated by the worker.
  const std::string snapshot =
      (sourceDir() / "tests/fixtures/hardening/docker/host.snapshot.json").string();
  std::string out;
  ASSERT_TRUE(runCommand("BULWARK_TOKEN=" + service.ingest() + " " + shellQuote(bulwarkBin()) +
                             " bench docker -f json -o /dev/null --snapshot " +
                             shellQuote(snapshot) +
                             " --post http://127.0.0.1:" + service.servicePort() + " 2>&1",
                         &out))
      << out;
  EXPECT_NE(out.find("posted to http://127.0.0.1:" + service.servicePort() + ": host:build-7"),
            std::string::npos)
      << out;
  const Json hosts = service.waitFor("/api/v1/posture/resources?type=host",
                                     [](const Json& j) { return at(j, "/total") == 1; });
  ASSERT_EQ(hosts["total"], 1) << hosts.dump(2) << service.log();
  EXPECT_EQ(hosts["resources"][0]["attrs"]["cis_score"], "58.5");
  EXPECT_EQ(hosts["resources"][0]["attrs"]["docker_version"], "20.10.24");
  const Json runs = service.waitFor(
      "/api/v1/posture/runs", [](const Json& j) { return at(j, "/runs/0/status") == "done"; });
  EXPECT_EQ(at(runs, "/runs/0/target"), "host:build-7") << runs.dump(2);

  // An agent's alert about the web container, a minute ago.
  const std::time_t minute_ago = std::time(nullptr) - 60;
  std::tm utc{};
  gmtime_r(&minute_ago, &utc);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
  const Json alert = {{"alert_id", "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"},
                      {"hostname", "build-7"},
                      {"output", "Privileged container started (container=web)"},
                      {"priority", "Critical"},
                      {"rule", "Privileged Container Started"},
                      {"source", "syscall"},
                      {"tags", Json::array()},
                      {"time", when},
                      {"output_fields", {{"container.id", "bbbb00000000"}}},
                      {"bulwark", {{"id", "BW-RT-207"}}}};
  auto res =
      service.post("/api/v1/alerts", alert.dump() + "\n", "application/x-ndjson", service.ingest());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const Json containers = service.waitFor("/api/v1/posture/resources?type=container&q=bbbb",
                                          [](const Json& j) { return at(j, "/total") == 1; });
  const std::string web = firstResourceId(containers);
  ASSERT_FALSE(web.empty()) << containers.dump(2);
  const Json web_assessments =
      service.waitFor("/api/v1/posture/resources/" + web + "/assessments?limit=1000",
                      [](const Json& j) { return !assessmentOf(j, "BW-RT-207").is_null(); });
  const Json rule = assessmentOf(web_assessments, "BW-RT-207");
  ASSERT_FALSE(rule.is_null()) << web_assessments.dump(2) << service.log();
  EXPECT_EQ(at(rule, "/status"), "unhealthy") << rule.dump(2);

  // The score is computed and its history has a point.
  res = service.get("/api/v1/posture/score", service.admin());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const Json score = Json::parse(res->body);
  EXPECT_TRUE(score["percent"].is_number()) << score.dump(2);
  const Json history =
      service.waitFor("/api/v1/posture/score/history?since=3650d",
                      [](const Json& j) { return at(j, "/points/0").is_object(); });
  EXPECT_FALSE(history["points"].empty()) << history.dump(2);
}

}  // namespace
}  // namespace bulwark::testing
