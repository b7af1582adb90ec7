// golang.org/x/mod/semver (parse, Compare) over string views; see golang.h.
#include "version/golang.h"

#include "version/semver_detail.h"

namespace bulwark::version {
namespace {

using detail::SemverParts;

constexpr std::string_view kZero = "0";

// x/mod's parseInt: digits, no leading zero unless the number is "0".
bool takeNumber(std::string_view& text, std::string_view& out) noexcept {
  if (!detail::takeDigits(text, out)) return false;
  return out.size() == 1 || out.front() != '0';
}

bool parse(std::string_view text, SemverParts& out, std::string_view* problem) noexcept {
  auto fail = [&](std::string_view why) {
    if (problem != nullptr) *problem = why;
    return false;
  };
  if (text.empty() || text.front() != 'v') return fail("does not start with 'v'");
  text.remove_prefix(1);
  out = SemverParts{kZero, kZero, kZero, {}, {}};
  if (!takeNumber(text, out.major)) return fail("bad major version");
  if (text.empty()) return true;  // vMAJOR
  if (text.front() != '.') return fail("unexpected character after the major version");
  text.remove_prefix(1);
  if (!takeNumber(text, out.minor)) return fail("bad minor version");
  if (text.empty()) return true;  // vMAJOR.MINOR
  if (text.front() != '.') return fail("unexpected character after the minor version");
  text.remove_prefix(1);
  if (!takeNumber(text, out.patch)) return fail("bad patch version");
  if (!text.empty() && text.front() == '-') {
    out.prerelease = text.substr(1, text.find('+') - 1);
    if (!detail::validIdentifiers(out.prerelease, true)) return fail("bad pre-release");
    text.remove_prefix(1 + out.prerelease.size());
  }
  if (!text.empty() && text.front() == '+') {
    out.build = text.substr(1);
    if (!detail::validIdentifiers(out.build, false)) return fail("bad build metadata");
    text = {};
  }
  if (!text.empty()) return fail("unexpected character after the version");
  return true;
}

}  // namespace

int compareGo(std::string_view a, std::string_view b) noexcept {
  SemverParts pa;
  SemverParts pb;
  const bool a_ok = parse(a, pa, nullptr);
  const bool b_ok = parse(b, pb, nullptr);
  if (!a_ok || !b_ok) return static_cast<int>(a_ok) - static_cast<int>(b_ok);
  return detail::comparePrecedence(pa, pb);
}

bool validGo(std::string_view v, std::string_view* problem) noexcept {
  SemverParts parts;
  return parse(v, parts, problem);
}

}  // namespace bulwark::version
