// SemVer 2.0.0 with the advisory-data leniency described in semver.h.
#include "version/semver.h"

#include "version/semver_detail.h"

namespace bulwark::version {
namespace {

using detail::SemverParts;

constexpr std::string_view kZero = "0";

// The lenient grammar of semver.h; `problem` names the first way it fails.
bool parse(std::string_view text, SemverParts& out, std::string_view* problem) noexcept {
  auto fail = [&](std::string_view why) {
    if (problem != nullptr) *problem = why;
    return false;
  };
  if (text.empty()) return fail("empty version");
  if (text.front() == 'v') text.remove_prefix(1);
  out = SemverParts{kZero, kZero, kZero, {}, {}};
  if (!detail::takeDigits(text, out.major)) return fail("does not start with a number");
  if (!text.empty() && text.front() == '.') {
    text.remove_prefix(1);
    if (!detail::takeDigits(text, out.minor)) return fail("minor version is not a number");
    if (!text.empty() && text.front() == '.') {
      text.remove_prefix(1);
      if (!detail::takeDigits(text, out.patch)) return fail("patch version is not a number");
    }
  }
  if (!text.empty() && text.front() == '-') {
    text.remove_prefix(1);
    const std::size_t plus = text.find('+');
    out.prerelease = text.substr(0, plus);
    if (!detail::validIdentifiers(out.prerelease, false)) return fail("bad pre-release");
    text.remove_prefix(out.prerelease.size());
  }
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    out.build = text;
    if (!detail::validIdentifiers(out.build, false)) return fail("bad build metadata");
    text = {};
  }
  if (!text.empty()) return fail("unexpected character after the version");
  return true;
}

bool leadingZero(std::string_view number) noexcept {
  return number.size() > 1 && number.front() == '0';
}

}  // namespace

int compareSemver(std::string_view a, std::string_view b) noexcept {
  SemverParts pa;
  SemverParts pb;
  const bool a_ok = parse(a, pa, nullptr);
  const bool b_ok = parse(b, pb, nullptr);
  if (!a_ok || !b_ok) return detail::compareWithInvalid(a_ok, b_ok, a, b);
  return detail::comparePrecedence(pa, pb);
}

bool validSemver(std::string_view v, std::string_view* problem) noexcept {
  SemverParts parts;
  if (!parse(v, parts, problem)) return false;
  if (leadingZero(parts.major) || leadingZero(parts.minor) || leadingZero(parts.patch) ||
      !detail::validIdentifiers(parts.prerelease.empty() ? "0" : parts.prerelease, true)) {
    if (problem != nullptr) *problem = "leading zero in a number";
    return false;
  }
  return true;
}

}  // namespace bulwark::version
