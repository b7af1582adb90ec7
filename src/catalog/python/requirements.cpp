// requirements.txt (pip's requirements file format): one requirement per logical line, a
// trailing backslash continues a line, '#' starts a comment, lines starting with '-' are options
// (-r other.txt, -e path, --index-url ...). Only exact pins name a version; everything else
// (ranges, URLs, bare names) is not an inventory entry, as in Trivy's default mode.
#include <string>

#include <fmt/format.h>

#include "catalog/common/lockfile_files.h"
#include "catalog/python/python_cataloger.h"
#include "catalog/python/python_text.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

std::string withoutBlanks(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (const char c : line) {
    if (c != ' ' && c != '\t') out.push_back(c);
  }
  return out;
}

std::string_view cutAt(std::string_view text, std::string_view marker) {
  const auto pos = text.find(marker);
  return pos == std::string_view::npos ? text : text.substr(0, pos);
}

enum class Pin { None, Valid, Invalid };

// One logical line → its exact pin: none (a range, a URL, a bare name), valid, or invalid.
Pin parsePin(std::string_view logical, std::string& name, std::string& version) {
  std::string compact = withoutBlanks(logical);
  // Extras: "celery[redis,pytest]==4.4.7" → "celery==4.4.7".
  if (const auto open = compact.find('['); open != std::string::npos) {
    if (const auto close = compact.find(']', open); close != std::string::npos) {
      compact.erase(open, close - open + 1);
    }
  }
  std::string_view rest = compact;
  rest = cutAt(rest, "#");
  rest = cutAt(rest, ";");
  rest = cutAt(rest, "--");
  const auto eq = rest.find("==");
  if (eq == std::string_view::npos) return Pin::None;
  const std::string_view name_part = rest.substr(0, eq);
  std::string_view version_part = rest.substr(eq + 2);
  if (version_part.find("==") != std::string_view::npos) return Pin::Invalid;
  version_part = cutAt(version_part, ",");  // "==1.2,!=1.2.1": the pin is what matters
  if (!python::isValidName(name_part) || !python::isPinnedVersion(version_part)) {
    return Pin::Invalid;
  }
  name = std::string(name_part);
  version = std::string(version_part);
  return Pin::Valid;
}

}  // namespace

std::vector<model::Package> parseRequirements(std::string_view content, std::string_view where,
                                              core::Diagnostics& diagnostics) {
  if (content.size() > kMaxPythonLockfileBytes) {
    diagnostics.add("python.too-large", std::string(where),
                    fmt::format("requirements file of {} bytes exceeds the {} byte limit; not "
                                "parsed",
                                content.size(), kMaxPythonLockfileBytes));
    return {};
  }
  const std::string text = python::decodeUnicodeText(content);
  std::vector<model::Package> out;
  std::string logical;
  std::size_t logical_start = 0;
  bool continued = false;

  bool full = false;
  const auto finish = [&]() {
    if (full) return;
    const std::string_view line = core::trim(logical);
    if (line.empty() || line.front() == '#' || line.front() == '-') return;
    std::string name;
    std::string version;
    const Pin pin = parsePin(line, name, version);
    if (pin == Pin::None) return;
    if (pin == Pin::Invalid) {
      diagnostics.add("python.requirements-unparsed", fmt::format("{}:{}", where, logical_start),
                      fmt::format("pin '{}' has an invalid name or version",
                                  core::printable(line.substr(0, 120))));
      return;
    }
    if (out.size() == kMaxPackagesPerLockfile) {
      diagnostics.add("python.too-many-packages", std::string(where),
                      fmt::format("more than {} pins; the rest (from line {}) not read",
                                  kMaxPackagesPerLockfile, logical_start));
      full = true;
      return;
    }
    model::Package package;
    package.type = model::PackageType::Python;
    package.name = std::move(name);
    package.version = std::move(version);
    package.location.path = std::string(where);
    out.push_back(std::move(package));
  };

  core::forEachLine(text, [&](std::string_view line, std::size_t number) {
    if (!continued) {
      logical.clear();
      logical_start = number;
    }
    continued = !line.empty() && line.back() == '\\';
    if (continued) line.remove_suffix(1);
    logical.append(line);
    if (continued) {
      logical.push_back(' ');
      return;
    }
    finish();
  });
  if (continued) finish();
  return out;
}

}  // namespace bulwark::catalog
