// Differential tests of the SemVer-family schemes against their reference implementations,
// each run as ONE child process that reads every generated case from a file and prints every
// answer (deterministic seed; BULWARK_DIFF_SEED and BULWARK_DIFF_PAIRS override it):
//
//   npm   vs node + npm's `semver` (tests/tools/node_modules)  npm_reference.js
//         versions: validity of each side and semver.compare(); ranges: whether
//         new Range(r) throws, range.test(v), and the desugared range.range text
//   go    vs golang.org/x/mod/semver (Debian golang-golang-x-mod-dev, built offline in GOPATH
//         mode)                                                    go_reference.go
//   cargo vs the Rust semver crate (Debian librust-semver-dev, built with rustc, no cargo, no
//         network)                                                 cargo_reference.rs
//
// Validity is compared on every generated string (the references reject or accept it); the
// order is compared on every pair both sides accept. The one known difference is left out of
// the npm generator: node compares all-digit pre-release identifiers >= 2^53 as doubles (see
// src/version/npm.h), so the generator's huge numbers go into MAJOR/MINOR/PATCH (where node
// rejects them) and never into pre-release identifiers.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "testdata.h"
#include "unit/version/reference_process.h"
#include "version/cargo.h"
#include "version/golang.h"
#include "version/npm.h"

namespace bulwark::version {
namespace {

namespace fs = std::filesystem;

int sign(int value) { return (value > 0) - (value < 0); }

std::string hex(std::string_view s) {
  const std::string out = testing::hexOf(s);
  return out.empty() ? "-" : out;  // the reference scripts read "-" as ""
}

// A scratch directory, removed at the end even when the test fails.
struct ScratchDir {
  fs::path path;
  explicit ScratchDir(const std::string& name)
      : path(fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Runs argv (PATH lookup) with stdin and stdout redirected to files; returns the exit status,
// or -1 when it could not run.
int run(std::vector<std::string> argv, const fs::path& in, const fs::path& out) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

bool onPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string_view rest = path;
  while (!rest.empty()) {
    const std::size_t colon = rest.find(':');
    const fs::path candidate = fs::path(std::string(rest.substr(0, colon))) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return false;
}

std::vector<std::string> readLines(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

fs::path referenceDir() { return BULWARK_SEMVER_REFERENCE_DIR; }

// --- generator --------------------------------------------------------------------------------

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}
  std::size_t below(std::size_t n) { return n == 0 ? 0 : rng_() % n; }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
  template <std::size_t N>
  std::string_view pick(const std::string_view (&from)[N]) {
    return from[below(N)];
  }

  // Version numbers: small, with leading zeros, around 2^53 and 2^64, huge.
  std::string number(bool huge_ok) {
    static constexpr std::string_view kEdges[] = {"9007199254740991",
                                                  "9007199254740992",
                                                  "9007199254740990",
                                                  "18446744073709551615",
                                                  "18446744073709551616",
                                                  "99999999999999999999999",
                                                  "4294967296"};
    if (huge_ok && chance(4)) return std::string(pick(kEdges));
    std::string out = std::to_string(below(chance(80) ? 4 : 1000));
    if (chance(5)) out = "0" + out;
    return out;
  }

  std::string identifier(bool huge_ok) {
    static constexpr std::string_view kWords[] = {"alpha",
                                                  "beta",
                                                  "rc",
                                                  "pre",
                                                  "a",
                                                  "b",
                                                  "Z",
                                                  "x",
                                                  "-",
                                                  "--",
                                                  "a-b",
                                                  "1a",
                                                  "0a",
                                                  "SNAPSHOT",
                                                  "20191109021931",
                                                  "daa7c04131f5",
                                                  "incompatible",
                                                  "build",
                                                  "0-",
                                                  "-1"};
    if (chance(45)) return number(huge_ok);
    if (chance(3)) return "";
    return std::string(pick(kWords));
  }

  std::string identifiers(bool huge_ok) {
    std::string out = identifier(huge_ok);
    const std::size_t more = below(4);
    for (std::size_t i = 0; i < more; ++i) out += "." + identifier(huge_ok);
    return out;
  }

  // A SemVer-shaped string with the usual ways of going wrong. `prefix` holds prefixes to try
  // (e.g. "v", "=", " "); `huge_pre` allows huge numbers in pre-release identifiers.
  std::string version(const std::vector<std::string_view>& prefixes, bool huge_pre) {
    std::string v;
    if (!prefixes.empty() && chance(25)) v += prefixes[below(prefixes.size())];
    v += number(true);
    const std::size_t parts = chance(85) ? 2 : below(4);
    for (std::size_t i = 0; i < parts; ++i) v += "." + number(true);
    if (chance(45)) v += "-" + identifiers(huge_pre);
    if (chance(20)) v += "+" + identifiers(true);
    if (chance(4)) v += pick(kJunk);
    if (!prefixes.empty() && chance(5)) v += prefixes[below(prefixes.size())];
    return v;
  }

  // A near miss of `v`: the pairs that reach the later stages of the comparison.
  std::string mutate(std::string v, bool huge_pre) {
    switch (below(8)) {
      case 0: {  // bump one digit
        for (std::size_t i = below(v.size() + 1); i < v.size(); ++i) {
          if (v[i] >= '0' && v[i] <= '8') {
            ++v[i];
            break;
          }
        }
        return v;
      }
      case 1: {  // drop or change the build
        const std::size_t plus = v.find('+');
        if (plus != std::string::npos) v.erase(plus);
        if (chance(50)) v += "+" + identifiers(true);
        return v;
      }
      case 2: return v + "." + identifier(huge_pre);
      case 3: {
        const std::size_t dot = v.rfind('.');
        return dot == std::string::npos ? v : v.substr(0, dot);
      }
      case 4: return v.find('-') == std::string::npos ? v + "-" + identifiers(huge_pre) : v;
      case 5: {
        const std::size_t dash = v.find('-');
        return dash == std::string::npos ? v : v.substr(0, dash);
      }
      case 6: return v;
      default: return version({}, huge_pre);
    }
  }

  static constexpr std::string_view kJunk[] = {".", "-", "+", "..", "_", "~", "#", " ", "x"};

 private:
  std::mt19937_64 rng_;
};

struct PairResult {
  std::size_t compared = 0;
  std::size_t counts[3] = {0, 0, 0};
  std::size_t validity_checks = 0;
};

// Writes the pairs, runs the reference once, and checks "VALID_A VALID_B CMP" lines.
template <class Compare, class Valid>
PairResult checkPairs(const char* what,
                      const std::vector<std::pair<std::string, std::string>>& pairs,
                      const fs::path& input, const fs::path& output,
                      const std::vector<std::string>& command, Compare compare, Valid valid,
                      bool stdin_input) {
  PairResult result;
  {
    std::ofstream in(input);
    for (const auto& [a, b] : pairs) in << hex(a) << ' ' << hex(b) << '\n';
  }
  const int status = run(command, stdin_input ? input : fs::path("/dev/null"), output);
  EXPECT_EQ(status, 0) << what << ": the reference failed";
  const std::vector<std::string> lines = readLines(output);
  EXPECT_EQ(lines.size(), pairs.size()) << what;
  if (lines.size() != pairs.size()) return result;
  std::size_t disagreements = 0;
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    const auto& [a, b] = pairs[k];
    const std::string& line = lines[k];
    const bool ref_a = line[0] == '1';
    const bool ref_b = line.size() > 2 && line[2] == '1';
    result.validity_checks += 2;
    if (valid(a) != ref_a && ++disagreements <= 20) {
      ADD_FAILURE() << what << ": valid('" << testing::shown(a) << "'): reference " << ref_a;
    }
    if (valid(b) != ref_b && ++disagreements <= 20) {
      ADD_FAILURE() << what << ": valid('" << testing::shown(b) << "'): reference " << ref_b;
    }
    const std::string_view cmp =
        std::string_view(line).substr(std::min<std::size_t>(4, line.size()));
    if (cmp == "-") continue;
    const int expected = cmp == "-1" ? -1 : cmp == "1" ? 1 : 0;
    const int got = sign(compare(a, b));
    ++result.compared;
    ++result.counts[expected + 1];
    if (got != expected && ++disagreements <= 20) {
      ADD_FAILURE() << what << ": '" << testing::shown(a) << "' vs '" << testing::shown(b)
                    << "': reference " << expected << ", ours " << got;
    }
    if (sign(compare(b, a)) != -got && ++disagreements <= 20) {
      ADD_FAILURE() << what << ": not antisymmetric on '" << testing::shown(a) << "', '"
                    << testing::shown(b) << "'";
    }
  }
  EXPECT_EQ(disagreements, 0u) << what;
  std::printf(
      "%s: %zu pairs compared (%zu <, %zu =, %zu >), %zu validity checks, "
      "%zu disagreements\n",
      what, result.compared, result.counts[0], result.counts[1], result.counts[2],
      result.validity_checks, disagreements);
  return result;
}

// Pairs until `count` of them are valid on both sides (by our valid(), which the test checks
// against the reference on every string); the invalid ones come along for the validity check.
template <class MakeVersion, class Mutate, class Valid>
std::vector<std::pair<std::string, std::string>> makePairs(Generator& g, std::size_t count,
                                                           MakeVersion make, Mutate mutate,
                                                           Valid valid) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t both_valid = 0;
  while (both_valid < count) {
    std::string a = make();
    std::string b = g.chance(65) ? mutate(a) : make();
    if (a.empty() || b.empty()) continue;
    both_valid += valid(a) && valid(b) ? 1 : 0;
    pairs.emplace_back(std::move(a), std::move(b));
  }
  return pairs;
}

void expectEnough(const char* what, const PairResult& r, std::size_t wanted) {
  EXPECT_GE(r.compared, wanted) << what << ": too few pairs both sides accept";
  EXPECT_GT(r.counts[0], r.compared / 20) << what << ": too few '<'";
  EXPECT_GT(r.counts[1], r.compared / 50) << what << ": too few '='";
  EXPECT_GT(r.counts[2], r.compared / 20) << what << ": too few '>'";
}

// --- npm --------------------------------------------------------------------------------------

fs::path nodeModules() {
  return bulwark::testing::sourceDir() / "tests" / "tools" / "node_modules";
}

bool haveNodeSemver(std::string* why) {
  if (!onPath("node")) {
    *why = "node is not installed";
    return false;
  }
  if (!fs::exists(nodeModules() / "semver" / "package.json")) {
    *why = "npm's semver package is absent from " + nodeModules().string() +
           " (run `npm ci` in tests/tools)";
    return false;
  }
  return true;
}

std::vector<std::string> nodeCommand(const char* mode, const fs::path& input) {
  return {"env",  "NODE_PATH=" + nodeModules().string(),
          "node", (referenceDir() / "npm_reference.js").string(),
          mode,   input.string()};
}

// JavaScript whitespace that node trims around versions and collapses inside ranges.
const std::vector<std::string_view> kNpmPrefixes = {
    "v", "=", " ", "\t", "  ", "v ", "\xc2\xa0", "\xef\xbb\xbf", "\xe3\x80\x80"};

TEST(SemverDifferential, NpmCompareAgainstNodeSemver) {
  std::string why;
  if (!haveNodeSemver(&why)) GTEST_SKIP() << why;
  const std::size_t count = testing::diffPairs(100000);
  Generator g(testing::diffSeed(20240601u));
  auto make = [&] {
    if (g.chance(3)) return std::string(256 - g.below(3), '1');  // MAX_LENGTH edges
    if (g.chance(2)) return std::string(250 + g.below(8), ' ') + "1.2.3";
    return g.version(kNpmPrefixes, false);
  };
  auto pairs = makePairs(
      g, count, make, [&](const std::string& a) { return g.mutate(a, false); },
      [](const std::string& v) { return validNpm(v); });
  ScratchDir dir("bulwark-npm-diff");
  const PairResult r = checkPairs(
      "npm compare", pairs, dir.path / "in.txt", dir.path / "out.txt",
      nodeCommand("compare", dir.path / "in.txt"),
      [](const std::string& a, const std::string& b) { return compareNpm(a, b); },
      [](const std::string& v) { return validNpm(v); }, false);
  expectEnough("npm compare", r, count);
}

// Ranges out of the pieces npm's grammar is made of, plus the spacing and junk that trip it.
std::string npmRange(Generator& g) {
  static constexpr std::string_view kOps[] = {
      "", "", "", "<", ">", "<=", ">=", "=", "~", "~>", "^", "^", "~", "=="};
  static constexpr std::string_view kSpace[] = {"", "", "", " ", "  ", "\t"};
  static constexpr std::string_view kX[] = {"x", "X", "*"};
  auto partial = [&] {
    std::string p;
    if (g.chance(8)) p += g.chance(50) ? "v" : "=";
    const std::size_t parts = 1 + g.below(3);
    for (std::size_t i = 0; i < parts; ++i) {
      if (i != 0) p += ".";
      p += g.chance(15) ? std::string(g.pick(kX)) : g.number(g.chance(10));
    }
    if (parts == 3 && g.chance(30)) p += "-" + g.identifiers(false);
    if (g.chance(8)) p += "+" + g.identifiers(false);
    if (g.chance(3)) p += Generator::kJunk[g.below(std::size(Generator::kJunk))];
    return p;
  };
  auto simple = [&] {
    if (g.chance(4)) return std::string(g.pick(kX));
    return std::string(g.pick(kOps)) + std::string(g.pick(kSpace)) + partial();
  };
  std::string range;
  const std::size_t sets = g.chance(70) ? 1 : 1 + g.below(3);
  for (std::size_t s = 0; s < sets; ++s) {
    if (s != 0) range += std::string(g.pick(kSpace)) + "||" + std::string(g.pick(kSpace));
    if (g.chance(12)) {
      range += partial() + " - " + partial();
      continue;
    }
    const std::size_t comparators = g.chance(5) ? 0 : 1 + g.below(3);
    for (std::size_t c = 0; c < comparators; ++c) {
      if (c != 0) range += g.chance(90) ? " " : std::string(g.pick(kSpace));
      range += simple();
    }
  }
  if (g.chance(5)) range = std::string(g.pick(kSpace)) + range + std::string(g.pick(kSpace));
  return range;
}

// A version near the numbers of `range` (so that the comparators decide), or a random one.
std::string versionNear(Generator& g, const std::string& range) {
  std::vector<std::string> numbers;
  for (std::size_t i = 0; i < range.size();) {
    if (range[i] < '0' || range[i] > '9') {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < range.size() && range[j] >= '0' && range[j] <= '9') ++j;
    numbers.push_back(range.substr(i, j - i));
    i = j;
  }
  auto near = [&](std::size_t k) -> std::string {
    if (numbers.empty() || g.chance(15)) return std::to_string(g.below(4));
    std::string n = numbers[std::min(k, numbers.size() - 1)];
    if (n.size() > 6) return n;
    const long value = std::stol(n) + static_cast<long>(g.below(3)) - 1;
    return std::to_string(value < 0 ? 0 : value);
  };
  std::string v = near(0) + "." + near(1) + "." + near(2);
  if (g.chance(35)) v += "-" + g.identifiers(false);
  if (g.chance(5)) v += "+b";
  if (g.chance(3)) v = "v" + v;
  return v;
}

TEST(SemverDifferential, NpmRangesAgainstNodeSemver) {
  std::string why;
  if (!haveNodeSemver(&why)) GTEST_SKIP() << why;
  const std::size_t count = std::max<std::size_t>(testing::diffPairs(100000) / 3, 20000);
  Generator g(testing::diffSeed(20240601u) + 1);
  std::vector<std::pair<std::string, std::string>> cases;  // (version, range)
  std::size_t parsable = 0;  // by us; the test checks that node agrees on each
  while (parsable < count) {
    std::string range = npmRange(g);
    if (range.empty() && g.chance(90)) continue;
    const bool ok = parseNpmRange(range).has_value();
    const std::size_t versions = 1 + g.below(3);
    for (std::size_t i = 0; i < versions; ++i) {
      cases.emplace_back(versionNear(g, range), range);
      parsable += ok ? 1 : 0;
    }
  }
  ScratchDir dir("bulwark-npm-range-diff");
  {
    std::ofstream in(dir.path / "in.txt");
    for (const auto& [v, r] : cases) in << hex(v) << ' ' << hex(r) << '\n';
  }
  ASSERT_EQ(run(nodeCommand("range", dir.path / "in.txt"), "/dev/null", dir.path / "out.txt"), 0);
  const std::vector<std::string> lines = readLines(dir.path / "out.txt");
  ASSERT_EQ(lines.size(), cases.size());
  std::size_t disagreements = 0;
  std::size_t invalid = 0;
  std::size_t satisfied = 0;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const auto& [version, text] = cases[k];
    const auto range = parseNpmRange(text);
    const std::string& line = lines[k];
    if (line == "E") {
      ++invalid;
      if (range && ++disagreements <= 20) {
        ADD_FAILURE() << "range '" << testing::shown(text) << "': node throws, we read '"
                      << range->format() << "'";
      }
      continue;
    }
    if (!range) {
      if (++disagreements <= 20) {
        ADD_FAILURE() << "range '" << testing::shown(text) << "': node reads '" << line.substr(2)
                      << "', we fail: " << range.error().message;
      }
      continue;
    }
    const bool expected = line[0] == '1';
    satisfied += expected ? 1 : 0;
    if (range->format() != line.substr(2) && ++disagreements <= 20) {
      ADD_FAILURE() << "range '" << testing::shown(text) << "': node desugars to '"
                    << line.substr(2) << "', we to '" << range->format() << "'";
    }
    if (range->satisfies(version) != expected && ++disagreements <= 20) {
      ADD_FAILURE() << "'" << testing::shown(version) << "' in '" << testing::shown(text) << "' ("
                    << range->format() << "): node " << expected;
    }
  }
  EXPECT_EQ(disagreements, 0u);
  const std::size_t valid = cases.size() - invalid;
  EXPECT_GE(valid, 20000u) << "too few ranges node accepts";
  EXPECT_GT(satisfied, valid / 10) << "too few satisfied";
  EXPECT_LT(satisfied, valid - valid / 10) << "too few unsatisfied";
  std::printf(
      "npm ranges: %zu (version, range) checks, %zu ranges node rejects, %zu satisfied, "
      "%zu disagreements\n",
      cases.size(), invalid, satisfied, disagreements);
}

// --- go ---------------------------------------------------------------------------------------

constexpr const char* kGoPath = "/usr/share/gocode";

TEST(SemverDifferential, GoAgainstXModSemver) {
  if (!onPath("go")) GTEST_SKIP() << "go is not installed (Debian golang-go)";
  if (!fs::exists(fs::path(kGoPath) / "src/golang.org/x/mod/semver/semver.go")) {
    GTEST_SKIP() << "golang.org/x/mod/semver is absent (Debian golang-golang-x-mod-dev)";
  }
  ScratchDir dir("bulwark-go-diff");
  const fs::path binary = dir.path / "go_reference";
  // GOPATH mode, no module proxy: the package comes from Debian's /usr/share/gocode.
  ASSERT_EQ(run({"env", "GO111MODULE=off", std::string("GOPATH=") + kGoPath,
                 "GOFLAGS=", "GOPROXY=off", "GOCACHE=" + (dir.path / "cache").string(), "go",
                 "build", "-o", binary.string(), (referenceDir() / "go_reference.go").string()},
                "/dev/null", dir.path / "build.log"),
            0)
      << bulwark::testing::readFile(dir.path / "build.log");
  const std::size_t count = testing::diffPairs(100000);
  Generator g(testing::diffSeed(20240601u) + 2);
  const std::vector<std::string_view> prefixes = {"v", "v", "v", "v", "V", " ", "=v"};
  auto make = [&] {
    std::string v = g.version(prefixes, true);
    if (v[0] >= '0' && v[0] <= '9' && g.chance(90)) v = "v" + v;  // mostly valid
    if (g.chance(3)) v = "v" + g.number(true) + "-20191109021931-daa7c04131f5";
    return v;
  };
  auto pairs = makePairs(
      g, count, make, [&](const std::string& a) { return g.mutate(a, true); },
      [](const std::string& v) { return validGo(v); });
  const PairResult r = checkPairs(
      "go", pairs, dir.path / "in.txt", dir.path / "out.txt", {binary.string()},
      [](const std::string& a, const std::string& b) { return compareGo(a, b); },
      [](const std::string& v) { return validGo(v); }, true);
  expectEnough("go", r, count);
}

// --- cargo ------------------------------------------------------------------------------------

fs::path semverCrate() {
  const fs::path registry = "/usr/share/cargo/registry";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(registry, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("semver-1.", 0) == 0 && fs::exists(entry.path() / "src/lib.rs")) {
      return entry.path();
    }
  }
  return {};
}

TEST(SemverDifferential, CargoAgainstSemverCrate) {
  if (!onPath("rustc")) GTEST_SKIP() << "rustc is not installed (Debian rustc)";
  const fs::path crate = semverCrate();
  if (crate.empty()) GTEST_SKIP() << "the semver crate is absent (Debian librust-semver-dev)";
  ScratchDir dir("bulwark-cargo-diff");
  ASSERT_EQ(
      run({"rustc", "--edition", "2018", "--crate-type", "rlib", "--crate-name", "semver", "-O",
           "--cap-lints", "allow", "--out-dir", dir.path.string(), (crate / "src/lib.rs").string()},
          "/dev/null", dir.path / "build.log"),
      0)
      << "building " << crate << " failed";
  const fs::path binary = dir.path / "cargo_reference";
  ASSERT_EQ(run({"rustc", "--edition", "2018", "-O", "--extern",
                 "semver=" + (dir.path / "libsemver.rlib").string(), "-o", binary.string(),
                 (referenceDir() / "cargo_reference.rs").string()},
                "/dev/null", dir.path / "build.log"),
            0)
      << "building cargo_reference.rs failed";
  const std::size_t count = testing::diffPairs(100000);
  Generator g(testing::diffSeed(20240601u) + 3);
  const std::vector<std::string_view> prefixes = {"v", " ", "="};
  auto make = [&] { return g.version(prefixes, true); };
  auto pairs = makePairs(
      g, count, make, [&](const std::string& a) { return g.mutate(a, true); },
      [](const std::string& v) { return validCargo(v); });
  const PairResult r = checkPairs(
      "cargo", pairs, dir.path / "in.txt", dir.path / "out.txt", {binary.string()},
      [](const std::string& a, const std::string& b) { return compareCargo(a, b); },
      [](const std::string& v) { return validCargo(v); }, true);
  expectEnough("cargo", r, count);
}

}  // namespace
}  // namespace bulwark::version
