#include "pipeline/service/stored_images.h"

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

}  // namespace bulwark::pipeline::service
