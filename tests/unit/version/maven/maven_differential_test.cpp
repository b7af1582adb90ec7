// Differential test: compareMaven against Maven's own ComparableVersion (the maven-artifact jar
// of Debian's maven package) on generated adversarial pairs. One Java process
// (MavenCompare.java, run as a single-file source program) reads every pair from a file and
// prints every answer. Deterministic seed; BULWARK_DIFF_SEED overrides it and
// BULWARK_DIFF_PAIRS the number of pairs. Skips visibly when java or the jar is absent
// (scripts/install-deps installs maven and default-jdk-headless).
//
// ComparableVersion accepts every string, so the generator is as hostile as it likes: digit
// runs across the int/long/BigInteger limits (9/10 and 18/19 digits) and all-zero runs, every
// qualifier and alias in mixed case, single letters before digits, doubled and leading and
// trailing separators, punctuation, blanks, NUL and high bytes. The one restriction: the jar
// reads bytes as ISO-8859-1 and lower-cases them with Java's rules, which fold the Latin-1
// capitals 0xC0-0xDE too; we fold ASCII only (maven.cpp explains), so those 30 bytes are left
// out of the generator.
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
#include <utility>
#include <vector>

#include "testdata.h"
#include "unit/version/reference_process.h"
#include "version/maven.h"

namespace bulwark::version {
namespace {

namespace fs = std::filesystem;

int sign(int value) { return (value > 0) - (value < 0); }

// The first executable called `name` on PATH, or empty.
fs::path onPath(const char* name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    const std::size_t colon = rest.find(':');
    const fs::path candidate = fs::path(std::string(rest.substr(0, colon))) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return {};
}

// The maven-artifact jar: Debian's maven ships it as /usr/share/maven/lib/maven-artifact-3.x.jar
// (a link to /usr/share/java/maven3-artifact.jar).
fs::path findJar() {
  const std::pair<const char*, const char*> places[] = {
      {"/usr/share/maven/lib", "maven-artifact"},
      {"/usr/share/java", "maven3-artifact"},
      {"/usr/share/java", "maven-artifact"},
  };
  for (const auto& [dir, prefix] : places) {
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with(prefix) && name.ends_with(".jar") && fs::exists(entry.path())) {
        return entry.path();
      }
    }
  }
  return {};
}

// Runs argv with stdout to `out`; returns the exit status or -1.
int run(std::vector<std::string> args, const fs::path& out) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  std::size_t below(std::size_t n) { return n == 0 ? 0 : rng_() % n; }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
  char pick(std::string_view from) { return from[below(from.size())]; }

  std::string digits() {
    std::string out;
    if (chance(15)) out.append(1 + below(12), '0');
    if (chance(5)) return out.empty() ? std::string(1 + below(25), '0') : out;  // all zeros
    static constexpr std::size_t kEdges[] = {8, 9, 10, 17, 18, 19, 20, 40};
    const std::size_t len = chance(10) ? kEdges[below(std::size(kEdges))] : 1 + below(3);
    for (std::size_t i = 0; i < len; ++i) {
      out += static_cast<char>((i == 0 ? '1' : '0') + below(i == 0 ? 9 : 10));
    }
    if (chance(5)) out = std::string(len, '9');
    return out;
  }

  std::string word() {
    static constexpr std::string_view kWords[] = {
        "alpha", "beta",       "milestone", "rc",  "cr",     "snapshot", "ga",  "final", "release",
        "sp",    "a",          "b",         "m",   "x",      "SNAPSHOT", "GA",  "Final", "RC",
        "CR",    "Alpha",      "M",         "B",   "A",      "foo",      "z",   "jre",   "android",
        "v",     "incubating", "pre",       "dev", "spring", "Sp",       "sp1", "",
    };
    std::string out(kWords[below(std::size(kWords))]);
    if (out.empty() || chance(15)) {
      const std::size_t len = 1 + below(4);
      for (std::size_t i = 0; i < len; ++i) out += pick("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ");
    }
    return out;
  }

  // Bytes the jar lower-cases like we do: everything but the Latin-1 capitals 0xC0-0xDE
  // (0xD7, the multiplication sign, has no lower case and stays in).
  char oddByte() {
    for (;;) {
      const auto c = static_cast<unsigned char>(below(256));
      if (c >= 0xC0 && c <= 0xDE && c != 0xD7) continue;
      if (c >= '0' && c <= '9') continue;
      return static_cast<char>(c);
    }
  }

  std::string piece() {
    const std::size_t kind = below(100);
    if (kind < 38) return digits();
    if (kind < 60) return word();
    if (kind < 84) return std::string(1, chance(55) ? '.' : '-');
    if (kind < 88) return chance(50) ? ".." : (chance(50) ? "--" : ".-");
    if (kind < 96) return std::string(1, pick("_+~ $!"));
    return std::string(1, oddByte());
  }

  std::string version() {
    if (chance(3)) return "";
    std::string v = chance(80) ? digits() : piece();
    const std::size_t more = below(9);
    for (std::size_t i = 0; i < more; ++i) v += piece();
    return v;
  }

  // Spellings ComparableVersion treats alike, and near misses.
  std::string variant(std::string v) {
    const std::size_t edits = 1 + below(3);
    for (std::size_t e = 0; e < edits; ++e) {
      const std::size_t at = below(v.size() + 1);
      switch (below(14)) {
        case 0: v += chance(50) ? ".0" : "-0"; break;
        case 1:
          v += pick(".-");
          v += chance(50) ? "ga" : (chance(50) ? "FINAL" : "release");
          break;
        case 2:  // flip case
          for (char& c : v) {
            if (c >= 'a' && c <= 'z' && chance(50)) c = static_cast<char>(c - 'a' + 'A');
          }
          break;
        case 3: v.insert(at, "0"); break;
        case 4: v.insert(at, 1, pick(".-")); break;
        case 5:
          if (at < v.size()) v.erase(at, 1);
          break;
        case 6: v.insert(at, digits()); break;
        case 7: v.insert(at, word()); break;
        case 8:
          v += pick(".-");
          v += word();
          break;
        case 9:
          if (at < v.size()) v[at] = pick("0123456789.-abmx");
          break;
        case 10: {  // bump a digit
          for (std::size_t i = at; i < v.size(); ++i) {
            if (v[i] >= '0' && v[i] <= '8') {
              ++v[i];
              break;
            }
          }
          break;
        }
        case 11: {  // swap alias spellings
          const std::size_t p = v.find("rc");
          if (p != std::string::npos) v.replace(p, 2, "cr");
          const std::size_t q = v.find("alpha-");
          if (q != std::string::npos) v.replace(q, 6, "a");
          break;
        }
        case 12:
          v += pick(".-");
          v += digits();
          break;
        default: v.insert(at, 1, oddByte()); break;
      }
    }
    return v;
  }

 private:
  std::mt19937_64 rng_;
};

TEST(MavenDifferential, AgainstComparableVersion) {
  const fs::path java = onPath("java");
  if (java.empty()) GTEST_SKIP() << "java not found on PATH (apt-get install default-jdk-headless)";
  const fs::path jar = findJar();
  if (jar.empty()) {
    GTEST_SKIP() << "maven-artifact jar not found under /usr/share/maven/lib or /usr/share/java "
                    "(apt-get install maven)";
  }
  const fs::path program =
      bulwark::testing::sourceDir() / "tests" / "unit" / "version" / "maven" / "MavenCompare.java";
  ASSERT_TRUE(fs::exists(program)) << program;

  Generator g(testing::diffSeed(20240601u));
  const std::size_t pairs = testing::diffPairs(200000u);
  std::vector<std::pair<std::string, std::string>> cases;
  cases.reserve(pairs);
  std::string previous = "1.0";
  for (std::size_t k = 0; k < pairs; ++k) {
    std::string a = g.chance(25) ? g.variant(previous) : g.version();
    std::string b;
    const std::size_t mode = g.below(100);
    if (mode < 50) {
      b = g.variant(a);
    } else if (mode < 58) {
      b = a;
    } else {
      b = g.version();
    }
    previous = b;
    cases.emplace_back(std::move(a), std::move(b));
  }

  const fs::path dir =
      fs::temp_directory_path() / ("bulwark-maven-diff-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path input = dir / "pairs.txt";
  const fs::path output = dir / "answers.txt";
  {
    std::ofstream out(input, std::ios::binary);
    for (const auto& [a, b] : cases) out << testing::hexOf(a) << ' ' << testing::hexOf(b) << '\n';
  }
  const int status =
      run({java.string(), "-cp", jar.string(), program.string(), input.string()}, output);
  std::ifstream answers(output);
  std::vector<int> expected;
  expected.reserve(pairs);
  for (int value = 0; answers >> value;) expected.push_back(value);
  std::error_code ec;
  fs::remove_all(dir, ec);
  ASSERT_EQ(status, 0) << "java " << program << " failed";
  ASSERT_EQ(expected.size(), cases.size());

  std::size_t disagreements = 0;
  std::size_t counts[3] = {0, 0, 0};
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const auto& [a, b] = cases[k];
    const int want = sign(expected[k]);
    const int got = sign(compareMaven(a, b));
    ++counts[want + 1];
    if (got != want && ++disagreements <= 20) {
      ADD_FAILURE() << "'" << testing::shown(a) << "' vs '" << testing::shown(b)
                    << "': ComparableVersion " << want << ", ours " << got;
    }
    if (sign(compareMaven(b, a)) != -got) {
      ADD_FAILURE() << "not antisymmetric: '" << testing::shown(a) << "' vs '" << testing::shown(b)
                    << "'";
    }
  }
  EXPECT_EQ(disagreements, 0u) << "over " << cases.size() << " pairs";
  EXPECT_GT(counts[0], pairs / 20) << "too few '<'";
  EXPECT_GT(counts[1], pairs / 50) << "too few '='";
  EXPECT_GT(counts[2], pairs / 20) << "too few '>'";
  std::printf("maven: %zu pairs (%zu <, %zu =, %zu >), %zu disagreements\n", cases.size(),
              counts[0], counts[1], counts[2], disagreements);
}

}  // namespace
}  // namespace bulwark::version
