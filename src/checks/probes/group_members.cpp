// group-members: the members of the group that owns the Docker socket — `group` (default: the
// daemon's effective `group` option, "docker"), as the host's /etc/group lists them. One
// observation per member; a group that does not exist, or has no members, gives nothing
// observed. Only the group the collector read can be answered: another name is not evaluated.
#include <fmt/format.h>

#include "checks/docker/daemon_config.h"
#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr ParamSpec kParams[] = {
    {"group", ParamType::String, false,
     "the group (default: dockerd's effective `group` option, normally docker)"},
};

// The group the check asks about: the parameter, else the daemon's effective option when it is
// known, else the group the collector read.
std::string wantedGroup(const Params& params, const Resource& resource,
                        const docker::Snapshot::Host::Group& collected) {
  if (params.has("group")) return std::string(params.string("group"));
  if (resource.daemon != nullptr) {
    const docker::OptionValue* option = resource.daemon->find("group");
    if (option != nullptr && option->origin != docker::OptionValue::Origin::Unknown &&
        option->values.size() == 1 && !option->values.front().empty()) {
      return option->values.front();
    }
  }
  return collected.name;
}

ProbeResult evaluateGroupMembers(const Params& params, const Resource& resource) {
  if (resource.snapshot == nullptr) return probes::noInput("Docker host snapshot");
  const auto& group = resource.snapshot->host.docker_group;
  const std::string name = wantedGroup(params, resource, group);
  const std::string source =
      group.state.source.empty() ? std::string("/etc/group") : group.state.source;
  const bool missing = group.state.status == docker::FactStatus::Missing;
  if (!group.state.ok() && !missing) {
    return probes::notEvaluatedFor(fmt::format("group {}", group.name), group.state);
  }
  if (name != group.name) {
    return ProbeResult::notEvaluated(
        fmt::format("the members of group {} were not collected (only {})", name, group.name),
        model::NotEvaluatedCause::MissingInput);
  }
  ProbeResult result;
  result.looked_at = group.state.source.empty()
                         ? fmt::format("group {}", name)
                         : fmt::format("{} group {}", group.state.source, name);
  if (missing || !group.exists) return result;
  for (const auto& member : group.members) {
    Observation o;
    o.values = {member};
    o.display = fmt::format("{} is a member of {}", member, name);
    o.where = fmt::format("{} group {}", source, name);
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& groupMembersProbe() {
  static const ProbeKind kKind{"group-members", "members of the Docker socket's group", kParams,
                               &evaluateGroupMembers, false};
  return kKind;
}

}  // namespace bulwark::checks
