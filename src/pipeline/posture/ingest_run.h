// Bench runs into posture state (docs/dev/posture-design.md §1.4, §2.4): a snapshot of a Docker
// host, a Kubernetes cluster or a worker node — posted to serve or collected by it — is
// evaluated with the embedded checks (the same evaluator as `bulwark bench`), and its results
// become the resources of the target's tree and their check assessments, written in one
// transaction that replaces the target's previous run.
//
//   docker  host:<name> → container:docker/<host>/<id64>, image:~<host>/<image id>
//   k8s     cluster:<name> → namespace → workload → container; k8s-object; node (configz)
//   node    cluster:<name> → node:<cluster>/<hostname>
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "core/result.h"
#include "pipeline/harden.h"
#include "pipeline/harden_k8s.h"
#include "pipeline/harden_node.h"
#include "posture/assess.h"
#include "posture/catalogue.h"
#include "store/store.h"

namespace bulwark::pipeline {

enum class SnapshotKind : std::uint8_t { Docker, K8s, Node };

std::string_view toString(SnapshotKind kind);  // "docker", "k8s", "node"

// A run's diagnostics as stored (PostureRun::diagnostics_json): [{kind, where, detail}].
std::string runDiagnosticsJson(const std::vector<core::Diagnostic>& diagnostics);

// What a posted snapshot is about: its kind (by its `schema` member) and its target's resource
// key — docker: the host's name (/info Name, else the hostname, as the checks name it); k8s:
// the cluster given; node: the node's hostname in the cluster given.
struct SnapshotTarget {
  SnapshotKind kind = SnapshotKind::Docker;
  std::string schema;      // "bulwark.docker-snapshot/v1", …
  std::string cluster;     // k8s and node
  std::string target_key;  // "host:web-1", "cluster:prod", "node:prod/worker-1"
};

// Input (one line) when the body is not JSON, names no schema bulwark reads (the message lists
// them), is not a valid snapshot of its schema, or when a k8s or node snapshot comes without a
// cluster name.
core::Result<SnapshotTarget> identifySnapshot(std::string_view body, std::string_view cluster);

// The resources and check assessments of one evaluated run, in a batch that replaces the
// target's previous run (scope: the host or cluster; kinds: checks). Complete — so that
// containers, images and objects the run did not see are marked gone — only when the run read
// everything: every container and image of a Docker host; no unreadable document, file or
// list of a cluster. A manifest run leaves the cluster's nodes alone. Results naming no
// resource of the run (input checks) are counted in `unplaced`.
struct RunBatch {
  store::AssessmentBatch batch;
  std::string summary_json;  // the run's HostSummary / ClusterSummary (+ cis_score)
  std::int64_t results = 0;
  std::int64_t unplaced = 0;
};

RunBatch dockerRunBatch(const posture::Catalogue& catalogue, const DockerBenchReport& report,
                        const posture::AssessContext& context);
RunBatch k8sRunBatch(const posture::Catalogue& catalogue, const K8sBenchReport& report,
                     std::string_view cluster, const posture::AssessContext& context);
// `cluster_stored`: the cluster resource is stored already (else the batch creates it).
RunBatch nodeRunBatch(const posture::Catalogue& catalogue, const NodeBenchReport& report,
                      std::string_view cluster, bool cluster_stored,
                      const posture::AssessContext& context);

struct IngestRequest {
  SnapshotTarget target;
  std::string body;          // the snapshot document
  std::string source;        // who sent it: "api:<token name>", "schedule"
  std::string input_sha256;  // the stored input, for the run record ("" if none)
};

struct IngestOutcome {
  store::PostureRun run;
  store::ApplyResult applied;
  std::vector<core::Diagnostic> diagnostics;
};

// Evaluates the snapshot and writes the run: a run record (started, then finished "done" with
// its summary, result count and diagnostics), and the batch. A snapshot that cannot be
// evaluated finishes its run "failed" and is the error; nothing else is written then, so the
// target's previous state stays.
core::Result<IngestOutcome> ingestSnapshot(store::Store& store, const posture::Catalogue& catalogue,
                                           const IngestRequest& request,
                                           posture::AssessContext context);

// A snapshot handed to the workers: stored as a posture input under the SHA-256 of its target
// key, a NUL and its body (so equal bodies for two clusters are two inputs), and a `bench` job
// for it enqueued (JobKind::Bench: repository = the target key, digest = that SHA-256, tag = the
// cluster). An identical upload while its job waits is one job (`created` false).
struct SubmittedSnapshot {
  std::string input_sha256;
  store::EnqueueResult job;
};

core::Result<SubmittedSnapshot> submitSnapshot(store::Store& store, const SnapshotTarget& target,
                                               std::string body, std::string_view source,
                                               store::Millis now);

// A bench job's work: its stored input identified again and ingested; the input is deleted
// when the run is stored. NotFound when the input is gone, Input when it is not a snapshot
// (both permanent); store errors are the store's.
core::Result<IngestOutcome> runBenchJob(store::Store& store, const posture::Catalogue& catalogue,
                                        const store::Job& job, store::Millis now);

}  // namespace bulwark::pipeline
