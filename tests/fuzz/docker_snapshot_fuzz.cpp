// Fuzzes readSnapshot: nothing may crash, every fact that is not ok carries no document, and
// what the writer prints reads back (or hits a limit: the writer may wrap a document once more).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "checks/docker/snapshot.h"

namespace docker = bulwark::checks::docker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  docker::SnapshotLimits limits;
  limits.max_containers = 50;
  limits.max_images = 50;
  limits.max_audit_rules = 200;
  limits.max_files = 100;
  bulwark::core::Diagnostics diagnostics;
  auto snapshot = docker::readSnapshot(text, diagnostics, limits);
  if (!snapshot) return 0;
  if (snapshot->engine.containers.size() > limits.max_containers) std::abort();
  if (snapshot->host.files.size() > limits.max_files) std::abort();
  for (const auto& container : snapshot->engine.containers) {
    if (!container.inspect.state.ok() && !container.inspect.doc.is_null()) std::abort();
  }
  if (!snapshot->engine.info.state.ok() && !snapshot->engine.info.doc.is_null()) std::abort();
  const auto written = docker::writeSnapshot(*snapshot);
  bulwark::core::Diagnostics again_diagnostics;
  const auto again = docker::readSnapshot(written, again_diagnostics);
  if (!again && again.error().code != bulwark::core::ErrorCode::Limit) std::abort();
  return 0;
}
