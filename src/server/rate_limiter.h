// A token bucket per client key, bounded in memory: at most `max_clients` buckets; when full,
// buckets that have refilled are dropped first, then the least recently used.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace bulwark::server {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // rate <= 0: every request is allowed.
  RateLimiter(double rate, double burst, std::size_t max_clients = 10000);

  // 0 when the request may go ahead (one token taken); else the seconds to wait (>= 1).
  int take(std::string_view key, Clock::time_point now);
  // Buckets held now (at most max_clients).
  std::size_t clients();

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  void prune(Clock::time_point now);

  double rate_;
  double burst_;
  std::size_t max_clients_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace bulwark::server
