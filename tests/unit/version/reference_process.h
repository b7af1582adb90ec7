// What the differential tests of the version schemes share: the seed and size knobs
// (BULWARK_DIFF_SEED, BULWARK_DIFF_PAIRS), hex encoding (strings travel hex-encoded so that any
// byte — NUL, newline, high bytes — reaches the reference unchanged), printable failure text,
// and running a reference implementation (ruby, php, python, java, node, go, rustc) as ONE
// child process over a file of input lines.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace bulwark::version::testing {

inline std::uint64_t diffSeed(std::uint64_t fallback) {
  const char* text = std::getenv("BULWARK_DIFF_SEED");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : fallback;
}

inline std::size_t diffPairs(std::size_t fallback) {
  const char* text = std::getenv("BULWARK_DIFF_PAIRS");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : fallback;
}

inline std::string hexOf(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out += kHex[u >> 4];
    out += kHex[u & 15];
  }
  return out;
}

inline std::string fromHex(std::string_view hex) {
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return 0;
  };
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  }
  return out;
}

// Printable form of arbitrary bytes for failure messages.
inline std::string shown(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

// Whether `program` can be started (found on PATH and exits 0 with `args`).
inline bool canRun(const std::vector<std::string>& argv) {
  std::vector<std::string> args = argv;
  std::vector<char*> raw;
  for (std::string& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, raw[0], &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  int status = 0;
  return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

struct ReferenceRun {
  bool ok = false;
  std::string error;
  std::vector<std::string> lines;
};

// Runs `argv` once with `input` on stdin; collects stdout lines (stderr goes to a file whose
// head is reported on failure).
inline ReferenceRun runReference(const std::vector<std::string>& argv, const std::string& input) {
  ReferenceRun run;
  std::random_device rd;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("bulwark-ref-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  const std::string in_path = (dir / "in").string();
  const std::string out_path = (dir / "out").string();
  const std::string err_path = (dir / "err").string();
  {
    std::ofstream in(in_path, std::ios::binary);
    in << input;
  }
  std::vector<std::string> args = argv;
  std::vector<char*> raw;
  for (std::string& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, raw[0], &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  if (rc != 0) {
    run.error = "cannot start " + argv[0];
  } else if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::ifstream err(err_path, std::ios::binary);
    std::ostringstream text;
    text << err.rdbuf();
    run.error = argv[0] + " failed: " + text.str().substr(0, 2000);
  } else {
    std::ifstream out(out_path, std::ios::binary);
    std::string line;
    while (std::getline(out, line)) run.lines.push_back(line);
    run.ok = true;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return run;
}

// A small deterministic random source for the generators.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : rng_(seed) {}
  std::size_t below(std::size_t n) { return n == 0 ? 0 : rng_() % n; }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
  char pick(std::string_view from) { return from[below(from.size())]; }
  template <class T, std::size_t N>
  const T& among(const T (&items)[N]) {
    return items[below(N)];
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace bulwark::version::testing
