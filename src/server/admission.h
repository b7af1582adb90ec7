// The Kubernetes validating admission webhook (`POST /api/v1/admission`): an AdmissionReview v1
// (admission.k8s.io/v1) in, an AdmissionReview v1 out. Pure functions; the server routes, the
// lead's `ImageDecider` looks each image up in the store and applies the match::Policy.
//
//   in:  {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
//         "request": {"uid", "kind": {"group", "version", "kind"}, "resource", "subResource",
//                     "name", "namespace", "operation": "CREATE" | "UPDATE" | "DELETE" |
//                     "CONNECT", "userInfo", "object", "oldObject", "dryRun", "options"}}
//   out: {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
//         "response": {"uid" (echoed), "allowed", "status": {"code", "message"}, "warnings"}}
//
// Images are read from the pod spec of a Pod, of the template of a Deployment, ReplicaSet,
// StatefulSet, DaemonSet, Job, ReplicationController or PodTemplate, and of a CronJob's job
// template: containers, initContainers and ephemeralContainers. A reference without a registry
// is docker.io's (`nginx` → docker.io/library/nginx:latest). DELETE and CONNECT, subresources
// other than ephemeralcontainers, and namespaces the policy exempts are allowed unchecked.
// An image is refused when its registry is not allowed, when it was never scanned (with
// require_scanned), when it fails policy, or when it could not be checked; in audit-only mode
// the review is allowed and every refusal becomes a warning.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace bulwark::server {

inline constexpr std::string_view kAdmissionApiVersion = "admission.k8s.io/v1";
// Containers read from one object (all three lists together); more are a refusal.
inline constexpr std::size_t kMaxAdmissionContainers = 1000;
// Kubernetes may truncate longer warnings.
inline constexpr std::size_t kMaxWarningBytes = 256;
inline constexpr std::size_t kMaxWarnings = 20;

enum class ImageState {
  Passed,      // scanned, and the findings pass policy
  NotScanned,  // no result for the image (never scanned, or the scan failed)
  Failed,      // scanned, and the findings fail policy
  Error,       // the lookup itself failed (store unreachable, …)
};

struct ImageVerdict {
  ImageState state = ImageState::Error;
  // Why, in a few words the response quotes after the image: "3 critical findings fail policy".
  std::string reason;
};

// Called once per distinct image with its canonical reference
// ("docker.io/library/nginx:1.25", "registry.example.com/app@sha256:…").
using ImageDecider = std::function<ImageVerdict(const std::string& image)>;

struct AdmissionPolicy {
  // Registry hosts allowed, as glob patterns on host[:port], case-insensitive:
  // "registry.example.com", "*.example.com", "localhost:5000", "docker.io". Empty: any.
  std::vector<std::string> allowed_registries;
  bool audit_only = false;      // allow everything, report refusals as warnings
  bool require_scanned = true;  // an image never scanned is refused (else only warned about)
  std::vector<std::string> exempt_namespaces;  // e.g. "kube-system": allowed unchecked
};

struct AdmissionImage {
  std::string image;      // as written in the spec
  std::string reference;  // canonical ("docker.io/library/nginx:latest"); "" when invalid
  std::string registry;   // its host ("docker.io"); "" when invalid
  std::string where;      // "containers[0] (app)", "initContainers[1] (setup)"
};

// Strings other than the uid are escaped with core::printable (safe to log); the uid must be
// printable to be accepted, and is echoed byte for byte.
struct AdmissionRequest {
  std::string uid;
  std::string kind;  // request.kind.kind: "Pod", "Deployment", …
  std::string operation;
  std::string sub_resource;
  std::string name;
  std::string namespace_name;
  bool dry_run = false;
  bool inspected = false;              // the object is a kind whose pod spec was read
  std::vector<AdmissionImage> images;  // in spec order, one per container
  // Problems of the object itself ("spec.containers is not an array"): each a refusal.
  std::vector<std::string> problems;
};

struct AdmissionResponse {
  std::string uid;
  bool allowed = true;
  int code = 200;       // 403 when refused
  std::string message;  // the refusals, "; "-separated ("" when allowed)
  std::vector<std::string> warnings;
};

// Parses an AdmissionReview v1 request. ErrorCode::Input (one line) when the body is not one or
// has no request.uid; ErrorCode::Limit when too large or too deep. A malformed object inside a
// valid review is not an error: it becomes AdmissionRequest::problems (and a refusal).
core::Result<AdmissionRequest> parseAdmissionReview(std::string_view body);

// Decides. Calls `decide` at most once per distinct canonical image (an empty function counts
// as an Error verdict).
AdmissionResponse decideAdmission(const AdmissionRequest& request, const AdmissionPolicy& policy,
                                  const ImageDecider& decide);

// The AdmissionReview v1 response document.
std::string renderAdmissionReview(const AdmissionResponse& response);

// Whether `host` ("registry.example.com:5000") matches one of the patterns (empty: any).
bool registryAllowed(std::string_view host, const std::vector<std::string>& patterns);

}  // namespace bulwark::server
