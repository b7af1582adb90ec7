// The systemd units of Docker: the first existing of <root>/{etc,run,usr/lib,lib}/systemd/
// system/<unit> (the order systemd itself searches), without running systemctl.
#include <sys/stat.h>

#include "checks/docker/collect/collectors.h"

namespace bulwark::checks::docker::collect {

void collectSystemdUnits(const CollectOptions& options, Snapshot& snapshot) {
  for (const std::string_view unit : {"docker.service", "docker.socket", "containerd.service"}) {
    auto& paths = snapshot.host.paths["unit:" + std::string(unit)];
    paths.clear();
    for (const std::string_view dir : {"/etc", "/run", "/usr/lib", "/lib"}) {
      const std::string path = std::string(dir) + "/systemd/system/" + std::string(unit);
      struct stat info {};
      if (::stat(underRoot(options.host_root, path).c_str(), &info) == 0) {
        paths.push_back(path);
        break;
      }
    }
  }
}

}  // namespace bulwark::checks::docker::collect
