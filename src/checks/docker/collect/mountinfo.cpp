// The mount table: /proc/self/mountinfo (with a host root, <root>/proc/1/mountinfo).
#include "checks/docker/collect/collectors.h"
#include "checks/docker/collect/host_facts.h"
#include "core/text.h"

namespace bulwark::checks::docker::collect {
namespace {

constexpr std::size_t kMaxMountinfo = 16u << 20;

bool isOctal(char c) { return c >= '0' && c <= '7'; }

// The fields of one mountinfo line: before " - " (id parent dev root point options optional…)
// and after it (fstype source superoptions).
struct MountLine {
  std::vector<std::string_view> before, after;
};

std::optional<MountLine> splitMountLine(std::string_view line) {
  MountLine out;
  bool separator = false;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i == start) break;
    const std::string_view field = line.substr(start, i - start);
    if (!separator && field == "-") {
      separator = true;
      continue;
    }
    (separator ? out.after : out.before).push_back(field);
  }
  if (!separator || out.before.size() < 6 || out.after.size() < 2) return std::nullopt;
  return out;
}

}  // namespace

std::string decodeOctalEscapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && isOctal(text[i + 1]) && isOctal(text[i + 2]) &&
        isOctal(text[i + 3])) {
      const int value =
          ((text[i + 1] - '0') << 6) | ((text[i + 2] - '0') << 3) | (text[i + 3] - '0');
      out.push_back(static_cast<char>(value & 0xff));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::vector<Mount> parseMountinfo(std::string_view text, std::string_view where,
                                  core::Diagnostics& diagnostics) {
  std::vector<Mount> mounts;
  std::size_t bad = 0;
  core::forEachLine(text, [&](std::string_view line, std::size_t number) {
    if (core::trim(line).empty() || mounts.size() >= kMaxMounts) return;
    const auto fields = splitMountLine(line);
    if (!fields) {
      if (++bad <= 10) {
        diagnostics.add("mountinfo.malformed-line", fmt::format("{}:{}", where, number),
                        "not a mountinfo line");
      }
      return;
    }
    mounts.push_back(Mount{decodeOctalEscapes(fields->before[4]),
                           decodeOctalEscapes(fields->after[0]),
                           decodeOctalEscapes(fields->after[1])});
  });
  return mounts;
}

std::optional<std::string> mountSuperOptions(std::string_view mountinfo, std::string_view point) {
  std::optional<std::string> found;
  core::forEachLine(mountinfo, [&](std::string_view line, std::size_t) {
    const auto fields = splitMountLine(line);
    if (!fields || decodeOctalEscapes(fields->before[4]) != point) return;
    found = fields->after.size() >= 3 ? std::string(fields->after[2]) : std::string();
  });
  return found;  // the last mount on `point` is the one visible
}

void collectMountinfo(const CollectOptions& options, Snapshot& snapshot,
                      core::Diagnostics& diagnostics) {
  auto& mountinfo = snapshot.host.mountinfo;
  const bool on_host = options.host_root.empty() || options.host_root == "/";
  const auto path = on_host ? std::filesystem::path("/proc/self/mountinfo")
                            : underRoot(options.host_root, "/proc/1/mountinfo");
  const FileRead read = readHostFile(path, kMaxMountinfo);
  mountinfo.state = read.state;
  mountinfo.mounts.clear();
  if (!read.state.ok()) return;
  mountinfo.mounts = parseMountinfo(read.text, path.string(), diagnostics);
}

}  // namespace bulwark::checks::docker::collect
