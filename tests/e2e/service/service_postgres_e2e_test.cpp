// The service on a shared PostgreSQL store (a throwaway cluster the test starts,
// tests/pg_cluster.h): `bulwark serve` without workers of its own receives the registry's
// notifications, and two `bulwark worker` processes share the queue. One worker is killed with
// SIGKILL while it holds a job: its lease runs out, the other worker takes the job over, and the
// job completes once.
#include "e2e/service/service_harness.h"
#include "pg_cluster.h"

namespace bulwark::testing {
namespace {

// The pid in a worker name "host:pid:n"; -1 when there is none.
pid_t workerPid(const std::string& worker) {
  const auto first = worker.find(':');
  const auto second = worker.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos) return -1;
  try {
    return static_cast<pid_t>(std::stol(worker.substr(first + 1, second - first - 1)));
  } catch (const std::exception&) {
    return -1;
  }
}

std::unique_ptr<Service> postgresService(PgCluster& cluster, std::string& error) {
  auto database = cluster.createDatabase("service");
  if (!database) {
    error = database.error().message;
    return nullptr;
  }
  Service::Options options;
  options.store = *database;  // the new database's URL
  options.serve_workers = 0;
  options.config_yaml = "jobs: {lease: 2s, max_attempts: 5}\n";
  return std::make_unique<Service>(std::move(options));
}

TEST(ServicePostgresE2E, TwoWorkerProcessesShareTheQueue) {
  REQUIRE_TOOLS();
  auto& cluster = PgCluster::shared();
  BULWARK_REQUIRE_PG(cluster);
  std::string error;
  auto service = postgresService(cluster, error);
  ASSERT_TRUE(service) << error;
  ASSERT_TRUE(service->start());
  service->startWorkers(2);

  const fs::path layout = service->dir() / "layout";
  ASSERT_TRUE(addImage(layout, "mini", miniRootfs()));
  ASSERT_TRUE(addImage(layout, "clean", cleanRootfs(service->dir())));
  ASSERT_TRUE(service->push(layout, "mini", "team/app:1"));
  ASSERT_TRUE(service->push(layout, "clean", "team/tool:1"));
  ASSERT_TRUE(service->push(layout, "mini", "team/app:2"));  // the same digest again

  const Json app = service->waitFor("/api/v1/registries/local/tags/1?repository=team/app",
                                    [](const Json& j) { return scanned(j); });
  ASSERT_TRUE(scanned(app)) << service->log();
  EXPECT_EQ(app["counts"]["high"], 1);
  const Json tool = service->waitFor("/api/v1/registries/local/tags/1?repository=team/tool",
                                     [](const Json& j) { return scanned(j); });
  ASSERT_TRUE(scanned(tool)) << service->log();
  EXPECT_EQ(tool["counts"]["total"], 0);

  // Every job ran once; a digest pushed under two tags was scanned once.
  const Json jobs = service->waitFor("/api/v1/jobs?state=done",
                                     [](const Json& j) { return j["jobs"].size() >= 2; });
  std::set<std::string> digests;
  for (const auto& job : jobs["jobs"]) {
    EXPECT_EQ(job["attempts"], 1) << job.dump(2);
    EXPECT_TRUE(digests.insert(job["digest"].get<std::string>()).second) << jobs.dump(2);
  }
  EXPECT_EQ(digests.size(), 2U) << jobs.dump(2);
}

TEST(ServicePostgresE2E, AJobOfAKilledWorkerIsTakenOverAndCompletesOnce) {
  REQUIRE_TOOLS();
  auto& cluster = PgCluster::shared();
  BULWARK_REQUIRE_PG(cluster);
  // A real Debian image, big enough that a scan takes a moment to catch a worker in it.
  std::string images;
  ASSERT_TRUE(runCommand(
      shellQuote((sourceDir() / "scripts/build-test-images").string()) + " minbase", &images));
  std::string archive;
  std::istringstream lines(images);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string name, kind, path;
    fields >> name >> kind >> path;
    if (kind == "oci-archive") archive = path;  // "oci-archive:FILE", as skopeo names it
  }
  ASSERT_FALSE(archive.empty()) << images;

  std::string error;
  auto service = postgresService(cluster, error);
  ASSERT_TRUE(service) << error;
  ASSERT_TRUE(service->start());
  service->startWorkers(2);
  ASSERT_TRUE(runCommand("skopeo copy --quiet --dest-tls-verify=false " + shellQuote(archive) +
                         " " +
                         shellQuote("docker://" + service->registryHost() + "/base/debian:12")));

  // Catch the job while a worker holds it and kill that worker.
  Json running = service->waitFor(
      "/api/v1/jobs?state=running", [](const Json& j) { return !j["jobs"].empty(); }, 30s, 5ms);
  ASSERT_FALSE(running["jobs"].empty()) << service->log();
  const std::int64_t job_id = running["jobs"][0]["id"];
  const pid_t victim = workerPid(running["jobs"][0]["worker"]);
  bool ours = false;
  for (auto& worker : service->workers()) ours = ours || worker->pid() == victim;
  ASSERT_TRUE(ours) << "job held by " << running["jobs"][0]["worker"] << ", not a test worker";
  ASSERT_EQ(kill(victim, SIGKILL), 0);

  // The lease (2 s) runs out, the surviving worker claims the job again and finishes it.
  const Json job = service->waitFor(
      "/api/v1/jobs/" + std::to_string(job_id), [](const Json& j) { return j["state"] == "done"; },
      90s);
  ASSERT_EQ(job["state"], "done") << job.dump(2) << service->log();
  EXPECT_EQ(job["attempts"], 2) << job.dump(2);
  EXPECT_NE(workerPid(job["worker"]), victim);
  const Json image = service->waitFor("/api/v1/registries/local/tags/12?repository=base/debian",
                                      [](const Json& j) { return scanned(j); });
  ASSERT_TRUE(scanned(image)) << image.dump(2);
  EXPECT_GT(image["scan"]["package_count"], 50) << image.dump(2);
  // One job for the digest: nothing was queued twice.
  auto res =
      service->get("/api/v1/jobs?digest=" + image["digest"].get<std::string>(), service->admin());
  ASSERT_TRUE(res);
  EXPECT_EQ(Json::parse(res->body)["jobs"].size(), 1U) << res->body;
}

}  // namespace
}  // namespace bulwark::testing
