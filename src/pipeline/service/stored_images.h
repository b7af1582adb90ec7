// Judging an image by what the store holds about it (admission control, the API): its stored
// scan result, found by tag or digest in a registered registry, and the quarantine policy's
// verdict on it (quarantine_policy.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "pipeline/service/quarantine_policy.h"
#include "store/store.h"

namespace bulwark::pipeline::service {

// Findings read back per image; more than this is refused rather than loaded.
inline constexpr std::int64_t kMaxStoredFindings = 200000;

// The stored result of a digest (inventory, every finding, metadata); nullopt when none.
core::Result<std::optional<store::ScanResult>> loadScanResult(store::Store& store,
                                                              std::string_view digest);

// The registered registry whose URL names `domain` ("registry.example.com:5000"); nullopt when
// none does.
core::Result<std::optional<store::Registry>> registryForDomain(store::Store& store,
                                                               std::string_view domain);

enum class StoredImageState { Passed, NotScanned, Failed };

struct StoredImageVerdict {
  StoredImageState state = StoredImageState::NotScanned;
  std::string digest;  // the digest judged ("" when not found)
  std::string reason;  // "not in a registered registry", "never scanned", the policy's reason
};

// The verdict on an image reference ("host/repo:tag" or "host/repo@sha256:…"): found through
// the registry registered for its host, its tag or digest, then its stored result.
core::Result<StoredImageVerdict> judgeStoredImage(store::Store& store,
                                                  const QuarantineConfig& policy,
                                                  std::string_view reference, store::Millis now);

// A platform child of a multi-platform index.
struct IndexPlatform {
  std::string digest;    // the child's manifest digest
  std::string platform;  // "linux/arm64"
};

struct PlatformVerdict {
  IndexPlatform child;
  StoredImageState state = StoredImageState::NotScanned;
  std::string reason;  // "never scanned", or the policy's reason
};

struct IndexVerdict {
  // Passed: every platform has a stored result that passes. Failed: every platform has a
  // result and one or more fail. NotScanned: one or more have no result yet (whatever the
  // others say: the index is judged when the last platform is scanned).
  StoredImageState state = StoredImageState::NotScanned;
  std::vector<PlatformVerdict> platforms;  // in the index's order
  // "all 2 platforms pass the policy (linux/amd64, linux/arm64)",
  // "1 of 2 platforms fails the policy: linux/arm64: 1 finding fails the policy: …",
  // "waiting for 1 of 2 platforms to be scanned: linux/arm64"
  std::string reason;
};

// Judges an index by the stored results of its platform children (judged one by one as
// judgeStoredImage does). An index without platforms never passes.
core::Result<IndexVerdict> judgeStoredIndex(store::Store& store, const QuarantineConfig& policy,
                                            const std::vector<IndexPlatform>& platforms,
                                            store::Millis now);

}  // namespace bulwark::pipeline::service
