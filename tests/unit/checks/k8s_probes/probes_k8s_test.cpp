// The Kubernetes probes over objects built in code: pod-field and pod-container read the same
// path through a Pod, a Deployment and a CronJob and name every value by its path from the
// object root with its manifest line; API defaults are marked; pod-container judges each
// container (absent, inherited from the pod); image references normalise; objects that cannot
// be read are not evaluated with their cause. Whole checks run through loader and evaluator.
#include <fmt/format.h>
#include <re2/re2.h>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/k8s/object.h"
#include "unit/checks/docker_probes/probe_test_util.h"

namespace bulwark::checks::testing {
namespace {

using model::CheckStatus;

// A Deployment whose template has an init container, two containers, three volumes (a
// hostPath, a configMap, one without a source) and AppArmor annotations.
constexpr std::string_view kDeployment = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "namespace": "prod", "labels": {"App": "Web", "tier": "front"}},
  "spec": {"template": {
    "metadata": {"annotations": {
      "container.apparmor.security.beta.kubernetes.io/web": "unconfined",
      "container.apparmor.security.beta.kubernetes.io/init": "runtime/default",
      "prometheus.io/scrape": "true"}},
    "spec": {
      "securityContext": {"runAsNonRoot": true},
      "initContainers": [
        {"name": "init", "image": "localhost:5000/x:1", "securityContext": {"privileged": true}}],
      "containers": [
        {"name": "web", "image": "nginx",
         "securityContext": {"runAsNonRoot": false, "privileged": false},
         "ports": [{"containerPort": 80}]},
        {"name": "sidecar", "image": "docker.io/library/nginx"}],
      "volumes": [
        {"name": "data", "hostPath": {"path": "/var/data"}},
        {"name": "config", "configMap": {"name": "cfg"}},
        {"name": "scratch"}]}}}})";

k8s::Object object(std::string_view json, std::string file, std::size_t line = 1) {
  k8s::Object o;
  o.doc = nlohmann::json::parse(json);
  o.api_version = o.doc.value("apiVersion", "");
  o.kind = o.doc.value("kind", "");
  if (const auto meta = o.doc.find("metadata"); meta != o.doc.end() && meta->is_object()) {
    o.name = meta->value("name", "");
    o.ns = meta->value("namespace", "");
  }
  o.origin.file = std::move(file);
  o.origin.line = line;
  o.state = okState();
  k8s::classify(o);
  return o;
}

k8s::Object deployment() {
  k8s::Object o = object(kDeployment, "deploy/web.yaml");
  o.lines = {{"spec.template.metadata", 7},
             {"spec.template.spec.initContainers[name=init]", 14},
             {"spec.template.spec.containers[name=web]", 18},
             {"spec.template.spec.containers[name=web].ports", 21},
             {"spec.template.spec.containers[name=sidecar]", 23},
             {"spec.template.spec.volumes[name=data]", 31},
             {"metadata.labels", 3}};
  return o;
}

// The Deployment's pod spec as a Pod and inside a CronJob.
k8s::Object pod() {
  auto doc = nlohmann::json::parse(kDeployment);
  nlohmann::json p = {{"apiVersion", "v1"},
                      {"kind", "Pod"},
                      {"metadata", doc["spec"]["template"]["metadata"]},
                      {"spec", doc["spec"]["template"]["spec"]}};
  p["metadata"]["name"] = "web-1";
  return object(p.dump(), "pod.yaml", 5);
}

k8s::Object cronJob() {
  auto doc = nlohmann::json::parse(kDeployment);
  nlohmann::json c = {
      {"apiVersion", "batch/v1"},
      {"kind", "CronJob"},
      {"metadata", {{"name", "nightly"}, {"namespace", "ops"}}},
      {"spec", {{"jobTemplate", {{"spec", {{"template", doc["spec"]["template"]}}}}}}}};
  return object(c.dump(), "cron.yaml", 2);
}

Resource resourceOf(const k8s::Object& o) {
  Resource r;
  r.kind =
      o.workload == k8s::WorkloadKind::None ? ResourceKind::K8sObject : ResourceKind::K8sWorkload;
  r.name = o.resourceName();
  r.object = &o;
  return r;
}

std::vector<std::string> wheres(const ProbeResult& result) {
  std::vector<std::string> out;
  for (const auto& o : result.observations) out.push_back(o.where);
  return out;
}

Params pathParams(std::string_view path) {
  Params p;
  p.set("path", jsonPath(path));
  return p;
}

std::shared_ptr<const re2::RE2> regex(std::string_view pattern) {
  auto compiled = std::make_shared<const re2::RE2>(pattern);
  EXPECT_TRUE(compiled->ok()) << pattern;
  return compiled;
}

// ---------------------------------------------------------------------------------------
// registry

TEST(K8sProbes, Registered) {
  for (const std::string_view kind : {"k8s-field", "pod-field", "pod-container"}) {
    const ProbeKind* probe = findProbe(kind);
    ASSERT_NE(probe, nullptr) << kind;
    EXPECT_FALSE(probe->reads_build_steps) << kind;
  }
}

// ---------------------------------------------------------------------------------------
// pod-field

TEST(PodFieldProbe, SamePathThroughEveryController) {
  const auto d = deployment();
  const auto p = pod();
  const auto c = cronJob();
  const auto params = pathParams("volumes[*].hostPath.path");
  // The configMap volume and the sourceless one have no hostPath: nothing, not absent.
  const auto from_deployment = run("pod-field", params, resourceOf(d));
  EXPECT_EQ(values(from_deployment), Values{"/var/data"});
  EXPECT_EQ(wheres(from_deployment),
            Values{"spec.template.spec.volumes[name=data].hostPath.path (deploy/web.yaml:31)"});
  EXPECT_EQ(wheres(run("pod-field", params, resourceOf(p))),
            Values{"spec.volumes[name=data].hostPath.path (pod.yaml:5)"});
  EXPECT_EQ(wheres(run("pod-field", params, resourceOf(c))),
            Values{"spec.jobTemplate.spec.template.spec.volumes[name=data].hostPath.path "
                   "(cron.yaml:2)"});
  // An object value is one observation in compact JSON.
  EXPECT_EQ(values(run("pod-field", pathParams("volumes[*].hostPath"), resourceOf(d))),
            Values{R"({"path":"/var/data"})"});
}

TEST(PodFieldProbe, ScalarsListsAndNothing) {
  const auto d = deployment();
  const auto non_root = run("pod-field", pathParams("securityContext.runAsNonRoot"), resourceOf(d));
  EXPECT_EQ(values(non_root), Values{"true"});
  EXPECT_EQ(wheres(non_root),
            Values{"spec.template.spec.securityContext.runAsNonRoot (deploy/web.yaml:1)"});
  const auto volumes = run("pod-field", pathParams("volumes"), resourceOf(d));
  ASSERT_EQ(volumes.observations.size(), 1U);
  EXPECT_TRUE(volumes.observations[0].is_list);
  EXPECT_EQ(volumes.observations[0].values.size(), 3U);
  const auto host_network = run("pod-field", pathParams("hostNetwork"), resourceOf(d));
  EXPECT_EQ(host_network.state, ProbeState::Evaluated);
  EXPECT_TRUE(host_network.observations.empty());
  EXPECT_EQ(host_network.looked_at, "spec.template.spec.hostNetwork (deploy/web.yaml:1)");
}

TEST(PodFieldProbe, ApiDefaultsAreMarked) {
  const auto d = deployment();
  // The sourceless volume reads as an emptyDir; its key says it is the API's default.
  const auto keys = run("pod-field", pathParams("volumes[*]{keys}"), resourceOf(d));
  EXPECT_EQ(values(keys), (Values{"hostPath", "name", "configMap", "name", "emptyDir", "name"}));
  ASSERT_EQ(keys.observations.size(), 6U);
  EXPECT_EQ(keys.observations[4].display, "emptyDir (API default)");
  EXPECT_EQ(keys.observations[4].where,
            "spec.template.spec.volumes[name=scratch].emptyDir "
            "(deploy/web.yaml:1)");
  EXPECT_EQ(keys.observations[0].display, "hostPath");
}

TEST(PodFieldProbe, MetadataAnnotationsByKey) {
  const auto d = deployment();
  Params p = pathParams("annotations{*}");
  p.set("scope", std::string("metadata"));
  EXPECT_EQ(values(run("pod-field", p, resourceOf(d))).size(), 3U);
  p.set("key", regex(R"(^container\.apparmor\.security\.beta\.kubernetes\.io/)"));
  const auto apparmor = run("pod-field", p, resourceOf(d));
  EXPECT_EQ(values(apparmor), (Values{"runtime/default", "unconfined"}));
  EXPECT_EQ(wheres(apparmor),
            (Values{"spec.template.metadata.annotations[container.apparmor.security.beta."
                    "kubernetes.io/init] (deploy/web.yaml:7)",
                    "spec.template.metadata.annotations[container.apparmor.security.beta."
                    "kubernetes.io/web] (deploy/web.yaml:7)"}));
  // {keys} with `key`: the matching keys themselves.
  Params keys = pathParams("annotations{keys}");
  keys.set("scope", std::string("metadata"));
  keys.set("key", regex("^prometheus"));
  EXPECT_EQ(values(run("pod-field", keys, resourceOf(d))), Values{"prometheus.io/scrape"});
  // `key` after anything else cannot be honoured: not evaluated, never all values.
  Params wrong = pathParams("annotations");
  wrong.set("scope", std::string("metadata"));
  wrong.set("key", regex("^x"));
  EXPECT_NOT_EVALUATED(run("pod-field", wrong, resourceOf(d)), NotEvaluatedCause::Undetermined);
}

TEST(PodFieldProbe, NoPodMetadataObservesNothing) {
  auto p = object(R"({"apiVersion": "v1", "kind": "Pod", "metadata": null,
                      "spec": {"containers": [{"name": "c", "image": "nginx"}]}})",
                  "bare.yaml");
  Params params = pathParams("annotations{*}");
  params.set("scope", std::string("metadata"));
  const auto result = run("pod-field", params, resourceOf(p));
  EXPECT_EQ(result.state, ProbeState::Evaluated);
  EXPECT_TRUE(result.observations.empty());
}

// The API server refuses a pod without containers: every pod probe is not evaluated.
TEST(PodFieldProbe, NoContainersIsMalformed) {
  for (const std::string_view spec :
       {R"({})", R"({"containers": []})", R"({"containers": null})"}) {
    auto p = object(fmt::format(R"({{"apiVersion": "v1", "kind": "Pod",
                                    "metadata": {{"name": "p"}}, "spec": {}}})",
                                spec),
                    "empty.yaml");
    const auto result = run("pod-field", pathParams("hostPID"), resourceOf(p));
    EXPECT_NOT_EVALUATED(result, NotEvaluatedCause::Malformed);
    EXPECT_EQ(result.reason,
              "spec.containers is empty or missing: the API server refuses such a pod")
        << spec;
  }
}

TEST(PodFieldProbe, NotEvaluatedCauses) {
  const auto params = pathParams("hostPID");
  // No object, or an object that is not a workload: nothing to read.
  Resource none;
  none.kind = ResourceKind::K8sWorkload;
  EXPECT_NOT_EVALUATED(run("pod-field", params, none), NotEvaluatedCause::MissingInput);
  const auto service = object(R"({"apiVersion": "v1", "kind": "Service",
                                  "metadata": {"name": "web", "namespace": "prod"}})",
                              "svc.yaml");
  EXPECT_NOT_EVALUATED(run("pod-field", params, resourceOf(service)),
                       NotEvaluatedCause::MissingInput);
  // A malformed object (a duplicate key): its cause, never a pass.
  auto bad = deployment();
  bad.state = state(FactStatus::Malformed, "duplicate key `privileged`");
  const auto malformed = run("pod-field", params, resourceOf(bad));
  EXPECT_NOT_EVALUATED(malformed, NotEvaluatedCause::Malformed);
  EXPECT_NE(malformed.reason.find("duplicate key"), std::string::npos) << malformed.reason;
  EXPECT_NE(malformed.reason.find("k8s:prod/Deployment/web"), std::string::npos)
      << malformed.reason;
  // A Deployment without a template: its pod spec is missing.
  const auto empty = object(R"({"apiVersion": "apps/v1", "kind": "Deployment",
                                "metadata": {"name": "x"}, "spec": {}})",
                            "x.yaml");
  const auto missing = run("pod-field", params, resourceOf(empty));
  EXPECT_NOT_EVALUATED(missing, NotEvaluatedCause::Malformed);
  EXPECT_EQ(missing.reason, "spec.template.spec is missing");
  EXPECT_NOT_EVALUATED(run("pod-container", params, resourceOf(empty)),
                       NotEvaluatedCause::Malformed);
}

// ---------------------------------------------------------------------------------------
// pod-container

TEST(PodContainerProbe, EveryContainerInAdmissionOrder) {
  const auto d = deployment();
  const auto privileged =
      run("pod-container", pathParams("securityContext.privileged"), resourceOf(d));
  // containers, then initContainers; the sidecar sets nothing: one absent observation.
  EXPECT_EQ(values(privileged), (Values{"false", "<absent>", "true"}));
  EXPECT_EQ(wheres(privileged),
            (Values{"spec.template.spec.containers[name=web].securityContext.privileged "
                    "(deploy/web.yaml:18)",
                    "spec.template.spec.containers[name=sidecar].securityContext.privileged "
                    "(deploy/web.yaml:23)",
                    "spec.template.spec.initContainers[name=init].securityContext.privileged "
                    "(deploy/web.yaml:14)"}));
  EXPECT_EQ(privileged.observations[1].display, "not set in container sidecar");
  // The same through a Pod and a CronJob.
  EXPECT_EQ(
      wheres(run("pod-container", pathParams("securityContext.privileged"), resourceOf(pod())))
          .back(),
      "spec.initContainers[name=init].securityContext.privileged (pod.yaml:5)");
  EXPECT_EQ(
      wheres(run("pod-container", pathParams("securityContext.privileged"), resourceOf(cronJob())))
          .back(),
      "spec.jobTemplate.spec.template.spec.initContainers[name=init].securityContext."
      "privileged (cron.yaml:2)");
}

TEST(PodContainerProbe, ContainersFilter) {
  const auto d = deployment();
  Params p = pathParams("image");
  p.set("containers", std::vector<std::string>{"init"});
  EXPECT_EQ(values(run("pod-container", p, resourceOf(d))), Values{"localhost:5000/x:1"});
  p.set("containers", std::vector<std::string>{"ephemeral", "regular"});
  EXPECT_EQ(values(run("pod-container", p, resourceOf(d))),
            (Values{"nginx", "docker.io/library/nginx"}));
  // No ephemeral containers at all: nothing observed (the test's `missing:`).
  p.set("containers", std::vector<std::string>{"ephemeral"});
  const auto none = run("pod-container", p, resourceOf(d));
  EXPECT_EQ(none.state, ProbeState::Evaluated);
  EXPECT_TRUE(none.observations.empty());
}

TEST(PodContainerProbe, InheritFromThePod) {
  const auto d = deployment();
  Params p = pathParams("securityContext.runAsNonRoot");
  p.set("inherit", jsonPath("securityContext.runAsNonRoot"));
  const auto result = run("pod-container", p, resourceOf(d));
  // web sets false itself; sidecar and init inherit the pod's true.
  EXPECT_EQ(values(result), (Values{"false", "true", "true"}));
  ASSERT_EQ(result.observations.size(), 3U);
  EXPECT_TRUE(result.observations[0].note.empty());
  EXPECT_EQ(result.observations[1].note,
            "inherited from the pod: spec.template.spec.securityContext.runAsNonRoot");
  EXPECT_EQ(result.observations[1].where,
            "spec.template.spec.containers[name=sidecar].securityContext.runAsNonRoot "
            "(deploy/web.yaml:23)");
  // A pod that sets nothing: each container without its own value is absent.
  auto bare = deployment();
  bare.doc["spec"]["template"]["spec"].erase("securityContext");
  k8s::classify(bare);
  const auto absent = run("pod-container", p, resourceOf(bare));
  EXPECT_EQ(values(absent), (Values{"false", "<absent>", "<absent>"}));
  EXPECT_EQ(absent.observations[2].display, "not set in container init nor on the pod");
}

TEST(PodContainerProbe, FanOutAndHostPortDefault) {
  auto d = deployment();
  Params p = pathParams("ports[*].hostPort");
  // No hostPort anywhere: every container is absent (web's port sets none either).
  EXPECT_EQ(values(run("pod-container", p, resourceOf(d))),
            (Values{"<absent>", "<absent>", "<absent>"}));
  // With hostNetwork the API sets hostPort to the containerPort; the value's own line wins
  // over its container's.
  d.doc["spec"]["template"]["spec"]["hostNetwork"] = true;
  k8s::classify(d);
  const auto defaulted = run("pod-container", p, resourceOf(d));
  EXPECT_EQ(values(defaulted), (Values{"80", "<absent>", "<absent>"}));
  EXPECT_EQ(defaulted.observations[0].display, "80 (API default)");
  EXPECT_EQ(defaulted.observations[0].where,
            "spec.template.spec.containers[name=web].ports[0].hostPort (deploy/web.yaml:21)");
}

TEST(PodContainerProbe, ImageNormalisers) {
  const auto p = object(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "i"},
    "spec": {"containers": [
      {"name": "a", "image": "docker.io/library/nginx"},
      {"name": "b", "image": "localhost:5000/x:1"},
      {"name": "c", "image": "reg.io/a/b@sha256:0123456789abcdef"},
      {"name": "d", "image": "nginx"},
      {"name": "e", "image": "gcr.io/proj/app:v2@sha256:00"},
      {"name": "f", "image": "team/app:1.0"}]}})",
                        "images.yaml");
  const auto normalised = [&](std::string_view how) {
    Params params = pathParams("image");
    params.set("normalise", std::string(how));
    return values(run("pod-container", params, resourceOf(p)));
  };
  EXPECT_EQ(normalised("image-registry"),
            (Values{"docker.io", "localhost:5000", "reg.io", "docker.io", "gcr.io", "docker.io"}));
  EXPECT_EQ(normalised("image-tag"), (Values{"", "1", "digest", "", "digest", "1.0"}));
  EXPECT_EQ(normalised("image-repository"),
            (Values{"library/nginx", "x", "a/b", "nginx", "proj/app", "team/app"}));
  EXPECT_EQ(normalised("none").front(), "docker.io/library/nginx");
}

TEST(PodContainerProbe, MalformedContainerList) {
  const auto p = object(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "m"},
                            "spec": {"containers": {"name": "web"}}})",
                        "m.yaml");
  const auto result = run("pod-container", pathParams("image"), resourceOf(p));
  EXPECT_NOT_EVALUATED(result, NotEvaluatedCause::Malformed);
  EXPECT_EQ(result.reason, "spec.containers is not a list");
}

// ---------------------------------------------------------------------------------------
// k8s-field

TEST(K8sFieldProbe, ObjectPathsKeysAndLowerCase) {
  const auto service = object(R"({"apiVersion": "v1", "kind": "Service",
      "metadata": {"name": "web", "namespace": "prod"},
      "spec": {"type": "NodePort", "ports": [{"name": "http", "nodePort": 30080}]}})",
                              "svc.yaml", 12);
  const auto type = run("k8s-field", pathParams("spec.type"), resourceOf(service));
  EXPECT_EQ(values(type), Values{"NodePort"});
  EXPECT_EQ(wheres(type), Values{"spec.type (svc.yaml:12)"});
  EXPECT_EQ(wheres(run("k8s-field", pathParams("spec.ports[*].nodePort"), resourceOf(service))),
            Values{"spec.ports[name=http].nodePort (svc.yaml:12)"});
  Params lower = pathParams("spec.type");
  lower.set("normalise", std::string("lower"));
  EXPECT_EQ(values(run("k8s-field", lower, resourceOf(service))), Values{"nodeport"});
  // On a workload the object is read as written, with the lines of its parts.
  const auto d = deployment();
  Params labels = pathParams("metadata.labels{*}");
  labels.set("key", regex("^App$"));
  const auto app = run("k8s-field", labels, resourceOf(d));
  EXPECT_EQ(values(app), Values{"Web"});
  EXPECT_EQ(wheres(app), Values{"metadata.labels.App (deploy/web.yaml:3)"});
  // The sourceless volume has no emptyDir here: raw, no API defaults.
  EXPECT_TRUE(run("k8s-field", pathParams("spec.template.spec.volumes[2].emptyDir"), resourceOf(d))
                  .observations.empty());
}

TEST(K8sFieldProbe, ApiObjectsHaveNoLocation) {
  auto service = object(R"({"apiVersion": "v1", "kind": "Service",
                            "metadata": {"name": "web", "namespace": "prod"},
                            "spec": {"type": "ClusterIP"}})",
                        "");
  EXPECT_EQ(wheres(run("k8s-field", pathParams("spec.type"), resourceOf(service))),
            Values{"spec.type"});
  service.state = state(FactStatus::PermissionDenied, "403");
  EXPECT_NOT_EVALUATED(run("k8s-field", pathParams("spec.type"), resourceOf(service)),
                       NotEvaluatedCause::PermissionDenied);
  Resource none;
  none.kind = ResourceKind::K8sObject;
  EXPECT_NOT_EVALUATED(run("k8s-field", pathParams("spec.type"), none),
                       NotEvaluatedCause::MissingInput);
}

// ---------------------------------------------------------------------------------------
// whole checks

Check load(std::string_view yaml) {
  core::Diagnostics diagnostics;
  auto check = loadCheck(yaml, "test.yaml", diagnostics);
  EXPECT_TRUE(check.has_value());
  for (const auto& d : diagnostics.sorted()) ADD_FAILURE() << d.where << ": " << d.detail;
  return check ? std::move(*check) : Check{};
}

constexpr std::string_view kPrivileged = R"(
id: BW-TST-103
title: Privileged containers
section: Pod Security Standards (baseline)
severity: critical
applies_to: {k8s-workload: evaluate}
rationale: r
remediation: r
tests:
  - probe: pod-container
    path: securityContext.privileged
    compare: ne
    value: "true"
    missing: pass
    expected: unset or false
)";

constexpr std::string_view kRunAsNonRoot = R"(
id: BW-TST-123
title: Containers may run as root
section: Pod Security Standards (restricted)
severity: medium
applies_to: {k8s-workload: evaluate}
rationale: r
remediation: r
tests:
  - probe: pod-field
    path: securityContext.runAsNonRoot
    compare: ne
    value: "false"
    missing: pass
    expected: pod-level runAsNonRoot not false
  - probe: pod-container
    path: securityContext.runAsNonRoot
    inherit: securityContext.runAsNonRoot
    compare: eq
    value: "true"
    missing: fail
    expected: every container runs with runAsNonRoot true
)";

constexpr std::string_view kAppArmor = R"(
id: BW-TST-107
title: AppArmor disabled
section: Pod Security Standards (baseline)
severity: high
applies_to: {k8s-workload: evaluate}
rationale: r
remediation: r
tests:
  - probe: pod-field
    scope: metadata
    path: annotations{*}
    key: '^container\.apparmor\.security\.beta\.kubernetes\.io/'
    compare: regex
    value: '^(runtime/default|localhost/.*)?$'
    missing: pass
    expected: runtime/default or localhost/*
)";

TEST(K8sChecks, PrivilegedInitContainerFails) {
  const Check check = load(kPrivileged);
  const auto d = deployment();
  const auto result = evaluateCheck(check, resourceOf(d));
  EXPECT_EQ(result.status, CheckStatus::Fail);
  ASSERT_EQ(result.evidence.size(), 1U);
  EXPECT_EQ(result.evidence[0].observed, "true");
  EXPECT_EQ(result.evidence[0].where,
            "spec.template.spec.initContainers[name=init].securityContext.privileged "
            "(deploy/web.yaml:14)");
  EXPECT_EQ(result.resource, "k8s:prod/Deployment/web");
  // Without the init container: web's false and the sidecar's unset both pass.
  auto fixed = deployment();
  fixed.doc["spec"]["template"]["spec"].erase("initContainers");
  k8s::classify(fixed);
  EXPECT_EQ(evaluateCheck(check, resourceOf(fixed)).status, CheckStatus::Pass);
  // A malformed object is not evaluated, never passed.
  fixed.state = state(FactStatus::Malformed, "duplicate key");
  const auto bad = evaluateCheck(check, resourceOf(fixed));
  EXPECT_EQ(bad.status, CheckStatus::NotEvaluated);
  EXPECT_EQ(bad.cause, NotEvaluatedCause::Malformed);
}

TEST(K8sChecks, RunAsNonRootOwnOrInherited) {
  const Check check = load(kRunAsNonRoot);
  auto d = deployment();
  // web sets false: fails with web named; the inheriting containers pass.
  const auto result = evaluateCheck(check, resourceOf(d));
  EXPECT_EQ(result.status, CheckStatus::Fail);
  ASSERT_EQ(result.evidence.size(), 1U);
  EXPECT_EQ(result.evidence[0].where,
            "spec.template.spec.containers[name=web].securityContext.runAsNonRoot "
            "(deploy/web.yaml:18)");
  d.doc["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsNonRoot"] = true;
  k8s::classify(d);
  EXPECT_EQ(evaluateCheck(check, resourceOf(d)).status, CheckStatus::Pass);
  // Nothing set on the pod: the sidecar (no value of its own) fails as absent.
  d.doc["spec"]["template"]["spec"].erase("securityContext");
  k8s::classify(d);
  const auto unset = evaluateCheck(check, resourceOf(d));
  EXPECT_EQ(unset.status, CheckStatus::Fail);
  ASSERT_EQ(unset.evidence.size(), 2U);
  EXPECT_EQ(unset.evidence[0].observed, "not set in container sidecar nor on the pod");
}

TEST(K8sChecks, AppArmorAnnotation) {
  const Check check = load(kAppArmor);
  auto d = deployment();
  const auto result = evaluateCheck(check, resourceOf(d));
  EXPECT_EQ(result.status, CheckStatus::Fail);
  ASSERT_EQ(result.evidence.size(), 1U);
  EXPECT_EQ(result.evidence[0].observed, "unconfined");
  d.doc["spec"]["template"]["metadata"]["annotations"].erase(
      "container.apparmor.security.beta.kubernetes.io/web");
  k8s::classify(d);
  EXPECT_EQ(evaluateCheck(check, resourceOf(d)).status, CheckStatus::Pass);
  // No annotations at all: nothing observed, `missing: pass`.
  d.doc["spec"]["template"].erase("metadata");
  k8s::classify(d);
  EXPECT_EQ(evaluateCheck(check, resourceOf(d)).status, CheckStatus::Pass);
}

}  // namespace
}  // namespace bulwark::checks::testing
