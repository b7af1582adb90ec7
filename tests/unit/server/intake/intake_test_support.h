// Shared by the intake tests: the fixtures in tests/fixtures/intake/.
#pragma once

#include <string>

#include "testdata.h"

namespace bulwark::testing {

inline std::string intakeFixture(const std::string& name) {
  const auto path = fixtures() / "intake" / name;
  EXPECT_TRUE(std::filesystem::exists(path)) << path;
  return readFile(path);
}

}  // namespace bulwark::testing
