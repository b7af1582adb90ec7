// Where tests find their data: ../shared/testdata (real-world fixtures, read in place) and
// tests/fixtures (our own). A test whose data is absent skips with a visible message.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace bulwark::testing {

inline std::filesystem::path sharedTestdata() {
  const char* dir = std::getenv("BULWARK_TESTDATA");
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::path("../shared/testdata");
}

inline std::filesystem::path sourceDir() {
  const char* dir = std::getenv("BULWARK_SOURCE_DIR");
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::current_path();
}

inline std::filesystem::path fixtures() { return sourceDir() / "tests" / "fixtures"; }

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace bulwark::testing

// Skips the current test, visibly, when a shared fixture is missing.
#define BULWARK_REQUIRE_SHARED(relative)                                                  \
  do {                                                                                    \
    if (!std::filesystem::exists(::bulwark::testing::sharedTestdata() / (relative))) {    \
      GTEST_SKIP() << "shared testdata absent: " << (relative)                            \
                   << " (set BULWARK_TESTDATA or place ../shared beside the repository)"; \
    }                                                                                     \
  } while (0)
