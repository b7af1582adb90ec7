// Helpers of the sbom:FILE tests that run programs: bulwark itself and Trivy.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace bulwark::testing::sbom {

struct ProgramRun {
  int status = -1;  // exit code; -1 when the program could not run or was killed
  std::string out;
  std::string err;
};

// Runs argv (no shell) in `cwd` with SOURCE_DATE_EPOCH fixed; captures stdout and stderr.
ProgramRun runProgram(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {});

// BULWARK_BIN, else build/bin/bulwark under the source tree.
std::string bulwarkBinary();

// A fresh directory under TMPDIR, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace bulwark::testing::sbom
