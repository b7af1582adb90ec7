// A throwaway PostgreSQL 15 cluster for tests: initdb into a temp dir, pg_ctl start listening
// on 127.0.0.1 only (a free port; unix sockets in the temp dir; trust auth), one database per
// test, and pg_ctl stop -m immediate plus removal of the dir in the destructor, also when a test
// failed; a watchdog process does the same when the test binary crashes or is killed. When the
// test runs as root, initdb and pg_ctl run as the `postgres` user (setuid in the
// child) and the temp dir belongs to postgres.
//
//   PgCluster& cluster = PgCluster::shared();   // started once per test binary, on first use
//   BULWARK_REQUIRE_PG(cluster);                // skips visibly when PostgreSQL is missing
//   auto url = cluster.createDatabase();        // postgres://postgres@127.0.0.1:PORT/test_3
//
// The binaries come from $BULWARK_PG_BINDIR, else /usr/lib/postgresql/15/bin.
// Used by tests/unit/store/postgres/ and the e2e tests (link bulwark_pg_cluster).
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "core/result.h"

namespace bulwark::testing {

class PgCluster {
 public:
  // Starts a new cluster; check error() before use.
  PgCluster();
  // Stops the cluster (immediate) and removes its directory.
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // The cluster of this test binary: started on first use, stopped when the program exits.
  static PgCluster& shared();

  // "" while the cluster runs. Otherwise why not; it starts with "skip: " when PostgreSQL is
  // not installed here (a reason to skip, not to fail).
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] bool running() const { return running_; }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

  // postgres://postgres@127.0.0.1:PORT/DATABASE (the superuser, trust auth).
  [[nodiscard]] std::string url(std::string_view database = "postgres") const;

  // A new, empty database (CREATE DATABASE … TEMPLATE template0) named PREFIX_N; its URL.
  core::Result<std::string> createDatabase(std::string_view prefix = "test");

  // The database `name`, empty: created on first use, later emptied (DROP SCHEMA public
  // CASCADE; CREATE SCHEMA public), which is much faster than a new database. Clients of the
  // previous user must be idle (no open transaction). Its URL.
  core::Result<std::string> emptyDatabase(std::string_view name);

  // Runs SQL (one or more statements) as the superuser through psql. Test code only: the SQL is
  // the test's own text.
  core::Status execute(std::string_view database, std::string_view sql);

  // Stops the cluster now (pg_ctl stop -m immediate); the directory stays until destruction.
  void stop();
  // Starts a stopped cluster again on the same port and data.
  core::Status restart();

 private:
  core::Status start();
  void startWatchdog();

  std::filesystem::path bindir_;
  std::filesystem::path dir_;
  std::string error_;
  int port_ = 0;
  bool running_ = false;
  int next_database_ = 0;
  std::set<std::string, std::less<>> created_;
  int watchdog_pid_ = -1;  // stops the cluster if this process dies without the destructor
  int watchdog_fd_ = -1;
};

}  // namespace bulwark::testing

// Skips the current test visibly when PostgreSQL is not installed; fails it when the cluster
// could not start for another reason.
#define BULWARK_REQUIRE_PG(cluster)                                                           \
  do {                                                                                        \
    const std::string& bulwark_pg_error = (cluster).error();                                  \
    if (bulwark_pg_error.rfind("skip: ", 0) == 0) GTEST_SKIP() << bulwark_pg_error.substr(6); \
    if (!bulwark_pg_error.empty())                                                            \
      FAIL() << "PostgreSQL cluster did not start: " << bulwark_pg_error;                     \
  } while (0)
