#include "checks/k8s/image_scans.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checks/k8s/inventory.h"
#include "checks/k8s/object.h"
#include "core/date.h"

namespace bulwark::checks::k8s {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kSha256 = "sha256:";
constexpr std::size_t kHexDigits = 64;

constexpr std::array<std::string_view, 3> kContainerLists = {"containers", "initContainers",
                                                             "ephemeralContainers"};
constexpr std::array<std::string_view, 3> kStatusLists = {
    "containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"};

bool isHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

const Json* member(const Json& doc, std::string_view key) {
  if (!doc.is_object()) return nullptr;
  const auto it = doc.find(key);
  return it == doc.end() || it->is_null() ? nullptr : &*it;
}

std::string_view stringOf(const Json* value) {
  return value != nullptr && value->is_string()
             ? std::string_view(value->get_ref<const std::string&>())
             : std::string_view();
}

std::string inventoryKey(const Object& object) {
  return fmt::format("{}/{}/{}", object.kind, object.ns, object.name);
}

// Container name → image, over the three container lists of a pod spec.
std::map<std::string, std::string, std::less<>> imagesByName(const Json& spec) {
  std::map<std::string, std::string, std::less<>> out;
  for (const auto list : kContainerLists) {
    const Json* containers = member(spec, list);
    if (containers == nullptr || !containers->is_array()) continue;
    for (const auto& container : *containers) {
      const auto name = stringOf(member(container, "name"));
      const auto image = stringOf(member(container, "image"));
      if (!name.empty() && !image.empty()) out.emplace(name, image);
    }
  }
  return out;
}

std::string countsText(const Json& counts) {
  std::string out;
  for (const char* severity : {"critical", "high", "medium", "low"}) {
    const Json* count = member(counts, severity);
    if (count == nullptr || !count->is_number_integer() || count->get<std::int64_t>() <= 0) {
      continue;
    }
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", count->get<std::int64_t>(), severity);
  }
  return out.empty() ? "no findings of low severity or above" : out;
}

}  // namespace

const ImageScan* ImageScans::find(std::string_view digest) const {
  const auto it = by_digest.find(digest);
  return it == by_digest.end() ? nullptr : &it->second;
}

std::string repositoryDigest(std::string_view reference) {
  const std::size_t at = reference.rfind('@');
  if (at == std::string_view::npos) return {};
  const std::string_view digest = reference.substr(at + 1);
  if (!digest.starts_with(kSha256) || digest.size() != kSha256.size() + kHexDigits ||
      !isHex(digest.substr(kSha256.size()))) {
    return {};
  }
  return std::string(digest);
}

void addRunningImages(const Json& pod, const std::string& key, RunningImages& out) {
  const Json* spec = member(pod, "spec");
  const Json* status = member(pod, "status");
  if (spec == nullptr || status == nullptr || !status->is_object()) return;
  const auto images = imagesByName(*spec);
  for (const auto list : kStatusLists) {
    const Json* statuses = member(*status, list);
    if (statuses == nullptr || !statuses->is_array()) continue;
    for (const auto& entry : *statuses) {
      const auto image = images.find(stringOf(member(entry, "name")));
      if (image == images.end()) continue;
      std::string digest = repositoryDigest(stringOf(member(entry, "imageID")));
      if (digest.empty()) continue;
      auto& by_image = out[key];
      auto slot = by_image.find(image->second);
      if (slot == by_image.end())
        slot = by_image.emplace(image->second, std::set<std::string>{}).first;
      slot->second.insert(std::move(digest));
    }
  }
}

std::vector<std::string> imageDigests(const Object& workload, std::string_view image,
                                      const Inventory& inventory) {
  if (std::string pinned = repositoryDigest(image); !pinned.empty()) return {std::move(pinned)};
  std::set<std::string> found;
  const std::string key = inventoryKey(workload);
  if (const auto it = inventory.running_images.find(key); it != inventory.running_images.end()) {
    if (const auto digests = it->second.find(image); digests != it->second.end()) {
      found.insert(digests->second.begin(), digests->second.end());
    }
  }
  if (workload.kind == "Pod") {
    RunningImages own;
    addRunningImages(workload.doc, key, own);
    if (const auto it = own.find(key); it != own.end()) {
      if (const auto digests = it->second.find(image); digests != it->second.end()) {
        found.insert(digests->second.begin(), digests->second.end());
      }
    }
  }
  return {found.begin(), found.end()};
}

std::vector<std::string> inventoryDigests(const Inventory& inventory) {
  std::set<std::string> all;
  for (const auto& object : inventory.objects) {
    if (object.kind_class != KindClass::Workload) continue;
    const Json* spec = object.podSpec();
    if (spec == nullptr) continue;
    for (const auto& [name, image] : imagesByName(*spec)) {
      for (auto& digest : imageDigests(object, image, inventory)) all.insert(std::move(digest));
    }
  }
  return {all.begin(), all.end()};
}

ImageScan scanFromAnswer(long status, std::string_view body) {
  ImageScan out;
  if (status == 404) {
    out.state = ImageScan::State::NotScanned;
    out.detail = "bulwark serve has no scan result for it";
    return out;
  }
  if (status == 401 || status == 403) {
    out.cause = model::NotEvaluatedCause::PermissionDenied;
    out.detail = fmt::format(
        "bulwark serve answered {}: check the token (a reader token is enough)", status);
    return out;
  }
  if (status != 200) {
    out.cause = model::NotEvaluatedCause::Undetermined;
    out.detail = fmt::format("bulwark serve answered {}", status);
    return out;
  }
  const Json doc = Json::parse(body, nullptr, false);
  const Json* scanned = member(doc, "scanned");
  if (scanned == nullptr || !scanned->is_boolean()) {
    out.cause = model::NotEvaluatedCause::Malformed;
    out.detail = "bulwark serve's answer has no `scanned`";
    return out;
  }
  if (!scanned->get<bool>()) {
    out.state = ImageScan::State::NotScanned;
    out.detail = "recorded by bulwark serve, never scanned";
    return out;
  }
  out.state = ImageScan::State::Scanned;
  const Json* scan = member(doc, "scan");
  std::string when;
  std::string database;
  if (scan != nullptr) {
    if (const Json* at = member(*scan, "scanned_at"); at != nullptr && at->is_number_integer()) {
      const std::string text =
          core::utcText(static_cast<std::time_t>(at->get<std::int64_t>() / 1000));
      if (!text.empty()) when = " " + text;
    }
    database = std::string(stringOf(member(*scan, "db_build_id")));
  }
  const Json* counts = member(doc, "counts");
  out.detail = fmt::format("scanned{}{}: {}", when,
                           database.empty() ? "" : fmt::format(", database {}", database),
                           counts != nullptr ? countsText(*counts) : "no counts");
  return out;
}

}  // namespace bulwark::checks::k8s
