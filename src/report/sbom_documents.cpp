// CycloneDX 1.5 and SPDX 2.3 JSON documents of an inventory.
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "model/purl.h"
#include "report/inventory_report.h"
#include "report/sbom_ids.h"

namespace bulwark::report {

namespace detail {

// The same inventory always gets the same serial number / namespace.
std::string stableUuid(std::string_view seed) {
  std::string hex = core::sha256Hex(seed).substr(0, 32);
  hex[12] = '5';
  static constexpr char kVariant[] = "89ab";
  hex[16] = kVariant[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

// What identifies the inventory's content, for the stable ids above.
std::string contentSeed(const model::Inventory& inventory) {
  std::string seed = inventory.target.name + "\n" + inventory.target.manifest_digest + "\n" +
                     inventory.target.config_digest + "\n";
  for (const auto& p : inventory.packages) {
    seed += model::purl(p, inventory.distro);
    seed += '\t';
    seed += p.location.path;
    seed += '\n';
  }
  return seed;
}

std::string cycloneDxBomRef(const model::Package& package, const model::Distro& distro) {
  // purl + where it was found: two copies of one package in different databases stay distinct.
  return model::purl(package, distro) + "#" + core::sha256Hex(package.location.path).substr(0, 8);
}

}  // namespace detail

namespace {

using Json = nlohmann::ordered_json;
using detail::contentSeed;
using detail::stableUuid;

std::string osName(const model::Distro& distro) {
  return distro.id.empty() ? "unknown" : distro.id;
}

}  // namespace

std::string renderCycloneDx(const model::Inventory& inventory, const RenderOptions& options) {
  const auto& target = inventory.target;
  Json doc;
  doc["$schema"] = "http://cyclonedx.org/schema/bom-1.5.schema.json";
  doc["bomFormat"] = "CycloneDX";
  doc["specVersion"] = "1.5";
  doc["serialNumber"] = "urn:uuid:" + stableUuid(contentSeed(inventory));
  doc["version"] = 1;
  Json metadata;
  metadata["timestamp"] = documentTimestamp(inventory, options);
  metadata["tools"]["components"] = Json::array(
      {Json{{"type", "application"}, {"name", "bulwark"}, {"version", options.tool_version}}});
  Json subject;
  subject["bom-ref"] = "target";
  subject["type"] = target.kind == "rootfs" ? "file" : "container";
  subject["name"] = target.name;
  if (!target.manifest_digest.empty()) subject["version"] = target.manifest_digest;
  Json properties = Json::array();
  auto prop = [&](const std::string& name, const std::string& value) {
    if (!value.empty()) properties.push_back(Json{{"name", name}, {"value", value}});
  };
  prop("bulwark:target:kind", target.kind);
  prop("bulwark:image:config_digest", target.config_digest);
  for (const auto& tag : target.repo_tags) prop("bulwark:image:repo_tag", tag);
  for (const auto& digest : target.repo_digests) prop("bulwark:image:repo_digest", digest);
  for (const auto& layer : target.layers) prop("bulwark:image:layer_digest", layer.digest);
  if (!properties.empty()) subject["properties"] = std::move(properties);
  metadata["component"] = std::move(subject);
  doc["metadata"] = std::move(metadata);

  Json components = Json::array();
  Json os_depends = Json::array();
  const std::string os_ref = "os:" + osName(inventory.distro);
  if (inventory.distro.known()) {
    Json os;
    os["bom-ref"] = os_ref;
    os["type"] = "operating-system";
    os["name"] = inventory.distro.id;
    if (!inventory.distro.version_id.empty()) os["version"] = inventory.distro.version_id;
    components.push_back(std::move(os));
  }
  for (const auto& p : inventory.packages) {
    Json c;
    const std::string ref = detail::cycloneDxBomRef(p, inventory.distro);
    c["bom-ref"] = ref;
    c["type"] = "library";
    if (!p.vendor.empty())
      c["supplier"]["name"] = p.vendor;
    else if (!p.maintainer.empty())
      c["supplier"]["name"] = p.maintainer;
    c["name"] = p.name;
    c["version"] = p.fullVersion();
    if (!p.licenses.empty()) {
      Json licenses = Json::array();
      for (const auto& license : p.licenses) {
        licenses.push_back(Json{{"license", Json{{"name", license}}}});
      }
      c["licenses"] = std::move(licenses);
    }
    c["purl"] = model::purl(p, inventory.distro);
    Json props = Json::array();
    auto add = [&](const std::string& name, const std::string& value) {
      if (!value.empty()) props.push_back(Json{{"name", name}, {"value", value}});
    };
    add("bulwark:package:type", std::string(model::toString(p.type)));
    add("bulwark:package:source_name", p.source_name);
    add("bulwark:package:source_version", p.source_version);
    add("bulwark:package:layer_digest", p.location.layer_digest);
    add("bulwark:package:path", p.location.path);
    add("bulwark:package:modularity_label", p.modularity_label);
    add("bulwark:package:relationship", std::string(model::toString(p.relationship)));
    if (p.development) add("bulwark:package:development", "true");
    c["properties"] = std::move(props);
    os_depends.push_back(ref);
    components.push_back(std::move(c));
  }
  doc["components"] = std::move(components);
  Json dependencies = Json::array();
  if (inventory.distro.known()) {
    dependencies.push_back(Json{{"ref", "target"}, {"dependsOn", Json::array({os_ref})}});
    dependencies.push_back(Json{{"ref", os_ref}, {"dependsOn", std::move(os_depends)}});
  } else {
    dependencies.push_back(Json{{"ref", "target"}, {"dependsOn", std::move(os_depends)}});
  }
  doc["dependencies"] = std::move(dependencies);
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

namespace {

// SPDX license expressions are strict; anything that is not plainly one is left as
// NOASSERTION and kept verbatim in licenseComments.
bool looksLikeSpdxExpression(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '+' || c == ' ' || c == '(' || c == ')';
    if (!ok) return false;
  }
  // Bare words separated by spaces must be joined by operators.
  bool expect_operator = false;
  std::size_t start = 0;
  const std::string s(text);
  while (start < s.size()) {
    auto end = s.find(' ', start);
    if (end == std::string::npos) end = s.size();
    std::string word = s.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    const bool is_operator = word == "AND" || word == "OR" || word == "WITH";
    if (expect_operator != is_operator) return false;
    expect_operator = !is_operator;
  }
  return expect_operator;
}

std::string spdxId(std::string_view prefix, std::string_view seed) {
  return std::string(prefix) + core::sha256Hex(seed).substr(0, 16);
}

}  // namespace

std::string renderSpdx(const model::Inventory& inventory, const RenderOptions& options) {
  const auto& target = inventory.target;
  Json doc;
  doc["spdxVersion"] = "SPDX-2.3";
  doc["dataLicense"] = "CC0-1.0";
  doc["SPDXID"] = "SPDXRef-DOCUMENT";
  doc["name"] = target.name;
  doc["documentNamespace"] = "https://bulwark.invalid/spdx/" + stableUuid(contentSeed(inventory));
  doc["creationInfo"] = Json{{"creators", Json::array({"Tool: bulwark-" + options.tool_version})},
                             {"created", documentTimestamp(inventory, options)}};
  Json packages = Json::array();
  Json relationships = Json::array();
  Json subject;
  subject["name"] = target.name;
  subject["SPDXID"] = "SPDXRef-Target";
  if (!target.manifest_digest.empty()) subject["versionInfo"] = target.manifest_digest;
  subject["downloadLocation"] = "NOASSERTION";
  subject["filesAnalyzed"] = false;
  subject["primaryPackagePurpose"] = target.kind == "rootfs" ? "FILE" : "CONTAINER";
  packages.push_back(std::move(subject));
  relationships.push_back(Json{{"spdxElementId", "SPDXRef-DOCUMENT"},
                               {"relationshipType", "DESCRIBES"},
                               {"relatedSpdxElement", "SPDXRef-Target"}});
  std::string parent = "SPDXRef-Target";
  if (inventory.distro.known()) {
    Json os;
    os["name"] = inventory.distro.id;
    os["SPDXID"] = "SPDXRef-OperatingSystem";
    if (!inventory.distro.version_id.empty()) os["versionInfo"] = inventory.distro.version_id;
    os["downloadLocation"] = "NOASSERTION";
    os["filesAnalyzed"] = false;
    os["primaryPackagePurpose"] = "OPERATING-SYSTEM";
    packages.push_back(std::move(os));
    relationships.push_back(Json{{"spdxElementId", "SPDXRef-Target"},
                                 {"relationshipType", "CONTAINS"},
                                 {"relatedSpdxElement", "SPDXRef-OperatingSystem"}});
    parent = "SPDXRef-OperatingSystem";
  }
  for (const auto& p : inventory.packages) {
    const std::string purl = model::purl(p, inventory.distro);
    const std::string id = spdxId("SPDXRef-Package-", purl + "\n" + p.location.path);
    Json package;
    package["name"] = p.name;
    package["SPDXID"] = id;
    package["versionInfo"] = p.fullVersion();
    if (!p.vendor.empty())
      package["supplier"] = "Organization: " + p.vendor;
    else if (!p.maintainer.empty())
      package["supplier"] = "Organization: " + p.maintainer;
    else
      package["supplier"] = "NOASSERTION";
    package["downloadLocation"] = "NOASSERTION";
    package["filesAnalyzed"] = false;
    if (!p.source_name.empty()) {
      package["sourceInfo"] =
          "built from " + p.source_name + (p.source_version.empty() ? "" : " " + p.source_version);
    }
    package["licenseConcluded"] = "NOASSERTION";
    // Several licenses all apply to the package's files: their conjunction.
    std::string declared;
    bool expressible = !p.licenses.empty();
    for (const auto& license : p.licenses) {
      expressible = expressible && looksLikeSpdxExpression(license);
      if (!declared.empty()) declared += " AND ";
      const bool compound = license.find(' ') != std::string::npos;
      declared += compound && p.licenses.size() > 1 ? "(" + license + ")" : license;
    }
    if (expressible) {
      package["licenseDeclared"] = declared;
    } else {
      package["licenseDeclared"] = "NOASSERTION";
      if (!p.licenses.empty()) {
        std::string all;
        for (const auto& license : p.licenses) all += (all.empty() ? "" : "; ") + license;
        package["licenseComments"] = "as declared by the package database: " + all;
      }
    }
    package["copyrightText"] = "NOASSERTION";
    package["externalRefs"] = Json::array({Json{{"referenceCategory", "PACKAGE-MANAGER"},
                                                {"referenceType", "purl"},
                                                {"referenceLocator", purl}}});
    package["primaryPackagePurpose"] = "LIBRARY";
    package["comment"] =
        "found in " + p.location.path +
        (p.location.layer_digest.empty() ? "" : " of layer " + p.location.layer_digest);
    packages.push_back(std::move(package));
    relationships.push_back(Json{
        {"spdxElementId", parent}, {"relationshipType", "CONTAINS"}, {"relatedSpdxElement", id}});
  }
  doc["packages"] = std::move(packages);
  doc["relationships"] = std::move(relationships);
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace bulwark::report
