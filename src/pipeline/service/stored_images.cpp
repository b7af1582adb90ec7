#include "pipeline/service/stored_images.h"

#include <cstddef>
#include <utility>

#include <fmt/format.h>

#include "image/registry/reference.h"
#include "pipeline/service/registry_access.h"

namespace bulwark::pipeline::service {

core::Result<std::optional<store::ScanResult>> loadScanResult(store::Store& store,
                                                              std::string_view digest) {
  auto metadata = store.resultMetadata(digest);
  if (!metadata) return tl::unexpected(metadata.error());
  if (!metadata->has_value()) return std::optional<store::ScanResult>();
  auto inventory = store.inventory(digest);
  if (!inventory) return tl::unexpected(inventory.error());
  store::FindingQuery query;
  query.digest = std::string(digest);
  query.limit = kMaxStoredFindings;
  auto findings = store.findings(query);
  if (!findings) return tl::unexpected(findings.error());
  if (findings->total > kMaxStoredFindings) {
    return core::fail(core::ErrorCode::Limit, "{}: more than {} stored findings", digest,
                      kMaxStoredFindings);
  }
  store::ScanResult result;
  result.digest = std::string(digest);
  result.inventory_json = inventory->value_or("");
  result.findings = std::move(findings->findings);
  result.metadata = std::move(**metadata);
  return std::optional<store::ScanResult>(std::move(result));
}

core::Result<std::optional<store::Registry>> registryForDomain(store::Store& store,
                                                               std::string_view domain) {
  auto registries = store.listRegistries();
  if (!registries) return tl::unexpected(registries.error());
  for (auto& registry : *registries) {
    if (registryDomain(registry.url) == domain) return std::optional(std::move(registry));
  }
  return std::optional<store::Registry>();
}

core::Result<StoredImageVerdict> judgeStoredImage(store::Store& store,
                                                  const QuarantineConfig& policy,
                                                  std::string_view reference, store::Millis now) {
  auto parsed = image::registry::Reference::parse(reference);
  if (!parsed) return tl::unexpected(parsed.error());
  StoredImageVerdict verdict;
  auto registry = registryForDomain(store, parsed->domain);
  if (!registry) return tl::unexpected(registry.error());
  if (!registry->has_value()) {
    verdict.reason = fmt::format("registry {} is not registered with bulwark", parsed->domain);
    return verdict;
  }
  auto image = parsed->digest.empty()
                   ? store.findTag((*registry)->name, parsed->repository, parsed->tag)
                   : store.findImage((*registry)->name, parsed->repository, parsed->digest);
  if (!image) return tl::unexpected(image.error());
  if (!image->has_value() || !(*image)->scan.has_value()) {
    verdict.digest = image->has_value() ? (*image)->digest : parsed->digest;
    verdict.reason = "never scanned";
    return verdict;
  }
  verdict.digest = (*image)->digest;
  auto result = loadScanResult(store, verdict.digest);
  if (!result) return tl::unexpected(result.error());
  if (!result->has_value()) {
    verdict.reason = "never scanned";
    return verdict;
  }
  const auto decided = decide(policy, **result, now);
  verdict.state = decided.promote ? StoredImageState::Passed : StoredImageState::Failed;
  verdict.reason = decided.reason;
  return verdict;
}

core::Result<IndexVerdict> judgeStoredIndex(store::Store& store, const QuarantineConfig& policy,
                                            const std::vector<IndexPlatform>& platforms,
                                            store::Millis now) {
  IndexVerdict verdict;
  std::vector<std::string> missing;
  std::vector<std::string> failing;
  std::string names;
  for (const auto& child : platforms) {
    PlatformVerdict judged;
    judged.child = child;
    auto result = loadScanResult(store, child.digest);
    if (!result) return tl::unexpected(result.error());
    if (!result->has_value()) {
      judged.reason = "never scanned";
      missing.push_back(child.platform);
    } else {
      const auto decided = decide(policy, **result, now);
      judged.state = decided.promote ? StoredImageState::Passed : StoredImageState::Failed;
      judged.reason = decided.reason;
      if (!decided.promote)
        failing.push_back(fmt::format("{}: {}", child.platform, decided.reason));
    }
    names += (names.empty() ? "" : ", ") + child.platform;
    verdict.platforms.push_back(std::move(judged));
  }
  const std::size_t total = platforms.size();
  const auto join = [](const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (const auto& part : parts) out += (out.empty() ? "" : std::string(separator)) + part;
    return out;
  };
  if (total == 0) {
    verdict.state = StoredImageState::Failed;
    verdict.reason = "the index lists no platform";
  } else if (!missing.empty()) {
    verdict.state = StoredImageState::NotScanned;
    verdict.reason = fmt::format("waiting for {} of {} platform{} to be scanned: {}",
                                 missing.size(), total, total == 1 ? "" : "s", join(missing, ", "));
  } else if (!failing.empty()) {
    verdict.state = StoredImageState::Failed;
    verdict.reason =
        fmt::format("{} of {} platform{} fail{} the policy: {}", failing.size(), total,
                    total == 1 ? "" : "s", failing.size() == 1 ? "s" : "", join(failing, "; "));
  } else {
    verdict.state = StoredImageState::Passed;
    verdict.reason =
        fmt::format("all {} platform{} pass the policy ({})", total, total == 1 ? "" : "s", names);
  }
  return verdict;
}

}  // namespace bulwark::pipeline::service
