// Sends a posture snapshot to `bulwark serve` (POST /api/v1/posture/snapshots, an ingest or
// admin token as bearer, TLS verified): what `bulwark bench … --post` and the agent's
// scheduled bench runs use. One attempt; the caller decides about retrying.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace bulwark::pipeline {

struct PostSnapshotOptions {
  std::string server;   // "https://bulwark.example:8443" (the route's path is appended)
  std::string token;    // never logged
  std::string ca;       // a PEM file to verify the server with (else the system's CAs)
  std::string cluster;  // k8s and node snapshots: the cluster's name
  std::string version;  // User-Agent: bulwark/VERSION
  std::chrono::milliseconds timeout{std::chrono::minutes(2)};
};

// What serve answered: the job it enqueued for the snapshot.
struct PostedSnapshot {
  std::int64_t job_id = 0;
  bool created = false;  // false: an identical snapshot was already waiting
  std::string target;    // "host:web-1"
  std::string state;     // the job's: "queued"
};

// A URL query value percent-escaped (RFC 3986 unreserved characters stay): "a b" → "a%20b".
std::string queryValue(std::string_view text);

// Network errors and answers other than 202 are errors naming the server's message (Network
// for transport failures and 5xx, Auth for 401/403, Input for other 4xx).
core::Result<PostedSnapshot> postSnapshot(const PostSnapshotOptions& options,
                                          std::string_view body);

}  // namespace bulwark::pipeline
