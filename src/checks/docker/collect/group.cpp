// The docker group (or dockerd's effective `group` option) from <root>/etc/group, not NSS, so
// that a host root is read as that host sees it.
#include <algorithm>

#include "checks/docker/collect/collectors.h"
#include "checks/docker/collect/host_facts.h"
#include "core/text.h"

namespace bulwark::checks::docker::collect {
namespace {

constexpr std::size_t kMaxAccountsFile = 16u << 20;
constexpr std::size_t kMaxEntries = 1'000'000;

}  // namespace

std::vector<GroupEntry> parseGroupFile(std::string_view text, std::string_view where,
                                       core::Diagnostics& diagnostics) {
  std::vector<GroupEntry> groups;
  std::size_t bad = 0;
  core::forEachLine(text, [&](std::string_view line, std::size_t number) {
    if (groups.size() >= kMaxEntries) return;
    const std::string_view trimmed = core::trim(line);
    if (trimmed.empty() || trimmed.front() == '#') return;
    if (trimmed.front() == '+' || trimmed.front() == '-') return;  // NIS compat entries
    const auto fields = core::split(line, ':');
    const auto gid = fields.size() == 4 ? core::parseUnsigned(fields[2]) : std::nullopt;
    if (fields.size() != 4 || fields[0].empty() || !gid || *gid > 0xffffffffULL) {
      if (++bad <= 10) {
        diagnostics.add("group.malformed-line", fmt::format("{}:{}", where, number),
                        "not name:password:gid:members");
      }
      return;
    }
    GroupEntry entry;
    entry.name = std::string(fields[0]);
    entry.gid = static_cast<std::uint32_t>(*gid);
    if (!fields[3].empty()) {
      for (const auto member : core::split(fields[3], ',')) {
        const auto name = core::trim(member);
        if (!name.empty()) entry.members.emplace_back(name);
      }
    }
    groups.push_back(std::move(entry));
  });
  return groups;
}

std::map<std::uint32_t, std::string> parsePasswdFile(std::string_view text) {
  std::map<std::uint32_t, std::string> users;
  core::forEachLine(text, [&](std::string_view line, std::size_t) {
    if (users.size() >= kMaxEntries) return;
    const auto fields = core::split(line, ':');
    if (fields.size() < 4 || fields[0].empty()) return;
    const auto uid = core::parseUnsigned(fields[2]);
    if (!uid || *uid > 0xffffffffULL) return;
    users.emplace(static_cast<std::uint32_t>(*uid), std::string(fields[0]));
  });
  return users;
}

void collectDockerGroup(const CollectOptions& options, std::string_view group_name,
                        Snapshot& snapshot, core::Diagnostics& diagnostics) {
  auto& group = snapshot.host.docker_group;
  group = {};
  group.name = group_name.empty() ? std::string("docker") : std::string(group_name);
  const auto path = underRoot(options.host_root, "/etc/group");
  const FileRead read = readHostFile(path, kMaxAccountsFile);
  group.state = read.state;
  if (!read.state.ok()) return;
  for (auto& entry : parseGroupFile(read.text, path.string(), diagnostics)) {
    if (entry.name != group.name) continue;
    group.exists = true;
    group.members = std::move(entry.members);
    std::sort(group.members.begin(), group.members.end());
    group.members.erase(std::unique(group.members.begin(), group.members.end()),
                        group.members.end());
    return;
  }
  group.state.status = FactStatus::Missing;
  group.state.detail = fmt::format("no group {}", core::printable(group.name));
}

}  // namespace bulwark::checks::docker::collect
