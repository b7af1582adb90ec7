// Threat-intel sets (src/rules/intel.h, docs/dev/runtime-design.md §3.7): what each kind holds
// and matches, how feed files are read (text and CSV as abuse.ch and Tor publish them), how rules
// files declare them and conditions use them, and reloads that swap a set or keep the last good
// one.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "events/event.h"
#include "events/host/host_event.h"
#include "rules/intel.h"
#include "rules/loader.h"
#include "rules/ruleset.h"
#include "support/process.h"

namespace bulwark::rules {
namespace {

IntelSet setOf(IntelKind kind, const std::vector<std::string>& entries) {
  IntelSet set(kind);
  for (const auto& entry : entries) EXPECT_TRUE(set.add(entry)) << entry;
  return set;
}

using testing::TempDir;
using testing::writeFile;

TEST(IntelSet, AddressesAndNetworksOfBothFamilies) {
  const IntelSet set = setOf(IntelKind::Ip, {"203.0.113.7", "198.51.100.0/24", "2001:db8::1",
                                             "2001:db8:ff00::/40", "10.0.0.0/8"});
  EXPECT_TRUE(set.contains("203.0.113.7"));
  EXPECT_FALSE(set.contains("203.0.113.8"));
  EXPECT_TRUE(set.contains("198.51.100.255"));
  EXPECT_FALSE(set.contains("198.51.101.0"));
  EXPECT_TRUE(set.contains("10.200.3.4"));
  EXPECT_TRUE(set.contains("2001:db8::1"));
  EXPECT_TRUE(set.contains("2001:0db8:0000::0001"));  // another spelling, the same address
  EXPECT_TRUE(set.contains("2001:db8:ff42::9"));
  EXPECT_FALSE(set.contains("2001:db8:fe00::9"));
  // An IPv4 address written as IPv6 (v4-mapped) is the same address.
  EXPECT_TRUE(set.contains("::ffff:203.0.113.7"));
  EXPECT_FALSE(set.contains("not an address"));
  EXPECT_FALSE(set.contains(""));
  EXPECT_EQ(set.size(), 5U);
  IntelSet bad(IntelKind::Ip);
  for (const char* entry :
       {"203.0.113", "203.0.113.0/33", "2001:db8::/129", "1.2.3.4/x", "example.com", "1.2.3.4/"}) {
    EXPECT_FALSE(bad.add(entry)) << entry;
  }
  EXPECT_EQ(bad.size(), 0U);
}

TEST(IntelSet, DomainsMatchThemselvesAndTheirSubdomains) {
  const IntelSet set = setOf(IntelKind::Domain, {"evil.example", "*.pool.test", "C2.Example.ORG."});
  EXPECT_TRUE(set.contains("evil.example"));
  EXPECT_TRUE(set.contains("a.b.evil.example"));
  EXPECT_TRUE(set.contains("EVIL.example."));
  EXPECT_FALSE(set.contains("notevil.example"));  // a label boundary, not a suffix
  EXPECT_FALSE(set.contains("example"));
  EXPECT_TRUE(set.contains("xmr.pool.test"));
  EXPECT_TRUE(set.contains("c2.example.org"));
  EXPECT_FALSE(set.contains("example.org"));
  IntelSet bad(IntelKind::Domain);
  EXPECT_FALSE(bad.add("http://evil.example/x"));
  EXPECT_FALSE(bad.add("two words"));
}

TEST(IntelSet, HashesOfEveryLengthInAnyCase) {
  const IntelSet set =
      setOf(IntelKind::Hash, {"44D88612FEA8A8F36DE82E1278ABB02F",          // md5
                              "3395856ce81f2b7382dee72602f798b642f14140",  // sha1
                              "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"});
  EXPECT_TRUE(set.contains("44d88612fea8a8f36de82e1278abb02f"));
  EXPECT_TRUE(set.contains("3395856CE81F2B7382DEE72602F798B642F14140"));
  EXPECT_TRUE(set.contains("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"));
  EXPECT_FALSE(set.contains("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0e"));
  IntelSet bad(IntelKind::Hash);
  EXPECT_FALSE(bad.add("abc"));
  EXPECT_FALSE(bad.add(std::string(64, 'z')));
}

TEST(IntelText, CommentsBlanksAndBadLinesCounted) {
  IntelSet set(IntelKind::Ip);
  std::vector<IntelProblem> problems;
  const auto bad = readIntelText(
      "# Tor exit addresses\n\n203.0.113.7\r\n  198.51.100.0/24  \nnot-an-ip\n2001:db8::1\n"
      "999.1.1.1\n",
      {}, set, problems);
  ASSERT_TRUE(bad);
  EXPECT_EQ(*bad, 2U);
  EXPECT_EQ(set.size(), 3U);
  ASSERT_EQ(problems.size(), 2U);
  EXPECT_EQ(problems[0].line, 5U);
  EXPECT_NE(problems[0].text.find("not-an-ip"), std::string::npos);
  EXPECT_EQ(problems[1].line, 7U);
  // The kept problems are bounded; every bad line is still counted.
  std::string many;
  for (int i = 0; i < 100; ++i) many += "bad\n";
  problems.clear();
  IntelSet other(IntelKind::Ip);
  const auto counted = readIntelText(many, {}, other, problems, 5);
  ASSERT_TRUE(counted);
  EXPECT_EQ(*counted, 100U);
  EXPECT_EQ(problems.size(), 5U);
}

TEST(IntelText, CsvColumnByNameUnderACommentedHeader) {
  // abuse.ch's Feodo Tracker CSV: comments, a header that is itself a comment, quoted fields.
  constexpr std::string_view kFeodo =
      "################################################################\n"
      "# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)          #\n"
      "################################################################\n"
      "#\n"
      "# \"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\",\"last_online\",\"malware\"\n"
      "\"2021-01-17 07:30:05\",\"203.0.113.50\",\"443\",\"online\",\"2026-11-20\",\"QakBot\"\n"
      "\"2021-01-17 07:44:46\",\"198.51.100.23\",\"8080\",\"offline\",\"2026-11-19\",\"Emotet\"\n"
      "# END 2 entries\n";
  IntelSet set(IntelKind::Ip);
  std::vector<IntelProblem> problems;
  const auto bad = readIntelText(kFeodo, {true, "dst_ip"}, set, problems);
  ASSERT_TRUE(bad) << bad.error().message;
  EXPECT_EQ(*bad, 0U);
  EXPECT_EQ(set.size(), 2U);
  EXPECT_TRUE(set.contains("198.51.100.23"));
  IntelSet by_number(IntelKind::String);
  ASSERT_TRUE(readIntelText("a,b\nx,\"y,z\"\n", {true, "2"}, by_number, problems));
  EXPECT_TRUE(by_number.contains("y,z"));
  EXPECT_TRUE(by_number.contains("b"));  // by number there is no header: every line is data
  IntelSet missing(IntelKind::Ip);
  const auto error = readIntelText(kFeodo, {true, "src_ip"}, missing, problems);
  ASSERT_FALSE(error);
  EXPECT_NE(error.error().message.find("src_ip"), std::string::npos);
}

// A rules file declaring sets, and conditions using them.
struct Loaded {
  RulesSource source;
  LoadResult result;
  Ruleset ruleset;
};

std::unique_ptr<Loaded> load(const std::filesystem::path& file) {
  auto out = std::make_unique<Loaded>();
  loadRulesPath(file.string(), out->source, out->result);
  auto compiled = compileRules(out->source, out->result);
  out->ruleset = Ruleset::build(compiled, Priority::Debug, out->result, &out->source.intel);
  return out;
}

std::vector<std::string> fired(const Ruleset& ruleset, const std::string& sip) {
  events::host::HostEvent host;
  host.type = "connect";
  host.fd.type = events::host::Fd::Type::Ipv4;
  host.fd.cip = "10.1.2.3";
  host.fd.cport = 40000;
  host.fd.sip = sip;
  host.fd.sport = 443;
  events::Event event;
  event.source = events::Source::Syscall;
  event.num = 1;
  event.payload = &host;
  EvalContext context;
  std::vector<std::string> out;
  ruleset.match(event, context, false, [&](const Rule& rule) { out.push_back(rule.item->name); });
  return out;
}

constexpr std::string_view kRules = R"(
- intel: c2_addresses
  kind: ip
  files: [feeds/c2.txt]
- intel: feodo
  kind: ip
  format: csv
  column: dst_ip
  files: [feeds/feodo.csv]
- rule: Connection to a listed C2
  desc: d
  condition: evt.type=connect and fd.sip in (c2_addresses)
  output: o %fd.sip
  priority: WARNING
- rule: Connection to Feodo
  desc: d
  condition: evt.type=connect and fd.sip in feodo
  output: o
  priority: WARNING
- rule: Connection elsewhere
  desc: d
  condition: evt.type=connect and not fd.sip intersects (c2_addresses)
  output: o
  priority: NOTICE
)";

TEST(IntelRules, ConditionsTestMembershipAndReloadsSwapTheSet) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "feeds");
  writeFile(dir.path() / "feeds/c2.txt", "# ours\n203.0.113.0/28\nbad entry\n");
  writeFile(dir.path() / "feeds/feodo.csv", "# first_seen_utc,dst_ip\n2026-01-01,198.51.100.23\n");
  writeFile(dir.path() / "rules.yaml", std::string(kRules));
  const auto loaded = load(dir.path() / "rules.yaml");
  ASSERT_TRUE(loaded->result.ok());
  ASSERT_EQ(loaded->result.messages.size(), 1U);  // the bad line, as a warning with its place
  EXPECT_EQ(loaded->result.messages[0].code, "LOAD_INTEL_FILE");
  EXPECT_NE(loaded->result.messages[0].text.find("c2.txt:3:"), std::string::npos)
      << toString(loaded->result.messages[0]);
  EXPECT_EQ(loaded->ruleset.rules().size(), 3U);
  EXPECT_EQ(fired(loaded->ruleset, "203.0.113.9"),
            std::vector<std::string>{"Connection to a listed C2"});
  EXPECT_EQ(fired(loaded->ruleset, "198.51.100.23"),
            (std::vector<std::string>{"Connection to Feodo", "Connection elsewhere"}));
  EXPECT_EQ(fired(loaded->ruleset, "192.0.2.1"), std::vector<std::string>{"Connection elsewhere"});

  // The feed changes: a reload swaps the set in (the file's size differs, so the stamp does).
  writeFile(dir.path() / "feeds/c2.txt", "192.0.2.0/24\n");
  std::vector<std::string> messages;
  reloadChangedIntel(loaded->ruleset.intel(), [&](const std::string& name, const std::string& m) {
    messages.push_back(name + ": " + m);
  });
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0], "c2_addresses: reloaded: 1 entries");
  EXPECT_EQ(fired(loaded->ruleset, "192.0.2.1"),
            std::vector<std::string>{"Connection to a listed C2"});
  EXPECT_EQ(fired(loaded->ruleset, "203.0.113.9"),
            std::vector<std::string>{"Connection elsewhere"});
  // Nothing changed: nothing reread.
  messages.clear();
  reloadChangedIntel(loaded->ruleset.intel(),
                     [&](const std::string&, const std::string& m) { messages.push_back(m); });
  EXPECT_TRUE(messages.empty());
  // The feed disappears: the last good set stays in force.
  std::filesystem::remove(dir.path() / "feeds/c2.txt");
  reloadChangedIntel(loaded->ruleset.intel(),
                     [&](const std::string&, const std::string& m) { messages.push_back(m); });
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_NE(messages[0].find("the previous content stays in force"), std::string::npos);
  EXPECT_EQ(fired(loaded->ruleset, "192.0.2.1"),
            std::vector<std::string>{"Connection to a listed C2"});
}

TEST(IntelRules, SetIntelGivesASetItsContentAndReloadsLeaveItAlone) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "feeds");
  writeFile(dir.path() / "feeds/c2.txt", "203.0.113.0/28\n");
  writeFile(dir.path() / "feeds/feodo.csv", "dst_ip\n198.51.100.23\n");
  writeFile(dir.path() / "rules.yaml", std::string(kRules));
  const auto loaded = load(dir.path() / "rules.yaml");
  ASSERT_TRUE(loaded->result.ok());
  ASSERT_TRUE(setIntel(loaded->ruleset.intel(), "c2_addresses", {"192.0.2.7", "2001:db8::/32"}));
  EXPECT_EQ(fired(loaded->ruleset, "192.0.2.7"),
            std::vector<std::string>{"Connection to a listed C2"});
  EXPECT_EQ(fired(loaded->ruleset, "203.0.113.9"),
            std::vector<std::string>{"Connection elsewhere"});  // the file's entry is gone
  // The feed changes, but the set is pinned: not reread.
  writeFile(dir.path() / "feeds/c2.txt", "203.0.113.0/24\n198.51.100.0/24\n");
  std::vector<std::string> messages;
  reloadChangedIntel(loaded->ruleset.intel(),
                     [&](const std::string&, const std::string& m) { messages.push_back(m); });
  EXPECT_TRUE(messages.empty());
  EXPECT_EQ(fired(loaded->ruleset, "192.0.2.7"),
            std::vector<std::string>{"Connection to a listed C2"});
  // An empty list empties it.
  ASSERT_TRUE(setIntel(loaded->ruleset.intel(), "c2_addresses", {}));
  EXPECT_EQ(fired(loaded->ruleset, "192.0.2.7"), std::vector<std::string>{"Connection elsewhere"});

  auto refused = setIntel(loaded->ruleset.intel(), "c2_addresses", {"not-an-address"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Usage);
  EXPECT_EQ(refused.error().message, "intel set 'c2_addresses': 'not-an-address' is not an ip");
  refused = setIntel(loaded->ruleset.intel(), "nowhere", {"192.0.2.1"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "intel set 'nowhere': no rules file declares it");
}

TEST(IntelRules, DeclarationErrors) {
  TempDir dir;
  writeFile(dir.path() / "ok.txt", "203.0.113.1\n");
  const auto check = [&](const std::string& yaml, const std::string& code,
                         const std::string& text) {
    writeFile(dir.path() / "rules.yaml", yaml);
    const auto loaded = load(dir.path() / "rules.yaml");
    bool found = false;
    for (const auto& message : loaded->result.messages) {
      if (message.code == code && message.text.find(text) != std::string::npos) found = true;
    }
    EXPECT_TRUE(found) << yaml;
  };
  check("- intel: x\n  kind: ip\n  files: [missing.txt]\n", "LOAD_ERR_INTEL_FILE", "missing.txt");
  check("- intel: x\n  kind: url\n  files: [ok.txt]\n", "LOAD_ERR_YAML_VALIDATE", "unknown kind");
  check("- intel: x\n  kind: ip\n", "LOAD_ERR_YAML_VALIDATE", "files");
  check("- intel: x\n  kind: ip\n  format: csv\n  files: [ok.txt]\n", "LOAD_ERR_YAML_VALIDATE",
        "column");
  check("- intel: x\n  kind: ip\n  format: csv\n  column: ip\n  files: [ok.txt]\n",
        "LOAD_ERR_INTEL_FILE", "no CSV header names the column 'ip'");
  check("- list: x\n  items: [a]\n- intel: x\n  kind: string\n  files: [ok.txt]\n",
        "LOAD_ERR_VALIDATE", "a list of the same name");
  check(
      "- intel: x\n  kind: ip\n  files: [ok.txt]\n- rule: r\n  desc: d\n  condition: proc.pid in "
      "(x)\n  output: o\n  priority: INFO\n",
      "LOAD_ERR_COMPILE_CONDITION", "cannot hold numbers");
}

}  // namespace
}  // namespace bulwark::rules
