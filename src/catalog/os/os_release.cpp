#include "catalog/os/os_release.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "core/text.h"

namespace bulwark::catalog {

std::vector<std::string_view> osReleasePatterns() {
  return {
      "etc/os-release",        "usr/lib/os-release", "etc/alpine-release",  "etc/debian_version",
      "etc/redhat-release",    "etc/centos-release", "etc/fedora-release",  "etc/oracle-release",
      "etc/almalinux-release", "etc/rocky-release",  "etc/system-release",  "etc/lsb-release",
      "etc/SuSE-release",      "etc/photon-release", "etc/mariner-release", "etc/apk/repositories"};
}

std::map<std::string, std::string> parseOsRelease(std::string_view content) {
  std::map<std::string, std::string> out;
  core::forEachLine(content, [&](std::string_view line, std::size_t) {
    line = core::trim(line);
    if (line.empty() || line.front() == '#') return;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) return;
    const std::string key(core::trim(line.substr(0, eq)));
    std::string_view raw = core::trim(line.substr(eq + 1));
    std::string value;
    if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) {
      const char quote = raw.front();
      raw.remove_prefix(1);
      for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == quote) break;
        if (c == '\\' && quote == '"' && i + 1 < raw.size()) {
          value.push_back(raw[++i]);
          continue;
        }
        value.push_back(c);
      }
    } else {
      value = std::string(raw);
    }
    out[key] = std::move(value);
  });
  return out;
}

namespace {

std::string firstLine(std::string_view content) {
  const auto end = content.find('\n');
  return std::string(core::trim(content.substr(0, end)));
}

const std::string* fileContent(const image::FsView& fs, std::string_view path) {
  const image::FileEntry* entry = fs.resolve(path);
  if (entry == nullptr || entry->type != image::FileType::Regular) return nullptr;
  return &entry->content;
}

// "CentOS Linux release 7.9.2009 (Core)", "Red Hat Enterprise Linux Server release 7.9 (Maipo)",
// "Fedora release 29 (Twenty Nine)", "Oracle Linux Server release 7.6".
bool fromRedhatRelease(std::string_view line, model::Distro& distro) {
  static const std::regex kPattern(R"(^(.*?)\s+release\s+([0-9][0-9A-Za-z._-]*))");
  std::cmatch match;
  const std::string text(line);
  if (!std::regex_search(text.c_str(), match, kPattern)) return false;
  const std::string name = core::asciiLower(match[1].str());
  struct Known {
    std::string_view needle;
    std::string_view id;
  };
  static constexpr Known kKnown[] = {
      {"centos stream", "centos"}, {"centos", "centos"}, {"red hat", "rhel"},
      {"fedora", "fedora"},        {"oracle", "ol"},     {"almalinux", "almalinux"},
      {"rocky", "rocky"},          {"amazon", "amzn"},   {"scientific", "scientific"},
      {"cbl-mariner", "mariner"},  {"photon", "photon"}};
  for (const auto& known : kKnown) {
    if (name.find(known.needle) != std::string::npos) {
      distro.id = known.id;
      distro.version_id = match[2].str();
      distro.pretty_name = std::string(line);
      return true;
    }
  }
  return false;
}

// The branch an Alpine system installs from ("v3.16", "edge"), when every repository line of
// etc/apk/repositories names the same one: it decides which secdb branch applies, whatever
// alpine-release says (an image built FROM alpine:3.16 that added edge repositories is edge).
std::string alpineBranch(std::string_view repositories) {
  static const std::regex kBranch(R"(/alpine/(v[0-9]+\.[0-9]+|edge)/)");
  std::string branch;
  std::size_t start = 0;
  while (start < repositories.size()) {
    auto end = repositories.find('\n', start);
    if (end == std::string_view::npos) end = repositories.size();
    const std::string line(core::trim(repositories.substr(start, end - start)));
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    std::smatch match;
    if (!std::regex_search(line, match, kBranch)) continue;
    if (!branch.empty() && branch != match[1].str()) return {};  // mixed branches: undecided
    branch = match[1].str();
  }
  return branch;
}

}  // namespace

model::Distro detectDistro(const image::FsView& fs, core::Diagnostics& /*diagnostics*/) {
  model::Distro distro;
  for (const std::string_view path : {"etc/os-release", "usr/lib/os-release"}) {
    const std::string* content = fileContent(fs, path);
    if (content == nullptr) continue;
    auto fields = parseOsRelease(*content);
    if (fields["ID"].empty()) continue;
    distro.id = core::asciiLower(fields["ID"]);
    distro.version_id = fields["VERSION_ID"];
    distro.codename = fields["VERSION_CODENAME"];
    distro.pretty_name = fields["PRETTY_NAME"];
    distro.id_like = fields["ID_LIKE"];
    distro.source = std::string(path);
    break;
  }
  // Older or partial releases: fill what os-release lacks.
  if (const std::string* alpine = fileContent(fs, "etc/alpine-release");
      alpine != nullptr && (distro.id.empty() || distro.id == "alpine")) {
    distro.id = "alpine";
    if (distro.version_id.empty() || distro.source.empty()) {
      distro.version_id = firstLine(*alpine);
      if (distro.source.empty()) distro.source = "etc/alpine-release";
    }
  }
  if (distro.id == "alpine") {
    if (const std::string* repositories = fileContent(fs, "etc/apk/repositories")) {
      distro.codename = alpineBranch(*repositories);
    }
  }
  if (const std::string* debian = fileContent(fs, "etc/debian_version");
      debian != nullptr && (distro.id.empty() || distro.id == "debian")) {
    // Testing and sid have no VERSION_ID; debian_version says "bookworm/sid".
    if (distro.id.empty()) {
      distro.id = "debian";
      distro.source = "etc/debian_version";
    }
    if (distro.version_id.empty()) distro.version_id = firstLine(*debian);
  }
  if (distro.id.empty()) {
    for (const std::string_view path :
         {"etc/centos-release", "etc/almalinux-release", "etc/rocky-release", "etc/oracle-release",
          "etc/fedora-release", "etc/redhat-release", "etc/system-release", "etc/mariner-release",
          "etc/photon-release"}) {
      const std::string* content = fileContent(fs, path);
      if (content != nullptr && fromRedhatRelease(firstLine(*content), distro)) {
        distro.source = std::string(path);
        break;
      }
    }
  }
  if (distro.id.empty()) {
    if (const std::string* lsb = fileContent(fs, "etc/lsb-release")) {
      auto fields = parseOsRelease(*lsb);
      if (!fields["DISTRIB_ID"].empty()) {
        distro.id = core::asciiLower(fields["DISTRIB_ID"]);
        distro.version_id = fields["DISTRIB_RELEASE"];
        distro.codename = fields["DISTRIB_CODENAME"];
        distro.pretty_name = fields["DISTRIB_DESCRIPTION"];
        distro.source = "etc/lsb-release";
      }
    }
  }
  return distro;
}

}  // namespace bulwark::catalog
