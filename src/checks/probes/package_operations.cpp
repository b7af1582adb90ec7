// package-operations: for each RUN that drives a package manager, the list of what it does as
// "manager:action" — action "update" for an index refresh (apt-get update, apk update, dnf
// makecache), "install" for anything that installs or upgrades, else the verb as written.
#include "checks/probes/common.h"

namespace bulwark::checks {

namespace {

ProbeResult evaluatePackageOperations(const Params& /*params*/, const Resource& resource) {
  ProbeResult result;
  for (const auto& run : probes::runCommands(resource)) {
    Observation o;
    o.is_list = true;
    for (const auto& command : run.commands) {
      const auto package = probes::packageCommand(command);
      if (!package) continue;
      std::string op = package->manager + ":" + package->action;
      // `apk add --update` / `apk --update-cache add` refresh and install in one command.
      if (std::find(o.values.begin(), o.values.end(), op) == o.values.end()) {
        o.values.push_back(std::move(op));
      }
    }
    if (o.values.empty()) continue;
    o.display = "RUN " + probes::shorten(run.script);
    o.where = resource.where(*run.instruction);
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& packageOperationsProbe() {
  static const ProbeKind kKind{"package-operations",
                               "what each RUN asks package managers to do (manager:action)",
                               {},
                               &evaluatePackageOperations};
  return kKind;
}

}  // namespace bulwark::checks
