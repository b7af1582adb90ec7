// The routes through which the outside world feeds the service, on top of the API routes:
//
//   POST /api/v1/webhooks/distribution/{registry}   Docker Distribution notifications
//   POST /api/v1/webhooks/harbor/{registry}         Harbor webhooks (default and CloudEvents)
//   POST /api/v1/webhooks/generic                   {registry, repository, digest, tag?}
//   POST /api/v1/admission                          Kubernetes AdmissionReview v1
//
// Each needs an ingest (or admin) token — the registry's notification endpoint sends it as its
// `Authorization: Bearer …` header, the shared secret. A push is recorded (the tag moves to the
// digest) and a scan is enqueued for it, deduplicated by digest; the answer says how many events
// were accepted, deduplicated, ignored and malformed. A body that is not the format at all is a
// 400 with one line; a registry that is not registered is a 404.
#pragma once

#include <functional>
#include <string>

#include "server/admission.h"
#include "server/server.h"
#include "store/store.h"

namespace bulwark::server {

struct ServiceRouteHooks {
  std::function<void()> wake;  // a scan was enqueued
  int max_attempts = 5;        // of the scan jobs enqueued
  AdmissionPolicy admission;
  // The verdict on one image for admission; empty: every image is an Error verdict.
  ImageDecider decide_image;
};

core::Status registerServiceRoutes(Server& server, store::Store& store, ServiceRouteHooks hooks);

}  // namespace bulwark::server
