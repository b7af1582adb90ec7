// bulwark's own inventory JSON; the schema is documented in docs/json-schema.md.
#include <nlohmann/json.hpp>

#include "model/purl.h"
#include "report/inventory_report.h"

namespace bulwark::report {

namespace {

using Json = nlohmann::ordered_json;

void putIf(Json& object, const char* key, const std::string& value) {
  if (!value.empty()) object[key] = value;
}

}  // namespace

std::string renderJson(const model::Inventory& inventory, const RenderOptions& options) {
  Json doc;
  doc["schema"] = "bulwark.inventory/v1";
  doc["bulwark_version"] = options.tool_version;
  const auto& t = inventory.target;
  Json target;
  target["name"] = t.name;
  target["kind"] = t.kind;
  putIf(target, "manifest_digest", t.manifest_digest);
  putIf(target, "config_digest", t.config_digest);
  putIf(target, "created", t.created);
  putIf(target, "os", t.os);
  putIf(target, "architecture", t.architecture);
  target["repo_tags"] = t.repo_tags;
  target["repo_digests"] = t.repo_digests;
  Json layers = Json::array();
  for (const auto& layer : t.layers) {
    Json l;
    putIf(l, "digest", layer.digest);
    putIf(l, "diff_id", layer.diff_id);
    l["size"] = layer.size;
    putIf(l, "media_type", layer.media_type);
    putIf(l, "created_by", layer.created_by);
    layers.push_back(std::move(l));
  }
  target["layers"] = std::move(layers);
  doc["target"] = std::move(target);

  Json distro = Json::object();
  putIf(distro, "id", inventory.distro.id);
  putIf(distro, "version_id", inventory.distro.version_id);
  putIf(distro, "codename", inventory.distro.codename);
  putIf(distro, "pretty_name", inventory.distro.pretty_name);
  putIf(distro, "id_like", inventory.distro.id_like);
  putIf(distro, "source", inventory.distro.source);
  doc["distro"] = std::move(distro);

  Json packages = Json::array();
  for (const auto& p : inventory.packages) {
    Json package;
    package["type"] = model::toString(p.type);
    package["name"] = p.name;
    if (p.epoch) package["epoch"] = *p.epoch;
    package["version"] = p.version;
    putIf(package, "release", p.release);
    package["full_version"] = p.fullVersion();
    putIf(package, "arch", p.arch);
    putIf(package, "source_name", p.source_name);
    putIf(package, "source_version", p.source_version);
    if (!p.licenses.empty()) package["licenses"] = p.licenses;
    putIf(package, "maintainer", p.maintainer);
    putIf(package, "vendor", p.vendor);
    putIf(package, "modularity_label", p.modularity_label);
    putIf(package, "origin", p.origin);
    if (p.development) package["development"] = true;
    putIf(package, "relationship", std::string(model::toString(p.relationship)));
    package["purl"] = model::purl(p, inventory.distro);
    Json location;
    putIf(location, "layer", p.location.layer_digest);
    location["path"] = p.location.path;
    package["location"] = std::move(location);
    packages.push_back(std::move(package));
  }
  doc["packages"] = std::move(packages);

  Json diagnostics = Json::array();
  for (const auto& d : inventory.diagnostics) {
    diagnostics.push_back(Json{{"kind", d.kind}, {"where", d.where}, {"detail", d.detail}});
  }
  doc["diagnostics"] = std::move(diagnostics);
  // Invalid UTF-8 from a package database is replaced, never thrown on.
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace bulwark::report
