// Asks `bulwark serve` which image digests it has scanned (BW-K8S-407): one
// `GET /api/v1/images/{digest}` per digest with a reader token, a few connections in parallel,
// bounded in number. docs/dev/k8s-design.md §4.3, docs/api.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "checks/k8s/image_scans.h"
#include "core/diagnostic.h"
#include "core/result.h"

namespace bulwark::checks::k8s::collect {

struct ScanServerOptions {
  std::string url;     // "https://bulwark.example:8443" (http:// only for loopback)
  std::string token;   // a reader token; never logged
  std::string ca_pem;  // trust for https; empty: the system store
  std::chrono::milliseconds timeout{10000};  // per request
  std::size_t max_lookups = 10000;           // digests beyond are left unanswered ("limit reached")
  std::size_t connections = 8;
};

// Fails only for a URL that is not http(s)://host[:port][/prefix] (a Usage error). Every digest
// gets an answer or the reason it has none; once the server cannot be reached the remaining
// digests are not tried (each would wait for the same timeout).
core::Result<ImageScans> lookupImageScans(const ScanServerOptions& options,
                                          const std::vector<std::string>& digests,
                                          core::Diagnostics& diagnostics);

}  // namespace bulwark::checks::k8s::collect
