// `serve --alert-retention 30d`: alerts older than the retention are deleted once at start and
// then every hour (docs/dev/runtime-design.md §5.3), on a thread of their own.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/result.h"
#include "store/store.h"

namespace bulwark::server {

// Deletes the alerts whose time is before now - retention_ms; how many.
core::Result<std::int64_t> pruneExpiredAlerts(store::Store& store, store::Millis retention_ms,
                                              store::Millis now);

class AlertRetention {
 public:
  // Starts pruning at once, then every `period`. retention_ms must be > 0.
  AlertRetention(store::Store& store, store::Millis retention_ms,
                 std::chrono::milliseconds period = std::chrono::hours(1));
  ~AlertRetention();  // stops
  AlertRetention(const AlertRetention&) = delete;
  AlertRetention& operator=(const AlertRetention&) = delete;
  AlertRetention(AlertRetention&&) = delete;
  AlertRetention& operator=(AlertRetention&&) = delete;

  // Wakes the thread and joins it. Idempotent.
  void stop();
  // Prune passes finished so far (for tests and logs).
  [[nodiscard]] std::int64_t passes() const;

 private:
  void run();

  store::Store& store_;
  store::Millis retention_ms_;
  std::chrono::milliseconds period_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::int64_t passes_ = 0;
  std::thread thread_;
};

}  // namespace bulwark::server
