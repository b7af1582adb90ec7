// The targets serve collects itself (pipeline/posture/schedule.h) against a real SQLite store
// and the real collectors: a Docker host whose socket does not answer (its snapshot says so,
// and the host is assessed as not evaluated), and clusters whose kubeconfig is missing.
// Two schedulers over one store stand for two servers sharing it.
#include "pipeline/posture/schedule.h"

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipeline/posture/ingest_run.h"
#include "store/store.h"
#include "support/process.h"
#include "unit/pipeline/posture/store_fixture.h"
#include "unit/posture/loaded_catalogue.h"

namespace {

namespace fs = std::filesystem;
namespace pipeline = bulwark::pipeline;
namespace store = bulwark::store;
using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr std::int64_t kNow = 1'790'000'000'000;  // 2026-09-21
constexpr std::int64_t kHour = 3'600'000;

class ScheduleTest : public bulwark::testing::SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    bulwark::testing::writeFile(dir_ / "host/etc/hostname", "sched-host\n");
  }

  // A Docker host whose Engine socket is absent; its name comes from host/etc/hostname.
  pipeline::DockerTargetConfig deadDocker(std::string name = "") const {
    pipeline::DockerTargetConfig docker;
    docker.endpoint = "unix://" + (dir_ / "no-docker.sock").string();
    docker.host_root = (dir_ / "host").string();
    docker.name = std::move(name);
    docker.interval = 1h;
    return docker;
  }

  std::vector<store::ScheduleRecord> schedules() {
    auto listed = store_->listSchedules();
    EXPECT_TRUE(listed) << listed.error().message;
    return listed ? *listed : std::vector<store::ScheduleRecord>{};
  }

  std::vector<store::PostureRun> runs() {
    auto listed = store_->listRuns({});
    EXPECT_TRUE(listed) << listed.error().message;
    return listed ? *listed : std::vector<store::PostureRun>{};
  }
};

TEST_F(ScheduleTest, ADockerHostIsCollectedByOneOfTwoServersWhenDue) {
  pipeline::PostureSchedulerOptions options;
  options.docker = {deadDocker()};
  options.source = "schedule:a";
  pipeline::PostureScheduler a(*store_, options);
  options.source = "schedule:b";
  pipeline::PostureScheduler b(*store_, options);
  EXPECT_EQ(a.keys(), std::vector<std::string>{""});  // to be learnt from its snapshot

  // Server a learns the host's name from its first snapshot, makes the schedule and claims it.
  auto pass = a.runDue(kNow);
  ASSERT_TRUE(pass) << pass.error().message;
  EXPECT_EQ(pass->due, 1);
  EXPECT_EQ(pass->collected, 1);
  EXPECT_EQ(pass->failed, 0);
  ASSERT_EQ(pass->jobs.size(), 1U);
  EXPECT_EQ(a.keys(), std::vector<std::string>{"host:sched-host"});
  EXPECT_EQ(schedules(),
            (std::vector<store::ScheduleRecord>{{"host:sched-host", kNow + kHour, 0}}));

  // The job is a bench job about the host, from the schedule.
  auto job = store_->getJob(pass->jobs[0]);
  ASSERT_TRUE(job && *job);
  EXPECT_EQ((*job)->request.kind, store::JobKind::Bench);
  EXPECT_EQ((*job)->request.repository, "host:sched-host");
  EXPECT_EQ((*job)->request.source, "schedule:a");

  // Server b, a moment later, finds it not due; so does a.
  pass = b.runDue(kNow + 1);
  ASSERT_TRUE(pass) << pass.error().message;
  EXPECT_EQ(pass->due, 0);
  EXPECT_TRUE(pass->jobs.empty());
  pass = a.runDue(kNow + 2);
  ASSERT_TRUE(pass);
  EXPECT_TRUE(pass->jobs.empty());

  // An hour later both see it due; the first to claim collects, the other does not.
  pass = b.runDue(kNow + kHour);
  ASSERT_TRUE(pass) << pass.error().message;
  EXPECT_EQ(pass->collected, 1);
  pass = a.runDue(kNow + kHour);
  ASSERT_TRUE(pass) << pass.error().message;
  EXPECT_EQ(pass->due, 0);  // b moved next_run_at before a looked
  EXPECT_EQ(schedules(),
            (std::vector<store::ScheduleRecord>{{"host:sched-host", kNow + 2 * kHour, 0}}));
}

TEST_F(ScheduleTest, TheWorkersRunBecomesTheSchedulesLastRun) {
  pipeline::PostureSchedulerOptions options;
  options.docker = {deadDocker("sched-host")};
  pipeline::PostureScheduler scheduler(*store_, options);
  EXPECT_EQ(scheduler.keys(), std::vector<std::string>{"host:sched-host"});
  auto pass = scheduler.runDue(kNow);
  ASSERT_TRUE(pass) << pass.error().message;
  ASSERT_EQ(pass->jobs.size(), 1U);

  // What a worker does with the job.
  auto job = store_->claimJob("worker-1", kNow + 10, 60'000);
  ASSERT_TRUE(job && *job) << (job ? "no job" : job.error().message);
  auto outcome =
      pipeline::runBenchJob(*store_, bulwark::posture::loadedCatalogue(), **job, kNow + 20);
  ASSERT_TRUE(outcome) << outcome.error().message;
  ASSERT_TRUE(pipeline::recordScheduledRun(*store_, "host:sched-host", outcome->run.id));
  EXPECT_EQ(
      schedules(),
      (std::vector<store::ScheduleRecord>{{"host:sched-host", kNow + kHour, outcome->run.id}}));
  EXPECT_EQ(outcome->run.status, "done");
  EXPECT_EQ(outcome->run.source, "schedule");

  // The host is a resource; with its daemon unreachable nothing about it passes.
  store::ResourceQuery query;
  query.types = {bulwark::model::ResourceType::Host};
  auto hosts = store_->queryResources(query);
  ASSERT_TRUE(hosts) << hosts.error().message;
  ASSERT_EQ(hosts->total, 1);
  EXPECT_EQ(hosts->resources[0].resource.key, "host:sched-host");
  EXPECT_NE(hosts->resources[0].health, bulwark::model::Health::Healthy);
}

TEST_F(ScheduleTest, AClusterThatCannotBeReadIsAFailedRunAndWaitsForItsNextTurn) {
  pipeline::PostureSchedulerOptions options;
  pipeline::KubernetesTargetConfig prod;
  prod.name = "prod";
  prod.kubeconfig = (dir_ / "missing.kubeconfig").string();
  prod.interval = 6h;
  options.kubernetes = {prod};
  pipeline::PostureScheduler scheduler(*store_, options);
  EXPECT_EQ(scheduler.keys(), std::vector<std::string>{"cluster:prod"});

  auto pass = scheduler.runDue(kNow);
  ASSERT_TRUE(pass) << pass.error().message;
  EXPECT_EQ(pass->due, 1);
  EXPECT_EQ(pass->failed, 1);
  EXPECT_TRUE(pass->jobs.empty());
  const auto recorded = runs();
  ASSERT_EQ(recorded.size(), 1U);
  EXPECT_EQ(recorded[0].kind, "k8s");
  EXPECT_EQ(recorded[0].target_key, "cluster:prod");
  EXPECT_EQ(recorded[0].status, "failed");
  const Json diagnostics = Json::parse(recorded[0].diagnostics_json);
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics[0]["kind"], "posture.collect-failed");
  EXPECT_NE(diagnostics[0]["detail"].get<std::string>().find("missing.kubeconfig"),
            std::string::npos)
      << diagnostics.dump();
  // Not retried at every tick: the next attempt is the next interval's.
  EXPECT_EQ(
      schedules(),
      (std::vector<store::ScheduleRecord>{{"cluster:prod", kNow + 6 * kHour, recorded[0].id}}));
  pass = scheduler.runDue(kNow + kHour);
  ASSERT_TRUE(pass);
  EXPECT_EQ(pass->due, 0);
  EXPECT_EQ(runs().size(), 1U);
}

}  // namespace
