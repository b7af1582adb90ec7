// image-scan: whether bulwark has scanned the image of every container of a workload
// (containers, initContainers, ephemeralContainers). Each image stands for one or more
// repository digests (k8s/image_scans.h: the pinned one, else those the nodes report for the
// running pods); each digest is one observation, "scanned" or "not-scanned", with what
// `bulwark serve` said. A digest without an answer (server unreachable, token refused) and an
// image without any known digest are unknown, never a pass. Without --scan-server the probe
// gives manual: nobody was asked.
#include <fmt/format.h>

#include "checks/k8s/image_scans.h"
#include "checks/k8s/inventory.h"
#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kLists[] = {"containers", "initContainers", "ephemeralContainers"};

std::string shortDigest(std::string_view digest) {
  constexpr std::size_t kShown = 7 + 12;  // "sha256:" + 12 hex digits
  return std::string(digest.substr(0, kShown)) + "…";
}

void observeImage(const k8s::Object& object, const k8s::ImageScans& scans,
                  const k8s::Inventory& inventory, const nlohmann::json& container,
                  const std::string& relative, std::vector<Observation>& out) {
  const std::string field = probes::joinPath(object.pod_spec_path, relative) + ".image";
  const std::string where = field + object.locationSuffix(field);
  const nlohmann::json* image = probes::member(container, "image");
  if (image == nullptr || !image->is_string() || image->get_ref<const std::string&>().empty()) {
    Observation o;
    o.absent = true;
    o.display = fmt::format("no image in {}", relative);
    o.where = where;
    out.push_back(std::move(o));
    return;
  }
  const std::string& reference = image->get_ref<const std::string&>();
  const auto digests = k8s::imageDigests(object, reference, inventory);
  if (digests.empty()) {
    Observation o;
    o.unknown = true;
    o.display = reference;
    o.where = where;
    o.cause = model::NotEvaluatedCause::MissingInput;
    o.note = fmt::format(
        "{} names no digest: pin it (@sha256:…) or check the live cluster, where the nodes "
        "report the digest they run",
        reference);
    out.push_back(std::move(o));
    return;
  }
  for (const auto& digest : digests) {
    Observation o;
    o.where = where;
    const k8s::ImageScan* scan = scans.find(digest);
    const std::string shown = digest == k8s::repositoryDigest(reference)
                                  ? reference
                                  : fmt::format("{} ({})", reference, shortDigest(digest));
    if (scan == nullptr || scan->state == k8s::ImageScan::State::Unanswered) {
      o.unknown = true;
      o.display = shown;
      o.cause = scan == nullptr ? model::NotEvaluatedCause::Undetermined : scan->cause;
      o.note = scan == nullptr ? fmt::format("{}: not looked up", shortDigest(digest))
                               : fmt::format("{}: {}", shortDigest(digest), scan->detail);
    } else {
      const bool scanned = scan->state == k8s::ImageScan::State::Scanned;
      o.values = {scanned ? "scanned" : "not-scanned"};
      o.display = fmt::format("{}: {}", shown, scan->detail);
    }
    out.push_back(std::move(o));
  }
}

ProbeResult evaluateImageScan(const Params& /*params*/, const Resource& resource) {
  auto found = probes::podObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  if (resource.image_scans == nullptr || resource.inventory == nullptr) {
    return ProbeResult::manual(
        "give --scan-server URL (a bulwark serve) to automate: it says which digests it scanned");
  }
  const k8s::Object& object = *std::get<const k8s::Object*>(found);
  const nlohmann::json& spec = *object.podSpec();
  ProbeResult result;
  result.looked_at = fmt::format("{} container images{}", object.pod_spec_path,
                                 object.locationSuffix(object.pod_spec_path));
  for (const std::string_view list : kLists) {
    const nlohmann::json* containers = probes::member(spec, list);
    if (containers == nullptr) continue;
    if (!containers->is_array()) {
      return ProbeResult::notEvaluated(
          fmt::format("{}.{} is not a list", object.pod_spec_path, list),
          model::NotEvaluatedCause::Malformed);
    }
    for (std::size_t i = 0; i < containers->size(); ++i) {
      const nlohmann::json& container = (*containers)[i];
      observeImage(object, *resource.image_scans, *resource.inventory, container,
                   docker::elementPath(list, container, i), result.observations);
    }
  }
  return result;
}

}  // namespace

const ProbeKind& imageScanProbe() {
  static const ProbeKind kKind{"image-scan",
                               "whether bulwark serve scanned each container's image",
                               {},
                               &evaluateImageScan,
                               false};
  return kKind;
}

}  // namespace bulwark::checks
