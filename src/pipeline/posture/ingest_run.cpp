// Bench runs into posture state (ingest_run.h).
#include "pipeline/posture/ingest_run.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <utility>

#include "checks/docker/snapshot.h"
#include "checks/evaluate.h"
#include "checks/k8s/node_snapshot.h"
#include "checks/k8s/snapshot.h"
#include "core/sha256.h"
#include "pipeline/posture/sync.h"
#include "posture/resource_key.h"
#include "report/check_report.h"

namespace bulwark::pipeline {
namespace {

using model::Resource;
using model::ResourceType;

constexpr std::string_view kCisDockerProfile = "cis-docker-1.6";

std::string stringAt(const nlohmann::json& doc, std::string_view key) {
  if (!doc.is_object()) return {};
  const auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Labels of a JSON object of strings (Docker's Config.Labels, metadata.labels).
std::map<std::string, std::string> labelsOf(const nlohmann::json* labels) {
  std::map<std::string, std::string> out;
  if (labels == nullptr || !labels->is_object()) return out;
  for (const auto& [key, value] : labels->items()) {
    if (value.is_string()) out.emplace(key, value.get<std::string>());
  }
  return out;
}

const nlohmann::json* memberAt(const nlohmann::json& doc, std::initializer_list<const char*> path) {
  const nlohmann::json* at = &doc;
  for (const char* key : path) {
    if (!at->is_object()) return nullptr;
    const auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

// The host's name as the Docker checks name it ("docker-host:<name>"), without the prefix.
std::string dockerHostName(const checks::docker::Snapshot& snapshot) {
  std::string name;
  if (snapshot.engine.info.state.ok()) name = stringAt(snapshot.engine.info.doc, "Name");
  return name.empty() ? snapshot.hostname : name;
}

// The digest part of the first "repo@sha256:…" of an image's RepoDigests ("" when none).
std::string repoDigestOf(const checks::docker::Image& image) {
  if (!image.inspect.state.ok()) return {};
  const nlohmann::json* digests = memberAt(image.inspect.doc, {"RepoDigests"});
  if (digests == nullptr || !digests->is_array()) return {};
  std::vector<std::string> found;
  for (const auto& entry : *digests) {
    if (!entry.is_string()) continue;
    const std::string text = entry.get<std::string>();
    if (const auto at = text.find('@'); at != std::string::npos)
      found.push_back(text.substr(at + 1));
  }
  if (found.empty()) return {};
  return *std::min_element(found.begin(), found.end());
}

// Assessments of results by the name the checks gave their resource.
struct Placement {
  std::map<std::string, std::string, std::less<>> ids;  // result resource → posture id
};

void assessResults(const posture::Catalogue& catalogue, const Placement& placement,
                   const std::vector<model::CheckResult>& results,
                   const posture::AssessContext& context, RunBatch& out) {
  for (const model::CheckResult& result : results) {
    ++out.results;
    const auto it = placement.ids.find(result.resource);
    if (it == placement.ids.end()) {
      ++out.unplaced;
      continue;
    }
    if (auto assessment = posture::assessCheck(catalogue, it->second, result, context)) {
      out.batch.assessments.push_back(std::move(*assessment));
    }
  }
}

void startBatch(RunBatch& out, const std::string& scope_id, const posture::AssessContext& context) {
  out.batch.scope_id = scope_id;
  out.batch.kinds = {model::SourceKind::Check};
  out.batch.cause = fmt::format("run:{}", context.run_id);
  out.batch.at = context.now_ms;
}

nlohmann::json hostSummaryJson(const report::HostSummary& host) {
  return {{"resource", host.resource},
          {"source", host.source},
          {"docker_version", host.docker_version},
          {"api_version", host.api_version},
          {"os", host.os},
          {"kernel", host.kernel},
          {"images", host.images},
          {"containers", host.containers},
          {"containers_running", host.containers_running}};
}

nlohmann::json clusterSummaryJson(const report::ClusterSummary& c) {
  return {{"name", c.name},
          {"source", c.source},
          {"server_version", c.server_version},
          {"rules_version", c.rules_version},
          {"namespaces", c.namespaces},
          {"workloads", c.workloads},
          {"objects", c.objects},
          {"uninspected", c.uninspected},
          {"unknown_kinds", c.unknown_kinds},
          {"unreadable", c.unreadable},
          {"unreadable_lists", c.unreadable_lists},
          {"configz_nodes", c.configz_nodes}};
}

std::string percentText(double value) { return fmt::format("{:.1f}", value); }

}  // namespace

std::string runDiagnosticsJson(const std::vector<core::Diagnostic>& diagnostics) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : diagnostics) {
    out.push_back({{"kind", d.kind}, {"where", d.where}, {"detail", d.detail}});
  }
  return out.dump();
}

std::string_view toString(SnapshotKind kind) {
  switch (kind) {
    case SnapshotKind::Docker: return "docker";
    case SnapshotKind::K8s: return "k8s";
    case SnapshotKind::Node: return "node";
  }
  return "docker";
}

core::Result<SnapshotTarget> identifySnapshot(std::string_view body, std::string_view cluster) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return core::fail(core::ErrorCode::Input, "the snapshot is not a JSON object");
  }
  SnapshotTarget target;
  target.schema = stringAt(doc, "schema");
  if (target.schema == checks::docker::kSnapshotSchema) {
    target.kind = SnapshotKind::Docker;
  } else if (target.schema == checks::k8s::kK8sSnapshotSchema) {
    target.kind = SnapshotKind::K8s;
  } else if (target.schema == checks::k8s::kNodeSnapshotSchema) {
    target.kind = SnapshotKind::Node;
  } else {
    return core::fail(core::ErrorCode::Input,
                      "unknown snapshot schema '{}' (expected {}, {} or {})", target.schema,
                      checks::docker::kSnapshotSchema, checks::k8s::kK8sSnapshotSchema,
                      checks::k8s::kNodeSnapshotSchema);
  }
  if (target.kind != SnapshotKind::Docker) {
    if (cluster.empty()) {
      return core::fail(core::ErrorCode::Input, "a {} snapshot needs the cluster's name",
                        toString(target.kind));
    }
    target.cluster = std::string(cluster);
  }
  core::Diagnostics ignored;
  switch (target.kind) {
    case SnapshotKind::Docker: {
      auto snapshot = checks::docker::readSnapshot(body, ignored);
      if (!snapshot) return tl::unexpected(snapshot.error());
      const std::string host = dockerHostName(*snapshot);
      if (host.empty()) {
        return core::fail(core::ErrorCode::Input, "the snapshot names no host (hostname, Name)");
      }
      target.target_key = posture::hostResource(host).key;
      break;
    }
    case SnapshotKind::K8s: {
      auto inventory = checks::k8s::readK8sSnapshot(body, "posted snapshot", ignored);
      if (!inventory) return tl::unexpected(inventory.error());
      target.target_key = posture::clusterResource(cluster).key;
      break;
    }
    case SnapshotKind::Node: {
      auto node = checks::k8s::readNodeSnapshot(body, ignored);
      if (!node) return tl::unexpected(node.error());
      if (node->host.hostname.empty()) {
        return core::fail(core::ErrorCode::Input, "the node snapshot names no hostname");
      }
      target.target_key = posture::nodeResource(cluster, node->host.hostname).key;
      break;
    }
  }
  return target;
}

RunBatch dockerRunBatch(const posture::Catalogue& catalogue, const DockerBenchReport& report,
                        const posture::AssessContext& context) {
  const checks::docker::Snapshot& snapshot = report.snapshot;
  const std::string host_name = dockerHostName(snapshot);
  Resource host = posture::hostResource(host_name);
  RunBatch out;
  startBatch(out, host.id, context);
  Placement placement;
  placement.ids.emplace("docker-host:" + host_name, host.id);

  nlohmann::json summary = nlohmann::json::object();
  if (!report.hosts.empty()) {
    const report::HostSummary& s = report.hosts.front();
    summary = hostSummaryJson(s);
    host.attrs = {{"docker_version", s.docker_version},
                  {"api_version", s.api_version},
                  {"os", s.os},
                  {"kernel", s.kernel},
                  {"images", std::to_string(s.images)},
                  {"containers", std::to_string(s.containers)},
                  {"containers_running", std::to_string(s.containers_running)}};
  }
  const report::CheckTotals totals = report::checkTotals(report.results, report.catalog);
  host.attrs["cis_score"] = percentText(totals.score);
  summary["cis_score"] = totals.score;
  if (snapshot.engine.info.state.ok()) {
    if (std::string id = stringAt(snapshot.engine.info.doc, "ID"); !id.empty()) {
      host.attrs["engine_id"] = std::move(id);
    }
  }
  out.batch.resources.push_back(host);

  // Images first: a container's attributes name the digest of the image it runs.
  std::map<std::string, std::string, std::less<>> digest_of_image;  // image id → repo digest
  for (const checks::docker::Image& image : snapshot.engine.images) {
    const std::string result_name = checks::docker::imageResourceName(image);
    Resource r = posture::hostImageResource(host_name, image.id, result_name.substr(6));
    r.attrs["image_id"] = image.id;
    const std::string digest = repoDigestOf(image);
    if (!digest.empty()) r.attrs["digest"] = digest;
    digest_of_image.emplace(image.id, digest);
    for (const std::string& tag : image.tags) r.labels.emplace("tag=" + tag, "");
    placement.ids.emplace(result_name, r.id);
    out.batch.resources.push_back(std::move(r));
  }
  for (const checks::docker::Container& container : snapshot.engine.containers) {
    Resource r = posture::dockerContainerResource(host_name, container.id, container.name);
    if (container.inspect.state.ok()) {
      const nlohmann::json& doc = container.inspect.doc;
      const std::string image_id = stringAt(doc, "Image");
      if (const nlohmann::json* ref = memberAt(doc, {"Config", "Image"});
          ref != nullptr && ref->is_string()) {
        r.attrs["image"] = ref->get<std::string>();
      }
      if (!image_id.empty()) r.attrs["image_id"] = image_id;
      if (const auto it = digest_of_image.find(image_id);
          it != digest_of_image.end() && !it->second.empty()) {
        r.attrs["image_digest"] = it->second;
      }
      if (const nlohmann::json* state = memberAt(doc, {"State", "Status"});
          state != nullptr && state->is_string()) {
        r.attrs["state"] = state->get<std::string>();
      }
      if (const nlohmann::json* privileged = memberAt(doc, {"HostConfig", "Privileged"});
          privileged != nullptr && privileged->is_boolean()) {
        r.attrs["privileged"] = privileged->get<bool>() ? "true" : "false";
      }
      r.labels = labelsOf(memberAt(doc, {"Config", "Labels"}));
    }
    placement.ids.emplace("container:" + container.name, r.id);
    out.batch.resources.push_back(std::move(r));
  }

  assessResults(catalogue, placement, report.results, context, out);
  out.batch.complete = snapshot.engine.state.ok() && snapshot.engine.containers_state.ok() &&
                       snapshot.engine.images_state.ok();
  out.summary_json = summary.dump();
  return out;
}

RunBatch k8sRunBatch(const posture::Catalogue& catalogue, const K8sBenchReport& report,
                     std::string_view cluster, const posture::AssessContext& context) {
  const checks::k8s::Inventory& inventory = report.inventory;
  Resource root = posture::clusterResource(cluster);
  RunBatch out;
  startBatch(out, root.id, context);
  nlohmann::json summary = nlohmann::json::object();
  bool unreadable = false;
  if (!report.clusters.empty()) {
    const report::ClusterSummary& s = report.clusters.front();
    summary = clusterSummaryJson(s);
    root.attrs = {{"server_version", s.server_version},
                  {"rules_version", s.rules_version},
                  {"namespaces", std::to_string(s.namespaces)},
                  {"workloads", std::to_string(s.workloads)},
                  {"objects", std::to_string(s.objects)}};
    unreadable = s.unreadable > 0 || s.unreadable_lists > 0;
  }
  out.batch.resources.push_back(root);

  Placement placement;
  std::map<std::string, bool, std::less<>> namespaces;  // added
  const auto add_namespace = [&](const std::string& ns) {
    if (ns.empty() || !namespaces.emplace(ns, true).second) return;
    Resource r = posture::namespaceResource(cluster, ns);
    if (const checks::k8s::Object* declared = inventory.find("Namespace", "", ns)) {
      r.labels = labelsOf(memberAt(declared->doc, {"metadata", "labels"}));
    }
    placement.ids.emplace(fmt::format("k8s:_cluster/Namespace/{}", ns), r.id);
    out.batch.resources.push_back(std::move(r));
  };
  for (const std::string& ns : inventory.namespaces()) add_namespace(ns);

  for (const checks::k8s::Object& object : inventory.objects) {
    if (object.kind_class != checks::k8s::KindClass::Workload &&
        object.kind_class != checks::k8s::KindClass::Object) {
      continue;
    }
    add_namespace(object.ns);
    const bool workload = object.kind_class == checks::k8s::KindClass::Workload;
    Resource r = workload && !object.ns.empty()
                     ? posture::workloadResource(cluster, object.ns, object.kind, object.name)
                     : posture::k8sObjectResource(cluster, object.ns, object.kind, object.name);
    r.attrs["kind"] = object.kind;
    if (!object.origin.file.empty()) {
      r.attrs["location"] = fmt::format("{}:{}", object.origin.file, object.origin.line);
    }
    r.labels = labelsOf(memberAt(object.doc, {"metadata", "labels"}));
    if (!placement.ids.emplace(object.resourceName(), r.id).second) continue;  // a duplicate
    out.batch.resources.push_back(std::move(r));
    if (!workload || object.ns.empty()) continue;
    const nlohmann::json* spec = object.podSpec();
    if (spec == nullptr) continue;
    for (const char* list : {"initContainers", "containers"}) {
      const nlohmann::json* containers = memberAt(*spec, {list});
      if (containers == nullptr || !containers->is_array()) continue;
      for (const auto& c : *containers) {
        const std::string name = stringAt(c, "name");
        if (name.empty()) continue;
        Resource container =
            posture::k8sContainerResource(cluster, object.ns, object.kind, object.name, name);
        const std::string image = stringAt(c, "image");
        container.attrs["image"] = image;
        if (const auto at = image.find("@sha256:"); at != std::string::npos) {
          container.attrs["image_digest"] = image.substr(at + 1);
        }
        if (std::string_view(list) == "initContainers") container.attrs["init"] = "true";
        out.batch.resources.push_back(std::move(container));
      }
    }
  }
  for (const auto& [node, configz] : inventory.kubelet_configz) {
    Resource r = posture::nodeResource(cluster, node);
    placement.ids.emplace("k8s-node:" + node, r.id);
    out.batch.resources.push_back(std::move(r));
  }
  // Kubernetes names never repeat within their scope, but a manifest set can say one twice.
  std::map<std::string, std::size_t, std::less<>> seen;
  std::vector<Resource> unique;
  for (auto& r : out.batch.resources) {
    if (seen.emplace(r.id, unique.size()).second) unique.push_back(std::move(r));
  }
  out.batch.resources = std::move(unique);

  assessResults(catalogue, placement, report.results, context, out);
  out.batch.complete = !unreadable;
  out.batch.gone_types = {ResourceType::Namespace, ResourceType::Workload, ResourceType::Container,
                          ResourceType::K8sObject};
  if (!inventory.kubelet_configz.empty()) out.batch.gone_types.push_back(ResourceType::Node);
  out.summary_json = summary.dump();
  return out;
}

RunBatch nodeRunBatch(const posture::Catalogue& catalogue, const NodeBenchReport& report,
                      std::string_view cluster, bool cluster_stored,
                      const posture::AssessContext& context) {
  Resource node = posture::nodeResource(cluster, report.node.host.hostname);
  RunBatch out;
  startBatch(out, node.id, context);
  if (!cluster_stored) out.batch.resources.push_back(posture::clusterResource(cluster));
  nlohmann::json summary = nlohmann::json::object();
  if (!report.hosts.empty()) {
    summary = hostSummaryJson(report.hosts.front());
    node.attrs["os"] = report.hosts.front().os;
    node.attrs["kernel"] = report.hosts.front().kernel;
  }
  const report::CheckTotals totals = report::checkTotals(report.results, report.catalog);
  node.attrs["cis_score"] = percentText(totals.score);
  summary["cis_score"] = totals.score;
  out.batch.resources.push_back(node);
  Placement placement;
  placement.ids.emplace(checks::k8s::nodeResourceName(report.node), node.id);
  assessResults(catalogue, placement, report.results, context, out);
  out.summary_json = summary.dump();
  return out;
}

core::Result<IngestOutcome> ingestSnapshot(store::Store& store, const posture::Catalogue& catalogue,
                                           const IngestRequest& request,
                                           posture::AssessContext context) {
  store::PostureRun run;
  run.kind = std::string(toString(request.target.kind));
  run.target_key = request.target.target_key;
  run.source = request.source;
  run.input_sha256 = request.input_sha256;
  run.started_at = context.now_ms;
  auto started = store.startRun(run);
  if (!started) return tl::unexpected(started.error());
  run = *started;
  context.run_id = run.id;

  const auto fail_run = [&](const core::Error& error) -> core::Result<IngestOutcome> {
    run.status = "failed";
    run.finished_at = store::nowMillis();
    run.diagnostics_json = runDiagnosticsJson({{"posture.run-failed", "", error.message}});
    (void)store.finishRun(run);  // the error below is what matters
    return tl::unexpected(error);
  };

  RunBatch batch;
  std::vector<core::Diagnostic> diagnostics;
  switch (request.target.kind) {
    case SnapshotKind::Docker: {
      DockerBenchOptions options;
      options.snapshot_json = request.body;
      options.benchmark = std::string(kCisDockerProfile);
      auto report = runDockerBench(options);
      if (!report) return fail_run(report.error());
      batch = dockerRunBatch(catalogue, *report, context);
      diagnostics = std::move(report->diagnostics);
      break;
    }
    case SnapshotKind::K8s: {
      K8sBenchOptions options;
      options.snapshot_json = request.body;
      auto report = runK8sBench(options);
      if (!report) return fail_run(report.error());
      batch = k8sRunBatch(catalogue, *report, request.target.cluster, context);
      diagnostics = std::move(report->diagnostics);
      break;
    }
    case SnapshotKind::Node: {
      NodeBenchOptions options;
      options.node_snapshot_json = request.body;
      auto report = runNodeChecks(options);
      if (!report) return fail_run(report.error());
      auto cluster = store.getResource(posture::clusterResource(request.target.cluster).id);
      if (!cluster) return fail_run(cluster.error());
      batch =
          nodeRunBatch(catalogue, *report, request.target.cluster, cluster->has_value(), context);
      diagnostics = std::move(report->diagnostics);
      break;
    }
  }
  // What the containers run, as the registry scans judged it (kept current by the sync).
  auto running = assessRunningContainers(store, catalogue, batch.batch.resources, context);
  if (!running) return fail_run(running.error());
  batch.batch.assessments.insert(batch.batch.assessments.end(),
                                 std::make_move_iterator(running->begin()),
                                 std::make_move_iterator(running->end()));
  if (batch.unplaced > 0) {
    diagnostics.push_back(
        {"posture.unplaced-results", run.target_key,
         fmt::format("{} results name no resource of the run (input checks)", batch.unplaced)});
  }
  auto applied = store.applyAssessments(batch.batch);
  if (!applied) return fail_run(applied.error());

  run.status = "done";
  run.finished_at = std::max(store::nowMillis(), run.started_at);
  run.summary_json = batch.summary_json;
  run.results = batch.results;
  run.diagnostics_json = runDiagnosticsJson(diagnostics);
  if (auto finished = store.finishRun(run); !finished) return tl::unexpected(finished.error());
  return IngestOutcome{std::move(run), *applied, std::move(diagnostics)};
}

core::Result<SubmittedSnapshot> submitSnapshot(store::Store& store, const SnapshotTarget& target,
                                               std::string body, std::string_view source,
                                               store::Millis now) {
  SubmittedSnapshot out;
  std::string keyed = target.target_key;
  keyed.push_back('\0');
  keyed += body;
  out.input_sha256 = core::sha256Hex(keyed);
  store::PostureInput input;
  input.sha256 = out.input_sha256;
  input.schema = target.schema;
  input.target_key = target.target_key;
  input.body = std::move(body);
  input.received_at = now;
  if (auto stored = store.putInput(input); !stored) return tl::unexpected(stored.error());
  store::JobRequest request;
  request.kind = store::JobKind::Bench;
  request.repository = target.target_key;
  request.digest = out.input_sha256;
  request.tag = target.cluster;
  request.source = std::string(source);
  request.max_attempts = 3;
  auto job = store.enqueue(request, now);
  if (!job) return tl::unexpected(job.error());
  out.job = *job;
  return out;
}

core::Result<IngestOutcome> runBenchJob(store::Store& store, const posture::Catalogue& catalogue,
                                        const store::Job& job, store::Millis now) {
  auto input = store.getInput(job.request.digest);
  if (!input) return tl::unexpected(input.error());
  if (!*input) {
    return core::fail(core::ErrorCode::NotFound, "the snapshot {} is no longer stored",
                      job.request.digest);
  }
  auto target = identifySnapshot((*input)->body, job.request.tag);
  if (!target) return tl::unexpected(target.error());
  if (target->target_key != job.request.repository) {
    return core::fail(core::ErrorCode::Input, "the snapshot is about {}, the job about {}",
                      target->target_key, job.request.repository);
  }
  IngestRequest request{std::move(*target), std::move((*input)->body), job.request.source,
                        job.request.digest};
  posture::AssessContext context;
  context.now_ms = now;
  auto outcome = ingestSnapshot(store, catalogue, request, context);
  if (!outcome) return outcome;
  if (auto deleted = store.deleteInput(job.request.digest);
      !deleted && deleted.error().code != core::ErrorCode::NotFound) {
    return tl::unexpected(deleted.error());
  }
  return outcome;
}

}  // namespace bulwark::pipeline
