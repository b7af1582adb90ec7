// What the tests of followed files share: appending to a log as its writer does (one write(2)
// with O_APPEND) and polling for what a following thread has delivered. Header-only.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string_view>
#include <thread>

namespace bulwark::testing {

// How long a test waits for a following source before it fails.
inline constexpr std::chrono::seconds kFollowDeadline{20};

// One write(2) with O_APPEND, as a log writer does (the file created with `mode` when missing).
inline void appendToLog(const std::filesystem::path& path, std::string_view text,
                        mode_t mode = 0644) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
}

// Polls `done` every 5 ms until it holds (true) or `timeout` passes (false).
inline bool waitUntil(const std::function<bool()>& done,
                      std::chrono::steady_clock::duration timeout = kFollowDeadline) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace bulwark::testing
