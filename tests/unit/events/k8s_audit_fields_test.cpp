// The k8s_audit field table over crafted audit events: each field's path, the plugin's rules
// for lists, missing values and JSON rendering, and the places where we follow the plugin's
// documentation over its code (src/events/k8s_audit/fields.cpp).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "events/field.h"
#include "events/k8s_audit/audit_event.h"

namespace bulwark::events::k8s_audit {
namespace {

const FieldTable& table() { return *fieldTable(Source::K8sAudit); }

// Values of `name[arg]` for one event; nullopt when the field is missing.
class Extract {
 public:
  explicit Extract(std::string json) : json_(std::move(json)) {
    auto root = parser_.parse(json_);
    EXPECT_EQ(root.error(), simdjson::SUCCESS) << json_;
    event_payload_ = AuditEvent::of(root.value_unsafe(), 0);
    event_.payload = &event_payload_;
    event_.ts_ns = 1'540'475'929'736'141'000;
  }

  std::optional<std::vector<std::string>> operator()(std::string_view name,
                                                     std::string arg_text = "",
                                                     bool has_arg = false) {
    const FieldRow* row = table().find(name);
    EXPECT_NE(row, nullptr) << name;
    if (row == nullptr) return std::nullopt;
    const bool present = has_arg || !arg_text.empty();
    FieldArg arg{std::move(arg_text), present, -1};
    EXPECT_EQ(checkFieldArg(*row, arg), "") << name;
    Values values;
    row->extract(event_, *row, arg, values);
    if (values.empty()) return std::nullopt;
    return std::vector<std::string>(values.items().begin(), values.items().end());
  }

 private:
  std::string json_;
  simdjson::dom::parser parser_;
  AuditEvent event_payload_;
  Event event_;
};

using Strings = std::vector<std::string>;

constexpr const char* kPod = R"({
  "kind": "Event", "auditID": "a1", "stage": "ResponseComplete", "verb": "create",
  "requestURI": "/api/v1/namespaces/default/pods/p/exec?command=bash&command=-i&container=c%2B1&stdin=true",
  "user": {"username": "alice", "groups": ["dev", "system:authenticated"]},
  "sourceIPs": ["10.0.0.1", "10.0.0.2"],
  "objectRef": {"resource": "pods", "namespace": "default", "name": "p"},
  "responseStatus": {"code": 201},
  "annotations": {"authorization.k8s.io/decision": "allow"},
  "requestObject": {"spec": {
    "hostNetwork": true,
    "securityContext": {"runAsUser": 1000},
    "containers": [
      {"name": "a", "image": "registry:5000/team/app:1.2@sha256:ab",
       "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_ADMIN"]}},
       "ports": [{"containerPort": 80}, {"containerPort": 443, "hostPort": 8443}]},
      {"name": "b", "image": "nginx", "securityContext": {"runAsUser": 0}}
    ],
    "initContainers": [{"name": "init", "image": "busybox:1"}],
    "volumes": [{"name": "etc", "hostPath": {"path": "/etc/ssl", "type": ""}},
                {"name": "cm", "configMap": {"name": "x"}}]
  }},
  "responseObject": {"metadata": {"name": "p"}},
  "stageTimestamp": "2018-10-25T13:58:49.736141Z"
})";

TEST(K8sAuditFields, TableIsSortedAndFindsLongestNames) {
  const auto rows = table().rows;
  ASSERT_GT(rows.size(), 90U);
  for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_LT(rows[i - 1].name, rows[i].name);
  EXPECT_EQ(table().longestPrefix("ka.req.pod.containers.image.repository)")->name,
            "ka.req.pod.containers.image.repository");
  EXPECT_EQ(table().longestPrefix("ka.req.pod.containers.image,")->name,
            "ka.req.pod.containers.image");
  EXPECT_EQ(table().longestPrefix("ka.verbose"), nullptr);
  EXPECT_EQ(table().longestPrefix("ka.verb."), table().find("ka.verb"));
  EXPECT_EQ(fieldTable(Source::Syscall)->source, Source::Syscall);
}

TEST(K8sAuditFields, ScalarsAndListsFromTheirPaths) {
  Extract get(kPod);
  EXPECT_EQ(get("ka.verb"), Strings{"create"});
  EXPECT_EQ(get("ka.user.name"), Strings{"alice"});
  EXPECT_EQ(get("ka.user.groups"), (Strings{"dev", "system:authenticated"}));
  EXPECT_EQ(get("ka.sourceips", "1"), Strings{"10.0.0.2"});
  EXPECT_EQ(get("ka.sourceips", "7"), std::nullopt);
  EXPECT_EQ(get("ka.auth.decision"), Strings{"allow"});
  EXPECT_EQ(get("ka.auth.reason"), std::nullopt);
  // Non-strings are their JSON text.
  EXPECT_EQ(get("ka.response.code"), Strings{"201"});
  EXPECT_EQ(get("ka.req.pod.host_network"), Strings{"true"});
  EXPECT_EQ(get("ka.req.pod.host_pid"), std::nullopt);
  EXPECT_EQ(get("ka.target.pod.name"), Strings{"p"});
  EXPECT_EQ(get("jevt.rawtime"), Strings{"1540475929736141000"});
}

TEST(K8sAuditFields, ContainersFollowThePluginsRules) {
  Extract get(kPod);
  EXPECT_EQ(get("ka.req.pod.containers.name"), (Strings{"a", "b"}));
  EXPECT_EQ(get("ka.req.pod.containers.image", "1"), Strings{"nginx"});
  // The repository keeps a registry's port; tag and digest go.
  EXPECT_EQ(get("ka.req.pod.containers.image.repository"),
            (Strings{"registry:5000/team/app", "nginx"}));
  EXPECT_EQ(get("ka.req.container.image.repository"), Strings{"registry:5000/team/app"});
  EXPECT_EQ(get("ka.req.pod.initContainers.image.repository"), Strings{"busybox"});
  EXPECT_EQ(get("ka.req.pod.ephemeralContainers.image"), std::nullopt);
  // Containers that do not set a value are skipped …
  EXPECT_EQ(get("ka.req.pod.containers.privileged"), Strings{"true"});
  EXPECT_EQ(get("ka.req.container.privileged"), Strings{"true"});
  EXPECT_EQ(get("ka.req.pod.containers.add_capabilities"), Strings{R"(["SYS_ADMIN"])"});
  // … but the effective uid falls back to the pod's, then 0.
  EXPECT_EQ(get("ka.req.pod.containers.eff_run_as_user"), (Strings{"1000", "0"}));
  EXPECT_EQ(get("ka.req.pod.initContainers.eff_run_as_user"), Strings{"1000"});
  EXPECT_EQ(get("ka.req.pod.containers.host_port"), (Strings{"80", "8443"}));
}

TEST(K8sAuditFields, OneContainerWithoutAnImageMakesImagesMissing) {
  Extract get(R"({"auditID": "x", "requestObject": {"spec": {"containers": [
    {"name": "a", "image": "nginx"}, {"name": "b"}]}}})");
  EXPECT_EQ(get("ka.req.pod.containers.image"), std::nullopt);
  EXPECT_EQ(get("ka.req.pod.containers.image", "0"), Strings{"nginx"});
  EXPECT_EQ(get("ka.req.container.privileged"), Strings{"false"});
  EXPECT_EQ(get("ka.req.pod.containers.privileged"), std::nullopt);
  EXPECT_EQ(get("ka.req.pod.containers.eff_run_as_user"), (Strings{"0", "0"}));
}

TEST(K8sAuditFields, Volumes) {
  Extract get(kPod);
  EXPECT_EQ(get("ka.req.pod.volumes.hostpath"), Strings{"/etc/ssl"});
  EXPECT_EQ(get("ka.req.pod.volumes.volume_type"), (Strings{"hostPath", "configMap"}));
  EXPECT_EQ(get("ka.req.volume.hostpath", "/etc*"), Strings{"true"});
  EXPECT_EQ(get("ka.req.volume.hostpath", "/etc"), Strings{"false"});
  EXPECT_EQ(get("ka.req.volume.hostpath", "/etc/ssl"), Strings{"true"});
}

TEST(K8sAuditFields, UriParametersAreDecodedAndTheFirstWins) {
  Extract get(kPod);
  EXPECT_EQ(get("ka.uri.param", "command"), Strings{"bash"});
  EXPECT_EQ(get("ka.uri.param", "container"), Strings{"c+1"});
  EXPECT_EQ(get("ka.uri.param", "tty"), std::nullopt);
}

TEST(K8sAuditFields, RolesAndBindings) {
  Extract get(R"({"auditID": "x", "requestObject": {
    "rules": [{"apiGroups": [""], "resources": ["pods", "pods/exec"], "verbs": ["get"]},
              {"nonResourceURLs": ["/healthz"], "verbs": ["get", "*"]}],
    "roleRef": {"name": "cluster-admin"},
    "subjects": [{"kind": "User", "name": "bob"}, {"kind": "Group", "name": "ops"},
                 {"kind": "ServiceAccount", "name": "sa", "namespace": "kube-system"}]}})");
  EXPECT_EQ(get("ka.req.role.rules.verbs"), (Strings{"get", "get", "*"}));
  EXPECT_EQ(get("ka.req.role.rules.verbs", "1"), (Strings{"get", "*"}));
  EXPECT_EQ(get("ka.req.role.rules.resources"), (Strings{"pods", "pods/exec"}));
  EXPECT_EQ(get("ka.req.role.rules")->size(), 2U);
  EXPECT_EQ(get("ka.req.binding.role"), Strings{"cluster-admin"});
  EXPECT_EQ(get("ka.req.binding.subjects.user_names"), Strings{"bob"});
  EXPECT_EQ(get("ka.req.binding.subjects.group_names"), Strings{"ops"});
  EXPECT_EQ(get("ka.req.binding.subjects.serviceaccount_names"), Strings{"sa"});
  EXPECT_EQ(get("ka.req.binding.subjects.serviceaccount_ns_names"), Strings{"kube-system:sa"});
  EXPECT_EQ(get("ka.req.binding.subject.has_name", "cluster-admin"), Strings{"true"});
}

TEST(K8sAuditFields, WithoutAuditIdOnlyJsonFieldsAnswer) {
  Extract get(R"({"kind": "Event", "verb": "get", "a/b": {"~c": 5}})");
  EXPECT_EQ(get("ka.verb"), std::nullopt);
  EXPECT_EQ(get("jevt.value", "/verb"), Strings{"get"});
  EXPECT_EQ(get("json.value", "/a~1b/~0c"), Strings{"5"});
  EXPECT_EQ(get("jevt.value", "/missing"), std::nullopt);
  EXPECT_EQ(get("jevt.obj"), Strings{R"({"kind":"Event","verb":"get","a/b":{"~c":5}})"});
}

TEST(K8sAuditFields, ArgumentsAreChecked) {
  FieldArg none;
  EXPECT_NE(checkFieldArg(*table().find("ka.uri.param"), none), "");
  FieldArg word{"x", true, -1};
  EXPECT_NE(checkFieldArg(*table().find("ka.req.pod.containers.image"), word), "");
  EXPECT_NE(checkFieldArg(*table().find("ka.verb"), word), "");
  FieldArg index{"2", true, -1};
  EXPECT_EQ(checkFieldArg(*table().find("ka.req.pod.containers.image"), index), "");
  EXPECT_EQ(index.index, 2);
}

}  // namespace
}  // namespace bulwark::events::k8s_audit
