#include "server/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace bulwark::server {

RateLimiter::RateLimiter(double rate, double burst, std::size_t max_clients)
    : rate_(rate),
      burst_(std::max(burst, 1.0)),
      max_clients_(std::max<std::size_t>(max_clients, 1)) {}

int RateLimiter::take(std::string_view key, Clock::time_point now) {
  if (rate_ <= 0) return 0;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) prune(now);
    it = buckets_.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  Bucket& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  if (elapsed > 0) {
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * rate_);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  const double wait = (1 - bucket.tokens) / rate_;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

std::size_t RateLimiter::clients() {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void RateLimiter::prune(Clock::time_point now) {
  // A bucket that would be full again carries no state: drop those first.
  const auto full_after = std::chrono::duration<double>(burst_ / rate_);
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (now - it->second.updated >= full_after) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  if (buckets_.size() < max_clients_) return;
  auto oldest = std::min_element(
      buckets_.begin(), buckets_.end(),
      [](const auto& a, const auto& b) { return a.second.updated < b.second.updated; });
  if (oldest != buckets_.end()) buckets_.erase(oldest);
}

}  // namespace bulwark::server
