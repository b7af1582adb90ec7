// The writers' lock of a database (vulndb/db_lock.h) between real processes: forked children
// that hold it, die with it, and two `bulwark db import` runs of the built binary on one file.
#include "vulndb/db_lock.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "cli_run.h"
#include "testdata.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::runBulwark;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/bulwark-lock-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { fs::remove_all(path_); }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// A child process that takes the lock, says so through a pipe, holds it for `hold` and exits
// (or waits to be killed when `hold` is zero). Killed at the end of the test if still running.
class Holder {
 public:
  Holder(const std::string& database, std::chrono::milliseconds hold) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[0]);
      auto lock = DatabaseLock::acquire(database, 0ms);
      const char status = lock ? 'L' : 'F';
      (void)!::write(fds[1], &status, 1);
      if (hold.count() == 0) {
        while (true) ::pause();
      }
      std::this_thread::sleep_for(hold);
      ::_exit(0);  // the lock goes with the process
    }
    ::close(fds[1]);
    char status = 0;
    locked_ = ::read(fds[0], &status, 1) == 1 && status == 'L';
    ::close(fds[0]);
  }
  Holder(const Holder&) = delete;
  Holder& operator=(const Holder&) = delete;
  ~Holder() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void kill() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  [[nodiscard]] bool locked() const { return locked_; }
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool locked_ = false;
};

TEST(DatabaseLock, ASecondWriterWaitsThenFailsNamingTheHolder) {
  TempDir dir;
  const std::string db = dir.file("bulwark.db");
  Holder holder(db, 0ms);
  ASSERT_TRUE(holder.locked());
  bool told = false;
  const auto start = std::chrono::steady_clock::now();
  auto second = DatabaseLock::acquire(db, 300ms, [&] { told = true; });
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, core::ErrorCode::Limit);
  EXPECT_NE(second.error().message.find("pid " + std::to_string(holder.pid())), std::string::npos)
      << second.error().message;
  EXPECT_NE(second.error().message.find(lockPathFor(db)), std::string::npos);
  EXPECT_TRUE(told);
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 5s);
  EXPECT_FALSE(fs::exists(db)) << "the lock never creates the database";
  EXPECT_TRUE(fs::exists(lockPathFor(db))) << "a failed waiter leaves the holder's file";
}

TEST(DatabaseLock, AWaitingWriterGetsTheLockWhenTheHolderFinishes) {
  TempDir dir;
  const std::string db = dir.file("sub/dir/bulwark.db");  // directories are created
  Holder holder(db, 400ms);
  ASSERT_TRUE(holder.locked());
  const auto start = std::chrono::steady_clock::now();
  auto lock = DatabaseLock::acquire(db, 10s);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms) << "it waited for the holder";
}

TEST(DatabaseLock, AKilledHolderLeavesNothingLocked) {
  TempDir dir;
  const std::string db = dir.file("bulwark.db");
  Holder holder(db, 0ms);
  ASSERT_TRUE(holder.locked());
  EXPECT_FALSE(DatabaseLock::acquire(db, 0ms));
  holder.kill();
  EXPECT_TRUE(fs::exists(lockPathFor(db))) << "a killed holder cannot remove its file";
  {
    auto lock = DatabaseLock::acquire(db, 0ms);
    EXPECT_TRUE(lock) << lock.error().message;
  }
  EXPECT_FALSE(fs::exists(lockPathFor(db))) << "a holder that ends normally removes it";
}

// A waiter that gets the lock on a file its holder removed locks the file at the path instead,
// so it cannot run beside a third writer that created a new file meanwhile.
TEST(DatabaseLock, WaitersFollowTheFileAtThePath) {
  TempDir dir;
  const std::string db = dir.file("bulwark.db");
  Holder first(db, 300ms);
  ASSERT_TRUE(first.locked());
  pid_t children[3] = {};
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  for (auto& child : children) {
    child = ::fork();
    if (child == 0) {
      ::close(fds[0]);
      {
        auto lock = DatabaseLock::acquire(db, 10s);
        if (!lock) ::_exit(1);
        // Inside the lock: a marker, a pause, a marker; interleaved writers would show.
        (void)!::write(fds[1], "<", 1);
        std::this_thread::sleep_for(50ms);
        (void)!::write(fds[1], ">", 1);
      }  // released as writers release it: the file removed, then unlocked
      ::_exit(0);
    }
  }
  ::close(fds[1]);
  std::string trace;
  char c = 0;
  while (::read(fds[0], &c, 1) == 1) trace += c;
  ::close(fds[0]);
  for (const auto child : children) {
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(trace, "<><><>");
}

TEST(DatabaseLock, ReleasedOnDestructionAndExclusiveWithinAProcess) {
  TempDir dir;
  const std::string db = dir.file("bulwark.db");
  {
    auto first = DatabaseLock::acquire(db, 0ms);
    ASSERT_TRUE(first);
    EXPECT_FALSE(DatabaseLock::acquire(db, 0ms)) << "a second open file description waits too";
    DatabaseLock moved = std::move(*first);
    EXPECT_FALSE(DatabaseLock::acquire(db, 0ms)) << "moving keeps it";
  }
  EXPECT_TRUE(DatabaseLock::acquire(db, 0ms));
  EXPECT_FALSE(DatabaseLock::acquire("/proc/no-such-dir/bulwark.db", 0ms));
}

// The holder removes the file and unlocks; the waiter then holds a lock on a file with no name,
// while a newcomer creates and locks a new file at the path. Without the waiter's check that
// its file is still the one at the path, both would run at once.
TEST(DatabaseLock, AWaiterOnARemovedFileDoesNotRunBesideANewcomer) {
  TempDir dir;
  const std::string db = dir.file("bulwark.db");
  for (int round = 0; round < 5; ++round) {
    int fds[2];
    int go[2];
    ASSERT_EQ(::pipe(fds), 0);
    ASSERT_EQ(::pipe(go), 0);
    // Forked before the parent locks: a child inherits its parent's open lock files, and a
    // flock belongs to the open file, not the process.
    const pid_t waiter = ::fork();
    if (waiter == 0) {
      ::close(fds[0]);
      ::close(go[1]);
      char c = 0;
      if (::read(go[0], &c, 1) != 1) ::_exit(2);
      {
        auto lock = DatabaseLock::acquire(db, 10s);
        if (!lock) ::_exit(1);
        (void)!::write(fds[1], "W", 1);
        std::this_thread::sleep_for(100ms);
        (void)!::write(fds[1], "w", 1);
      }
      ::_exit(0);
    }
    ::close(go[0]);
    auto held = DatabaseLock::acquire(db, 0ms);
    ASSERT_TRUE(held);
    (void)!::write(go[1], "g", 1);
    ::close(go[1]);
    std::this_thread::sleep_for(100ms);  // the waiter has opened the file and waits on it
    { auto released = std::move(*held); }
    {
      auto newcomer = DatabaseLock::acquire(db, 10s);
      ASSERT_TRUE(newcomer);
      (void)!::write(fds[1], "P", 1);
      std::this_thread::sleep_for(100ms);
      (void)!::write(fds[1], "p", 1);
    }
    ::close(fds[1]);
    std::string trace;
    char c = 0;
    while (::read(fds[0], &c, 1) == 1) trace += c;
    ::close(fds[0]);
    int status = 0;
    ::waitpid(waiter, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_TRUE(trace == "WwPp" || trace == "PpWw") << trace;
  }
}

// The CLI: a held lock makes `db import` and `db update` fail with exit 2 and one line, leaving
// the database as it was; two imports started together both succeed, one after the other, and
// the database holds both.
TEST(DatabaseLock, CliRunsOnOneDatabaseDoNotInterleave) {
  BULWARK_REQUIRE_SHARED("scan/vulns/sles/vuln-list-update/cvrf");
  TempDir dir;
  const std::string db = dir.file("bulwark.db");
  const std::string cvrf =
      (testing::sharedTestdata() / "scan/vulns/sles/vuln-list-update/cvrf").string();
  const std::string tumbleweed = (testing::fixtures() / "suse/tumbleweed-cvrf.xml").string();
  {
    Holder holder(db, 0ms);
    ASSERT_TRUE(holder.locked());
    const auto refused = runBulwark("db import --lock-timeout 1 --db " + db + " " + cvrf);
    EXPECT_EQ(refused.status, 2) << refused.out;
    EXPECT_NE(refused.out.find("another bulwark db update or import"), std::string::npos)
        << refused.out;
    EXPECT_NE(refused.out.find("the database was not changed"), std::string::npos);
    EXPECT_FALSE(fs::exists(db));
    const auto update = runBulwark(
        "db update --lock-timeout 0 --insecure --feed http://127.0.0.1:9/x.zip --db " + db);
    EXPECT_EQ(update.status, 2) << update.out;
    EXPECT_NE(update.out.find(lockPathFor(db)), std::string::npos) << update.out;
    const auto negative = runBulwark("db import --lock-timeout -1 --db " + db + " " + cvrf);
    EXPECT_EQ(negative.status, 2) << negative.out;
  }
  {
    // Both start while the lock is held, then race for it when it is released.
    Holder holder(db, 500ms);
    ASSERT_TRUE(holder.locked());
    testing::CliRun first;
    testing::CliRun second;
    std::thread a([&] { first = runBulwark("db import --db " + db + " " + cvrf); });
    std::thread b([&] { second = runBulwark("db import --db " + db + " " + tumbleweed); });
    a.join();
    b.join();
    EXPECT_EQ(first.status, 0) << first.out;
    EXPECT_EQ(second.status, 0) << second.out;
  }
  // Neither import was lost: each copied the database the other had finished.
  const auto sles = runBulwark("db export --db " + db + " SUSE-SU-2019:1608-1");
  EXPECT_EQ(sles.status, 0) << sles.out;
  const auto tw = runBulwark("db export --db " + db + " openSUSE-SU-2099:0001-1");
  EXPECT_EQ(tw.status, 0) << tw.out;
  EXPECT_NE(tw.out.find("opensuse-tumbleweed"), std::string::npos) << tw.out;
}

}  // namespace
}  // namespace bulwark::vulndb
