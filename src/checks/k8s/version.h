// Kubernetes versions as the versioned rules use them: a minor version ("1.37") or "latest".
// The Pod Security Standards change between minor versions (docs/dev/k8s-design.md §2), so a
// test or a profile control may carry a range and a run picks one version.
#pragma once

#include <compare>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace bulwark::checks {

struct K8sVersion {
  static constexpr int kLatest = std::numeric_limits<int>::max();
  int major = 1;
  int minor = kLatest;  // kLatest: the newest rules bulwark knows

  [[nodiscard]] bool latest() const { return minor == kLatest; }
  [[nodiscard]] std::string text() const;  // "1.37", "latest"
  friend auto operator<=>(const K8sVersion&, const K8sVersion&) = default;
};

// The newest Kubernetes version whose rules bulwark knows (the pod-security-admission fixtures
// it is tested with); "latest" means these rules.
inline constexpr K8sVersion kNewestRules{1, 37};

// Inclusive bounds; an unset bound is open.
struct K8sVersionRange {
  std::optional<K8sVersion> since;
  std::optional<K8sVersion> until;
  [[nodiscard]] bool contains(const K8sVersion& version) const {
    return (!since || *since <= version) && (!until || version <= *until);
  }
  [[nodiscard]] std::string text() const;  // "1.19+", "up to 1.30", "1.27–1.28"
};

// "1.37", "v1.37", "v1.37.2", "v1.30.4-gke.1", "1.30+" (what some servers report as minor) →
// 1.37 / 1.30; "latest" → latest. Anything else, or a major other than 1, is an input error.
core::Result<K8sVersion> parseK8sVersion(std::string_view text);

// A range from its bounds as files write them ("1.19"; empty: open). Bounds are minor
// versions, not "latest"; `since` must not be after `until`.
core::Result<K8sVersionRange> parseK8sRange(std::string_view since, std::string_view until);

}  // namespace bulwark::checks
