// PEP 440 against pypa/packaging: Debian's /usr/bin/python3 with python3-packaging runs
// pep440_reference.py once per test on a file of generated requests (deterministic seed;
// BULWARK_DIFF_SEED overrides it, BULWARK_DIFF_PAIRS the number of comparison pairs).
//
//   Compare    comparePep440 and validPep440 vs Version() and its ordering, >= 100,000 pairs of
//              valid versions (plus the invalid ones the generator makes on the way, whose
//              validity must agree);
//   Normalize  normalizePep440 vs str(Version(v)), pairs / 5 (>= 20,000) strings;
//   Specifier  parsePep440Specifiers + contains vs SpecifierSet(s).contains(v, prereleases),
//              pairs / 5 (>= 20,000) requests, the prereleases argument None, True or False.
//
// The generator builds versions from random parts spelled every way PEP 440 allows (case,
// separators, alternative words, leading zeros, implicit post-releases, whitespace including
// Unicode spaces, the 'v' prefix), then perturbs the text. It avoids only what we document as
// different (pep440.h): integers beyond CPython's 4300-digit limit and the four non-ASCII
// characters Python's case-insensitive regex equates with ASCII letters.
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
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
#include "version/pep440.h"

namespace bulwark::version {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

std::filesystem::path referenceScript() {
  return bulwark::testing::sourceDir() / "tests/unit/version/pep440/pep440_reference.py";
}

// Why the reference cannot run here, or "" when it can.
std::string referenceMissing() {
  if (access(kPython, X_OK) != 0) return std::string(kPython) + " is not installed";
  const std::string probe = std::string(kPython) + " -c 'import packaging.specifiers' 2>/dev/null";
  if (std::system(probe.c_str()) != 0) {
    return "python3-packaging is not installed for /usr/bin/python3 (run scripts/install-deps)";
  }
  if (!std::filesystem::exists(referenceScript())) return "pep440_reference.py not found";
  return "";
}

// Runs the reference on `requests` (one per line) and returns its answers, one per request.
std::vector<std::string> askReference(const std::vector<std::string>& requests) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("bulwark-pep440-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path input = dir / "requests.txt";
  {
    std::ofstream out(input, std::ios::binary);
    for (const std::string& request : requests) out << request << '\n';
  }
  const std::string command =
      std::string(kPython) + " '" + referenceScript().string() + "' '" + input.string() + "'";
  std::vector<std::string> answers;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe != nullptr) {
    std::string text;
    char buffer[65536];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
    const int status = ::pclose(pipe);
    EXPECT_EQ(status, 0) << "reference failed: " << command;
    std::size_t start = 0;
    for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
      answers.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(answers.size(), requests.size()) << "the reference answered too few requests";
  return answers;
}

// --- the generator ---------------------------------------------------------------------------

struct Shape {  // a version's parts, before spelling
  std::string epoch;
  std::vector<std::string> release;
  int pre = -1;  // -1 none, 0 a, 1 b, 2 rc
  std::string pre_n;
  bool post = false;
  std::string post_n;
  bool dev = false;
  std::string dev_n;
  std::vector<std::string> local;
};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  std::size_t below(std::size_t n) { return n == 0 ? 0 : rng_() % n; }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
  template <std::size_t N>
  std::string_view pick(const std::array<std::string_view, N>& from) {
    return from[below(N)];
  }

  std::string number() {
    std::string out;
    if (chance(10)) out.append(1 + below(2), '0');
    const std::size_t len = chance(4) ? 15 + below(30) : 1;
    for (std::size_t i = 0; i < len; ++i)
      out += static_cast<char>('0' + below(chance(70) ? 3 : 10));
    return out;
  }

  Shape shape() {
    Shape s;
    if (chance(10)) s.epoch = number();
    const std::size_t count = 1 + below(chance(80) ? 3 : 6);
    for (std::size_t i = 0; i < count; ++i) s.release.push_back(chance(30) ? "0" : number());
    if (chance(40)) {
      s.pre = static_cast<int>(below(3));
      if (chance(85)) s.pre_n = number();
    }
    if (chance(30)) {
      s.post = true;
      if (chance(85)) s.post_n = number();
    }
    if (chance(30)) {
      s.dev = true;
      if (chance(85)) s.dev_n = number();
    }
    if (chance(20)) {
      const std::size_t parts = 1 + below(3);
      for (std::size_t i = 0; i < parts; ++i) s.local.push_back(localPart());
    }
    return s;
  }

  std::string localPart() {
    static constexpr std::array<std::string_view, 8> kWords = {"abc",      "ubuntu", "Dev", "a",
                                                               "deadBEEF", "z",      "cpu", "r"};
    if (chance(50)) return number();
    std::string out(pick(kWords));
    if (chance(30)) out += number();
    return out;
  }

  // A small change to the parts: bump or add a number, drop or add a part.
  Shape nearby(Shape s) {
    switch (below(8)) {
      case 0: s.release.push_back(chance(50) ? "0" : number()); break;
      case 1:
        if (s.release.size() > 1) s.release.pop_back();
        break;
      case 2: s.release[below(s.release.size())] = number(); break;
      case 3: s.pre = s.pre < 0 ? static_cast<int>(below(3)) : -1; break;
      case 4: s.post = !s.post; break;
      case 5: s.dev = !s.dev; break;
      case 6:
        if (s.local.empty()) {
          s.local.push_back(localPart());
        } else if (chance(50)) {
          s.local.pop_back();
        } else {
          s.local.push_back(localPart());
        }
        break;
      default: s.epoch = chance(50) ? "" : number();
    }
    return s;
  }

  std::string separator(bool optional = true) {
    static constexpr std::array<std::string_view, 3> kSeparators = {".", "-", "_"};
    if (optional && chance(50)) return "";
    return std::string(pick(kSeparators));
  }

  std::string randomCase(std::string_view word) {
    std::string out(word);
    const int mode = static_cast<int>(below(10));
    for (char& c : out) {
      if (mode == 0 || (mode == 1 && chance(50))) c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
  }

  std::string space() {
    static constexpr std::array<std::string_view, 10> kSpaces = {
        " ",    "\t",       "\n",           "\r\n",         "\x0b",
        "\x1c", "\xc2\xa0", "\xe2\x80\x83", "\xe3\x80\x80", "\xc2\x85"};
    return std::string(pick(kSpaces));
  }

  // The parts, spelled one of the many ways PEP 440 allows.
  std::string spell(const Shape& s) {
    std::string out;
    if (chance(5)) out += space();
    if (chance(10)) out += chance(50) ? "v" : "V";
    if (!s.epoch.empty()) out += s.epoch + "!";
    for (std::size_t i = 0; i < s.release.size(); ++i) {
      if (i != 0) out += '.';
      out += s.release[i];
    }
    if (s.pre >= 0) {
      static constexpr std::array<std::array<std::string_view, 4>, 3> kWords = {{
          {"a", "alpha", "a", "a"},
          {"b", "beta", "b", "b"},
          {"rc", "c", "pre", "preview"},
      }};
      out += separator();
      out += randomCase(kWords[static_cast<std::size_t>(s.pre)][below(4)]);
      out += separator();
      out += s.pre_n;
    }
    if (s.post) {
      if (!s.post_n.empty() && chance(20)) {
        out += "-" + s.post_n;  // implicit post-release
      } else {
        static constexpr std::array<std::string_view, 4> kWords = {"post", "rev", "r", "post"};
        out += separator();
        out += randomCase(pick(kWords));
        out += separator();
        out += s.post_n;
      }
    }
    if (s.dev) {
      out += separator();
      out += randomCase("dev");
      out += separator();
      out += s.dev_n;
    }
    if (!s.local.empty()) {
      out += '+';
      for (std::size_t i = 0; i < s.local.size(); ++i) {
        if (i != 0) out += separator(false);
        out += s.local[i];
      }
    }
    if (chance(5)) out += space();
    return out;
  }

  // Text edits that usually break the version, sometimes in ways the regex still accepts.
  std::string mutate(std::string v) {
    static constexpr std::array<std::string_view, 24> kInserts = {
        ".", "-", "_",   "+",    "!",  "*",   " ",     "a",  "b",  "c",    "r",        "v",
        "0", "1", "dev", "post", "rc", "pre", "alpha", "..", "--", "\xff", "\xc2\xa0", ","};
    const std::size_t edits = 1 + below(2);
    for (std::size_t e = 0; e < edits; ++e) {
      const std::size_t at = below(v.size() + 1);
      switch (below(4)) {
        case 0: v.insert(at, pick(kInserts)); break;
        case 1:
          if (at < v.size()) v.erase(at, 1);
          break;
        case 2:
          if (at < v.size()) v.replace(at, 1, pick(kInserts));
          break;
        default: v += pick(kInserts);
      }
    }
    return v;
  }

  std::string version() {
    std::string v = spell(shape());
    return chance(15) ? mutate(std::move(v)) : v;
  }

  // A version related to `a`: the same parts spelled again (equal), nearby parts, or a
  // mutation of the text.
  std::pair<std::string, std::string> pair() {
    const Shape s = shape();
    std::string a = spell(s);
    std::string b;
    const std::size_t mode = below(100);
    if (mode < 20) {
      Shape same = s;
      if (chance(50)) same.release.push_back("0");  // trailing zeros do not count
      b = spell(same);
    } else if (mode < 70) {
      b = spell(nearby(s));
    } else if (mode < 85) {
      b = mutate(a);
    } else {
      b = version();
    }
    if (chance(8)) a = mutate(std::move(a));
    return {std::move(a), std::move(b)};
  }

  std::string specifier() {
    const std::size_t clauses = chance(5) ? 0 : (chance(60) ? 1 : 2 + below(2));
    std::string out;
    for (std::size_t i = 0; i < clauses; ++i) {
      if (i != 0) out += chance(90) ? ", " : (chance(50) ? "," : " ,, ");
      out += clause();
    }
    return chance(3) ? mutate(std::move(out)) : out;
  }

  std::string clause() {
    static constexpr std::array<std::string_view, 10> kOperators = {"==", "!=", "<=",  ">=", "<",
                                                                    ">",  "~=", "===", "==", "~="};
    const std::string_view op = pick(kOperators);
    std::string out(op);
    if (chance(20)) out += ' ';
    Shape s = shape();
    if (op == "===") {
      out += chance(70) ? normalizePep440(spell(s)) : spell(s);
      return out;
    }
    if (op != "==" && op != "!=" && chance(90)) s.local.clear();
    if (op == "~=" && s.release.size() < 2 && chance(90)) s.release.push_back(number());
    if ((op == "==" || op == "!=") && chance(40)) {
      s.pre = -1;
      s.post = false;
      s.dev = false;
      s.local.clear();
      std::string text = spell(s);
      while (!text.empty() && spaceLike(text.back())) text.pop_back();
      out += text + ".*";
      return out;
    }
    out += spell(s);
    return out;
  }

  static bool spaceLike(char c) { return static_cast<unsigned char>(c) >= 0x80 || c <= ' '; }

  // A candidate for a specifier: near one of its clause's versions, often a pre/post-release.
  std::string candidate(const std::string& spec) {
    if (chance(15)) return version();
    // Take the version text of some clause and move it a little.
    std::vector<std::string_view> texts;
    std::string_view rest = spec;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view clause = rest.substr(0, comma);
      const std::size_t start = clause.find_first_not_of("=!<>~ ");
      if (start != std::string_view::npos) texts.push_back(clause.substr(start));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (texts.empty()) return version();
    std::string base(texts[below(texts.size())]);
    if (base.ends_with(".*")) base.resize(base.size() - 2);
    if (!validPep440(base)) return version();
    // Re-spell through the normal form's parts: append a suffix or a number.
    static constexpr std::array<std::string_view, 12> kSuffixes = {
        "", ".0", ".1", "a1", "rc1", ".post1", ".dev0", "+local", ".5", "b2.dev1", ".0.0", "-1"};
    std::string v = normalizePep440(base);
    const std::size_t plus = v.find('+');
    if (plus != std::string::npos && chance(50)) v.resize(plus);
    for (int attempt = 0; attempt < 4; ++attempt) {  // a suffix that keeps it valid
      std::string next = v + std::string(pick(kSuffixes));
      if (validPep440(next)) {
        v = std::move(next);
        break;
      }
    }
    if (chance(5)) v = mutate(std::move(v));
    return v;
  }

 private:
  std::mt19937_64 rng_;
};

// Strings the generator must not produce (documented differences, pep440.h).
bool avoidable(std::string_view text) {
  for (const std::string_view letter : {"\xc4\xb0", "\xc4\xb1", "\xc5\xbf", "\xe2\x84\xaa"}) {
    if (text.find(letter) != std::string_view::npos) return true;
  }
  return false;
}

class Pep440Differential : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string missing = referenceMissing();
    if (!missing.empty()) GTEST_SKIP() << "reference unavailable: " << missing;
  }
};

TEST_F(Pep440Differential, CompareAgainstPackaging) {
  Generator g(testing::diffSeed(20240611u));
  const std::size_t wanted = testing::diffPairs(120000u);
  // Invalid versions are part of the stream (their validity is compared too); generate enough
  // pairs that at least `wanted` of them are valid on both sides.
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<std::string> requests;
  std::size_t both_valid = 0;
  while (both_valid < wanted && pairs.size() < wanted * 3) {
    auto [a, b] = g.pair();
    if (avoidable(a) || avoidable(b)) continue;
    if (validPep440(a) && validPep440(b)) ++both_valid;
    requests.push_back("C\t" + testing::hexOf(a) + "\t" + testing::hexOf(b));
    pairs.emplace_back(std::move(a), std::move(b));
  }
  const std::vector<std::string> answers = askReference(requests);
  ASSERT_EQ(answers.size(), pairs.size());
  std::size_t compared = 0;
  std::size_t disagreements = 0;
  std::size_t counts[3] = {0, 0, 0};
  std::size_t invalid = 0;
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    const auto& [a, b] = pairs[k];
    const std::string& answer = answers[k];
    ASSERT_GE(answer.size(), 5u) << answer;
    const bool ref_a = answer[0] == 'V';
    const bool ref_b = answer[2] == 'V';
    ASSERT_NE(answer[0], 'X') << "generator made a number Python refuses: " << testing::shown(a);
    ASSERT_NE(answer[2], 'X') << "generator made a number Python refuses: " << testing::shown(b);
    bool bad = ref_a != validPep440(a) || ref_b != validPep440(b);
    invalid += !ref_a + !ref_b;
    if (ref_a && ref_b) {
      const int expected = std::stoi(answer.substr(4));
      ++counts[expected + 1];
      ++compared;
      bad = bad || comparePep440(a, b) != expected || comparePep440(b, a) != -expected;
    }
    if (bad && ++disagreements <= 20) {
      ADD_FAILURE() << "'" << testing::shown(a) << "' vs '" << testing::shown(b)
                    << "': packaging says " << answer << ", ours valid " << validPep440(a)
                    << validPep440(b) << " cmp " << comparePep440(a, b);
    }
  }
  EXPECT_EQ(disagreements, 0u);
  EXPECT_GE(compared, wanted);
  // The generator must produce every outcome in quantity, or the test proves little.
  EXPECT_GT(counts[0], compared / 10) << "too few '<'";
  EXPECT_GT(counts[1], compared / 10) << "too few '='";
  EXPECT_GT(counts[2], compared / 10) << "too few '>'";
  EXPECT_GT(invalid, pairs.size() / 50) << "too few invalid versions";
  std::printf(
      "pep440 compare: %zu pairs of valid versions (%zu <, %zu =, %zu >), %zu invalid "
      "strings, %zu disagreements\n",
      compared, counts[0], counts[1], counts[2], invalid, disagreements);
}

TEST_F(Pep440Differential, NormalizeAgainstPackaging) {
  Generator g(testing::diffSeed(20240611u) + 1);
  const std::size_t count = std::max<std::size_t>(testing::diffPairs(120000u) / 5, 20000);
  std::vector<std::string> versions;
  std::vector<std::string> requests;
  while (versions.size() < count) {
    std::string v = g.version();
    if (avoidable(v)) continue;
    requests.push_back("N\t" + testing::hexOf(v));
    versions.push_back(std::move(v));
  }
  const std::vector<std::string> answers = askReference(requests);
  ASSERT_EQ(answers.size(), versions.size());
  std::size_t disagreements = 0;
  std::size_t valid = 0;
  for (std::size_t k = 0; k < versions.size(); ++k) {
    const std::string& answer = answers[k];
    ASSERT_NE(answer, "X") << testing::shown(versions[k]);
    std::string expected;
    if (answer != "E") {
      ++valid;
      for (std::size_t i = 0; i + 1 < answer.size(); i += 2) {
        expected += static_cast<char>(std::stoi(answer.substr(i, 2), nullptr, 16));
      }
    }
    const std::string got = normalizePep440(versions[k]);
    if (got != expected && ++disagreements <= 20) {
      ADD_FAILURE() << "'" << testing::shown(versions[k]) << "': packaging '" << expected
                    << "', ours '" << got << "'";
    }
  }
  EXPECT_EQ(disagreements, 0u);
  EXPECT_GT(valid, count / 2);
  EXPECT_LT(valid, count);
  std::printf("pep440 normalize: %zu strings (%zu valid), %zu disagreements\n", versions.size(),
              valid, disagreements);
}

TEST_F(Pep440Differential, SpecifierContainsAgainstPackaging) {
  Generator g(testing::diffSeed(20240611u) + 2);
  const std::size_t count = std::max<std::size_t>(testing::diffPairs(120000u) / 5, 20000);
  struct Request {
    std::string spec;
    std::string version;
    Pep440Prereleases mode;
  };
  std::vector<Request> cases;
  std::vector<std::string> requests;
  static constexpr std::array<Pep440Prereleases, 4> kModes = {
      Pep440Prereleases::Auto, Pep440Prereleases::Auto, Pep440Prereleases::Include,
      Pep440Prereleases::Exclude};
  while (cases.size() < count) {
    std::string spec = g.specifier();
    std::string version = g.candidate(spec);
    if (avoidable(spec) || avoidable(version)) continue;
    const Pep440Prereleases mode = kModes[g.below(kModes.size())];
    const char mode_letter = mode == Pep440Prereleases::Auto      ? 'A'
                             : mode == Pep440Prereleases::Include ? 'I'
                                                                  : 'X';
    requests.push_back("S\t" + testing::hexOf(spec) + "\t" + testing::hexOf(version) + "\t" +
                       mode_letter);
    cases.push_back({std::move(spec), std::move(version), mode});
  }
  const std::vector<std::string> answers = askReference(requests);
  ASSERT_EQ(answers.size(), cases.size());
  std::size_t disagreements = 0;
  std::size_t tally[4] = {0, 0, 0, 0};  // T, F, bad spec, bad version
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const Request& c = cases[k];
    const std::string& answer = answers[k];
    const auto parsed = parsePep440Specifiers(c.spec);
    std::string got;
    if (!parsed) {
      got = "S";
    } else if (!validPep440(c.version)) {
      got = "V";
    } else {
      got = parsed->contains(c.version, c.mode) ? "T" : "F";
    }
    // packaging also raises InvalidVersion for "===" with a non-version, when it evaluates
    // that clause's prereleases; such a clause matches nothing, so we answer false.
    std::string expected = answer;
    if (answer == "V" && validPep440(c.version)) expected = "F";
    if (answer == "T") ++tally[0];
    if (answer == "F") ++tally[1];
    if (answer == "S") ++tally[2];
    if (answer == "V") ++tally[3];
    if (got != expected && ++disagreements <= 20) {
      ADD_FAILURE() << "'" << testing::shown(c.version) << "' in '" << testing::shown(c.spec)
                    << "' (mode " << static_cast<int>(c.mode) << "): packaging " << answer
                    << ", ours " << got;
    }
  }
  EXPECT_EQ(disagreements, 0u);
  EXPECT_GT(tally[0], count / 10) << "too few contained";
  EXPECT_GT(tally[1], count / 10) << "too few not contained";
  EXPECT_GT(tally[2], count / 100) << "too few invalid specifiers";
  std::printf(
      "pep440 specifiers: %zu requests (%zu contained, %zu not, %zu invalid specifiers, "
      "%zu invalid versions), %zu disagreements\n",
      cases.size(), tally[0], tally[1], tally[2], tally[3], disagreements);
}

}  // namespace
}  // namespace bulwark::version
