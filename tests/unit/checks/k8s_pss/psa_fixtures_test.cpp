// The Pod Security Standards checks against the pod-security-admission fixtures, read in place
// from ../shared/testdata/hardening/pod-security-admission (docs/dev/k8s-design.md §2.4): one
// test per file found, `<level>/v<version>/<pass|fail>/<check id lower-cased><n>.yaml`.
//
//   pass/*  → every result of the level's profile at that version is pass or not-applicable;
//   fail/*  → the check of the control the file name names fails, and the failing checks are
//             exactly that one plus the file's co-failures (kCoFailures): PSA only asserts that
//             the level rejects the pod, so a fixture written for one control may well break
//             another, and each such row says which field of the fixture does it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "pss_run.h"
#include "testdata.h"

namespace bulwark::checks {
namespace {

namespace fs = std::filesystem;
using model::CheckStatus;
using pss_testing::describe;

constexpr std::string_view kDir = "hardening/pod-security-admission";

// Checks that fail besides the named one, per (level, fail fixture name without ".yaml").
struct CoFailure {
  std::string_view level;
  std::string_view name;  // RE2, fully matched
  std::vector<std::string> checks;
};
const std::vector<CoFailure> kCoFailures = {
    // HostProcess pods must use the node's network: the fixtures set hostNetwork: true.
    {"baseline|restricted", R"(windowshostprocess\d+)", {"BW-K8S-102"}},
    // The added capabilities (NET_RAW, chown, CAP_CHOWN) are not NET_BIND_SERVICE.
    {"restricted", R"(capabilities_baseline\d+)", {"BW-K8S-126"}},
    // The privileged container no longer sets allowPrivilegeEscalation: false (the API rejects
    // privileged together with it).
    {"restricted", R"(privileged\d+)", {"BW-K8S-122"}},
    // hostPath is not one of the restricted volume types.
    {"restricted", R"(hostpathvolumes\d+)", {"BW-K8S-121"}},
    // Its one volume is a hostPath (path /dev/null).
    {"restricted", R"(restrictedvolumes19)", {"BW-K8S-105"}},
    // procMount Unmasked with hostUsers: true: from 1.35 PSA runs procMount_restricted in
    // place of procMount at this level, and it forbids Unmasked too.
    {"restricted", R"(procmount\d+)", {"BW-K8S-127"}},
    // seccompProfile.type Unconfined is not RuntimeDefault or Localhost either.
    {"restricted", R"(seccompprofile_baseline\d+)", {"BW-K8S-125"}},
    // Unconfined (pod-level in 1, on initcontainer1 in 4) is what baseline forbids.
    {"restricted", R"(seccompprofile_restricted[14])", {"BW-K8S-110"}},
    // container1 has no securityContext at all, so it drops no capabilities either.
    {"restricted", R"(allowprivilegeescalation3)", {"BW-K8S-126"}},
};

struct Fixture {
  std::string relative;  // "baseline/v1.37/fail/privileged0.yaml"
  std::string level;     // "baseline"
  std::string version;   // "1.37"
  bool fail = false;
  std::string name;  // "privileged0"
  std::string stem;  // "privileged": the check id lower-cased, "base*" for the base pods
};

std::optional<Fixture> parseFixture(const fs::path& relative) {
  std::vector<std::string> parts;
  for (const auto& part : relative) parts.push_back(part.string());
  if (parts.size() != 4 || relative.extension() != ".yaml") return std::nullopt;
  if (parts[1].size() < 2 || parts[1][0] != 'v') return std::nullopt;
  if (parts[2] != "pass" && parts[2] != "fail") return std::nullopt;
  Fixture f;
  f.relative = relative.generic_string();
  f.level = parts[0];
  f.version = parts[1].substr(1);
  f.fail = parts[2] == "fail";
  f.name = relative.stem().string();
  f.stem = f.name;
  while (!f.stem.empty() && std::isdigit(static_cast<unsigned char>(f.stem.back())) != 0) {
    f.stem.pop_back();
  }
  return f;
}

// Every fixture file under kDir, sorted; empty when the shared folder is absent.
std::vector<Fixture> fixtures() {
  std::vector<Fixture> out;
  const fs::path root = bulwark::testing::sharedTestdata() / kDir;
  std::error_code error;
  if (!fs::is_directory(root, error)) return out;
  for (auto it = fs::recursive_directory_iterator(root, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file()) continue;
    if (auto f = parseFixture(fs::relative(it->path(), root))) out.push_back(std::move(*f));
  }
  std::sort(out.begin(), out.end(),
            [](const Fixture& a, const Fixture& b) { return a.relative < b.relative; });
  return out;
}

const std::vector<Fixture>& allFixtures() {
  static const std::vector<Fixture> all = fixtures();
  return all;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

const Profile* profileOf(std::string_view level) {
  static const std::map<std::string, Profile, std::less<>> profiles = [] {
    std::map<std::string, Profile, std::less<>> out;
    for (const char* name : {"pss-baseline", "pss-restricted"}) {
      auto profile = builtinProfile(name);
      if (!profile) {
        ADD_FAILURE() << profile.error().message;
        continue;
      }
      out.emplace(name, std::move(*profile));
    }
    return out;
  }();
  const auto found = profiles.find("pss-" + std::string(level));
  return found == profiles.end() ? nullptr : &found->second;
}

// The profile's control whose id, lower-cased, is the stem (PSA names its fixtures so).
const Control* controlOf(const Profile& profile, std::string_view stem) {
  for (const auto& control : profile.controls) {
    if (lower(control.id) == stem) return &control;
  }
  return nullptr;
}

std::set<std::string> coFailures(const Fixture& f) {
  std::set<std::string> out;
  for (const auto& row : kCoFailures) {
    if (RE2::FullMatch(f.level, std::string(row.level)) &&
        RE2::FullMatch(f.name, std::string(row.name))) {
      out.insert(row.checks.begin(), row.checks.end());
    }
  }
  return out;
}

class PsaFixture : public ::testing::TestWithParam<Fixture> {};

TEST_P(PsaFixture, LevelVerdict) {
  const Fixture& f = GetParam();
  const Profile* profile = profileOf(f.level);
  ASSERT_NE(profile, nullptr) << "no profile pss-" << f.level << " for " << f.relative;
  const K8sVersion version = pss_testing::version(f.version);
  const std::string text =
      bulwark::testing::readFile(bulwark::testing::sharedTestdata() / kDir / f.relative);
  ASSERT_FALSE(text.empty()) << f.relative;
  const auto run = pss_testing::runPss(text, f.relative, *profile, version);
  ASSERT_EQ(run.problems, 0U) << f.relative << " was not read as an object";
  ASSERT_EQ(run.workloads, 1U) << f.relative;
  ASSERT_FALSE(run.results.empty()) << f.relative;
  const std::string all = describe(run.results);

  std::set<std::string> expected;
  if (f.fail) {
    const Control* control = controlOf(*profile, f.stem);
    ASSERT_NE(control, nullptr) << f.relative << ": no control of " << profile->name
                                << " is called " << f.stem << " (a new upstream check?)";
    expected.insert(control->checks.begin(), control->checks.end());
    const auto more = coFailures(f);
    expected.insert(more.begin(), more.end());
  }
  std::set<std::string> failing;
  for (const auto& r : run.results) {
    EXPECT_NE(r.status, CheckStatus::NotEvaluated)
        << f.relative << ": " << r.check_id << " not evaluated\n"
        << all;
    if (r.status == CheckStatus::Fail) failing.insert(r.check_id);
  }
  EXPECT_EQ(failing, expected) << f.relative << " (" << profile->name << " at " << version.text()
                               << ") results:\n"
                               << all;
}

std::string testName(const ::testing::TestParamInfo<Fixture>& info) {
  std::string name = info.param.relative.substr(0, info.param.relative.size() - 5);
  for (char& c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, PsaFixture, ::testing::ValuesIn(allFixtures()), testName);
// Without ../shared the list is empty; PsaFixtures.Found then skips visibly.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PsaFixture);

TEST(PsaFixtures, Found) {
  BULWARK_REQUIRE_SHARED(std::string(kDir));
  const auto& all = allFixtures();
  ASSERT_FALSE(all.empty()) << "no <level>/v<version>/<pass|fail>/*.yaml under " << kDir;
  std::size_t fail = 0;
  for (const auto& f : all) fail += f.fail ? 1 : 0;
  std::cout << "pod-security-admission: " << all.size() << " fixtures (" << all.size() - fail
            << " pass, " << fail << " fail)\n";
}

// Each control of a level has failing fixtures of its own, so no control goes untested as
// long as upstream keeps one per check (19 in v1.37).
TEST(PsaFixtures, EveryControlHasAFailingFixture) {
  BULWARK_REQUIRE_SHARED(std::string(kDir));
  std::map<std::pair<std::string, std::string>, std::set<std::string>> stems;  // level, version
  for (const auto& f : allFixtures()) {
    if (f.fail) stems[{f.level, f.version}].insert(f.stem);
  }
  ASSERT_FALSE(stems.empty());
  for (const auto& [key, seen] : stems) {
    const Profile* profile = profileOf(key.first);
    ASSERT_NE(profile, nullptr) << key.first;
    const K8sVersion version = pss_testing::version(key.second);
    std::set<std::string> controls;
    for (const auto& control : profile->controls) {
      if (control.versions.contains(version)) controls.insert(lower(control.id));
    }
    EXPECT_EQ(seen, controls) << key.first << " v" << key.second;
  }
}

}  // namespace
}  // namespace bulwark::checks
