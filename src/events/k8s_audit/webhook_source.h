// `k8s-audit-webhook:[HOST]:PORT` (docs/dev/runtime-design.md §2.2): the endpoint the API
// server's audit webhook backend (and Falco's k8saudit plugin users) POST to. Bodies are an
// EventList (what kube-apiserver sends), an Event or an array of them, as Falco accepts; the
// answer is 200 once the events went through the rules, with what was accepted.
//
// HTTP rules, as Falco's plugin: POST only (405), Content-Type must contain application/json
// (400), body ≤ kMaxBodyBytes (413), each event ≤ kMaxEventBytes (larger ones are counted and
// left out), a body that is no audit shape → 400 "data not recognized as a k8s audit event".
// Ours: a bearer token when one is configured (401 otherwise; without one the endpoint binds
// only to loopback addresses), an event seen again (same auditID, stage and content: the batch
// backend retries whole batches) dropped, TLS with a certificate and key.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/diagnostic.h"
#include "core/result.h"
#include "events/k8s_audit/file_source.h"

namespace bulwark::events::k8s_audit {

struct WebhookOptions {
  std::string address = "127.0.0.1";
  int port = 9765;  // Falco's k8saudit default; 0: any free port (port() tells which)
  std::string path = "/k8s-audit";
  std::string token;  // required as "Authorization: Bearer <token>" when not empty
  std::string tls_cert;
  std::string tls_key;
  int threads = 4;
  std::size_t dedup_entries = 65'536;  // events remembered for duplicate detection
};

struct WebhookStats {
  std::uint64_t requests = 0;
  std::uint64_t events = 0;          // delivered to the rules
  std::uint64_t skipped_events = 0;  // no stageTimestamp, or over kMaxEventBytes
  std::uint64_t duplicates = 0;      // auditID + stage seen before
  std::uint64_t bad_requests = 0;    // 400, 405, 413
  std::uint64_t unauthorized = 0;    // 401
};

// Is `address` a loopback address ("127.0.0.1", "::1", "localhost", 127.x.y.z)?
bool isLoopback(const std::string& address);

class WebhookSource {
 public:
  explicit WebhookSource(WebhookOptions options);
  ~WebhookSource();
  WebhookSource(const WebhookSource&) = delete;
  WebhookSource& operator=(const WebhookSource&) = delete;

  // Checks the options (a non-loopback address needs a token; TLS files must load) and binds.
  core::Status bind();
  [[nodiscard]] int port() const;

  // Serves until `*stop` (binds first when bind() was not called). Events of each request are
  // delivered on that request's thread, one request at a time, in body order; numbering
  // continues across requests. Bad requests are counted and also reported as diagnostics.
  core::Status run(const EventCallback& on_event, core::Diagnostics& diagnostics,
                   const std::atomic<bool>* stop);

  [[nodiscard]] WebhookStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bulwark::events::k8s_audit
