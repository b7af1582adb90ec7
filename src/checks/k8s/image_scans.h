// Which images of a cluster bulwark has scanned (BW-K8S-407, docs/dev/k8s-design.md §4.3).
// A workload's container image is looked up by repository digest: the one its reference pins
// (`app@sha256:…`), else the ones the nodes report for the pods running it
// (`status.containerStatuses[*].imageID`, kept per workload in Inventory::running_images when
// the collector skips controller-owned pods). The answers of `bulwark serve` for those digests
// (`GET /api/v1/images/{digest}`) are gathered once per run, before evaluation, into ImageScans;
// the image-scan probe reads them.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "model/check.h"

namespace bulwark::checks::k8s {

struct Inventory;
struct Object;

struct ImageScan {
  enum class State {
    Scanned,     // the server has a scan result for the digest
    NotScanned,  // it has none (404, or an image recorded but never scanned)
    Unanswered,  // the lookup failed: unreachable, refused, limit reached
  };
  State state = State::Unanswered;
  // Scanned: "scanned 2026-11-20T10:00:00Z, database 2026112001: 1 high, 2 low";
  // NotScanned: what the server said; Unanswered: why there is no answer.
  std::string detail;
  model::NotEvaluatedCause cause = model::NotEvaluatedCause::None;  // Unanswered only
};

struct ImageScans {
  std::string server;  // the URL, for evidence
  std::map<std::string, ImageScan, std::less<>> by_digest;

  [[nodiscard]] const ImageScan* find(std::string_view digest) const;
};

// Image reference → the repository digests of the pods running it, per workload
// ("Deployment/web/api" → {"nginx:1.25" → {"sha256:…"}}).
using RunningImages =
    std::map<std::string, std::map<std::string, std::set<std::string>, std::less<>>, std::less<>>;

// "sha256:<64 hex>" when `reference` pins a repository digest: an image reference
// ("registry/app:1@sha256:…") or a container status imageID ("docker-pullable://app@sha256:…",
// "docker.io/library/nginx@sha256:…"); "" otherwise — a bare "sha256:…" imageID is the local
// image id (its config digest), which no registry serves.
std::string repositoryDigest(std::string_view reference);

// Adds what `pod` (a Pod document) reports running, by its containers' spec image, under `key`.
void addRunningImages(const nlohmann::json& pod, const std::string& key, RunningImages& out);

// The digests that stand for `image` in `workload`: the pinned one, else those of its running
// pods (its own status for a Pod), sorted; empty when none is known.
std::vector<std::string> imageDigests(const Object& workload, std::string_view image,
                                      const Inventory& inventory);

// Every digest the workloads of `inventory` stand for, sorted and unique.
std::vector<std::string> inventoryDigests(const Inventory& inventory);

// ImageScan of one `GET /api/v1/images/{digest}` answer: 200 with a scan → Scanned, 200
// without one or 404 → NotScanned, 401/403 → Unanswered PermissionDenied, anything else →
// Unanswered Undetermined.
ImageScan scanFromAnswer(long status, std::string_view body);

}  // namespace bulwark::checks::k8s
