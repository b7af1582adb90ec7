// rbac-subject: the subjects of a RoleBinding or ClusterRoleBinding, one observation each:
// `qualified` (User:alice, Group:system:authenticated, ServiceAccount:prod/web — a service
// account's namespace defaults to the binding's), or only its `kind` or `name`. `where` is
// subjects[i] with the binding's manifest line. A binding without subjects observes nothing.
#include <fmt/format.h>

#include "checks/k8s/rbac.h"
#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kFields[] = {"qualified", "kind", "name"};

constexpr ParamSpec kParams[] = {
    {"field", ParamType::String, false,
     "qualified (default): Kind:name, ServiceAccount:ns/name; kind; name", kFields},
};

ProbeResult evaluateRbacSubject(const Params& params, const Resource& resource) {
  auto found = probes::k8sObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  const k8s::Object& object = *std::get<const k8s::Object*>(found);
  if (object.kind != "RoleBinding" && object.kind != "ClusterRoleBinding") {
    return ProbeResult::notApplicable(fmt::format("{} is not a binding", object.kind));
  }
  const auto subjects = k8s::subjectsOf(object);
  if (!subjects) {
    return ProbeResult::notEvaluated("subjects is not a list", model::NotEvaluatedCause::Malformed);
  }
  const std::string_view field = params.string("field", "qualified");
  ProbeResult result;
  result.looked_at = "subjects" + object.locationSuffix("subjects");
  // A subject that is not an object cannot be judged: unknown, never skipped.
  std::size_t next = 0;
  const auto unreadable = [&](std::size_t until) {
    for (; next < until; ++next) {
      Observation o;
      o.unknown = true;
      const std::string where = fmt::format("subjects[{}]", next);
      o.note = where + " is not an object";
      o.where = where + object.locationSuffix(where);
      result.observations.push_back(std::move(o));
    }
  };
  for (const k8s::Subject& subject : *subjects) {
    unreadable(subject.index);
    next = subject.index + 1;
    Observation o;
    o.values = {field == "kind"   ? subject.kind
                : field == "name" ? subject.name
                                  : subject.qualified()};
    o.display = probes::shown(o.values.front());
    const std::string where = fmt::format("subjects[{}]", subject.index);
    o.where = where + object.locationSuffix(where);
    result.observations.push_back(std::move(o));
  }
  const auto listed = object.doc.find("subjects");
  if (listed != object.doc.end() && listed->is_array()) unreadable(listed->size());
  return result;
}

}  // namespace

const ProbeKind& rbacSubjectProbe() {
  static const ProbeKind kKind{"rbac-subject", "the subjects a binding grants its role to", kParams,
                               &evaluateRbacSubject, false};
  return kKind;
}

}  // namespace bulwark::checks
