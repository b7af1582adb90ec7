// parseAuditRules over `auditctl -l` output and rules files.
#include <gtest/gtest.h>

#include "checks/docker/collect/host_facts.h"

namespace bulwark::checks::docker::collect {
namespace {

TEST(AuditRules, AuditctlListOutput) {
  // As `auditctl -l` prints watches and path syscall rules.
  const std::string text =
      "-w /usr/bin/dockerd -p rwxa -k docker\n"
      "-w /run/containerd -p rwxa -k docker\n"
      "-a always,exit -F arch=b64 -S all -F path=/usr/bin/runc -F perm=rwxa -F key=docker\n"
      "-a always,exit -F arch=b64 -S all -F dir=/var/lib/docker -F perm=wa -F key=docker\n"
      "-a always,exit -F arch=b64 -S execve -F auid>=1000 -F key=exec\n"
      "-a never,exit -F path!=/etc/docker\n";
  core::Diagnostics diagnostics;
  const auto rules = parseAuditRules(text, "auditctl -l", diagnostics);
  ASSERT_EQ(rules.size(), 4U);
  EXPECT_EQ(rules[0].kind, AuditRule::Kind::Watch);
  EXPECT_EQ(rules[0].path, "/usr/bin/dockerd");
  EXPECT_EQ(rules[0].perms, "rwxa");
  EXPECT_EQ(rules[0].key, "docker");
  EXPECT_EQ(rules[0].raw, "-w /usr/bin/dockerd -p rwxa -k docker");
  EXPECT_EQ(rules[2].kind, AuditRule::Kind::Syscall);
  EXPECT_EQ(rules[2].path, "/usr/bin/runc");
  EXPECT_FALSE(rules[2].dir);
  EXPECT_EQ(rules[2].perms, "rwxa");
  EXPECT_EQ(rules[2].key, "docker");
  EXPECT_EQ(rules[3].path, "/var/lib/docker");
  EXPECT_TRUE(rules[3].dir);
  EXPECT_EQ(rules[3].perms, "wa");
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(AuditRules, RulesFilesSkipCommentsControlsAndReportBadRules) {
  const std::string text =
      "## First rule - delete all\n"
      "-D\n"
      "\n"
      "-b 8192\n"
      "--backlog_wait_time 60000\n"
      "-f 1\n"
      "   # indented comment\n"
      "-w /etc/docker -k docker\n"
      "-w\n"
      "-w /etc/default/docker -p\n"
      "-a always,exit -F\n"
      "-a always,exit -F =x -k k\n"
      "-a exit,always -S open -F path=/etc/docker/daemon.json -k dj\n"
      "-W /usr/bin/dockerd -k docker\n"
      "-e 2\n"
      "No rules\n";
  core::Diagnostics diagnostics;
  const auto rules = parseAuditRules(text, "audit.rules", diagnostics);
  ASSERT_EQ(rules.size(), 2U);
  EXPECT_EQ(rules[0].path, "/etc/docker");
  EXPECT_EQ(rules[0].perms, "");
  EXPECT_EQ(rules[0].key, "docker");
  EXPECT_EQ(rules[1].path, "/etc/docker/daemon.json");
  EXPECT_EQ(rules[1].key, "dj");
  const auto found = diagnostics.sorted();
  ASSERT_EQ(found.size(), 4U);
  for (const auto& diagnostic : found) EXPECT_EQ(diagnostic.kind, "audit.malformed-rule");
  EXPECT_EQ(found[0].where, "audit.rules:10");
}

TEST(AuditRules, ManyRulesAreCapped) {
  std::string text;
  for (std::size_t i = 0; i < kMaxAuditRules + 5; ++i) text += "-w /x -k k\n";
  core::Diagnostics diagnostics;
  EXPECT_EQ(parseAuditRules(text, "big", diagnostics).size(), kMaxAuditRules);
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics.sorted()[0].kind, "audit.truncated");
}

}  // namespace
}  // namespace bulwark::checks::docker::collect
