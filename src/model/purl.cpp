#include "model/purl.h"

#include <fmt/format.h>

namespace bulwark::model {

std::string purlEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~' || c == '+';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

namespace {

// The purl namespace of an OS package: the distribution, lower case; "redhat" for RHEL as
// the purl spec's examples write it.
std::string namespaceFor(const Package& package, const Distro& distro) {
  if (!distro.id.empty()) {
    if (distro.id == "rhel") return "redhat";
    return distro.id;
  }
  switch (package.type) {
    case PackageType::Deb: return "debian";
    case PackageType::Apk: return "alpine";
    case PackageType::Rpm: return "redhat";
  }
  return "unknown";
}

}  // namespace

std::string purl(const Package& package, const Distro& distro) {
  std::string out =
      fmt::format("pkg:{}/{}/{}@", toString(package.type),
                  purlEncode(namespaceFor(package, distro)), purlEncode(package.name));
  out += purlEncode(package.version);
  if (!package.release.empty()) {
    out += '-';
    out += purlEncode(package.release);
  }
  // Keys in lexical order: arch, distro, epoch.
  char separator = '?';
  auto qualifier = [&](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    out += separator;
    out += key;
    out += '=';
    out += purlEncode(value);
    separator = '&';
  };
  qualifier("arch", package.arch);
  if (distro.known()) {
    qualifier("distro",
              distro.version_id.empty() ? distro.id : distro.id + "-" + distro.version_id);
  }
  if (package.epoch && *package.epoch != 0) qualifier("epoch", std::to_string(*package.epoch));
  return out;
}

}  // namespace bulwark::model
