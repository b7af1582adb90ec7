#include "pipeline/sinks/rate_limit.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace bulwark::pipeline::sinks {

core::Result<double> parseRate(std::string_view text) {
  std::string_view number = text;
  if (number.ends_with("/s")) number.remove_suffix(2);
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      !std::isfinite(value) || value <= 0) {
    return core::fail(core::ErrorCode::Usage,
                      "--rate-limit: '{}' is not a rate (a positive number of alerts per "
                      "second: N or N/s)",
                      text);
  }
  return value;
}

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(per_second), burst_(std::max(burst, 1.0)) {}

bool RateLimiter::allow(const std::string& rule, std::int64_t ts_ns) {
  auto [it, added] = buckets_.try_emplace(rule);
  Bucket& bucket = it->second;
  if (added) {
    bucket.tokens = burst_;
  } else if (ts_ns > bucket.last_ns) {
    const double elapsed = static_cast<double>(ts_ns - bucket.last_ns) / 1e9;
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
  }
  if (added || ts_ns > bucket.last_ns) bucket.last_ns = ts_ns;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return true;
  }
  ++suppressed_[rule];
  return false;
}

}  // namespace bulwark::pipeline::sinks
