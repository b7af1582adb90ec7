// The Docker host checks against a live Docker Engine: the test starts its own dockerd (data and
// exec roots under a temp dir, its own socket, no bridge, no iptables, vfs storage), imports a
// tiny static image, creates one well-configured container and one container per bad option
// (capabilities, host PID, /etc mounted, privileged — created only, it cannot start on this
// kernel —, sshd, host network, the Docker socket mounted), runs `bulwark bench docker` and
// asserts each container's verdicts, the host's daemon-config verdicts with where each value
// came from, the host summary, that an offline snapshot gives the same report, and that a
// socket that never answers ends in not-evaluated results, never in a hang or a pass. And
// `bulwark detect -s docker:…` follows the same daemon's container events: Falco's container
// rules and ours fire as containers are created, started and exec'd into.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "e2e/detect/child_process.h"
#include "support/process.h"
#include "testdata.h"

namespace {

using bulwark::testing::ChildProcess;
using bulwark::testing::missingTools;
using bulwark::testing::runBulwark;
using bulwark::testing::runCommand;
using bulwark::testing::shellQuote;
using bulwark::testing::TempDir;
using bulwark::testing::writeFile;
using Json = nlohmann::json;

// pause(2) until SIGTERM; `pause health` exits 0 (the health check).
constexpr std::string_view kPauseSource = R"(#include <signal.h>
#include <string.h>
#include <unistd.h>
static void stop(int s) { (void)s; _exit(0); }
int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "health") == 0) return 0;
  signal(SIGTERM, stop);
  for (;;) pause();
}
)";

// Mount points at or below `dir`, deepest first.
std::vector<std::string> mountsUnder(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  const std::string prefix = dir.string() + "/";
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point;
    fields >> id >> parent >> device >> root >> point;
    if (point.rfind(prefix, 0) == 0) out.push_back(point);
  }
  std::sort(out.begin(), out.end(), std::greater<>());
  return out;
}

// A dockerd of the test's own. The destructor removes every container (live-restore would keep
// them running after dockerd stops) before the process group is stopped.
class Dockerd {
 public:
  // `storage_driver`: vfs for the benchmark's suite (it runs wherever dockerd does); overlay2
  // where a container's writable layer must be an overlay.
  explicit Dockerd(const std::filesystem::path& dir, const std::string& storage_driver = "vfs")
      : dir_(dir) {
    writeFile(dir / "daemon.json",
              R"({"log-level": "info", "userland-proxy": false, "live-restore": true})");
    socket_ = (dir / "docker.sock").string();
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            "dockerd", "--config-file", (dir / "daemon.json").string(), "--data-root",
            (dir / "data").string(), "--exec-root", (dir / "exec").string(), "--pidfile",
            (dir / "dockerd.pid").string(), "-H", "unix://" + socket_, "--iptables=false",
            "--ip-masq=false", "--bridge=none", "--storage-driver=" + storage_driver},
        dir / "dockerd.log");
  }
  ~Dockerd() {
    if (ready_) {
      std::string ignored;
      (void)runCommand(docker("ps -aq") + " | xargs -r " + docker("rm -f"), &ignored);
    }
    process_.reset();
    // dockerd leaves its network namespace mount behind under the exec root.
    for (const auto& mount : mountsUnder(dir_)) ::umount2(mount.c_str(), MNT_DETACH);
  }
  Dockerd(const Dockerd&) = delete;
  Dockerd& operator=(const Dockerd&) = delete;

  bool waitReady() {
    for (int i = 0; i < 60 && !ready_; ++i) {
      std::string out;
      ready_ =
          runCommand("curl -sf --unix-socket " + shellQuote(socket_) + " http://d/_ping", &out) &&
          out == "OK";
      if (!ready_) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return ready_;
  }
  [[nodiscard]] std::string host() const { return "unix://" + socket_; }
  [[nodiscard]] const std::string& socket() const { return socket_; }
  [[nodiscard]] std::string docker(const std::string& args) const {
    return "docker -H " + shellQuote(host()) + " " + args;
  }
  [[nodiscard]] std::string log() const { return bulwark::testing::readFile(dir_ / "dockerd.log"); }

 private:
  std::filesystem::path dir_;
  std::string socket_;
  std::unique_ptr<ChildProcess> process_;
  bool ready_ = false;
};

struct Result {
  std::string status;
  std::string cause;
  std::string assist;
  std::vector<std::string> where;
};
using Results = std::map<std::pair<std::string, std::string>, Result>;  // (resource, id)

Results resultsOf(const Json& report) {
  Results out;
  for (const auto& resource : report.at("resources")) {
    for (const auto& r : resource.at("results")) {
      Result result{r.at("status"), r.value("cause", ""), r.value("assist", ""), {}};
      for (const auto& e : r.at("evidence")) result.where.push_back(e.value("where", ""));
      out[{resource.at("resource"), r.at("id")}] = std::move(result);
    }
  }
  return out;
}

std::string statusOf(const Results& results, const std::string& resource, const std::string& id) {
  const auto it = results.find({resource, id});
  return it == results.end() ? "(no result)" : it->second.status;
}

bool whereHas(const Results& results, const std::string& resource, const std::string& id,
              std::string_view text) {
  const auto it = results.find({resource, id});
  if (it == results.end()) return false;
  for (const auto& where : it->second.where) {
    if (where.find(text) != std::string::npos) return true;
  }
  return false;
}

// The container checks every container without `good`'s options fails: no USER, no memory
// limit, no CPU shares, writable root, new privileges allowed, no health check, no PIDs limit.
const std::set<std::string> kDefaultFails = {"BW-DKR-401", "BW-DKR-511", "BW-DKR-512", "BW-DKR-513",
                                             "BW-DKR-526", "BW-DKR-527", "BW-DKR-529"};
// Each bad container's own failure on top of those.
const std::map<std::string, std::string> kExtraFail = {
    {"capadd", "BW-DKR-504"},     {"hostpid", "BW-DKR-516"}, {"etcmount", "BW-DKR-506"},
    {"privileged", "BW-DKR-505"}, {"sshd", "BW-DKR-507"},    {"hostnet", "BW-DKR-510"},
    {"sock", "BW-DKR-532"}};
// Automated container checks no container here fails.
const std::set<std::string> kAlwaysPass = {"BW-DKR-508", "BW-DKR-514", "BW-DKR-515",
                                           "BW-DKR-517", "BW-DKR-520", "BW-DKR-521",
                                           "BW-DKR-522", "BW-DKR-525", "BW-DKR-531"};

class DockerBenchE2e : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string missing =
        missingTools({"dockerd", "docker", "containerd", "runc", "cc", "curl"});
    if (!missing.empty()) {
      skip_ = "needs " + missing + " (scripts/install-deps installs docker.io)";
      return;
    }
    if (geteuid() != 0) {
      skip_ = "dockerd needs root";
      return;
    }
    dir_ = new TempDir("bulwark-dockerd");
    dockerd_ = new Dockerd(dir_->path());
    if (!dockerd_->waitReady()) {
      setup_error_ = "dockerd did not answer within 30 s:\n" + dockerd_->log();
      return;
    }
    const auto& d = dir_->path();
    writeFile(d / "pause.c", std::string(kPauseSource));
    std::string out;
    const auto step = [&](const std::string& command) {
      if (!setup_error_.empty()) return;
      if (!runCommand(command, &out)) setup_error_ = command + " failed:\n" + out;
    };
    step("mkdir -p " + shellQuote((d / "root/usr/sbin").string()) + " " +
         shellQuote((d / "root/etc").string()));
    step("cc -static -O2 -o " + shellQuote((d / "root/pause").string()) + " " +
         shellQuote((d / "pause.c").string()));
    step("cp " + shellQuote((d / "root/pause").string()) + " " +
         shellQuote((d / "root/usr/sbin/sshd").string()));
    writeFile(d / "root/etc/passwd", "root:x:0:0::/:/pause\napp:x:10001:10001::/:/pause\n");
    step("tar -C " + shellQuote((d / "root").string()) + " -cf " +
         shellQuote((d / "rootfs.tar").string()) + " .");
    step(dockerd_->docker("import --change 'CMD [\"/pause\"]' " +
                          shellQuote((d / "rootfs.tar").string()) + " bulwark-e2e:1"));
    const std::string image = " bulwark-e2e:1";
    step(dockerd_->docker(
        "run -d --name good --network none --user 10001 --read-only --memory 64m "
        "--cpu-shares 512 --pids-limit 64 --security-opt no-new-privileges --cap-drop ALL "
        "--restart on-failure:3 --health-cmd '/pause health' --health-interval 1s "
        "--ulimit nofile=1024:2048" +
        image));
    step(dockerd_->docker("run -d --name capadd --network none --cap-add SYS_ADMIN" + image));
    step(dockerd_->docker("run -d --name hostpid --network none --pid host" + image));
    step(dockerd_->docker("run -d --name etcmount --network none -v /etc:/host-etc" + image));
    step(dockerd_->docker("create --name privileged --network none --privileged" + image));
    step(dockerd_->docker("run -d --name sshd --network none --entrypoint /usr/sbin/sshd" + image));
    step(dockerd_->docker("run -d --name hostnet --network host" + image));
    step(dockerd_->docker("run -d --name sock --network none -v " + shellQuote(dockerd_->socket()) +
                          ":/var/run/docker.sock" + image));
    // The health check's status is part of the evidence: wait until it settles (the image
    // has no shell, so Docker's CMD-SHELL health check ends "unhealthy" after three tries).
    for (int i = 0; i < 80 && setup_error_.empty(); ++i) {
      (void)runCommand(dockerd_->docker("inspect -f '{{.State.Health.Status}}' good"), &out);
      if (out.find("starting") == std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
  static void TearDownTestSuite() {
    delete dockerd_;
    dockerd_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
  }

  static Json bench(const std::string& args) {
    const auto run = runBulwark("bench docker " + args + " --format json");
    EXPECT_EQ(run.status, 0) << run.out;
    const auto brace = run.out.find("{\n");
    if (brace == std::string::npos) {
      ADD_FAILURE() << "no JSON report:\n" << run.out;
      return Json::object();
    }
    return Json::parse(run.out.substr(brace), nullptr, false);
  }

  static Dockerd& dockerd() { return *dockerd_; }
  static const std::filesystem::path& dir() { return dir_->path(); }

 private:
  static inline std::string skip_;
  static inline std::string setup_error_;
  static inline TempDir* dir_ = nullptr;
  static inline Dockerd* dockerd_ = nullptr;
};

TEST_F(DockerBenchE2e, ContainersGetTheirVerdicts) {
  const Json report = bench("-H " + shellQuote(dockerd().host()));
  ASSERT_TRUE(report.contains("resources")) << report.dump(2);
  const Results results = resultsOf(report);

  for (const auto& id : kDefaultFails) {
    EXPECT_EQ(statusOf(results, "container:good", id), "pass") << id;
  }
  for (const auto& id : kAlwaysPass) {
    EXPECT_EQ(statusOf(results, "container:good", id), "pass") << id;
  }
  for (const auto& [name, own] : kExtraFail) {
    EXPECT_EQ(statusOf(results, "container:good", own), "pass") << own;
    const std::string resource = "container:" + name;
    for (const auto& id : kDefaultFails) {
      EXPECT_EQ(statusOf(results, resource, id), "fail") << resource << " " << id;
    }
    EXPECT_EQ(statusOf(results, resource, own), "fail") << resource << " " << own;
    for (const auto& [other, other_id] : kExtraFail) {
      if (other_id == own || other_id == "BW-DKR-507") continue;
      EXPECT_EQ(statusOf(results, resource, other_id), "pass") << resource << " " << other_id;
    }
    for (const auto& id : kAlwaysPass) {
      EXPECT_EQ(statusOf(results, resource, id), "pass") << resource << " " << id;
    }
  }
  // Processes are only seen in running containers; the privileged one was never started.
  EXPECT_EQ(statusOf(results, "container:privileged", "BW-DKR-507"), "not-applicable");
  EXPECT_EQ(statusOf(results, "container:capadd", "BW-DKR-507"), "pass");
  // Per-container ulimits are a manual control; the automated part passes for `good` only.
  EXPECT_EQ(statusOf(results, "container:good", "BW-DKR-519"), "manual");
  EXPECT_EQ(results.at({"container:good", "BW-DKR-519"}).assist, "pass");
  EXPECT_EQ(results.at({"container:capadd", "BW-DKR-519"}).assist, "fail");
  // `good` runs its health check every second in exec sessions of its own: those are the
  // daemon's, not someone's `docker exec`, so there is no session to judge (without the
  // filter, whether one was caught running made the report differ from run to run).
  for (const char* id : {"BW-DKR-523", "BW-DKR-524"}) {
    const auto& where = results.at({"container:good", id}).where;
    EXPECT_TRUE(std::none_of(where.begin(), where.end(), [](const std::string& w) {
      return w.starts_with("/exec/") && w.find("…") == std::string::npos;
    })) << id;
  }
  // Without AppArmor or SELinux on the host, their per-container checks do not apply.
  const bool apparmor = report.dump().find("name=apparmor") != std::string::npos;
  if (!apparmor) {
    EXPECT_EQ(statusOf(results, "container:good", "BW-DKR-502"), "not-applicable");
  }
}

TEST_F(DockerBenchE2e, DaemonConfigNamesWhereEachValueCameFrom) {
  const Json report = bench("-H " + shellQuote(dockerd().host()));
  const Results results = resultsOf(report);
  ASSERT_FALSE(results.empty());
  std::string host;
  for (const auto& resource : report.at("resources")) {
    if (resource.value("kind", "") == "docker-host") host = resource.at("resource");
  }
  ASSERT_FALSE(host.empty()) << report.dump(2);
  EXPECT_EQ(statusOf(results, host, "BW-DKR-204"), "fail");  // --iptables=false
  EXPECT_TRUE(whereHas(results, host, "BW-DKR-204", "dockerd flag --iptables=false"));
  EXPECT_EQ(statusOf(results, host, "BW-DKR-203"), "pass");  // log-level info in daemon.json
  EXPECT_EQ(statusOf(results, host, "BW-DKR-215"), "pass");  // live-restore
  EXPECT_EQ(statusOf(results, host, "BW-DKR-216"), "pass");  // userland-proxy false
  EXPECT_TRUE(whereHas(results, host, "BW-DKR-216", "daemon.json"));
  EXPECT_EQ(statusOf(results, host, "BW-DKR-202"), "fail");  // icc: Docker's default
  EXPECT_TRUE(whereHas(results, host, "BW-DKR-202", "Docker default"));
  EXPECT_EQ(statusOf(results, host, "BW-DKR-214"), "fail");  // no-new-privileges default
  EXPECT_EQ(statusOf(results, host, "BW-DKR-501"), "pass");  // not a swarm node
  EXPECT_EQ(statusOf(results, host, "BW-DKR-701"), "not-applicable");

  ASSERT_TRUE(report.contains("hosts")) << report.dump(2);
  const auto& summary = report.at("hosts").at(0);
  std::string version;
  ASSERT_TRUE(runCommand(dockerd().docker("version -f '{{.Server.Version}}'"), &version));
  EXPECT_EQ(summary.at("docker_version").get<std::string>() + "\n", version);
  EXPECT_EQ(summary.at("images"), 1);
  EXPECT_EQ(summary.at("containers"), 8);
  EXPECT_EQ(summary.at("containers_running"), 7);

  // Never a pass on a fact that could not be read.
  for (const auto& [key, result] : results) {
    if (!result.cause.empty()) {
      EXPECT_EQ(result.status, "not-evaluated") << key.first << " " << key.second;
    }
  }
}

TEST_F(DockerBenchE2e, SnapshotGivesTheSameReport) {
  const auto snapshot = dir() / "host.json";
  const auto collect = runBulwark("collect docker -H " + shellQuote(dockerd().host()) + " -o " +
                                  shellQuote(snapshot.string()));
  ASSERT_EQ(collect.status, 0) << collect.out;
  Json offline = bench("--snapshot " + shellQuote(snapshot.string()));
  Json live = bench("-H " + shellQuote(dockerd().host()));
  ASSERT_TRUE(offline.contains("hosts") && live.contains("hosts"));
  // Only where the facts came from differs.
  offline["hosts"][0].erase("source");
  live["hosts"][0].erase("source");
  EXPECT_EQ(offline.dump(2), live.dump(2));
}

TEST_F(DockerBenchE2e, ASocketThatNeverAnswersIsNotEvaluatedNotAHang) {
  const std::string path = (dir() / "hang.sock").string();
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof address.sun_path);
  std::copy(path.begin(), path.end(), address.sun_path);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(fd, 16), 0);  // accepted by the kernel, never read or answered

  const auto start = std::chrono::steady_clock::now();
  const Json report = bench("-H unix://" + shellQuote(path) + " --timeout 1");
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  close(fd);
  EXPECT_LT(seconds.count(), 60.0) << "a silent socket must end in timeouts, not a hang";
  const Results results = resultsOf(report);
  ASSERT_FALSE(results.empty()) << report.dump(2);
  for (const auto& [key, result] : results) {
    EXPECT_NE(key.first.rfind("container:", 0), 0U) << "no container can be listed";
  }
  std::string host;
  for (const auto& resource : report.at("resources")) {
    if (resource.value("kind", "") == "docker-host") host = resource.at("resource");
  }
  for (const std::string id : {"BW-DKR-501", "BW-DKR-206"}) {
    ASSERT_TRUE(results.count({host, id})) << id;
    EXPECT_EQ(results.at({host, id}).status, "not-evaluated") << id;
    EXPECT_EQ(results.at({host, id}).cause, "timeout") << id;
  }
}

TEST_F(DockerBenchE2e, DetectFollowsContainerEvents) {
  constexpr std::string_view kFalco010 = "runtime/falcosecurity-rules/falco-rules-0.1.0";
  BULWARK_REQUIRE_SHARED(kFalco010);
  const auto rules = dir() / "docker_rules.yaml";
  writeFile(rules, R"(
- rule: Privileged container created
  desc: a container created privileged (it need not start)
  condition: evt.type=docker and docker.action=create and container.privileged=true
  output: privileged container created (name=%container.name image=%container.image.repository)
  priority: WARNING
- rule: Command run in a container
  desc: docker exec (the health checks of the suite's other containers are execs too)
  condition: evt.type=docker and docker.action=exec_start and container.name startswith ev-
  output: exec (name=%container.name command=%docker.exec.command)
  priority: NOTICE
)");
  bulwark::testing::Child detect(
      {"detect", "-r", rules.string(), "-r",
       (bulwark::testing::sharedTestdata() / kFalco010 / "falco_rules.yaml").string(), "-s",
       "docker:" + dockerd().host(), "--format", "json"});
  ASSERT_TRUE(detect.waitFor("following the daemon's container events", /*on_stderr=*/true))
      << detect.err();
  std::string out;
  const std::string image = " bulwark-e2e:1";
  ASSERT_TRUE(runCommand(
      dockerd().docker("create --name ev-priv --network none --privileged" + image), &out))
      << out;
  ASSERT_TRUE(runCommand(
      dockerd().docker("run -d --name ev-etc --network none -v /etc:/host-etc" + image), &out))
      << out;
  ASSERT_TRUE(runCommand(dockerd().docker("exec ev-etc /pause health"), &out)) << out;
  EXPECT_TRUE(detect.waitFor("\"rule\":\"Command run in a container\"")) << detect.out();
  (void)runCommand(dockerd().docker("rm -f ev-priv ev-etc"), &out);
  EXPECT_EQ(detect.terminate(), 0) << detect.err();

  std::map<std::string, Json> alerts;  // rule → its alert
  std::istringstream lines(detect.out());
  for (std::string line; std::getline(lines, line);) {
    const Json alert = Json::parse(line, nullptr, false);
    ASSERT_TRUE(alert.is_object()) << line;
    EXPECT_TRUE(alerts.emplace(alert.at("rule").get<std::string>(), alert).second)
        << "fired twice: " << line;
  }
  ASSERT_TRUE(alerts.contains("Privileged container created")) << detect.out();
  EXPECT_EQ(alerts["Privileged container created"]["output_fields"]["container.name"], "ev-priv");
  ASSERT_TRUE(alerts.contains("Command run in a container")) << detect.out();
  EXPECT_EQ(alerts["Command run in a container"]["output_fields"]["docker.exec.command"],
            "/pause health");
  // Falco's own rule, unmodified: the start of a container with /etc of the host mounted (once:
  // Falco's container event comes at the start only).
  ASSERT_TRUE(alerts.contains("Launch Sensitive Mount Container")) << detect.out();
  const auto& mount = alerts["Launch Sensitive Mount Container"];
  EXPECT_NE(mount["output_fields"]["container.mounts"].get<std::string>().find("/etc:/host-etc"),
            std::string::npos)
      << mount.dump();
  EXPECT_EQ(mount["priority"], "Informational");
  // The created-only privileged container never started: Falco's "Launch Privileged Container"
  // (container_started) stays silent, as Falco would.
  EXPECT_FALSE(alerts.contains("Launch Privileged Container")) << detect.out();
}

// `bulwark serve` with this dockerd as a `posture.docker` target: serve collects the host on its
// own schedule (no agent, no --post), its worker evaluates the snapshot, the host and its
// containers become posture resources, and /posture/schedules shows the target's last run.
TEST_F(DockerBenchE2e, ServeCollectsTheHostOnItsSchedule) {
  if (missingTools({"curl"}) != "") GTEST_SKIP() << "needs curl";
  TempDir work("bulwark-serve-schedule");
  const int port = bulwark::testing::freePort();
  const auto config = work.path() / "serve.yaml";
  writeFile(config, "listen: 127.0.0.1:" + std::to_string(port) +
                        "\nstore: sqlite:" + (work.path() / "bulwark.db").string() +
                        "\nsecret_key_file: " + (work.path() / "secret.key").string() +
                        "\nworkers: 1\nposture:\n  docker:\n    - {endpoint: '" + dockerd().host() +
                        "', interval: 1h}\n");
  const auto token = runBulwark("token create --config " + shellQuote(config.string()) +
                                " --name e2e --role reader");
  ASSERT_EQ(token.status, 0) << token.out;
  // The secret is the last line (stdout); the line before it is stderr's notice.
  std::string secret = token.out;
  while (!secret.empty() && secret.back() == '\n') secret.pop_back();
  secret = secret.substr(secret.rfind('\n') + 1);
  const char* bin = std::getenv("BULWARK_BIN");
  bulwark::testing::ChildProcess serve(
      {bin != nullptr ? bin : "build/bin/bulwark", "serve", "--config", config.string()},
      work.path() / "serve.log");
  const auto get = [&](const std::string& path) {
    std::string out;
    (void)runCommand("curl -fsS -H 'Authorization: Bearer " + secret +
                         "' http://127.0.0.1:" + std::to_string(port) + path,
                     &out);
    return Json::parse(out, nullptr, false);
  };
  const auto at = [](const Json& doc, const std::string& pointer) {
    const Json::json_pointer where(pointer);
    return doc.is_object() && doc.contains(where) ? doc.at(where) : Json();
  };

  // The host appears with its containers (the suite's, created before serve started).
  Json hosts;
  Json children;
  for (int i = 0; i < 300; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    hosts = get("/api/v1/posture/resources?type=host");
    if (at(hosts, "/total") != 1) continue;
    children = get("/api/v1/posture/resources/" + at(hosts, "/resources/0/id").get<std::string>() +
                   "/children?limit=100");
    if (at(children, "/total").is_number() && at(children, "/total").get<int>() > 0) break;
  }
  const std::string log = bulwark::testing::readFile(work.path() / "serve.log");
  ASSERT_EQ(at(hosts, "/total"), 1) << hosts.dump(2) << "\n" << log;
  std::set<std::string> names;
  for (const Json& child : at(children, "/resources")) {
    if (at(child, "/type") == "container") names.insert(at(child, "/name").get<std::string>());
  }
  EXPECT_TRUE(names.contains("capadd")) << children.dump(2);
  EXPECT_TRUE(names.contains("good")) << children.dump(2);

  // The schedule: the host's key, next run an hour on, its last run done by the schedule.
  const Json schedules = get("/api/v1/posture/schedules");
  ASSERT_EQ(at(schedules, "/schedules").size(), 1U) << schedules.dump(2);
  EXPECT_EQ(at(schedules, "/schedules/0/target"), at(hosts, "/resources/0/key"))
      << schedules.dump(2) << hosts.dump(2);
  EXPECT_EQ(at(schedules, "/schedules/0/last_run/status"), "done") << schedules.dump(2);
  EXPECT_EQ(at(schedules, "/schedules/0/last_run/kind"), "docker") << schedules.dump(2);
  EXPECT_EQ(at(schedules, "/schedules/0/configured"), true) << schedules.dump(2);
  EXPECT_EQ(at(schedules, "/schedules/0/kind"), "docker") << schedules.dump(2);
  EXPECT_EQ(at(schedules, "/schedules/0/name"), dockerd().host()) << schedules.dump(2);
  EXPECT_EQ(at(schedules, "/schedules/0/interval_ms"), 3'600'000) << schedules.dump(2);
  EXPECT_NE(at(schedules, "/schedules/0/last_run_id"), 0) << schedules.dump(2);
  const std::int64_t next = at(schedules, "/schedules/0/next_run_at").get<std::int64_t>();
  const std::int64_t started =
      at(schedules, "/schedules/0/last_run/started_at").get<std::int64_t>();
  EXPECT_GE(next - started, 3'500'000) << schedules.dump(2);
}

// The host sensors and a container's writable layer, on a dockerd with overlay2 (the storage
// driver of real nodes): a program copied into a running container's /tmp under a hidden name
// and run is in the writable layer (BW-RT-217 fires); one the image itself ships in /tmp is not.
TEST(DockerOverlayE2e, AProgramDroppedIntoARunningContainerIsFromItsWritableLayer) {
  const std::string missing =
      missingTools({"dockerd", "docker", "containerd", "runc", "cc", "curl"});
  if (!missing.empty()) GTEST_SKIP() << "needs " << missing;
  if (geteuid() != 0) GTEST_SKIP() << "dockerd and the proc connector need root";
  TempDir dir("bulwark-dockerd-overlay");
  Dockerd dockerd(dir.path(), "overlay2");
  if (!dockerd.waitReady()) GTEST_SKIP() << "no dockerd with overlay2 here:\n" << dockerd.log();
  const auto& d = dir.path();
  writeFile(d / "pause.c", std::string(kPauseSource));
  std::string out;
  for (const std::string& command :
       {"mkdir -p " + shellQuote((d / "root/tmp").string()),
        "cc -static -O2 -o " + shellQuote((d / "root/pause").string()) + " " +
            shellQuote((d / "pause.c").string()),
        "cp " + shellQuote((d / "root/pause").string()) + " " +
            shellQuote((d / "root/tmp/imagetool").string()),
        "tar -C " + shellQuote((d / "root").string()) + " -cf " +
            shellQuote((d / "rootfs.tar").string()) + " .",
        dockerd.docker("import --change 'CMD [\"/pause\"]' " +
                       shellQuote((d / "rootfs.tar").string()) + " bulwark-overlay:1"),
        dockerd.docker("run -d --name app --network none bulwark-overlay:1")}) {
    ASSERT_TRUE(runCommand(command, &out)) << command << "\n" << out;
  }
  bulwark::testing::Child detect(
      {"detect", "-s", "proc", "--docker-host", dockerd.host(), "--format", "json"});
  ASSERT_TRUE(detect.waitFor("proc: watching", /*on_stderr=*/true)) << detect.err();
  // From the image: /tmp/imagetool (in /tmp, but a lower layer). Dropped: /tmp/.b.
  ASSERT_TRUE(runCommand(dockerd.docker("exec -d app /tmp/imagetool"), &out)) << out;
  ASSERT_TRUE(runCommand(
      dockerd.docker("cp " + shellQuote((d / "root/pause").string()) + " app:/tmp/.b"), &out))
      << out;
  ASSERT_TRUE(runCommand(dockerd.docker("exec -d app /tmp/.b"), &out)) << out;
  EXPECT_TRUE(detect.waitFor("\"rule\":\"New Binary Executed from Writable Layer\""))
      << detect.out();
  EXPECT_EQ(detect.terminate(), 0) << detect.err();
  std::size_t fired = 0;
  std::istringstream lines(detect.out());
  for (std::string line; std::getline(lines, line);) {
    const Json alert = Json::parse(line, nullptr, false);
    ASSERT_TRUE(alert.is_object()) << line;
    if (alert["rule"] != "New Binary Executed from Writable Layer") continue;
    ++fired;
    EXPECT_EQ(alert["output_fields"]["proc.exepath"], "/tmp/.b") << line;
    EXPECT_EQ(alert["output_fields"]["container.name"], "app") << line;
  }
  EXPECT_EQ(fired, 1U) << detect.out();
}

}  // namespace
