#include "model/package.h"

#include <tuple>

namespace bulwark::model {

std::string_view toString(PackageType type) {
  switch (type) {
    case PackageType::Deb: return "deb";
    case PackageType::Apk: return "apk";
    case PackageType::Rpm: return "rpm";
  }
  return "unknown";
}

std::string Package::fullVersion() const {
  std::string out;
  if (epoch) {
    out = std::to_string(*epoch) + ":";
  }
  out += version;
  if (!release.empty()) {
    out += "-";
    out += release;
  }
  return out;
}

bool packageLess(const Package& a, const Package& b) {
  return std::tie(a.type, a.name, a.version, a.release, a.epoch, a.arch, a.location.path,
                  a.location.layer_digest) < std::tie(b.type, b.name, b.version, b.release, b.epoch,
                                                      b.arch, b.location.path,
                                                      b.location.layer_digest);
}

}  // namespace bulwark::model
