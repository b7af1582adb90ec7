// The routes through which the outside world feeds the service, on top of the API routes:
//
//   POST /api/v1/webhooks/distribution/{registry}   Docker Distribution notifications
//   POST /api/v1/webhooks/harbor/{registry}         Harbor webhooks (default and CloudEvents)
//   POST /api/v1/webhooks/generic                   {registry, repository, digest, tag?}
//   POST /api/v1/admission                          Kubernetes AdmissionReview v1
//   GET  /api/v1/metadata                           Harbor's pluggable scanner API: metadata,
//   POST /api/v1/scan                               a scan request (→ a scan job; its id is the
//   GET  /api/v1/scan/{id}/report                   job's), the report when the job is done
//
// Each needs an ingest (or admin) token — the registry's notification endpoint sends it as its
// `Authorization: Bearer …` header, the shared secret. A push is recorded (the tag moves to the
// digest) and a scan is enqueued for it, deduplicated by digest; the answer says how many events
// were accepted, deduplicated, ignored and malformed. A body that is not the format at all is a
// 400 with one line; a registry that is not registered is a 404.
//
// Harbor names its registry by URL and sends robot credentials with every scan request
// (`Authorization: Basic …`). The registry registered for that host is used; when there is
// none, one is registered as "harbor-HOST[-PORT]" with those credentials (sealed), and its
// credentials follow Harbor's on later requests.
#pragma once

#include <functional>
#include <string>

#include "server/admission.h"
#include "server/harbor_scanner.h"
#include "server/server.h"
#include "store/store.h"

namespace bulwark::server {

struct ServiceRouteHooks {
  std::function<void()> wake;  // a scan was enqueued
  int max_attempts = 5;        // of the scan jobs enqueued
  AdmissionPolicy admission;
  // The verdict on one image for admission; empty: every image is an Error verdict.
  ImageDecider decide_image;
  // Harbor's scanner API: bulwark's name and version, when the database was built (RFC 3339,
  // may be empty), and the sealing of registry passwords Harbor sends.
  HarborScanner scanner;
  std::function<std::string()> db_built_at;
  std::function<core::Result<std::string>(std::string_view plaintext)> seal_secret;
  // The password of a sealed one ("" when it cannot be opened).
  std::function<std::string(std::string_view sealed)> open_secret;
};

core::Status registerServiceRoutes(Server& server, store::Store& store, ServiceRouteHooks hooks);

}  // namespace bulwark::server
