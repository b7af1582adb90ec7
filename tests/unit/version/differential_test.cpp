// Differential tests: our comparators against the reference implementations, linked as
// libraries, on generated adversarial version pairs (deterministic seed; BULWARK_DIFF_SEED
// overrides it, BULWARK_DIFF_PAIRS the number of pairs per scheme).
//
//   dpkg  vs libapt-pkg  debVS.CmpVersion           (<apt-pkg/debversion.h>)
//   rpm   vs librpm      rpmverParse + rpmverCmp    full [epoch:]version[-release]
//         vs librpm      rpmvercmp                  one version/release string
//
//   dpkg  vs /usr/bin/dpkg --compare-versions      (fewer pairs: two processes per pair)
//
// libapt-pkg implements dpkg's ordering with its own code; it agrees with dpkg (and with us) on
// well-formed versions, but not on a few odd shapes (src/version/dpkg.cpp explains them): an
// empty revision ("1.0-"), an epoch that is not plain digits ("a:1", or "+1:" which dpkg reads
// with strtol()), and blanks around the string (dpkg trims them). The libapt-pkg generator stays
// inside the shapes where the two references agree (aptComparable below); the dpkg-binary test
// covers those shapes too. Otherwise the generator is as hostile as it can be: invalid
// characters, versions not starting with a digit, '~' at either end, ':' inside upstream, '-'
// inside upstream, huge epochs and digit runs, high bytes.
// librpm accepts every non-empty C string, so the rpm generators only avoid "" and NUL bytes.
//
// apk has no reference library here; for it (and for all schemes) the property tests at the end
// check antisymmetry on the same kind of generated input, and transitivity on valid versions.
#include <apt-pkg/debversion.h>
#include <fcntl.h>
#include <rpm/rpmver.h>
#include <spawn.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "unit/version/reference_process.h"
#include "version/scheme.h"

namespace bulwark::version {
namespace {

int sign(int value) { return (value > 0) - (value < 0); }

// Builds version strings out of the pieces that make comparators go wrong.
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  std::size_t below(std::size_t n) { return n == 0 ? 0 : rng_() % n; }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
  char pick(std::string_view from) { return from[below(from.size())]; }

  // Digit runs: mostly short, sometimes with leading zeros, sometimes longer than 64 bits.
  std::string digits() {
    std::string out;
    if (chance(15)) out.append(1 + below(3), '0');
    const std::size_t len = chance(6) ? 10 + below(25) : 1 + below(3);
    for (std::size_t i = 0; i < len; ++i) out += static_cast<char>('0' + below(10));
    return out;
  }

  // Letter runs, often words that mean something to some scheme.
  std::string letters() {
    static constexpr std::string_view kWords[] = {
        "a",  "b",   "rc",     "alpha", "beta",  "pre", "p",  "git", "svn", "cvs",   "hg",  "el",
        "fc", "deb", "ubuntu", "dfsg",  "build", "nmu", "GA", "Z",   "z",   "final", "bpo", "r",
    };
    if (chance(60)) return std::string(kWords[below(std::size(kWords))]);
    std::string out;
    const std::size_t len = 1 + below(4);
    for (std::size_t i = 0; i < len; ++i) {
      out += pick("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    }
    return out;
  }

  // One piece of a version: a digit run, a letter run, or one of `punctuation`.
  std::string piece(std::string_view punctuation) {
    const std::size_t kind = below(100);
    if (kind < 40) return digits();
    if (kind < 60) return letters();
    if (kind < 62) return std::string(1, static_cast<char>(0x80 + below(0x80)));  // high byte
    std::string out(1, pick(punctuation));
    if (chance(10)) out += out;  // doubled separators: "~~", "..", "^^"
    return out;
  }

  std::string pieces(std::size_t max, std::string_view punctuation) {
    std::string out;
    const std::size_t count = below(max + 1);
    for (std::size_t i = 0; i < count; ++i) out += piece(punctuation);
    return out;
  }

  std::string epoch() {
    if (chance(10)) return digits();  // leading zeros and huge epochs included
    return std::to_string(below(chance(80) ? 3 : 100));
  }

  // A change to `v`: the near-miss pairs that exercise the later parts of the comparators.
  std::string mutate(std::string v, std::string_view alphabet) {
    const std::size_t edits = 1 + below(3);
    for (std::size_t e = 0; e < edits; ++e) {
      const std::size_t at = below(v.size() + 1);
      switch (below(9)) {
        case 0: v.insert(at, 1, pick(alphabet)); break;
        case 1:
          if (at < v.size()) v.erase(at, 1);
          break;
        case 2:
          if (at < v.size()) v[at] = pick(alphabet);
          break;
        case 3: v.insert(at, digits()); break;
        case 4: v.insert(at, letters()); break;
        case 5: v += pick("~^.+_-"); break;
        case 6: v.insert(at, "0"); break;
        case 7: v += chance(50) ? ".0" : "0"; break;
        default: {  // bump a digit
          for (std::size_t i = at; i < v.size(); ++i) {
            if (v[i] >= '0' && v[i] <= '8') {
              ++v[i];
              break;
            }
          }
        }
      }
    }
    return v;
  }

 private:
  std::mt19937_64 rng_;
};

// --- dpkg vs libapt-pkg -----------------------------------------------------------------------

constexpr std::string_view kDebPunctuation = ".+~~-:_!%= ";

std::string debVersion(Generator& g) {
  std::string v;
  const bool epoch = g.chance(30);
  if (epoch) v += g.epoch() + ":";
  const bool revision = g.chance(60);
  // Upstream: usually starting with a digit (dpkg's rule), sometimes not at all.
  std::string upstream = g.chance(85) ? g.digits() : g.piece("~.+");
  const std::size_t more = g.below(8);
  for (std::size_t i = 0; i < more; ++i) {
    std::string p = g.piece(".+~~.");
    if (g.chance(3)) p = epoch ? ":" : ".";     // ':' only after an epoch
    if (g.chance(3)) p = revision ? "-" : "+";  // '-' only when a revision follows
    if (g.chance(2)) p = g.piece(kDebPunctuation);
    upstream += p;
  }
  v += upstream;
  if (revision) {
    v += "-";
    std::string rev = g.chance(80) ? g.digits() : g.piece(".+~");
    const std::size_t rest = g.below(5);
    for (std::size_t i = 0; i < rest; ++i) rev += g.piece(".+~");
    v += rev;
  }
  return v;
}

// The shapes on which libapt-pkg and dpkg agree (see the file comment).
bool aptComparable(std::string_view v) {
  if (v.find('\0') != std::string_view::npos) return false;
  // dpkg trims blanks around the version, apt does not.
  if (!v.empty() &&
      (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t')) {
    return false;
  }
  std::string_view rest = v;
  const std::size_t colon = v.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view epoch = v.substr(0, colon);
    if (epoch.empty()) return false;
    for (const char c : epoch) {
      if (c < '0' || c > '9') return false;
    }
    rest = v.substr(colon + 1);
  }
  const std::size_t dash = rest.rfind('-');
  if (dash == 0 || rest.empty()) return false;                                  // empty upstream
  if (dash != std::string_view::npos && dash + 1 == rest.size()) return false;  // empty revision
  return true;
}

std::string comparableDebVersion(Generator& g, const std::string* base) {
  for (;;) {
    std::string v = base != nullptr ? g.mutate(*base, "0123456789.+~-:aZ") : debVersion(g);
    if (aptComparable(v)) return v;
  }
}

template <class NextPair, class Ours, class Reference>
void runDifferential(const char* what, NextPair next_pair, Ours ours, Reference reference) {
  const std::size_t pairs = testing::diffPairs(200000u);
  std::size_t disagreements = 0;
  std::size_t asymmetric = 0;
  std::size_t counts[3] = {0, 0, 0};
  for (std::size_t k = 0; k < pairs; ++k) {
    const auto [a, b] = next_pair();
    const int expected = sign(reference(a, b));
    const int got = sign(ours(a, b));
    ++counts[expected + 1];
    if (got != expected) {
      if (++disagreements <= 20) {
        ADD_FAILURE() << what << ": '" << testing::shown(a) << "' vs '" << testing::shown(b)
                      << "': reference " << expected << ", ours " << got;
      }
    }
    if (sign(ours(b, a)) != -got && ++asymmetric <= 20) {
      ADD_FAILURE() << what << ": not antisymmetric on '" << testing::shown(a) << "', '"
                    << testing::shown(b) << "'";
    }
  }
  EXPECT_EQ(disagreements, 0u) << what << " over " << pairs << " pairs";
  EXPECT_EQ(asymmetric, 0u) << what;
  // The generator must produce all three outcomes in quantity, or the test proves little.
  EXPECT_GT(counts[0], pairs / 20) << what << ": too few '<'";
  EXPECT_GT(counts[1], pairs / 50) << what << ": too few '='";
  EXPECT_GT(counts[2], pairs / 20) << what << ": too few '>'";
  std::printf("%s: %zu pairs (%zu <, %zu =, %zu >), %zu disagreements\n", what, pairs, counts[0],
              counts[1], counts[2], disagreements);
}

TEST(Differential, DpkgAgainstLibaptPkg) {
  Generator g(testing::diffSeed(20240601u));
  std::string previous = "1.0";
  auto next_pair = [&]() -> std::pair<std::string, std::string> {
    std::string a =
        g.chance(30) ? comparableDebVersion(g, &previous) : comparableDebVersion(g, nullptr);
    std::string b;
    const std::size_t mode = g.below(100);
    if (mode < 55) {
      b = comparableDebVersion(g, &a);  // near miss
    } else if (mode < 65) {
      b = a;  // identical
    } else if (mode < 75) {
      // equal under dpkg, different bytes: epoch 0, leading zeros, "-0" revision
      b = a.find(':') == std::string::npos ? "0:" + a : a;
      if (a.find('-') == std::string::npos && g.chance(50)) b += "-0";
      if (g.chance(50)) b = comparableDebVersion(g, &b);
    } else {
      b = comparableDebVersion(g, nullptr);
    }
    previous = b;
    return {std::move(a), std::move(b)};
  };
  runDifferential(
      "dpkg", next_pair,
      [](const std::string& a, const std::string& b) { return compareDpkg(a, b); },
      [](const std::string& a, const std::string& b) { return debVS.CmpVersion(a, b); });
}

// The documented corners where libapt-pkg and dpkg differ; we follow dpkg. If a libapt-pkg
// release changes here, this test says so.
TEST(Differential, DpkgCornersWhereLibaptPkgDiffers) {
  EXPECT_EQ(compareDpkg("1.0-", "1.0"), 0);  // dpkg (Dpkg_Version.t: "0foo- = 0foo")
  EXPECT_LT(debVS.CmpVersion(std::string("1.0-"), std::string("1.0")), 0);
  EXPECT_EQ(compareDpkg("1.0-", "1.0-0"), 0);
  EXPECT_LT(debVS.CmpVersion(std::string("1.0-"), std::string("1.0-0")), 0);
}

// Runs `dpkg --compare-versions a op b`; returns its exit code (0 true, 1 false, 2 refused).
int dpkgSays(const std::string& a, const char* op, const std::string& b) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::string program = "dpkg";
  std::string flag = "--compare-versions";
  std::string relation = op;
  std::string left = a;
  std::string right = b;
  char* argv[] = {program.data(), flag.data(), left.data(), relation.data(), right.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "dpkg", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// dpkg's answer (-1/0/1), or 2 when dpkg refuses one of the versions (or -2 if it cannot run).
int dpkgCompare(const std::string& a, const std::string& b) {
  // dpkg would take a first argument starting with '-' for an option: ask the other way round.
  if (!a.empty() && a.front() == '-') {
    if (!b.empty() && b.front() == '-') return 2;
    const int r = dpkgCompare(b, a);
    return r == 2 || r == -2 ? r : -r;
  }
  const int lt = dpkgSays(a, "lt", b);
  if (lt == 0) return -1;
  if (lt != 1) return lt == 2 ? 2 : -2;
  const int eq = dpkgSays(a, "eq", b);
  if (eq == 0) return 0;
  return eq == 1 ? 1 : -2;
}

bool haveDpkg() { return dpkgSays("1", "lt", "2") == 0; }

TEST(Differential, DpkgAgainstDpkgBinary) {
  if (!haveDpkg()) GTEST_SKIP() << "dpkg is not installed: skipping the dpkg-binary comparison";
  Generator g(testing::diffSeed(20240601u) + 5);
  const std::size_t pairs = std::max<std::size_t>(testing::diffPairs(200000u) / 100, 1000);
  std::size_t compared = 0;
  std::size_t refused = 0;
  std::size_t disagreements = 0;
  for (std::size_t k = 0; k < pairs; ++k) {
    std::string a = debVersion(g);
    // The shapes libapt-pkg reads differently from dpkg.
    switch (g.below(8)) {
      case 0: a = "+" + a; break;
      case 1: a = " " + a + "\t"; break;
      case 2: a = "-0:" + a; break;
      case 3: a += "-"; break;
      default: break;
    }
    const std::string b = g.chance(60) ? g.mutate(a, "0123456789.+~-: a") : debVersion(g);
    const int expected = dpkgCompare(a, b);
    ASSERT_NE(expected, -2) << "dpkg failed to run";
    if (expected == 2) {
      ++refused;
      continue;
    }
    ++compared;
    const int got = compareDpkg(a, b);
    if (got != expected && ++disagreements <= 20) {
      ADD_FAILURE() << "dpkg binary: '" << testing::shown(a) << "' vs '" << testing::shown(b)
                    << "': dpkg " << expected << ", ours " << got;
    }
  }
  EXPECT_EQ(disagreements, 0u);
  EXPECT_GT(compared, pairs / 2) << "dpkg refused too many generated versions";
  std::printf("dpkg binary: %zu pairs compared (%zu refused by dpkg), %zu disagreements\n",
              compared, refused, disagreements);
}

// --- rpm vs librpm ----------------------------------------------------------------------------

constexpr std::string_view kRpmPunctuation = ".._+-~^~^%#@ ";

std::string rpmPart(Generator& g) {
  std::string v = g.chance(85) ? g.digits() : g.piece(kRpmPunctuation);
  const std::size_t more = g.below(8);
  for (std::size_t i = 0; i < more; ++i) {
    v += g.chance(70) ? g.piece("._~^+") : g.piece(kRpmPunctuation);
  }
  return v;
}

std::string rpmEvr(Generator& g) {
  std::string v;
  if (g.chance(30)) v += (g.chance(5) ? std::string() : g.epoch()) + ":";
  v += rpmPart(g);
  if (g.chance(60)) v += "-" + (g.chance(5) ? std::string() : rpmPart(g));
  return v;
}

std::string nonEmpty(Generator& g, std::string v) {
  while (v.empty() || v.find('\0') != std::string::npos) v = rpmEvr(g);
  return v;
}

template <class Make>
auto rpmPairs(Generator& g, Make make) {
  return [&g, make]() -> std::pair<std::string, std::string> {
    std::string a = nonEmpty(g, make());
    std::string b;
    const std::size_t mode = g.below(100);
    if (mode < 55) {
      b = g.mutate(a, "0123456789._~^-:aZ+");
    } else if (mode < 65) {
      b = a;
    } else if (mode < 75) {
      b = a;  // equal under rpm, different bytes: other separators, leading zeros
      for (char& c : b) {
        if ((c == '.' || c == '_' || c == '+') && g.chance(50)) c = g.pick("._+%");
      }
      if (g.chance(30)) b = "0" + b;
    } else {
      b = make();
    }
    return {std::move(a), nonEmpty(g, std::move(b))};
  };
}

int librpmEvrCompare(const std::string& a, const std::string& b) {
  rpmver x = rpmverParse(a.c_str());
  rpmver y = rpmverParse(b.c_str());
  const int r = rpmverCmp(x, y);
  rpmverFree(x);
  rpmverFree(y);
  return r;
}

TEST(Differential, RpmEvrAgainstLibrpm) {
  Generator g(testing::diffSeed(20240601u) + 1);
  runDifferential(
      "rpm evr", rpmPairs(g, [&g] { return rpmEvr(g); }),
      [](const std::string& a, const std::string& b) { return compareRpm(a, b); },
      librpmEvrCompare);
}

TEST(Differential, RpmSegmentAgainstLibrpm) {
  Generator g(testing::diffSeed(20240601u) + 2);
  runDifferential(
      "rpmvercmp", rpmPairs(g, [&g] { return rpmPart(g); }),
      [](const std::string& a, const std::string& b) { return compareRpmSegment(a, b); },
      [](const std::string& a, const std::string& b) { return rpmvercmp(a.c_str(), b.c_str()); });
}

// --- properties for every scheme --------------------------------------------------------------

std::string apkVersion(Generator& g) {
  std::string v = g.digits();
  const std::size_t dots = g.below(4);
  for (std::size_t i = 0; i < dots; ++i) v += "." + g.digits();
  if (g.chance(20)) v += g.pick("abcxyz");
  static constexpr std::string_view kSuffixes[] = {"alpha", "beta", "pre", "rc", "cvs",
                                                   "svn",   "git",  "hg",  "p"};
  const std::size_t suffixes = g.chance(40) ? 1 + g.below(2) : 0;
  for (std::size_t i = 0; i < suffixes; ++i) {
    v += "_" + std::string(kSuffixes[g.below(std::size(kSuffixes))]);
    if (g.chance(60)) v += g.digits();
  }
  if (g.chance(10)) v += "~" + std::string("0123456789abcdef").substr(g.below(8), 1 + g.below(8));
  if (g.chance(60)) v += "-r" + g.digits();
  return v;
}

TEST(Properties, AntisymmetricOnGeneratedInput) {
  Generator g(testing::diffSeed(20240601u) + 3);
  const std::size_t pairs = testing::diffPairs(200000u);
  for (const SchemeInfo& info : allSchemes()) {
    std::size_t violations = 0;
    for (std::size_t k = 0; k < pairs; ++k) {
      std::string a;
      switch (g.below(3)) {
        case 0: a = debVersion(g); break;
        case 1: a = rpmEvr(g); break;
        default: a = apkVersion(g);
      }
      const std::string b = g.chance(70) ? g.mutate(a, "0123456789._~^-:aZr+") : apkVersion(g);
      const int ab = sign(info.compare(a, b));
      const int ba = sign(info.compare(b, a));
      if ((ab != -ba || info.compare(a, a) != 0) && ++violations <= 10) {
        ADD_FAILURE() << info.name << ": '" << testing::shown(a) << "' vs '" << testing::shown(b)
                      << "': " << ab << " but reversed " << ba;
      }
    }
    EXPECT_EQ(violations, 0u) << info.name;
  }
}

// Sorting valid versions must give a consistent order: every adjacent pair in sorted order
// compares <=, and the order is transitive on random triples.
TEST(Properties, TransitiveOnValidVersions) {
  Generator g(testing::diffSeed(20240601u) + 4);
  struct Source {
    const SchemeInfo* scheme;
    std::string (*make)(Generator&);
  };
  const Source sources[] = {
      {findScheme("dpkg"), [](Generator& gen) { return debVersion(gen); }},
      {findScheme("rpm"), [](Generator& gen) { return rpmEvr(gen); }},
      {findScheme("apk"), [](Generator& gen) { return apkVersion(gen); }},
  };
  for (const Source& source : sources) {
    std::vector<std::string> versions;
    while (versions.size() < 2000) {
      std::string v = source.make(g);
      if (source.scheme->valid(v, nullptr)) versions.push_back(v);
      if (versions.size() % 2 == 1) {
        std::string near = g.mutate(versions.back(), "0123456789.~r");
        if (source.scheme->valid(near, nullptr)) versions.push_back(std::move(near));
      }
    }
    std::size_t violations = 0;
    for (std::size_t k = 0; k < 200000; ++k) {
      const std::string& a = versions[g.below(versions.size())];
      const std::string& b = versions[g.below(versions.size())];
      const std::string& c = versions[g.below(versions.size())];
      const CompareFn cmp = source.scheme->compare;
      if (cmp(a, b) <= 0 && cmp(b, c) <= 0 && cmp(a, c) > 0 && ++violations <= 10) {
        ADD_FAILURE() << source.scheme->name << ": '" << a << "' <= '" << b << "' <= '" << c
                      << "' but not '" << a << "' <= '" << c << "'";
      }
    }
    EXPECT_EQ(violations, 0u) << source.scheme->name;
  }
}

}  // namespace
}  // namespace bulwark::version
