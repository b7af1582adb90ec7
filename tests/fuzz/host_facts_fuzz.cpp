// Fuzzes the pure host-file parsers of the Docker collectors; the first byte selects one.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checks/docker/collect/host_facts.h"

using namespace bulwark::checks::docker::collect;  // NOLINT(google-build-using-namespace)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  bulwark::core::Diagnostics diagnostics;
  switch (data[0] % 10) {
    case 0: (void)parseAuditRules(text, "fuzz", diagnostics); break;
    case 1:
      (void)parseMountinfo(text, "fuzz", diagnostics);
      (void)mountSuperOptions(text, "/proc");
      break;
    case 2: (void)parseProcNetTcp(text, "tcp", "fuzz", diagnostics); break;
    case 3: (void)parseProcNetTcp(text, "tcp6", "fuzz", diagnostics); break;
    case 4: (void)parseGroupFile(text, "fuzz", diagnostics); break;
    case 5: (void)parsePasswdFile(text); break;
    case 6: {
      const auto argv = splitCmdline(text);
      (void)configFileFlag(argv);
      (void)hostFlagSockets(argv);
      break;
    }
    case 7:
      (void)parseCgroupPath(text);
      (void)parsePidList(text, 4096);
      break;
    case 8:
      (void)parseStatusUid(text);
      (void)decodeOctalEscapes(text);
      break;
    default: (void)selfContainerId(text, text); break;
  }
  return 0;
}
