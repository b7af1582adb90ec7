// Helpers for the hostile-input suite: running the bulwark binary under test as a child and
// reading its peak resident set size (wait4's rusage, for that child alone), temporary
// directories, the JSON document it printed, and a strict UTF-8 check.
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace bulwark::testing {

struct ChildRun {
  int status = -1;
  std::string out;                // stdout
  std::string err;                // stderr
  std::uint64_t max_rss_kib = 0;  // peak resident set size of the child
  bool signaled = false;          // killed by a signal (a crash)
};

inline std::string readWhole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A fresh directory under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : path_(std::filesystem::temp_directory_path() /
              ("bulwark-robust-" + tag + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs $BULWARK_BIN with `args` (no shell), stdout and stderr to files in `scratch`.
// Under AddressSanitizer (the sanitizer build runs these tests with its own bulwark), the child's
// quarantine of freed memory is capped at 16 MiB: ASan's default of 256 MiB shows up in the peak
// RSS as freed memory kept aside, by an amount that varies with thread timing, which made the
// memory bounds below measure ASan rather than bulwark.
inline ChildRun runBulwarkChild(const std::vector<std::string>& args,
                                const std::filesystem::path& scratch) {
  const char* bin = std::getenv("BULWARK_BIN");
  const std::string program = bin != nullptr ? bin : "build/bin/bulwark";
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string asan_options =
      "ASAN_OPTIONS=" + std::string(asan != nullptr ? asan : "") + ":quarantine_size_mb=16";
  const auto out_path = scratch / "child.out";
  const auto err_path = scratch / "child.err";
  ChildRun run;
  const pid_t pid = ::fork();
  if (pid < 0) return run;
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0) ::_exit(127);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::putenv(const_cast<char*>(asan_options.c_str()));
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  while (::wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) return run;
  }
  run.signaled = WIFSIGNALED(status);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.max_rss_kib = static_cast<std::uint64_t>(usage.ru_maxrss);
  run.out = readWhole(out_path);
  run.err = readWhole(err_path);
  return run;
}

// Strict UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
inline bool validUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      code = c & 0x1FU;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      code = c & 0x0FU;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      code = c & 0x07U;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0U) != 0x80U) return false;
      code = (code << 6) | (next & 0x3FU);
    }
    if ((extra == 2 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) ||
        (extra == 3 && (code < 0x10000 || code > 0x10FFFF))) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

// The first line of `text` that is not valid UTF-8, with its bytes escaped (for messages).
inline std::string firstInvalidLine(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    if (!validUtf8(line)) {
      std::string out;
      for (const char c : line.substr(0, 300)) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7F) {
          out.push_back(c);
        } else {
          constexpr std::string_view kHex = "0123456789abcdef";
          out += "\\x";
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0xF]);
        }
      }
      return out;
    }
    start = end + 1;
  }
  return {};
}

// The JSON document a run printed, or a failed expectation and null.
inline nlohmann::json parseOutput(const ChildRun& run) {
  EXPECT_TRUE(validUtf8(run.out)) << "output is not valid UTF-8: " << firstInvalidLine(run.out);
  auto doc = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(doc.is_discarded()) << run.out.substr(0, 2000) << "\n" << run.err;
  return doc.is_discarded() ? nlohmann::json() : doc;
}

// (name, version, location path) of an inventory's packages.
inline std::set<std::tuple<std::string, std::string, std::string>> packagesOf(
    const nlohmann::json& doc) {
  std::set<std::tuple<std::string, std::string, std::string>> out;
  if (!doc.is_object() || !doc.contains("packages")) return out;
  for (const auto& package : doc["packages"]) {
    out.emplace(package.value("name", ""), package.value("version", ""),
                package.contains("location") ? package["location"].value("path", "") : "");
  }
  return out;
}

// The diagnostics of an inventory (kind, where, detail).
inline std::vector<std::tuple<std::string, std::string, std::string>> diagnosticsOf(
    const nlohmann::json& doc) {
  std::vector<std::tuple<std::string, std::string, std::string>> out;
  if (!doc.is_object() || !doc.contains("diagnostics")) return out;
  for (const auto& item : doc["diagnostics"]) {
    out.emplace_back(item.value("kind", ""), item.value("where", ""), item.value("detail", ""));
  }
  return out;
}

inline bool hasDiagnostic(const nlohmann::json& doc, std::string_view kind,
                          std::string_view where_contains = {}) {
  for (const auto& [k, where, detail] : diagnosticsOf(doc)) {
    if (k == kind && where.find(where_contains) != std::string::npos) return true;
  }
  return false;
}

inline constexpr std::uint64_t kKibPerMib = 1024;  // ru_maxrss is in KiB

// Peak RSS of `run` at most `bound_kib` over `baseline_kib`; the figures are printed either way.
inline void expectRssWithin(const ChildRun& run, std::uint64_t baseline_kib,
                            std::uint64_t bound_kib, std::string_view what) {
  std::printf("[ rss      ] %.*s: peak %llu MiB, baseline %llu MiB, bound +%llu MiB\n",
              static_cast<int>(what.size()), what.data(),
              static_cast<unsigned long long>(run.max_rss_kib / kKibPerMib),
              static_cast<unsigned long long>(baseline_kib / kKibPerMib),
              static_cast<unsigned long long>(bound_kib / kKibPerMib));
  EXPECT_GT(run.max_rss_kib, 0U) << what;
  EXPECT_LT(run.max_rss_kib, baseline_kib + bound_kib) << what;
}

}  // namespace bulwark::testing
