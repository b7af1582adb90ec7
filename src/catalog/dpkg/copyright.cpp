#include "catalog/dpkg/copyright.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "core/text.h"

namespace bulwark::catalog {

namespace {

constexpr std::size_t kMaxLicenses = 32;

struct Mapping {
  std::string_view debian;
  std::string_view spdx;
};

// Debian's short names (DEP-5 §"License short name") with an exact SPDX equivalent.
constexpr std::array<Mapping, 34> kMappings = {{
    {"apache-2", "Apache-2.0"},
    {"apache-2.0", "Apache-2.0"},
    {"artistic", "Artistic-1.0"},
    {"artistic-2.0", "Artistic-2.0"},
    {"bsd-2-clause", "BSD-2-Clause"},
    {"bsd-3-clause", "BSD-3-Clause"},
    {"bsd-4-clause", "BSD-4-Clause"},
    {"cc0-1.0", "CC0-1.0"},
    {"expat", "MIT"},
    {"mit", "MIT"},
    {"gfdl-1.2", "GFDL-1.2-only"},
    {"gfdl-1.2+", "GFDL-1.2-or-later"},
    {"gfdl-1.3", "GFDL-1.3-only"},
    {"gfdl-1.3+", "GFDL-1.3-or-later"},
    {"gpl-1", "GPL-1.0-only"},
    {"gpl-1+", "GPL-1.0-or-later"},
    {"gpl-2", "GPL-2.0-only"},
    {"gpl-2+", "GPL-2.0-or-later"},
    {"gpl-3", "GPL-3.0-only"},
    {"gpl-3+", "GPL-3.0-or-later"},
    {"isc", "ISC"},
    {"lgpl-2", "LGPL-2.0-only"},
    {"lgpl-2+", "LGPL-2.0-or-later"},
    {"lgpl-2.1", "LGPL-2.1-only"},
    {"lgpl-2.1+", "LGPL-2.1-or-later"},
    {"lgpl-3", "LGPL-3.0-only"},
    {"lgpl-3+", "LGPL-3.0-or-later"},
    {"mpl-1.1", "MPL-1.1"},
    {"mpl-2.0", "MPL-2.0"},
    {"zlib", "Zlib"},
    {"gplv2+", "GPL-2.0-or-later"},
    {"gplv3+", "GPL-3.0-or-later"},
    {"lgplv2.1+", "LGPL-2.1-or-later"},
    {"lgplv3+", "LGPL-3.0-or-later"},
}};

std::string mapOne(std::string_view name) {
  const std::string key = core::asciiLower(core::trim(name));
  for (const auto& mapping : kMappings) {
    if (mapping.debian == key) return std::string(mapping.spdx);
  }
  return std::string(core::trim(name));
}

void addUnique(std::vector<std::string>& out, std::string license) {
  if (license.empty() || out.size() >= kMaxLicenses) return;
  if (std::find(out.begin(), out.end(), license) == out.end()) out.push_back(std::move(license));
}

}  // namespace

std::string spdxFromDebian(std::string_view name) {
  // "GPL-1+ or Artistic" → "GPL-1.0-or-later OR Artistic-1.0"
  const std::string text(core::trim(name));
  const std::string folded = core::asciiLower(text);
  std::string out;
  std::string_view joiner;  // the operator before the current part
  std::size_t start = 0;
  while (true) {
    std::size_t next = std::string::npos;
    std::string_view op;
    for (const std::string_view candidate : {" or ", " and "}) {
      const auto pos = folded.find(candidate, start);
      if (pos != std::string::npos && pos < next) {
        next = pos;
        op = candidate;
      }
    }
    if (!joiner.empty()) out += joiner == " and " ? " AND " : " OR ";
    out += mapOne(
        std::string_view(text).substr(start, next == std::string::npos ? next : next - start));
    if (next == std::string::npos) break;
    start = next + op.size();
    joiner = op;
  }
  return out;
}

std::vector<std::string> licensesFromCopyright(std::string_view copyright) {
  std::vector<std::string> out;
  core::forEachLine(copyright, [&](std::string_view line, std::size_t) {
    if (line.substr(0, 8) != "License:") return;
    const std::string_view value = core::trim(line.substr(8));
    if (!value.empty()) addUnique(out, spdxFromDebian(value));
  });
  if (!out.empty()) return out;
  // Older, free-form copyright files name the licenses Debian ships in common-licenses.
  constexpr std::string_view kCommon = "/usr/share/common-licenses/";
  for (std::size_t pos = copyright.find(kCommon); pos != std::string_view::npos;
       pos = copyright.find(kCommon, pos + 1)) {
    std::size_t end = pos + kCommon.size();
    while (end < copyright.size() &&
           (std::isalnum(static_cast<unsigned char>(copyright[end])) != 0 ||
            copyright[end] == '-' || copyright[end] == '.' || copyright[end] == '+' ||
            copyright[end] == '_')) {
      ++end;
    }
    std::string_view name = copyright.substr(pos + kCommon.size(), end - pos - kCommon.size());
    while (!name.empty() && name.back() == '.') name.remove_suffix(1);  // end of a sentence
    if (!name.empty()) addUnique(out, mapOne(name));
  }
  return out;
}

}  // namespace bulwark::catalog
