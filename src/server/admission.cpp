#include "server/admission.h"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "image/registry/reference.h"
#include "server/webhooks/json_body.h"

namespace bulwark::server {

namespace {

using nlohmann::json;
using webhooks::arrayField;
using webhooks::objectField;
using webhooks::shown;
using webhooks::stringField;

constexpr std::string_view kWhat = "admission review";
constexpr std::size_t kMaxMessageBytes = 4096;

// Where each kind keeps its pod spec, from the object's root.
struct PodSpecPath {
  std::string_view kind;
  std::vector<std::string_view> path;
};

const std::vector<PodSpecPath>& podSpecPaths() {
  static const std::vector<PodSpecPath> kPaths = {
      {"Pod", {"spec"}},
      {"Deployment", {"spec", "template", "spec"}},
      {"ReplicaSet", {"spec", "template", "spec"}},
      {"StatefulSet", {"spec", "template", "spec"}},
      {"DaemonSet", {"spec", "template", "spec"}},
      {"Job", {"spec", "template", "spec"}},
      {"ReplicationController", {"spec", "template", "spec"}},
      {"PodTemplate", {"template", "spec"}},
      {"CronJob", {"spec", "jobTemplate", "spec", "template", "spec"}},
  };
  return kPaths;
}

void readContainers(const json& spec, std::string_view list, AdmissionRequest& out,
                    std::size_t& count) {
  const auto it = spec.find(list);
  if (it == spec.end() || it->is_null()) return;
  if (!it->is_array()) {
    out.problems.push_back(fmt::format("spec.{} is not an array", list));
    return;
  }
  std::size_t index = 0;
  for (const auto& container : *it) {
    const std::size_t position = index++;
    if (++count > kMaxAdmissionContainers) {
      out.problems.push_back(
          fmt::format("more than {} containers in the pod spec", kMaxAdmissionContainers));
      return;
    }
    const std::string* name = stringField(container, "name", 253);
    AdmissionImage image;
    image.where = name == nullptr ? fmt::format("{}[{}]", list, position)
                                  : fmt::format("{}[{}] ({})", list, position, shown(*name, 63));
    const std::string* text = stringField(container, "image", 1024);
    if (text == nullptr) {
      out.problems.push_back(fmt::format("{} has no image", image.where));
      continue;
    }
    image.image = *text;
    if (auto ref = image::registry::Reference::parse(*text); ref) {
      image.reference = ref->str();
      image.registry = ref->domain;
    }
    out.images.push_back(std::move(image));
  }
}

void readObject(const json& object, AdmissionRequest& out) {
  const auto entry =
      std::find_if(podSpecPaths().begin(), podSpecPaths().end(),
                   [&](const PodSpecPath& candidate) { return candidate.kind == out.kind; });
  if (entry == podSpecPaths().end()) return;  // not a kind with a pod spec: nothing to check
  out.inspected = true;
  const json* spec = &object;
  std::string path;
  for (const auto step : entry->path) {
    path += path.empty() ? std::string(step) : "." + std::string(step);
    spec = objectField(*spec, step);
    if (spec == nullptr) {
      out.problems.push_back(fmt::format("the {} has no {} object", out.kind, path));
      return;
    }
  }
  std::size_t count = 0;
  for (const auto list : {"containers", "initContainers", "ephemeralContainers"}) {
    readContainers(*spec, list, out, count);
  }
}

std::string limited(std::string text, std::size_t max) {
  if (text.size() <= max) return text;
  text.resize(max - 3);
  // Never cut a UTF-8 sequence in two.
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) {
    text.pop_back();
  }
  if (!text.empty() && (static_cast<unsigned char>(text.back()) & 0x80) != 0) text.pop_back();
  return text + "...";
}

}  // namespace

bool registryAllowed(std::string_view host, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return true;
  const std::string lower = core::asciiLower(host);
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& pattern) {
    return core::globMatch(core::asciiLower(pattern), lower);
  });
}

core::Result<AdmissionRequest> parseAdmissionReview(std::string_view body) {
  try {
    auto root = webhooks::parseJsonBody(body, kWhat);
    if (!root) return tl::unexpected(root.error());
    const std::string* api_version = stringField(*root, "apiVersion");
    const std::string* kind = stringField(*root, "kind");
    if (kind == nullptr || *kind != "AdmissionReview") {
      return core::fail(core::ErrorCode::Input, "{}: kind is not AdmissionReview", kWhat);
    }
    if (api_version == nullptr || *api_version != kAdmissionApiVersion) {
      return core::fail(core::ErrorCode::Input, "{}: apiVersion {} is not {}", kWhat,
                        api_version == nullptr ? "(none)" : shown(*api_version),
                        kAdmissionApiVersion);
    }
    const json* request = objectField(*root, "request");
    if (request == nullptr) {
      return core::fail(core::ErrorCode::Input, "{}: no request object", kWhat);
    }
    const std::string* uid = stringField(*request, "uid", 256);
    if (uid == nullptr || uid->empty() || core::printable(*uid) != *uid) {
      return core::fail(core::ErrorCode::Input, "{}: no valid request.uid", kWhat);
    }
    AdmissionRequest out;
    out.uid = *uid;
    if (const json* kind_object = objectField(*request, "kind"); kind_object != nullptr) {
      if (const auto* value = stringField(*kind_object, "kind", 253); value != nullptr) {
        out.kind = core::printable(*value);
      }
    }
    // Escaped: these reach logs and messages, and a forged review may carry control characters.
    const auto text = [&](std::string_view key) {
      const std::string* value = stringField(*request, key, 253);
      return value == nullptr ? std::string() : core::printable(*value);
    };
    out.operation = text("operation");
    out.sub_resource = text("subResource");
    out.name = text("name");
    out.namespace_name = text("namespace");
    out.dry_run = webhooks::boolField(*request, "dryRun").value_or(false);
    if (out.operation != "CREATE" && out.operation != "UPDATE") return out;
    if (!out.sub_resource.empty() && out.sub_resource != "ephemeralcontainers") return out;
    const json* object = objectField(*request, "object");
    if (object == nullptr) {
      out.problems.push_back(fmt::format("a {} without an object", out.operation));
      return out;
    }
    if (out.kind.empty()) {
      if (const auto* value = stringField(*object, "kind", 253); value != nullptr) {
        out.kind = core::printable(*value);
      }
    }
    readObject(*object, out);
    return out;
  } catch (const std::exception& error) {
    return core::fail(core::ErrorCode::Input, "{}: {}", kWhat, error.what());
  }
}

AdmissionResponse decideAdmission(const AdmissionRequest& request, const AdmissionPolicy& policy,
                                  const ImageDecider& decide) {
  AdmissionResponse response;
  response.uid = request.uid;
  const bool checked = request.operation == "CREATE" || request.operation == "UPDATE";
  const bool exempt = std::find(policy.exempt_namespaces.begin(), policy.exempt_namespaces.end(),
                                request.namespace_name) != policy.exempt_namespaces.end();
  if (!checked || exempt) return response;

  std::vector<std::string> refusals;
  std::vector<std::string> warnings;
  for (const auto& problem : request.problems) refusals.push_back(shown(problem, 200));
  if (!request.inspected && !request.kind.empty() && request.problems.empty()) {
    warnings.push_back(fmt::format("bulwark does not inspect {} objects", shown(request.kind)));
  }
  std::map<std::string, ImageVerdict> verdicts;  // by canonical reference
  std::vector<std::string> seen;
  for (const auto& image : request.images) {
    const std::string key = image.reference.empty() ? image.image : image.reference;
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    const std::string name = shown(image.image, 200);
    if (image.reference.empty()) {
      refusals.push_back(
          fmt::format("image {} ({}) is not a valid image reference", name, image.where));
      continue;
    }
    if (!registryAllowed(image.registry, policy.allowed_registries)) {
      refusals.push_back(
          fmt::format("image {}: registry {} is not allowed", name, shown(image.registry)));
      continue;
    }
    ImageVerdict verdict;
    if (decide) {
      try {
        verdict = decide(image.reference);
      } catch (const std::exception& error) {
        verdict = {ImageState::Error, error.what()};
      }
    } else {
      verdict = {ImageState::Error, "no image lookup configured"};
    }
    const std::string why = shown(verdict.reason, 300);
    switch (verdict.state) {
      case ImageState::Passed: break;
      case ImageState::NotScanned:
        (policy.require_scanned ? refusals : warnings)
            .push_back(fmt::format("image {}: never scanned{}", name,
                                   why.empty() ? "" : " (" + why + ")"));
        break;
      case ImageState::Failed:
        refusals.push_back(fmt::format("image {}: {}", name, why.empty() ? "fails policy" : why));
        break;
      case ImageState::Error:
        refusals.push_back(fmt::format("image {}: could not be checked{}", name,
                                       why.empty() ? "" : " (" + why + ")"));
        break;
    }
  }

  if (!refusals.empty() && !policy.audit_only) {
    response.allowed = false;
    response.code = 403;
    std::string message;
    for (const auto& refusal : refusals) {
      message += message.empty() ? refusal : "; " + refusal;
    }
    response.message = limited(std::move(message), kMaxMessageBytes);
  } else {
    std::vector<std::string> all;
    all.reserve(refusals.size() + warnings.size());
    for (const auto& refusal : refusals) all.push_back("audit: " + refusal);
    all.insert(all.end(), warnings.begin(), warnings.end());
    warnings = std::move(all);
  }
  const std::size_t total = warnings.size();
  for (auto& warning : warnings) {
    if (response.warnings.size() + 1 == kMaxWarnings && total > kMaxWarnings) {
      response.warnings.push_back(
          fmt::format("and {} more warnings", total - response.warnings.size()));
      break;
    }
    response.warnings.push_back(limited(std::move(warning), kMaxWarningBytes));
  }
  return response;
}

std::string renderAdmissionReview(const AdmissionResponse& response) {
  json body = {{"uid", response.uid}, {"allowed", response.allowed}};
  if (!response.allowed) {
    body["status"] = {{"code", response.code}, {"message", response.message}};
  }
  if (!response.warnings.empty()) body["warnings"] = response.warnings;
  const json review = {{"apiVersion", kAdmissionApiVersion},
                       {"kind", "AdmissionReview"},
                       {"response", std::move(body)}};
  return webhooks::dumpJson(review);
}

}  // namespace bulwark::server
