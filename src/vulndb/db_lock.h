// The writers' lock of a vulnerability database: `bulwark db update` and `bulwark db import`
// hold it for their whole run, so two of them on the same file never interleave (each builds
// its new file from the one the other finished, and the update state beside the database is
// read and written by one run at a time).
//
// It is an advisory flock(2) on "<database>.lock", a small file beside the database holding
// the holder's pid (for the "who holds it" message only). The kernel releases a flock when its
// descriptor is closed — by the destructor on every return path, or by process exit on a crash
// or a kill — so a dead writer never leaves the database locked. The holder removes the file
// before it unlocks; a waiter that then gets the lock on the removed file sees that the file at
// the path is another one (or none), and locks again there. So no lock file is left behind by
// a writer that ends normally, and a file left by a killed one is simply reused. Deleting the
// lock file by hand while a writer runs defeats the lock.
//
// Readers (`bulwark scan`, `db stats`, `db export`) take no lock: a writer never modifies the
// database in place but builds "<database>.new-…" beside it and renames it over the old one,
// and a reader that opened the old file keeps reading that file until it closes it.
//
// flock locks belong to the open file description: two DatabaseLocks in one process on the
// same database exclude each other too, and a child forked while a lock is held shares it until
// it closes the inherited descriptor (the descriptor is close-on-exec). On NFS, flock is emulated
// with fcntl locks by Linux; the guarantee above holds on local file systems.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/result.h"

namespace bulwark::vulndb {

// How long `db update` / `db import` wait for another writer by default (--lock-timeout).
inline constexpr std::chrono::seconds kDefaultLockTimeout{60};

// "<database>.lock".
std::string lockPathFor(const std::string& database);

class DatabaseLock {
 public:
  // Locks `database` for writing, waiting up to `timeout` (zero: one try) while another process
  // holds it; `waiting` is called once when the first try fails (to tell the user). Fails with
  // ErrorCode::Io when the lock file cannot be created, and ErrorCode::Limit naming the holder's
  // pid when the timeout passes.
  static core::Result<DatabaseLock> acquire(const std::string& database,
                                            std::chrono::milliseconds timeout,
                                            const std::function<void()>& waiting = {});

  DatabaseLock(DatabaseLock&& other) noexcept;
  DatabaseLock& operator=(DatabaseLock&& other) noexcept;
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;
  ~DatabaseLock();

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  DatabaseLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  void release() noexcept;

  int fd_ = -1;
  std::string path_;
};

}  // namespace bulwark::vulndb
