// A progress bar on stderr when stderr is a terminal; silent on a pipe or with --quiet.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace bulwark::core {

class Progress {
 public:
  // total_bytes may be 0 when unknown (then only the running count is shown).
  Progress(std::string label, std::uint64_t total_bytes);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void advance(std::uint64_t bytes);
  void finish();
  [[nodiscard]] bool enabled() const { return enabled_; }

 private:
  void draw(bool final);

  std::string label_;
  std::uint64_t total_;
  std::atomic<std::uint64_t> done_{0};
  bool enabled_ = false;
  bool finished_ = false;
  std::mutex draw_mutex_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace bulwark::core
