// `bulwark bench k8s`: goldens of the four formats over tests/fixtures/k8s/bench, and what a
// person relies on — evidence with the manifest line, unreadable documents reported without
// stopping the run, stdin, versions, exit codes.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "cli_run.h"
#include "testdata.h"

namespace {

namespace fs = std::filesystem;
using bulwark::testing::runBulwark;
using bulwark::testing::sourceDir;

const std::string kDir = "tests/fixtures/k8s/bench";

class BenchK8sCli : public ::testing::Test {
 protected:
  void SetUp() override { fs::current_path(sourceDir()); }
};

void expectGolden(const std::string& output, const std::string& name) {
  const fs::path golden = sourceDir() / kDir / name;
  if (std::getenv("BULWARK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << output;
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing; run with BULWARK_UPDATE_GOLDEN=1";
  EXPECT_EQ(output, bulwark::testing::readFile(golden)) << name;
}

TEST_F(BenchK8sCli, RestrictedProfileMatchesGoldens) {
  const fs::path out = fs::temp_directory_path() / "bulwark-bench-k8s-cli.out";
  for (const std::string format : {"table", "json", "junit", "sarif"}) {
    const auto run = runBulwark("-q bench k8s " + kDir +
                                " --benchmark pss-restricted --k8s-version 1.37 --format " +
                                format + " -o " + out.string());
    ASSERT_EQ(run.status, 0) << run.out;
    expectGolden(bulwark::testing::readFile(out), "bench-k8s." + format + ".golden");
  }
  fs::remove(out);
}

TEST_F(BenchK8sCli, EvidenceNamesTheContainerAndTheLine) {
  const auto run = runBulwark("-q bench k8s " + kDir + "/migrate.yaml --check BW-K8S-103");
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("FAIL  BW-K8S-103"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("spec.template.spec.initContainers[name=migrate].securityContext."
                         "privileged (" +
                         kDir + "/migrate.yaml:16)"),
            std::string::npos)
      << run.out;
  // The object's own line heads its block.
  EXPECT_NE(run.out.find("k8s:shop/Deployment/api  (" + kDir + "/migrate.yaml:3)"),
            std::string::npos)
      << run.out;
}

TEST_F(BenchK8sCli, UnreadableDocumentsAreReportedAndTheRestIsChecked) {
  const auto run = runBulwark("-q bench k8s " + kDir + "/agent.yaml --format json");
  ASSERT_EQ(run.status, 0) << run.out;
  // The duplicate key: not evaluated, never a pass; the document after it is still read.
  EXPECT_NE(run.out.find("\"resource\": \"file:" + kDir + "/agent.yaml#2\""), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("duplicate key"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\"resource\": \"k8s:shop/Certificate/web-tls\""), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("kind Certificate (cert-manager.io/v1) is not one bulwark checks"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("k8s:default/Pod/broken"), std::string::npos) << run.out;
  // hostNetwork: the port's hostPort is the API default, and fails hostPorts.
  EXPECT_NE(run.out.find("9100 (API default)"), std::string::npos) << run.out;
}

TEST_F(BenchK8sCli, StdinAndVersionsAndExitCodes) {
  const auto piped =
      runBulwark("-q bench k8s - --benchmark pss-restricted --exit-code 3 < " + kDir + "/web.yaml");
  EXPECT_EQ(piped.status, 0) << piped.out;
  EXPECT_NE(piped.out.find("1 of 1 workload meet it"), std::string::npos) << piped.out;
  EXPECT_EQ(runBulwark("-q bench k8s " + kDir + " --exit-code 3").status, 3);
  EXPECT_EQ(runBulwark("-q bench k8s " + kDir + " --k8s-version 2.1").status, 2);
  EXPECT_EQ(runBulwark("-q bench k8s " + kDir + " --benchmark pss-nope").status, 2);
  EXPECT_EQ(runBulwark("-q bench k8s " + kDir + "/absent.yaml").status, 2);
  // A rule that did not exist yet: hostProbesAndHostLifecycle arrived in 1.34.
  const auto old = runBulwark("-q bench k8s " + kDir +
                              " --benchmark pss-baseline --k8s-version 1.33 --format json");
  EXPECT_EQ(old.out.find("hostProbesAndHostLifecycle"), std::string::npos) << old.out;
  const auto now = runBulwark("-q bench k8s " + kDir + " --benchmark pss-baseline --format json");
  EXPECT_NE(now.out.find("pss-baseline@latest:hostProbesAndHostLifecycle"), std::string::npos)
      << now.out;
}

}  // namespace
