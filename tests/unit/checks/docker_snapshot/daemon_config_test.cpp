// effectiveConfig: pflag rules for dockerd's argv, daemon.json types, precedence flag >
// daemon.json > default, defaults only when both sources were read, and conflicts.
#include "checks/docker/daemon_config.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testdata.h"

namespace bulwark::checks::docker {
namespace {

using nlohmann::json;
using Origin = OptionValue::Origin;
using Strings = std::vector<std::string>;

Snapshot::Host::Dockerd dockerdWith(Strings flags, FactStatus status = FactStatus::Ok) {
  Snapshot::Host::Dockerd dockerd;
  dockerd.state.status = status;
  dockerd.state.source = "/proc/812/cmdline";
  dockerd.argv.emplace_back("/usr/bin/dockerd");
  for (auto& flag : flags) dockerd.argv.push_back(std::move(flag));
  return dockerd;
}

Snapshot::Host::DaemonJson daemonJson(const json& doc) {
  Snapshot::Host::DaemonJson file;
  file.path = "/etc/docker/daemon.json";
  file.state.status = FactStatus::Ok;
  file.doc = doc;
  return file;
}

Snapshot::Host::DaemonJson daemonJsonState(FactStatus status) {
  Snapshot::Host::DaemonJson file;
  file.path = "/etc/docker/daemon.json";
  file.state.status = status;
  file.state.detail = "detail of " + std::string(toString(status));
  return file;
}

struct Run {
  DaemonConfig config;
  std::vector<core::Diagnostic> diagnostics;
  const OptionValue& at(std::string_view key) const {
    const auto* value = config.find(key);
    EXPECT_NE(value, nullptr) << key;
    static const OptionValue kNone;
    return value != nullptr ? *value : kNone;
  }
};

Run run(const Snapshot::Host::Dockerd& dockerd, const Snapshot::Host::DaemonJson& file) {
  core::Diagnostics diagnostics;
  Run result{effectiveConfig(dockerd, file, diagnostics), {}};
  result.diagnostics = diagnostics.sorted();
  return result;
}

Run runFlags(Strings flags) {
  return run(dockerdWith(std::move(flags)), daemonJsonState(FactStatus::Missing));
}

bool hasDiagnostic(const Run& r, std::string_view kind, std::string_view text) {
  for (const auto& d : r.diagnostics) {
    if (d.kind == kind && d.detail.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(DaemonOptions, TableRows) {
  const auto options = daemonOptions();
  EXPECT_EQ(options.size(), 30u);
  EXPECT_EQ(options.front().key, "icc");
  EXPECT_EQ(options.back().key, "config-file");
  const auto* log_level = findDaemonOption("log-level");
  ASSERT_NE(log_level, nullptr);
  EXPECT_EQ(log_level->flags, "-l, --log-level");
  EXPECT_EQ(log_level->type, OptionType::String);
  EXPECT_EQ(log_level->fallback, "info");
  EXPECT_EQ(findDaemonOption("log-opts")->type, OptionType::Map);
  EXPECT_EQ(findDaemonOption("hosts")->type, OptionType::List);
  EXPECT_EQ(findDaemonOption("nope"), nullptr);
}

TEST(DaemonConfig, DefaultsWhenBothSourcesRead) {
  const auto r = runFlags({});
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.config.options.size(), daemonOptions().size());
  const auto& icc = r.at("icc");
  EXPECT_EQ(icc.origin, Origin::Default);
  EXPECT_EQ(icc.values, Strings{"true"});
  EXPECT_EQ(icc.where, "Docker default");
  EXPECT_EQ(r.at("hosts").values, Strings{"unix:///var/run/docker.sock"});
  EXPECT_TRUE(r.at("insecure-registries").values.empty());
  EXPECT_EQ(r.at("insecure-registries").origin, Origin::Default);
  EXPECT_TRUE(r.at("log-opts").values.empty());
  EXPECT_EQ(r.at("storage-driver").values, Strings{""});
  EXPECT_EQ(r.at("config-file").values, Strings{"/etc/docker/daemon.json"});
  // No dockerd process at all (missing) still lets defaults apply.
  const auto none = run(dockerdWith({}, FactStatus::Missing), daemonJson(json::object()));
  EXPECT_EQ(none.at("log-level").origin, Origin::Default);
}

TEST(DaemonConfig, BoolFlags) {
  auto r = runFlags({"--icc=false"});
  EXPECT_EQ(r.at("icc").origin, Origin::Flag);
  EXPECT_EQ(r.at("icc").values, Strings{"false"});
  EXPECT_EQ(r.at("icc").where, "dockerd flag --icc=false");

  r = runFlags({"--debug"});
  EXPECT_EQ(r.at("debug").values, Strings{"true"});
  EXPECT_EQ(r.at("debug").where, "dockerd flag --debug");
  r = runFlags({"-D"});
  EXPECT_EQ(r.at("debug").values, Strings{"true"});
  EXPECT_EQ(r.at("debug").where, "dockerd flag --debug");
  r = runFlags({"-D=false"});
  EXPECT_EQ(r.at("debug").values, Strings{"false"});
  r = runFlags({"--live-restore=1", "--userland-proxy=F"});
  EXPECT_EQ(r.at("live-restore").values, Strings{"true"});
  EXPECT_EQ(r.at("userland-proxy").values, Strings{"false"});

  // A boolean never takes the next word: `--icc false` is --icc (true) and a stray word.
  r = runFlags({"--icc", "false"});
  EXPECT_EQ(r.at("icc").values, Strings{"true"});
  // The last occurrence wins.
  r = runFlags({"--iptables=false", "--iptables"});
  EXPECT_EQ(r.at("iptables").values, Strings{"true"});
  EXPECT_EQ(r.at("iptables").where, "dockerd flag --iptables");
}

TEST(DaemonConfig, ScalarFlags) {
  for (const Strings& flags : {Strings{"--log-level=debug"}, Strings{"--log-level", "debug"},
                               Strings{"-l", "debug"}, Strings{"-ldebug"}, Strings{"-l=debug"}}) {
    const auto r = runFlags(flags);
    EXPECT_EQ(r.at("log-level").origin, Origin::Flag) << flags.front();
    EXPECT_EQ(r.at("log-level").values, Strings{"debug"}) << flags.front();
    EXPECT_EQ(r.at("log-level").where, "dockerd flag --log-level=debug") << flags.front();
  }
  // The last scalar wins; a value may start with '-' (pflag takes the next word as it is).
  auto r = runFlags({"--log-level=warn", "-l", "error"});
  EXPECT_EQ(r.at("log-level").values, Strings{"error"});
  r = runFlags({"--cgroup-parent", "-weird"});
  EXPECT_EQ(r.at("cgroup-parent").values, Strings{"-weird"});
  r = runFlags({"--userns-remap="});
  EXPECT_EQ(r.at("userns-remap").origin, Origin::Flag);
  EXPECT_EQ(r.at("userns-remap").values, Strings{""});
  r = runFlags({"-g", "/srv/docker", "-G", "ops", "-s", "overlay2"});
  EXPECT_EQ(r.at("data-root").values, Strings{"/srv/docker"});
  EXPECT_EQ(r.at("data-root").where, "dockerd flag --data-root=/srv/docker");
  EXPECT_EQ(r.at("group").values, Strings{"ops"});
  EXPECT_EQ(r.at("storage-driver").values, Strings{"overlay2"});
  r = runFlags({"--config-file", "/srv/daemon.json"});
  EXPECT_EQ(r.at("config-file").values, Strings{"/srv/daemon.json"});
}

TEST(DaemonConfig, CombinedShorthands) {
  const auto r = runFlags({"-DH", "fd://", "-Dlwarn"});
  EXPECT_EQ(r.at("debug").values, Strings{"true"});
  EXPECT_EQ(r.at("hosts").values, Strings{"fd://"});
  EXPECT_EQ(r.at("log-level").values, Strings{"warn"});
}

TEST(DaemonConfig, ListFlagsAccumulate) {
  const auto r = runFlags({"-H", "fd://", "--host=tcp://0.0.0.0:2376", "--host",
                           "unix:///run/d.sock", "--insecure-registry", "reg:5000",
                           "--insecure-registry=10.0.0.0/8", "--storage-opt", "dm.basesize=20G"});
  const auto& hosts = r.at("hosts");
  EXPECT_EQ(hosts.origin, Origin::Flag);
  EXPECT_EQ(hosts.values, (Strings{"fd://", "tcp://0.0.0.0:2376", "unix:///run/d.sock"}));
  EXPECT_EQ(hosts.where,
            "dockerd flag --host=fd:// --host=tcp://0.0.0.0:2376 --host=unix:///run/d.sock");
  EXPECT_EQ(r.at("insecure-registries").values, (Strings{"reg:5000", "10.0.0.0/8"}));
  EXPECT_EQ(r.at("storage-opts").values, Strings{"dm.basesize=20G"});
  // Values are not split on commas (dockerd's ListOpts).
  EXPECT_EQ(runFlags({"--authorization-plugin=a,b"}).at("authorization-plugins").values,
            Strings{"a,b"});
}

TEST(DaemonConfig, MapFlags) {
  auto r = runFlags({"--log-opt", "max-size=10m", "--log-opt=max-file=3", "--log-opt",
                     "max-size=20m", "--default-ulimit", "nofile=1024:2048"});
  EXPECT_EQ(r.at("log-opts").origin, Origin::Flag);
  EXPECT_EQ(r.at("log-opts").values, (Strings{"max-file=3", "max-size=20m"}));
  EXPECT_EQ(r.at("default-ulimits").values, Strings{"nofile=1024:2048"});
  EXPECT_EQ(r.at("default-ulimits").where, "dockerd flag --default-ulimit=nofile=1024:2048");
  r = runFlags({"--log-opt", "novalue"});
  EXPECT_EQ(r.at("log-opts").origin, Origin::Unknown);
  EXPECT_EQ(r.at("log-opts").unread.status, FactStatus::Malformed);
  EXPECT_TRUE(hasDiagnostic(r, "docker.dockerd-flag.malformed", "novalue"));
}

TEST(DaemonConfig, UnknownFlagsAndTerminator) {
  auto r = runFlags({"--bridge", "none", "--ip-masq", "--pidfile=/run/d.pid", "-p", "/run/x",
                     "--ipv6", "--icc=false", "-b", "br0", "--future-flag", "value", "--debug"});
  EXPECT_EQ(r.at("icc").values, Strings{"false"});
  EXPECT_EQ(r.at("debug").values, Strings{"true"});
  EXPECT_TRUE(r.diagnostics.empty());
  // Known boolean flags outside the table do not swallow the next word.
  r = runFlags({"--ip-masq", "-H", "fd://"});
  EXPECT_EQ(r.at("hosts").values, Strings{"fd://"});
  // After "--" nothing is a flag.
  r = runFlags({"--", "--icc=false"});
  EXPECT_EQ(r.at("icc").origin, Origin::Default);
}

TEST(DaemonConfig, RefusedFlagsAreUnknown) {
  auto r = runFlags({"--icc=maybe"});
  EXPECT_EQ(r.at("icc").origin, Origin::Unknown);
  EXPECT_EQ(r.at("icc").unread.status, FactStatus::Malformed);
  EXPECT_TRUE(hasDiagnostic(r, "docker.dockerd-flag.malformed", "--icc=maybe"));
  r = runFlags({"--log-level"});
  EXPECT_EQ(r.at("log-level").origin, Origin::Unknown);
  EXPECT_TRUE(hasDiagnostic(r, "docker.dockerd-flag.malformed", "needs a value"));
  EXPECT_EQ(r.at("icc").origin, Origin::Default);  // the others are unaffected
}

TEST(DaemonConfig, FileValues) {
  const auto r = run(dockerdWith({}), daemonJson(json::parse(R"({
    "icc": false, "log-level": "warn", "hosts": ["fd://", "tcp://0.0.0.0:2376"],
    "log-opts": {"max-size": "10m", "labels": "a"},
    "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 1024}},
    "debug": null, "unknown-key": [1, 2]})")));
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.at("icc").origin, Origin::File);
  EXPECT_EQ(r.at("icc").values, Strings{"false"});
  EXPECT_EQ(r.at("icc").where, "daemon.json `icc`");
  EXPECT_EQ(r.at("log-level").values, Strings{"warn"});
  EXPECT_EQ(r.at("hosts").values, (Strings{"fd://", "tcp://0.0.0.0:2376"}));
  EXPECT_EQ(r.at("log-opts").values, (Strings{"labels=a", "max-size=10m"}));
  EXPECT_EQ(r.at("default-ulimits").values, Strings{"nofile=1024:64000"});
  EXPECT_EQ(r.at("debug").origin, Origin::Default);  // null is not set
  // daemon.json cannot set the config file's own path.
  const auto own = run(dockerdWith({}), daemonJson(json::parse(R"({"config-file": "/x"})")));
  EXPECT_EQ(own.at("config-file").origin, Origin::Default);
}

TEST(DaemonConfig, WrongFileTypesAreUnknown) {
  const auto r = run(dockerdWith({}), daemonJson(json::parse(R"({
    "icc": "false", "hosts": "tcp://0.0.0.0:2375", "insecure-registries": ["a", 1],
    "log-opts": {"max-size": 10}, "default-ulimits": {"nofile": {"Soft": "1"}},
    "log-level": 5})")));
  for (const auto* key :
       {"icc", "hosts", "insecure-registries", "log-opts", "default-ulimits", "log-level"}) {
    EXPECT_EQ(r.at(key).origin, Origin::Unknown) << key;
    EXPECT_EQ(r.at(key).unread.status, FactStatus::Malformed) << key;
    EXPECT_TRUE(r.at(key).values.empty()) << key;
  }
  EXPECT_TRUE(hasDiagnostic(r, "docker.daemon-json.type",
                            "`icc` is string, dockerd expects a "
                            "boolean"));
  EXPECT_EQ(r.diagnostics.size(), 6u);
  // A flag still decides an option whose file value is of the wrong type.
  const auto flagged = run(dockerdWith({"--icc=false"}), daemonJson(json::parse(R"({"icc": 1})")));
  EXPECT_EQ(flagged.at("icc").origin, Origin::Flag);
}

TEST(DaemonConfig, DaemonJsonNotAnObject) {
  const auto r = run(dockerdWith({"--icc=false"}), daemonJson(json::array()));
  EXPECT_EQ(r.at("icc").origin, Origin::Flag);
  EXPECT_EQ(r.at("log-level").origin, Origin::Unknown);
  EXPECT_EQ(r.at("log-level").unread.status, FactStatus::Malformed);
  EXPECT_EQ(r.at("config-file").origin, Origin::Default);
  EXPECT_TRUE(hasDiagnostic(r, "docker.daemon-json.malformed", "not an object"));
}

TEST(DaemonConfig, BothFlagAndFileConflict) {
  const auto r =
      run(dockerdWith({"--icc=false"}), daemonJson(json::parse(R"({"icc": true, "debug": true})")));
  EXPECT_EQ(r.at("icc").origin, Origin::Flag);
  EXPECT_EQ(r.at("icc").values, Strings{"false"});
  EXPECT_EQ(r.at("icc").where, "dockerd flag --icc=false");
  EXPECT_EQ(r.at("debug").origin, Origin::File);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].kind, "docker.daemon-config.conflict");
  EXPECT_EQ(r.diagnostics[0].where, "/etc/docker/daemon.json");
  EXPECT_NE(r.diagnostics[0].detail.find("dockerd refuses to start with both"), std::string::npos);
}

TEST(DaemonConfig, UnreadSourcesNeverGiveDefaults) {
  // argv unreadable, key absent from daemon.json: unknown with argv's state (never a default).
  auto r = run(dockerdWith({"--no-new-privileges"}, FactStatus::PermissionDenied),
               daemonJson(json::parse(R"({"icc": false})")));
  const auto& nnp = r.at("no-new-privileges");
  EXPECT_EQ(nnp.origin, Origin::Unknown);
  EXPECT_EQ(nnp.unread.status, FactStatus::PermissionDenied);
  EXPECT_TRUE(nnp.values.empty());
  EXPECT_TRUE(nnp.where.empty());
  // ... but a daemon.json value holds: dockerd would refuse a flag for it as well.
  EXPECT_EQ(r.at("icc").origin, Origin::File);
  EXPECT_EQ(r.at("config-file").origin, Origin::Unknown);

  // daemon.json not collected: a flag decides, otherwise unknown with MissingInput's state.
  r = run(dockerdWith({"--icc=false"}), daemonJsonState(FactStatus::NotCollected));
  EXPECT_EQ(r.at("icc").origin, Origin::Flag);
  EXPECT_EQ(r.at("iptables").origin, Origin::Unknown);
  EXPECT_EQ(r.at("iptables").unread.status, FactStatus::NotCollected);
  EXPECT_EQ(causeOf(r.at("iptables").unread.status), model::NotEvaluatedCause::MissingInput);
  EXPECT_EQ(r.at("config-file").origin, Origin::Default);  // only argv sets it

  for (const auto status : {FactStatus::PermissionDenied, FactStatus::Unreachable,
                            FactStatus::Timeout, FactStatus::Malformed}) {
    r = run(dockerdWith({}), daemonJsonState(status));
    EXPECT_EQ(r.at("icc").origin, Origin::Unknown) << toString(status);
    EXPECT_EQ(r.at("icc").unread.status, status);
    EXPECT_EQ(r.at("icc").unread.detail, "detail of " + std::string(toString(status)));
  }
  // Neither collected.
  r = run(Snapshot::Host::Dockerd{}, Snapshot::Host::DaemonJson{});
  EXPECT_EQ(r.at("icc").origin, Origin::Unknown);
  EXPECT_EQ(r.at("icc").unread.status, FactStatus::NotCollected);
}

json readShared(const std::string& relative) {
  return json::parse(testing::readFile(testing::sharedTestdata() / relative));
}

TEST(DaemonConfigShared, InsecureDaemonJsonWithIccFlag) {
  const std::string relative = "hardening/authored-docker-engine/daemon.insecure.json";
  BULWARK_REQUIRE_SHARED(relative);
  const auto r = run(dockerdWith({"--icc=false"}), daemonJson(readShared(relative)));
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.at("icc").origin, Origin::Flag);
  EXPECT_EQ(r.at("icc").values, Strings{"false"});
  EXPECT_EQ(r.at("icc").where, "dockerd flag --icc=false");
  EXPECT_EQ(r.at("insecure-registries").origin, Origin::File);
  EXPECT_EQ(r.at("insecure-registries").values, Strings{"registry.internal:5000"});
  EXPECT_EQ(r.at("insecure-registries").where, "daemon.json `insecure-registries`");
  EXPECT_EQ(r.at("log-level").values, Strings{"debug"});
  EXPECT_EQ(r.at("iptables").values, Strings{"false"});
  EXPECT_EQ(r.at("storage-opts").values, Strings{"dm.basesize=20G"});
  EXPECT_EQ(r.at("cgroup-parent").values, Strings{"/docker-custom"});
  EXPECT_EQ(r.at("experimental").values, Strings{"true"});
  EXPECT_EQ(r.at("hosts").values, (Strings{"unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"}));
  EXPECT_EQ(r.at("no-new-privileges").origin, Origin::Default);
  EXPECT_EQ(r.at("no-new-privileges").values, Strings{"false"});
}

TEST(DaemonConfigShared, HardenedDaemonJson) {
  const std::string relative = "hardening/authored-docker-engine/daemon.hardened.json";
  BULWARK_REQUIRE_SHARED(relative);
  const auto r = run(dockerdWith({}), daemonJson(readShared(relative)));
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.at("icc").values, Strings{"false"});
  EXPECT_EQ(r.at("insecure-registries").origin, Origin::File);
  EXPECT_TRUE(r.at("insecure-registries").values.empty());
  EXPECT_EQ(r.at("default-ulimits").values, Strings{"nofile=64000:64000"});
  EXPECT_EQ(r.at("log-opts").values, Strings{"syslog-address=tcp://192.0.2.10:514"});
  EXPECT_EQ(r.at("authorization-plugins").values, Strings{"authz-broker"});
  EXPECT_EQ(r.at("tlsverify").values, Strings{"true"});
  EXPECT_EQ(r.at("tlskey").values, Strings{"/etc/docker/tls/server-key.pem"});
  EXPECT_EQ(r.at("userns-remap").values, Strings{"default"});
  // Both: the file's icc and a flag.
  const auto both = run(dockerdWith({"--icc"}), daemonJson(readShared(relative)));
  EXPECT_EQ(both.at("icc").values, Strings{"true"});
  ASSERT_EQ(both.diagnostics.size(), 1u);
  EXPECT_NE(both.diagnostics[0].detail.find("dockerd refuses to start with both"),
            std::string::npos);
}

}  // namespace
}  // namespace bulwark::checks::docker
