// The backend-agnostic helpers of store.h: enum names, counts, the finding diff, the default
// path, URL redaction and the dispatch of openStore.
#include <stdlib.h>  // setenv, unsetenv
#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "store/store.h"

namespace bulwark::store {
namespace {

namespace fs = std::filesystem;
using model::Severity;

TEST(StoreNames, RoundTrip) {
  for (Role role : {Role::Admin, Role::Reader, Role::Ingest}) {
    EXPECT_EQ(parseRole(toString(role)).value(), role);
  }
  EXPECT_EQ(toString(Role::Ingest), "ingest");
  EXPECT_FALSE(parseRole("root").has_value());
  EXPECT_FALSE(parseRole("Admin").has_value());
  for (JobKind kind : {JobKind::Scan, JobKind::Promote}) {
    EXPECT_EQ(parseJobKind(toString(kind)).value(), kind);
  }
  EXPECT_FALSE(parseJobKind("").has_value());
  for (JobState state :
       {JobState::Queued, JobState::Running, JobState::Done, JobState::Failed, JobState::Dead}) {
    EXPECT_EQ(parseJobState(toString(state)).value(), state);
  }
  EXPECT_EQ(toString(JobState::Dead), "dead");
  EXPECT_EQ(parseJobState("lost").error().code, core::ErrorCode::Input);
  EXPECT_EQ(toString(FindingChangeKind::New), "new");
  EXPECT_EQ(toString(FindingChangeKind::Resolved), "resolved");
}

TEST(SeverityCounts, AddsBySeverity) {
  SeverityCounts counts;
  counts.add(Severity::Critical);
  counts.add(Severity::High, 3);
  counts.add(Severity::Medium);
  counts.add(Severity::Low, 2);
  counts.add(Severity::Negligible);
  counts.add(Severity::Unknown, 4);
  EXPECT_EQ(counts.critical, 1);
  EXPECT_EQ(counts.high, 3);
  EXPECT_EQ(counts.medium, 1);
  EXPECT_EQ(counts.low, 2);
  EXPECT_EQ(counts.negligible, 1);
  EXPECT_EQ(counts.unknown, 4);
  EXPECT_EQ(counts.total(), 12);
}

FindingRecord record(const std::string& id, const std::string& package, const std::string& version,
                     Severity severity = Severity::High) {
  FindingRecord finding;
  finding.vulnerability_id = id;
  finding.package_name = package;
  finding.installed_version = version;
  finding.severity = severity;
  return finding;
}

TEST(DiffFindings, NewAndResolvedByIdentity) {
  const std::vector<FindingRecord> before = {record("CVE-2", "zlib", "1"),
                                             record("CVE-1", "openssl", "3.0", Severity::Low),
                                             record("CVE-3", "bash", "5")};
  const std::vector<FindingRecord> after = {
      record("CVE-3", "bash", "5", Severity::Critical), record("CVE-1", "openssl", "3.1"),
      record("CVE-4", "curl", "8"), record("CVE-4", "curl", "8")};
  auto changes = diffFindings("sha256:d", before, after, "db-9", 42);
  ASSERT_EQ(changes.size(), 4U);
  // New first, then resolved, each by identity; a duplicate once; a severity change is none.
  EXPECT_EQ(changes[0].kind, FindingChangeKind::New);
  EXPECT_EQ(changes[0].vulnerability_id, "CVE-1");
  EXPECT_EQ(changes[0].installed_version, "3.1");
  EXPECT_EQ(changes[0].severity, Severity::High);
  EXPECT_EQ(changes[1].kind, FindingChangeKind::New);
  EXPECT_EQ(changes[1].vulnerability_id, "CVE-4");
  EXPECT_EQ(changes[2].kind, FindingChangeKind::Resolved);
  EXPECT_EQ(changes[2].vulnerability_id, "CVE-1");
  EXPECT_EQ(changes[2].installed_version, "3.0");
  EXPECT_EQ(changes[2].severity, Severity::Low);
  EXPECT_EQ(changes[3].kind, FindingChangeKind::Resolved);
  EXPECT_EQ(changes[3].vulnerability_id, "CVE-2");
  for (const auto& change : changes) {
    EXPECT_EQ(change.digest, "sha256:d");
    EXPECT_EQ(change.db_build_id, "db-9");
    EXPECT_EQ(change.at, 42);
  }
  EXPECT_TRUE(diffFindings("sha256:d", after, after, "db", 1).empty());
  EXPECT_EQ(diffFindings("sha256:d", {}, after, "db", 1).size(), 3U);
}

TEST(RedactUrl, HidesPasswords) {
  EXPECT_EQ(redactUrl("postgres://bulwark:s3cret@db.example.com:5432/bulwark"),
            "postgres://bulwark:***@db.example.com:5432/bulwark");
  EXPECT_EQ(redactUrl("postgresql://u:p%40ss@127.0.0.1/db?sslmode=require"),
            "postgresql://u:***@127.0.0.1/db?sslmode=require");
  EXPECT_EQ(redactUrl("postgres://user@host/db"), "postgres://user@host/db");
  EXPECT_EQ(redactUrl("postgres://host/db?user=u&password=hunter2&sslmode=disable"),
            "postgres://host/db?user=u&password=***&sslmode=disable");
  EXPECT_EQ(redactUrl("host=h password='a b' dbname=x"), "host=h password=*** dbname=x");
  EXPECT_EQ(redactUrl("sqlite:/var/lib/bulwark/b.db"), "sqlite:/var/lib/bulwark/b.db");
  EXPECT_EQ(redactUrl("/tmp/my@file:x.db"), "/tmp/my@file:x.db");
  EXPECT_EQ(redactUrl(""), "");
}

class EnvGuard {
 public:
  explicit EnvGuard(const char* name) : name_(name) {
    const char* value = std::getenv(name);
    if (value != nullptr) saved_ = value;
  }
  ~EnvGuard() {
    if (saved_) {
      ::setenv(name_, saved_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  EnvGuard(const EnvGuard&) = delete;
  EnvGuard& operator=(const EnvGuard&) = delete;
  EnvGuard(EnvGuard&&) = delete;
  EnvGuard& operator=(EnvGuard&&) = delete;

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

TEST(DefaultStorePath, XdgThenHome) {
  EnvGuard xdg("XDG_DATA_HOME");
  EnvGuard home("HOME");
  ::setenv("XDG_DATA_HOME", "/data/x", 1);
  ::setenv("HOME", "/home/u", 1);
  EXPECT_EQ(defaultStorePath(), "/data/x/bulwark/bulwark.db");
  ::unsetenv("XDG_DATA_HOME");
  EXPECT_EQ(defaultStorePath(), "/home/u/.local/share/bulwark/bulwark.db");
  ::setenv("XDG_DATA_HOME", "relative", 1);  // the spec ignores relative values
  EXPECT_EQ(defaultStorePath(), "/home/u/.local/share/bulwark/bulwark.db");
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/bulwark-store-open-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    path_ = made != nullptr ? made : "/tmp";
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&&) = delete;
  TempDir& operator=(TempDir&&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(OpenStore, DispatchesByUrl) {
  TempDir dir;
  const fs::path prefixed = dir.path() / "one" / "a.db";
  auto sqlite = openStore("sqlite:" + prefixed.string());
  ASSERT_TRUE(sqlite.has_value()) << sqlite.error().message;
  EXPECT_EQ((*sqlite)->backend(), "sqlite");
  EXPECT_TRUE(fs::exists(prefixed));

  const fs::path plain = dir.path() / "b.db";
  auto by_path = openStore(plain.string());
  ASSERT_TRUE(by_path.has_value()) << by_path.error().message;
  EXPECT_TRUE(fs::exists(plain));

  const fs::path slashes = dir.path() / "c.db";
  ASSERT_TRUE(openStore("sqlite://" + slashes.string()).has_value());
  EXPECT_TRUE(fs::exists(slashes));

  EnvGuard xdg("XDG_DATA_HOME");
  ::setenv("XDG_DATA_HOME", (dir.path() / "xdg").c_str(), 1);
  auto by_default = openStore("");
  ASSERT_TRUE(by_default.has_value()) << by_default.error().message;
  EXPECT_TRUE(fs::exists(dir.path() / "xdg" / "bulwark" / "bulwark.db"));

  auto unknown = openStore("mysql://root:pw@localhost/db");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, core::ErrorCode::Usage);
  EXPECT_EQ(unknown.error().message.find("pw@"), std::string::npos) << unknown.error().message;
}

TEST(OpenStore, PostgresErrorsNeverShowThePassword) {
  // Port 1 on loopback: nothing listens, so the PostgreSQL backend must fail cleanly.
  auto store = openStore("postgres://bulwark:topsecret@127.0.0.1:1/bulwark?connect_timeout=2");
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().message.find("topsecret"), std::string::npos) << store.error().message;
}

}  // namespace
}  // namespace bulwark::store
