#include "pipeline/service/inventory_codec.h"

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>
#include <nlohmann/json.hpp>

namespace bulwark::pipeline::service {

namespace {

using Json = nlohmann::json;

constexpr int kLastPackageType = static_cast<int>(model::PackageType::Composer);
constexpr int kLastRelationship = static_cast<int>(model::Relationship::Indirect);

// ---- encoding -------------------------------------------------------------------------------

void putIf(Json& object, const char* key, const std::string& value) {
  if (!value.empty()) object[key] = value;
}

void putIf(Json& object, const char* key, const std::vector<std::string>& values) {
  if (!values.empty()) object[key] = values;
}

void putIf(Json& object, const char* key, bool value) {
  if (value) object[key] = true;
}

Json encodeConfig(const model::ImageConfig& config) {
  Json out = Json::object();
  putIf(out, "p", config.present);
  putIf(out, "u", config.user);
  putIf(out, "e", config.env);
  if (!config.labels.empty()) {
    Json labels = Json::array();
    for (const auto& [key, value] : config.labels) labels.push_back(Json::array({key, value}));
    out["lb"] = std::move(labels);
  }
  putIf(out, "xp", config.exposed_ports);
  putIf(out, "ep", config.entrypoint);
  putIf(out, "c", config.cmd);
  putIf(out, "w", config.working_dir);
  putIf(out, "hc", config.has_healthcheck);
  putIf(out, "ht", config.healthcheck_test);
  if (!config.history.empty()) {
    Json history = Json::array();
    for (const auto& entry : config.history) {
      Json h = Json::object();
      putIf(h, "c", entry.created);
      putIf(h, "cb", entry.created_by);
      putIf(h, "cm", entry.comment);
      putIf(h, "el", entry.empty_layer);
      history.push_back(std::move(h));
    }
    out["h"] = std::move(history);
  }
  return out;
}

Json encodeTarget(const model::Target& target) {
  Json out = Json::object();
  putIf(out, "n", target.name);
  putIf(out, "k", target.kind);
  putIf(out, "md", target.manifest_digest);
  putIf(out, "cd", target.config_digest);
  putIf(out, "cr", target.created);
  putIf(out, "os", target.os);
  putIf(out, "ar", target.architecture);
  putIf(out, "rt", target.repo_tags);
  putIf(out, "rd", target.repo_digests);
  if (!target.layers.empty()) {
    Json layers = Json::array();
    for (const auto& layer : target.layers) {
      Json l = Json::object();
      putIf(l, "d", layer.digest);
      putIf(l, "di", layer.diff_id);
      if (layer.size != 0) l["s"] = layer.size;
      putIf(l, "mt", layer.media_type);
      putIf(l, "cb", layer.created_by);
      layers.push_back(std::move(l));
    }
    out["ly"] = std::move(layers);
  }
  Json config = encodeConfig(target.config);
  if (!config.empty()) out["cf"] = std::move(config);
  return out;
}

Json encodeDistro(const model::Distro& distro) {
  Json out = Json::object();
  putIf(out, "id", distro.id);
  putIf(out, "v", distro.version_id);
  putIf(out, "cn", distro.codename);
  putIf(out, "pn", distro.pretty_name);
  putIf(out, "il", distro.id_like);
  putIf(out, "s", distro.source);
  return out;
}

Json encodePackage(const model::Package& p, const std::vector<model::LayerInfo>& layers,
                   const InventoryCodecOptions& options) {
  Json out = Json::object();
  out["y"] = model::toString(p.type);
  out["n"] = p.name;
  if (p.epoch) out["e"] = *p.epoch;
  putIf(out, "v", p.version);
  putIf(out, "r", p.release);
  putIf(out, "a", p.arch);
  putIf(out, "sn", p.source_name);
  putIf(out, "sv", p.source_version);
  putIf(out, "l", p.licenses);
  putIf(out, "m", p.maintainer);
  putIf(out, "vd", p.vendor);
  putIf(out, "ml", p.modularity_label);
  putIf(out, "o", p.origin);
  putIf(out, "dp", p.depends);
  if (options.files) putIf(out, "f", p.files);
  putIf(out, "dev", p.development);
  if (p.relationship != model::Relationship::Unknown) {
    out["rel"] = model::toString(p.relationship);
  }
  if (!p.location.layer_digest.empty()) {
    std::size_t index = 0;
    while (index < layers.size() && layers[index].digest != p.location.layer_digest) ++index;
    if (index < layers.size()) {
      out["li"] = index;
    } else {
      out["ld"] = p.location.layer_digest;
    }
  }
  putIf(out, "lp", p.location.path);
  return out;
}

// ---- decoding -------------------------------------------------------------------------------

// Reads typed fields out of parsed JSON, remembering the first thing that is wrong. Absent keys
// leave the default; a present key of the wrong type is an error.
class Decoder {
 public:
  [[nodiscard]] bool ok() const { return error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }

  void fail(std::string_view where, std::string_view what) {
    if (error_.empty()) error_ = fmt::format("{}: {}", where, what);
  }

  const Json* object(const Json& parent, const char* key, std::string_view where) {
    const auto it = parent.find(key);
    if (it == parent.end()) return nullptr;
    if (!it->is_object()) {
      fail(fmt::format("{}.{}", where, key), "not an object");
      return nullptr;
    }
    return &*it;
  }

  const Json* array(const Json& parent, const char* key, std::string_view where) {
    const auto it = parent.find(key);
    if (it == parent.end()) return nullptr;
    if (!it->is_array()) {
      fail(fmt::format("{}.{}", where, key), "not an array");
      return nullptr;
    }
    return &*it;
  }

  void text(const Json& parent, const char* key, std::string& out, std::string_view where) {
    const auto it = parent.find(key);
    if (it == parent.end()) return;
    if (!it->is_string()) return fail(fmt::format("{}.{}", where, key), "not a string");
    out = it->get_ref<const std::string&>();
  }

  void texts(const Json& parent, const char* key, std::vector<std::string>& out,
             std::string_view where) {
    const Json* values = array(parent, key, where);
    if (values == nullptr) return;
    out.reserve(values->size());
    for (const auto& value : *values) {
      if (!value.is_string()) return fail(fmt::format("{}.{}", where, key), "not all strings");
      out.push_back(value.get_ref<const std::string&>());
    }
  }

  void flag(const Json& parent, const char* key, bool& out, std::string_view where) {
    const auto it = parent.find(key);
    if (it == parent.end()) return;
    if (!it->is_boolean()) return fail(fmt::format("{}.{}", where, key), "not a boolean");
    out = it->get<bool>();
  }

  // A non-negative integer no larger than `max`.
  bool count(const Json& parent, const char* key, std::uint64_t max, std::uint64_t& out,
             std::string_view where) {
    const auto it = parent.find(key);
    if (it == parent.end()) return false;
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > max) {
      fail(fmt::format("{}.{}", where, key), "not a valid count");
      return false;
    }
    out = it->get<std::uint64_t>();
    return true;
  }

 private:
  std::string error_;
};

void decodeConfig(Decoder& d, const Json& in, model::ImageConfig& config) {
  constexpr std::string_view kWhere = "t.cf";
  d.flag(in, "p", config.present, kWhere);
  d.text(in, "u", config.user, kWhere);
  d.texts(in, "e", config.env, kWhere);
  if (const Json* labels = d.array(in, "lb", kWhere)) {
    for (const auto& pair : *labels) {
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
        return d.fail("t.cf.lb", "not all [key, value] pairs");
      }
      config.labels.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
  }
  d.texts(in, "xp", config.exposed_ports, kWhere);
  d.texts(in, "ep", config.entrypoint, kWhere);
  d.texts(in, "c", config.cmd, kWhere);
  d.text(in, "w", config.working_dir, kWhere);
  d.flag(in, "hc", config.has_healthcheck, kWhere);
  d.texts(in, "ht", config.healthcheck_test, kWhere);
  if (const Json* history = d.array(in, "h", kWhere)) {
    for (const auto& h : *history) {
      if (!h.is_object()) return d.fail("t.cf.h", "not all objects");
      model::HistoryEntry entry;
      d.text(h, "c", entry.created, "t.cf.h");
      d.text(h, "cb", entry.created_by, "t.cf.h");
      d.text(h, "cm", entry.comment, "t.cf.h");
      d.flag(h, "el", entry.empty_layer, "t.cf.h");
      config.history.push_back(std::move(entry));
    }
  }
}

void decodeTarget(Decoder& d, const Json& in, model::Target& target) {
  constexpr std::string_view kWhere = "t";
  d.text(in, "n", target.name, kWhere);
  d.text(in, "k", target.kind, kWhere);
  d.text(in, "md", target.manifest_digest, kWhere);
  d.text(in, "cd", target.config_digest, kWhere);
  d.text(in, "cr", target.created, kWhere);
  d.text(in, "os", target.os, kWhere);
  d.text(in, "ar", target.architecture, kWhere);
  d.texts(in, "rt", target.repo_tags, kWhere);
  d.texts(in, "rd", target.repo_digests, kWhere);
  if (const Json* layers = d.array(in, "ly", kWhere)) {
    for (const auto& l : *layers) {
      if (!l.is_object()) return d.fail("t.ly", "not all objects");
      model::LayerInfo layer;
      d.text(l, "d", layer.digest, "t.ly");
      d.text(l, "di", layer.diff_id, "t.ly");
      d.count(l, "s", std::numeric_limits<std::uint64_t>::max(), layer.size, "t.ly");
      d.text(l, "mt", layer.media_type, "t.ly");
      d.text(l, "cb", layer.created_by, "t.ly");
      target.layers.push_back(std::move(layer));
    }
  }
  if (const Json* config = d.object(in, "cf", kWhere)) decodeConfig(d, *config, target.config);
}

void decodeDistro(Decoder& d, const Json& in, model::Distro& distro) {
  constexpr std::string_view kWhere = "d";
  d.text(in, "id", distro.id, kWhere);
  d.text(in, "v", distro.version_id, kWhere);
  d.text(in, "cn", distro.codename, kWhere);
  d.text(in, "pn", distro.pretty_name, kWhere);
  d.text(in, "il", distro.id_like, kWhere);
  d.text(in, "s", distro.source, kWhere);
}

bool parseType(std::string_view name, model::PackageType& out) {
  for (int i = 0; i <= kLastPackageType; ++i) {
    const auto type = static_cast<model::PackageType>(i);
    if (model::toString(type) == name) {
      out = type;
      return true;
    }
  }
  return false;
}

bool parseRelationship(std::string_view name, model::Relationship& out) {
  for (int i = 1; i <= kLastRelationship; ++i) {
    const auto relationship = static_cast<model::Relationship>(i);
    if (model::toString(relationship) == name) {
      out = relationship;
      return true;
    }
  }
  return false;
}

void decodePackage(Decoder& d, const Json& in, const std::vector<model::LayerInfo>& layers,
                   std::size_t index, model::Package& p) {
  const std::string where = fmt::format("p[{}]", index);
  if (!in.is_object()) return d.fail(where, "not an object");
  std::string type;
  d.text(in, "y", type, where);
  if (!parseType(type, p.type)) return d.fail(where + ".y", "not a package type");
  if (!in.contains("n")) return d.fail(where + ".n", "missing");
  d.text(in, "n", p.name, where);
  if (std::uint64_t epoch = 0;
      d.count(in, "e", std::numeric_limits<std::uint32_t>::max(), epoch, where)) {
    p.epoch = static_cast<std::uint32_t>(epoch);
  }
  d.text(in, "v", p.version, where);
  d.text(in, "r", p.release, where);
  d.text(in, "a", p.arch, where);
  d.text(in, "sn", p.source_name, where);
  d.text(in, "sv", p.source_version, where);
  d.texts(in, "l", p.licenses, where);
  d.text(in, "m", p.maintainer, where);
  d.text(in, "vd", p.vendor, where);
  d.text(in, "ml", p.modularity_label, where);
  d.text(in, "o", p.origin, where);
  d.texts(in, "dp", p.depends, where);
  d.texts(in, "f", p.files, where);
  d.flag(in, "dev", p.development, where);
  if (in.contains("rel")) {
    std::string relationship;
    d.text(in, "rel", relationship, where);
    if (d.ok() && !parseRelationship(relationship, p.relationship)) {
      return d.fail(where + ".rel", "not a relationship");
    }
  }
  if (std::uint64_t layer = 0;
      d.count(in, "li", layers.empty() ? 0 : layers.size() - 1, layer, where)) {
    if (layers.empty()) return d.fail(where + ".li", "the target has no layers");
    p.location.layer_digest = layers[layer].digest;
  }
  d.text(in, "ld", p.location.layer_digest, where);
  d.text(in, "lp", p.location.path, where);
}

}  // namespace

std::string encodeInventory(const model::Inventory& inventory,
                            const InventoryCodecOptions& options) {
  Json doc = Json::object();
  doc["v"] = kInventoryCodecVersion;
  doc["t"] = encodeTarget(inventory.target);
  doc["d"] = encodeDistro(inventory.distro);
  Json packages = Json::array();
  for (const auto& package : inventory.packages) {
    packages.push_back(encodePackage(package, inventory.target.layers, options));
  }
  doc["p"] = std::move(packages);
  if (!inventory.diagnostics.empty()) {
    Json diagnostics = Json::array();
    for (const auto& diagnostic : inventory.diagnostics) {
      if (diagnostics.size() == kMaxStoredDiagnostics) break;
      diagnostics.push_back(Json::array({diagnostic.kind, diagnostic.where, diagnostic.detail}));
    }
    doc["g"] = std::move(diagnostics);
    doc["gn"] = inventory.diagnostics.size();
  }
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

core::Result<model::Inventory> decodeInventory(std::string_view text,
                                               std::size_t* diagnostic_count) {
  auto invalid = [](std::string_view what) {
    return core::fail(core::ErrorCode::Input, "stored inventory: {}", what);
  };
  if (text.size() > kMaxInventoryJsonBytes) {
    return invalid(
        fmt::format("{} bytes, more than the {} allowed", text.size(), kMaxInventoryJsonBytes));
  }
  // The parser is iterative (no recursion on nesting) and validates UTF-8; nothing throws.
  const Json doc = Json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return invalid("not JSON");
  if (!doc.is_object()) return invalid("not a JSON object");
  const auto version = doc.find("v");
  if (version == doc.end() || !version->is_number_integer()) return invalid("no format version");
  if (version->get<std::int64_t>() != kInventoryCodecVersion) {
    return invalid(fmt::format("format version {} is not {} (written by a newer bulwark?)",
                               version->dump(), kInventoryCodecVersion));
  }

  Decoder d;
  model::Inventory inventory;
  if (const Json* target = d.object(doc, "t", "inventory")) {
    decodeTarget(d, *target, inventory.target);
  }
  if (const Json* distro = d.object(doc, "d", "inventory")) {
    decodeDistro(d, *distro, inventory.distro);
  }
  if (const Json* packages = d.array(doc, "p", "inventory"); packages != nullptr && d.ok()) {
    if (packages->size() > kMaxStoredPackages) {
      return invalid(fmt::format("{} packages, more than the {} allowed", packages->size(),
                                 kMaxStoredPackages));
    }
    inventory.packages.resize(packages->size());
    for (std::size_t i = 0; i < packages->size() && d.ok(); ++i) {
      decodePackage(d, (*packages)[i], inventory.target.layers, i, inventory.packages[i]);
    }
  }
  if (const Json* diagnostics = d.array(doc, "g", "inventory"); diagnostics != nullptr) {
    if (diagnostics->size() > kMaxStoredDiagnostics) {
      return invalid(fmt::format("more than {} diagnostics", kMaxStoredDiagnostics));
    }
    for (const auto& g : *diagnostics) {
      if (!g.is_array() || g.size() != 3 || !g[0].is_string() || !g[1].is_string() ||
          !g[2].is_string()) {
        d.fail("g", "not all [kind, where, detail]");
        break;
      }
      inventory.diagnostics.push_back(
          {g[0].get<std::string>(), g[1].get<std::string>(), g[2].get<std::string>()});
    }
  }
  std::uint64_t count = inventory.diagnostics.size();
  d.count(doc, "gn", std::numeric_limits<std::uint64_t>::max(), count, "inventory");
  if (!d.ok()) return invalid(d.error());
  if (count < inventory.diagnostics.size()) {
    return invalid("gn is less than the diagnostics listed");
  }
  if (diagnostic_count != nullptr) *diagnostic_count = static_cast<std::size_t>(count);
  return inventory;
}

core::Result<model::Inventory> decodeLookupInventory(std::string_view text) {
  namespace dom = simdjson::dom;
  auto invalid = [](std::string_view what) {
    return core::fail(core::ErrorCode::Input, "stored inventory: {}", what);
  };
  if (text.size() > kMaxInventoryJsonBytes) {
    return invalid(
        fmt::format("{} bytes, more than the {} allowed", text.size(), kMaxInventoryJsonBytes));
  }
  dom::parser parser;
  const simdjson::padded_string padded(text);
  dom::object root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return invalid("not a JSON object");
  std::int64_t version = 0;
  if (root["v"].get(version) != simdjson::SUCCESS) return invalid("no format version");
  if (version != kInventoryCodecVersion) {
    return invalid(fmt::format("format version {} is not {}", version, kInventoryCodecVersion));
  }
  // An absent member keeps the default; a member of another type is an error.
  auto text_of = [](dom::object object, std::string_view key, std::string& out) {
    auto member = object[key];
    if (member.error() == simdjson::NO_SUCH_FIELD) return true;
    std::string_view view;
    if (member.get(view) != simdjson::SUCCESS) return false;
    out.assign(view);
    return true;
  };
  model::Inventory inventory;
  dom::object distro;
  if (auto member = root["d"]; member.error() != simdjson::NO_SUCH_FIELD) {
    if (member.get(distro) != simdjson::SUCCESS) return invalid("d: not an object");
    auto& d = inventory.distro;
    if (!text_of(distro, "id", d.id) || !text_of(distro, "v", d.version_id) ||
        !text_of(distro, "cn", d.codename) || !text_of(distro, "pn", d.pretty_name) ||
        !text_of(distro, "il", d.id_like) || !text_of(distro, "s", d.source)) {
      return invalid("d: a member is not a string");
    }
  }
  dom::array packages;
  if (auto member = root["p"]; member.error() != simdjson::NO_SUCH_FIELD) {
    if (member.get(packages) != simdjson::SUCCESS) return invalid("p: not an array");
    if (packages.size() > kMaxStoredPackages) {
      return invalid(fmt::format("{} packages, more than the {} allowed", packages.size(),
                                 kMaxStoredPackages));
    }
    inventory.packages.reserve(packages.size());
    for (const dom::element element : packages) {
      const std::string where = fmt::format("p[{}]", inventory.packages.size());
      dom::object object;
      if (element.get(object) != simdjson::SUCCESS) return invalid(where + ": not an object");
      model::Package& package = inventory.packages.emplace_back();
      std::string type;
      if (!text_of(object, "y", type) || !parseType(type, package.type)) {
        return invalid(where + ".y: not a package type");
      }
      if (!text_of(object, "n", package.name) || !text_of(object, "sn", package.source_name)) {
        return invalid(where + ": a name is not a string");
      }
    }
  }
  return inventory;
}

}  // namespace bulwark::pipeline::service
