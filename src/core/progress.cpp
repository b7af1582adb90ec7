#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "core/log.h"

namespace bulwark::core {

Progress::Progress(std::string label, std::uint64_t total_bytes)
    : label_(std::move(label)), total_(total_bytes) {
  enabled_ = ::isatty(STDERR_FILENO) == 1 && verbosity() != Verbosity::Quiet;
}

Progress::~Progress() { finish(); }

void Progress::advance(std::uint64_t bytes) {
  done_ += bytes;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  std::unique_lock lock(draw_mutex_, std::try_to_lock);
  if (!lock.owns_lock() || now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(false);
}

void Progress::finish() {
  if (!enabled_) return;
  std::lock_guard lock(draw_mutex_);
  if (finished_) return;
  finished_ = true;
  std::fputs("\r\033[K", stderr);
}

void Progress::draw(bool /*final*/) {
  constexpr int kWidth = 30;
  const double mib = static_cast<double>(done_.load()) / (1024.0 * 1024.0);
  std::string line;
  if (total_ > 0) {
    const double ratio = std::min(1.0, static_cast<double>(done_.load()) / total_);
    const int filled = static_cast<int>(ratio * kWidth);
    line = fmt::format("\r\033[K{} [{}{}] {:3.0f}% {:.1f} MiB", label_, std::string(filled, '#'),
                       std::string(kWidth - filled, ' '), ratio * 100, mib);
  } else {
    line = fmt::format("\r\033[K{} {:.1f} MiB", label_, mib);
  }
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace bulwark::core
