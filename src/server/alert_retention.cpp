#include "server/alert_retention.h"

#include <spdlog/spdlog.h>

namespace bulwark::server {

core::Result<std::int64_t> pruneExpiredAlerts(store::Store& store, store::Millis retention_ms,
                                              store::Millis now) {
  if (retention_ms <= 0) {
    return core::fail(core::ErrorCode::Usage, "the alert retention must be positive");
  }
  return store.pruneAlerts(now - retention_ms);
}

AlertRetention::AlertRetention(store::Store& store, store::Millis retention_ms,
                               std::chrono::milliseconds period)
    : store_(store), retention_ms_(retention_ms), period_(period) {
  thread_ = std::thread([this] { run(); });
}

AlertRetention::~AlertRetention() { stop(); }

void AlertRetention::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::int64_t AlertRetention::passes() const {
  std::lock_guard lock(mutex_);
  return passes_;
}

void AlertRetention::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    // A failed pass (the store is down) is logged and tried again next period.
    auto pruned = pruneExpiredAlerts(store_, retention_ms_, store::nowMillis());
    if (!pruned) {
      spdlog::warn("alert retention: {}", pruned.error().message);
    } else if (*pruned > 0) {
      spdlog::info("alert retention: deleted {} alerts", *pruned);
    }
    lock.lock();
    ++passes_;
    wake_.wait_for(lock, period_, [this] { return stopping_; });
  }
}

}  // namespace bulwark::server
