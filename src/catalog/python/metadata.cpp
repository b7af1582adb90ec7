// Core metadata (https://packaging.python.org/specifications/core-metadata/): the header block
// of METADATA / PKG-INFO, an email-style message. Only the headers matter; the body after the
// first blank line (the long description) is never read.
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "catalog/python/python_cataloger.h"
#include "catalog/python/python_text.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

struct Header {
  std::string key;  // lower case
  std::string value;
};

// The headers up to the first empty line; folded continuation lines (leading space or tab)
// join their header's value with one space. Lines that are neither are ignored.
std::vector<Header> readHeaders(std::string_view content) {
  std::vector<Header> headers;
  while (!content.empty()) {
    const auto end = content.find('\n');
    std::string_view line = content.substr(0, end);
    content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    // Whitespace-only lines are continuation lines too: old PKG-INFO folds the blank lines of
    // its Description as "        ".
    if (line.front() == ' ' || line.front() == '\t') {
      if (!headers.empty()) {
        const auto more = core::trim(line);
        if (more.empty()) continue;
        if (!headers.back().value.empty()) headers.back().value += ' ';
        headers.back().value.append(more);
      }
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    headers.push_back({core::asciiLower(core::trim(line.substr(0, colon))),
                       std::string(core::trim(line.substr(colon + 1)))});
  }
  return headers;
}

const std::string* first(const std::vector<Header>& headers, std::string_view key) {
  for (const auto& header : headers) {
    if (header.key == key && !header.value.empty()) return &header.value;
  }
  return nullptr;
}

void addUnique(std::vector<std::string>& list, std::string_view value) {
  if (value.empty()) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.emplace_back(value);
}

std::vector<std::string> licensesOf(const std::vector<Header>& headers) {
  std::vector<std::string> licenses;
  // License-Expression (PEP 639) wins; License is deprecated but common; "UNKNOWN" is what old
  // setuptools wrote for "not given", so the classifiers decide then.
  if (const auto* expression = first(headers, "license-expression")) {
    licenses.push_back(*expression);
    return licenses;
  }
  if (const auto* license = first(headers, "license");
      license != nullptr && core::asciiLower(*license) != "unknown") {
    licenses.push_back(*license);
    return licenses;
  }
  for (const auto& header : headers) {
    if (header.key != "classifier") continue;
    const std::string_view classifier = header.value;
    if (!classifier.starts_with("License :: ")) continue;
    const auto last = classifier.rfind(" :: ");
    const std::string_view value = core::trim(classifier.substr(last + 4));
    // "License :: OSI Approved" alone names no license.
    if (value == "OSI Approved") continue;
    addUnique(licenses, value);
  }
  return licenses;
}

// "requests[socks] (>=2.0) ; python_version < '3.8'" → "requests"; entries that only an extra
// pulls in are not dependencies of the installed distribution.
std::vector<std::string> dependsOf(const std::vector<Header>& headers) {
  std::vector<std::string> depends;
  for (const auto& header : headers) {
    if (header.key != "requires-dist") continue;
    const std::string_view requirement = header.value;
    const auto semicolon = requirement.find(';');
    if (semicolon != std::string_view::npos &&
        requirement.find("extra", semicolon) != std::string_view::npos) {
      continue;
    }
    addUnique(depends, python::leadingName(requirement));
  }
  return depends;
}

}  // namespace

std::vector<model::Package> parsePythonMetadata(std::string_view content, std::string_view where,
                                                core::Diagnostics& diagnostics) {
  const auto headers = readHeaders(python::stripUtf8Bom(content));
  const auto* name = first(headers, "name");
  const auto* version = first(headers, "version");
  if (name == nullptr || version == nullptr) {
    diagnostics.add("python.malformed-metadata", std::string(where),
                    name == nullptr ? "core metadata without a Name header"
                                    : fmt::format("distribution '{}' without a Version header",
                                                  core::printable(*name)));
    return {};
  }
  model::Package package;
  package.type = model::PackageType::Python;
  package.name = *name;
  package.version = *version;
  package.licenses = licensesOf(headers);
  package.depends = dependsOf(headers);
  package.location.path = std::string(where);
  std::vector<model::Package> out;
  out.push_back(std::move(package));
  return out;
}

}  // namespace bulwark::catalog
