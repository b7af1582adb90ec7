#include "events/event.h"

namespace bulwark::events {

std::string_view toString(Source source) {
  switch (source) {
    case Source::Syscall: return "syscall";
    case Source::K8sAudit: return "k8s_audit";
  }
  return "unknown";
}

bool parseSource(std::string_view name, Source& out) {
  if (name == "syscall") {
    out = Source::Syscall;
    return true;
  }
  if (name == "k8s_audit") {
    out = Source::K8sAudit;
    return true;
  }
  return false;
}

}  // namespace bulwark::events
