// The Rust semver crate's Version (parse.rs, impls.rs of semver 1.0); see cargo.h.
#include "version/cargo.h"

#include "version/semver_detail.h"

namespace bulwark::version {
namespace {

using detail::SemverParts;

constexpr std::string_view kU64Max = "18446744073709551615";

// numeric_identifier(): digits, no leading zero, fits in u64.
bool takeNumber(std::string_view& text, std::string_view& out) noexcept {
  if (!detail::takeDigits(text, out)) return false;
  if (out.size() > 1 && out.front() == '0') return false;
  return detail::compareNumeric(out, kU64Max) <= 0;
}

bool parse(std::string_view text, SemverParts& out, std::string_view* problem) noexcept {
  auto fail = [&](std::string_view why) {
    if (problem != nullptr) *problem = why;
    return false;
  };
  out = SemverParts{};
  if (!takeNumber(text, out.major)) return fail("bad major version");
  if (text.empty() || text.front() != '.') return fail("expected '.' after the major version");
  text.remove_prefix(1);
  if (!takeNumber(text, out.minor)) return fail("bad minor version");
  if (text.empty() || text.front() != '.') return fail("expected '.' after the minor version");
  text.remove_prefix(1);
  if (!takeNumber(text, out.patch)) return fail("bad patch version");
  if (!text.empty() && text.front() == '-') {
    const std::size_t len = detail::spanOf(
        text.substr(1), [](unsigned char c) { return detail::isIdentChar(c) || c == '.'; });
    out.prerelease = text.substr(1, len);
    if (!detail::validIdentifiers(out.prerelease, true)) return fail("bad pre-release");
    text.remove_prefix(1 + len);
  }
  if (!text.empty() && text.front() == '+') {
    const std::size_t len = detail::spanOf(
        text.substr(1), [](unsigned char c) { return detail::isIdentChar(c) || c == '.'; });
    out.build = text.substr(1, len);
    if (!detail::validIdentifiers(out.build, false)) return fail("bad build metadata");
    text.remove_prefix(1 + len);
  }
  if (!text.empty()) return fail("unexpected character after the version");
  return true;
}

// impl Ord for BuildMetadata.
int compareBuild(std::string_view a, std::string_view b) noexcept {
  if (a.empty() || b.empty()) return static_cast<int>(!a.empty()) - static_cast<int>(!b.empty());
  while (!a.empty() && !b.empty()) {
    const std::string_view x = detail::nextIdentifier(a);
    const std::string_view y = detail::nextIdentifier(b);
    const bool x_num = detail::allDigits(x);
    const bool y_num = detail::allDigits(y);
    if (x_num != y_num) return x_num ? -1 : 1;
    int c = 0;
    if (x_num) {
      c = detail::compareNumeric(x, y);
      if (c == 0) c = (x.size() > y.size()) - (x.size() < y.size());
    } else {
      c = detail::compareBytes(x, y);
    }
    if (c != 0) return c;
  }
  return static_cast<int>(!a.empty()) - static_cast<int>(!b.empty());
}

}  // namespace

int compareCargo(std::string_view a, std::string_view b) noexcept {
  SemverParts pa;
  SemverParts pb;
  const bool a_ok = parse(a, pa, nullptr);
  const bool b_ok = parse(b, pb, nullptr);
  if (!a_ok || !b_ok) return detail::compareWithInvalid(a_ok, b_ok, a, b);
  if (const int c = detail::comparePrecedence(pa, pb); c != 0) return c;
  return compareBuild(pa.build, pb.build);
}

bool validCargo(std::string_view v, std::string_view* problem) noexcept {
  SemverParts parts;
  return parse(v, parts, problem);
}

}  // namespace bulwark::version
