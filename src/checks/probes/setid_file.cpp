// setid-file: setuid and setgid regular files in an image's layers, from the metadata scan
// (checks::MetadataScanner). Value: the mode in octal. A Dockerfile does not say what modes
// files end up with; an image whose layers were not scanned cannot say either.
#include <fmt/format.h>

#include "checks/probes/common.h"

namespace bulwark::checks {

namespace {

ProbeResult evaluateSetidFile(const Params& /*params*/, const Resource& resource) {
  if (resource.kind != ResourceKind::Image) {
    return ProbeResult::notEvaluated("file modes are only known in a built image");
  }
  if (resource.files == nullptr || !resource.files->scanned) {
    return ProbeResult::notEvaluated("the image's layer files were not scanned");
  }
  ProbeResult result;
  for (const auto& file : resource.files->setid_files) {
    result.observations.push_back({{fmt::format("{:o}", file.mode & 07777)},
                                   false,
                                   false,
                                   fmt::format("/{} (mode {:04o})", file.path, file.mode & 07777),
                                   "layer " + file.layer,
                                   {}});
  }
  return result;
}

}  // namespace

const ProbeKind& setidFileProbe() {
  static const ProbeKind kKind{
      "setid-file", "setuid/setgid files in the image's layers", {}, &evaluateSetidFile, false};
  return kKind;
}

}  // namespace bulwark::checks
