// `bulwark detect --rate-limit N[/s] --rate-burst B`: a token bucket per rule. The clock is the
// events' time, not the wall clock, so that replaying a recording suppresses the same alerts as
// the live run did (and a slow reader does not change what is suppressed).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/result.h"

namespace bulwark::pipeline::sinks {

// "N" or "N/s", N a positive decimal (e.g. "0.5/s"); Usage error else.
core::Result<double> parseRate(std::string_view text);

class RateLimiter {
 public:
  // `per_second` tokens refill each second of event time, up to `burst` (≥ 1); a rule's bucket
  // starts full.
  RateLimiter(double per_second, double burst);

  // True: the alert goes out (a token was taken); false: suppressed and counted. Event times
  // that go backwards (sources interleave) refill nothing.
  bool allow(const std::string& rule, std::int64_t ts_ns);

  const std::map<std::string, std::uint64_t>& suppressed() const { return suppressed_; }

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t last_ns = 0;
  };
  double per_second_;
  double burst_;
  std::map<std::string, Bucket, std::less<>> buckets_;
  std::map<std::string, std::uint64_t> suppressed_;
};

}  // namespace bulwark::pipeline::sinks
