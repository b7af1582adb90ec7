#include "checks/k8s/version.h"

#include <charconv>
#include <utility>

#include <fmt/format.h>

namespace bulwark::checks {

namespace {

// Reads the digits at the start of `text` into `value`; the rest stays in `text`.
bool number(std::string_view& text, int& value) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr == text.data()) return false;
  text.remove_prefix(static_cast<std::size_t>(ptr - text.data()));
  return true;
}

}  // namespace

std::string K8sVersion::text() const {
  return latest() ? std::string("latest") : fmt::format("{}.{}", major, minor);
}

std::string K8sVersionRange::text() const {
  if (since && until) return fmt::format("{}–{}", since->text(), until->text());
  if (since) return fmt::format("{}+", since->text());
  if (until) return fmt::format("up to {}", until->text());
  return "every version";
}

core::Result<K8sVersion> parseK8sVersion(std::string_view text) {
  if (text == "latest") return K8sVersion{};
  std::string_view rest = text;
  if (!rest.empty() && rest.front() == 'v') rest.remove_prefix(1);
  K8sVersion version;
  const bool ok = number(rest, version.major) && !rest.empty() && rest.front() == '.' &&
                  (rest.remove_prefix(1), number(rest, version.minor));
  // After the minor: nothing, a patch (".2"), a pre-release or vendor suffix ("-gke.1"), or
  // the "+" some managed servers append to the minor.
  if (!ok || (!rest.empty() && rest.front() != '.' && rest.front() != '-' && rest.front() != '+')) {
    return core::fail(core::ErrorCode::Usage,
                      "`{}` is not a Kubernetes version (1.30, v1.30.4 or latest)", text);
  }
  if (version.major != 1 || version.minor < 0 || version.minor >= 1000) {
    return core::fail(core::ErrorCode::Usage, "Kubernetes {} is not a version bulwark knows", text);
  }
  return version;
}

core::Result<K8sVersionRange> parseK8sRange(std::string_view since, std::string_view until) {
  K8sVersionRange range;
  for (auto [text, bound] : {std::pair{since, &range.since}, std::pair{until, &range.until}}) {
    if (text.empty()) continue;
    auto version = parseK8sVersion(text);
    if (!version) return core::fail(core::ErrorCode::Input, "{}", version.error().message);
    if (version->latest()) {
      return core::fail(core::ErrorCode::Input, "a bound is a version such as 1.30, not latest");
    }
    *bound = *version;
  }
  if (range.since && range.until && *range.until < *range.since) {
    return core::fail(core::ErrorCode::Input, "since {} is after until {}", range.since->text(),
                      range.until->text());
  }
  return range;
}

}  // namespace bulwark::checks
