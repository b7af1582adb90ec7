#include "pipeline/service/inventory_codec.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <optional>
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

namespace dom = simdjson::dom;

// The names of the members one kind of object may have, in the order decoding checks them (which
// decides the error reported when several are wrong). Every name is 1 to 3 bytes, so a name is
// matched as one integer.
template <std::size_t N>
struct KeySet {
  std::array<std::string_view, N> names;

  static constexpr std::uint32_t pack(std::string_view key) {
    if (key.empty() || key.size() > 3) return 0;
    std::uint32_t packed = static_cast<std::uint32_t>(key.size()) << 24U;
    for (std::size_t i = 0; i < key.size(); ++i) {
      packed |= static_cast<std::uint32_t>(static_cast<unsigned char>(key[i])) << (8U * i);
    }
    return packed;
  }

  // The slot of `key`, at compile time (a typo does not compile).
  consteval std::size_t operator()(std::string_view key) const {
    for (std::size_t i = 0; i < N; ++i) {
      if (names[i] == key) return i;
    }
    throw "not a member name";
  }

  // The slot of `key`, or N when it is not one of the names.
  [[nodiscard]] std::size_t find(std::string_view key) const {
    const std::uint32_t packed = pack(key);
    if (packed == 0) return N;
    for (std::size_t i = 0; i < N; ++i) {
      if (pack(names[i]) == packed) return i;
    }
    return N;
  }
};

constexpr KeySet<6> kRootKeys{{"v", "t", "d", "p", "g", "gn"}};
constexpr KeySet<11> kTargetKeys{{"n", "k", "md", "cd", "cr", "os", "ar", "rt", "rd", "ly", "cf"}};
constexpr KeySet<5> kLayerKeys{{"d", "di", "s", "mt", "cb"}};
constexpr KeySet<11> kConfigKeys{{"p", "u", "e", "lb", "xp", "ep", "c", "w", "hc", "ht", "h"}};
constexpr KeySet<4> kHistoryKeys{{"c", "cb", "cm", "el"}};
constexpr KeySet<6> kDistroKeys{{"id", "v", "cn", "pn", "il", "s"}};
constexpr KeySet<20> kPackageKeys{{"y",  "n",  "e", "v",  "r", "a",   "sn",  "sv", "l",  "m",
                                   "vd", "ml", "o", "dp", "f", "dev", "rel", "li", "ld", "lp"}};

// One object's known members, read in one pass. When a name repeats, the LAST value counts (as
// with the nlohmann DOM this decoder replaced); unknown members are skipped unread, however
// deeply nested.
template <std::size_t N>
class Members {
 public:
  Members(dom::object object, const KeySet<N>& keys) : keys_(keys) {
    for (const dom::key_value_pair field : object) {
      const std::size_t slot = keys.find(field.key);
      if (slot == N) continue;
      values_[slot] = field.value;
      present_[slot] = true;
    }
  }

  [[nodiscard]] const dom::element* get(std::size_t slot) const {
    return present_[slot] ? &values_[slot] : nullptr;
  }
  [[nodiscard]] std::string_view name(std::size_t slot) const { return keys_.names[slot]; }

 private:
  const KeySet<N>& keys_;
  std::array<dom::element, N> values_{};
  std::array<bool, N> present_{};
};

// Where a member is: "t.ly", or "p[3]" (the index formatted only when something is wrong).
struct Path {
  std::string_view base;
  std::size_t index = std::numeric_limits<std::size_t>::max();

  [[nodiscard]] std::string str() const {
    if (index == std::numeric_limits<std::size_t>::max()) return std::string(base);
    return fmt::format("{}[{}]", base, index);
  }
};

// The text of an element known to be a string.
std::string_view stringOf(dom::element element) { return element.get_string().value_unsafe(); }

// Reads typed members, remembering the first thing that is wrong. Absent members leave the
// default; a present member of the wrong type is an error. The checks and messages are those of
// the nlohmann decoder this replaced ("p[3].n: not a string").
class Decoder {
 public:
  [[nodiscard]] bool ok() const { return error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }

  void fail(const Path& where, std::string_view what) {
    if (error_.empty()) error_ = fmt::format("{}: {}", where.str(), what);
  }

  template <std::size_t N>
  void fail(const Members<N>& in, std::size_t slot, const Path& where, std::string_view what) {
    if (error_.empty()) error_ = fmt::format("{}.{}: {}", where.str(), in.name(slot), what);
  }

  template <std::size_t N>
  std::optional<dom::object> object(const Members<N>& in, std::size_t slot, const Path& where) {
    const dom::element* value = in.get(slot);
    if (value == nullptr) return std::nullopt;
    dom::object object;
    if (value->get_object().get(object) != simdjson::SUCCESS) {
      fail(in, slot, where, "not an object");
      return std::nullopt;
    }
    return object;
  }

  template <std::size_t N>
  std::optional<dom::array> array(const Members<N>& in, std::size_t slot, const Path& where) {
    const dom::element* value = in.get(slot);
    if (value == nullptr) return std::nullopt;
    dom::array array;
    if (value->get_array().get(array) != simdjson::SUCCESS) {
      fail(in, slot, where, "not an array");
      return std::nullopt;
    }
    return array;
  }

  template <std::size_t N>
  void text(const Members<N>& in, std::size_t slot, std::string& out, const Path& where) {
    const dom::element* value = in.get(slot);
    if (value == nullptr) return;
    std::string_view view;
    if (value->get_string().get(view) != simdjson::SUCCESS) {
      return fail(in, slot, where, "not a string");
    }
    out.assign(view);
  }

  template <std::size_t N>
  void texts(const Members<N>& in, std::size_t slot, std::vector<std::string>& out,
             const Path& where) {
    const auto values = array(in, slot, where);
    if (!values) return;
    out.reserve(values->size());
    for (const dom::element value : *values) {
      if (!value.is_string()) return fail(in, slot, where, "not all strings");
      out.emplace_back(stringOf(value));
    }
  }

  template <std::size_t N>
  void flag(const Members<N>& in, std::size_t slot, bool& out, const Path& where) {
    const dom::element* value = in.get(slot);
    if (value == nullptr) return;
    if (value->get_bool().get(out) != simdjson::SUCCESS) {
      return fail(in, slot, where, "not a boolean");
    }
  }

  // A non-negative integer no larger than `max`. (The one difference from nlohmann: "-0" reads
  // as 0, as simdjson does not tell it from "0".)
  template <std::size_t N>
  bool count(const Members<N>& in, std::size_t slot, std::uint64_t max, std::uint64_t& out,
             const Path& where) {
    const dom::element* value = in.get(slot);
    if (value == nullptr) return false;
    std::uint64_t number = 0;
    if (value->get_uint64().get(number) != simdjson::SUCCESS || number > max) {
      fail(in, slot, where, "not a valid count");
      return false;
    }
    out = number;
    return true;
  }

 private:
  std::string error_;
};

void decodeConfig(Decoder& d, dom::object object, model::ImageConfig& config) {
  constexpr Path kWhere{"t.cf"};
  constexpr Path kHistory{"t.cf.h"};
  const auto& k = kConfigKeys;
  const Members in(object, k);
  d.flag(in, k("p"), config.present, kWhere);
  d.text(in, k("u"), config.user, kWhere);
  d.texts(in, k("e"), config.env, kWhere);
  if (const auto labels = d.array(in, k("lb"), kWhere)) {
    config.labels.reserve(labels->size());
    for (const dom::element element : *labels) {
      dom::array pair;
      if (element.get_array().get(pair) != simdjson::SUCCESS || pair.size() != 2) {
        return d.fail(Path{"t.cf.lb"}, "not all [key, value] pairs");
      }
      auto it = pair.begin();
      const dom::element key = *it;
      const dom::element value = *++it;
      if (!key.is_string() || !value.is_string()) {
        return d.fail(Path{"t.cf.lb"}, "not all [key, value] pairs");
      }
      config.labels.emplace_back(stringOf(key), stringOf(value));
    }
  }
  d.texts(in, k("xp"), config.exposed_ports, kWhere);
  d.texts(in, k("ep"), config.entrypoint, kWhere);
  d.texts(in, k("c"), config.cmd, kWhere);
  d.text(in, k("w"), config.working_dir, kWhere);
  d.flag(in, k("hc"), config.has_healthcheck, kWhere);
  d.texts(in, k("ht"), config.healthcheck_test, kWhere);
  if (const auto history = d.array(in, k("h"), kWhere)) {
    const auto& hk = kHistoryKeys;
    config.history.reserve(history->size());
    for (const dom::element element : *history) {
      dom::object h;
      if (element.get_object().get(h) != simdjson::SUCCESS) {
        return d.fail(kHistory, "not all objects");
      }
      const Members entry_in(h, hk);
      model::HistoryEntry& entry = config.history.emplace_back();
      d.text(entry_in, hk("c"), entry.created, kHistory);
      d.text(entry_in, hk("cb"), entry.created_by, kHistory);
      d.text(entry_in, hk("cm"), entry.comment, kHistory);
      d.flag(entry_in, hk("el"), entry.empty_layer, kHistory);
    }
  }
}

void decodeTarget(Decoder& d, dom::object object, model::Target& target) {
  constexpr Path kWhere{"t"};
  constexpr Path kLayers{"t.ly"};
  const auto& k = kTargetKeys;
  const Members in(object, k);
  d.text(in, k("n"), target.name, kWhere);
  d.text(in, k("k"), target.kind, kWhere);
  d.text(in, k("md"), target.manifest_digest, kWhere);
  d.text(in, k("cd"), target.config_digest, kWhere);
  d.text(in, k("cr"), target.created, kWhere);
  d.text(in, k("os"), target.os, kWhere);
  d.text(in, k("ar"), target.architecture, kWhere);
  d.texts(in, k("rt"), target.repo_tags, kWhere);
  d.texts(in, k("rd"), target.repo_digests, kWhere);
  if (const auto layers = d.array(in, k("ly"), kWhere)) {
    const auto& lk = kLayerKeys;
    target.layers.reserve(layers->size());
    for (const dom::element element : *layers) {
      dom::object l;
      if (element.get_object().get(l) != simdjson::SUCCESS) {
        return d.fail(kLayers, "not all objects");
      }
      const Members layer_in(l, lk);
      model::LayerInfo& layer = target.layers.emplace_back();
      d.text(layer_in, lk("d"), layer.digest, kLayers);
      d.text(layer_in, lk("di"), layer.diff_id, kLayers);
      d.count(layer_in, lk("s"), std::numeric_limits<std::uint64_t>::max(), layer.size, kLayers);
      d.text(layer_in, lk("mt"), layer.media_type, kLayers);
      d.text(layer_in, lk("cb"), layer.created_by, kLayers);
    }
  }
  if (const auto config = d.object(in, k("cf"), kWhere)) decodeConfig(d, *config, target.config);
}

void decodeDistro(Decoder& d, dom::object object, model::Distro& distro) {
  constexpr Path kWhere{"d"};
  const auto& k = kDistroKeys;
  const Members in(object, k);
  d.text(in, k("id"), distro.id, kWhere);
  d.text(in, k("v"), distro.version_id, kWhere);
  d.text(in, k("cn"), distro.codename, kWhere);
  d.text(in, k("pn"), distro.pretty_name, kWhere);
  d.text(in, k("il"), distro.id_like, kWhere);
  d.text(in, k("s"), distro.source, kWhere);
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

void decodePackage(Decoder& d, dom::element element, const std::vector<model::LayerInfo>& layers,
                   std::size_t index, model::Package& p) {
  const Path where{"p", index};
  dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) {
    return d.fail(where, "not an object");
  }
  const auto& k = kPackageKeys;
  const Members in(object, k);
  std::string type;
  d.text(in, k("y"), type, where);
  if (!parseType(type, p.type)) return d.fail(in, k("y"), where, "not a package type");
  if (in.get(k("n")) == nullptr) return d.fail(in, k("n"), where, "missing");
  d.text(in, k("n"), p.name, where);
  if (std::uint64_t epoch = 0;
      d.count(in, k("e"), std::numeric_limits<std::uint32_t>::max(), epoch, where)) {
    p.epoch = static_cast<std::uint32_t>(epoch);
  }
  d.text(in, k("v"), p.version, where);
  d.text(in, k("r"), p.release, where);
  d.text(in, k("a"), p.arch, where);
  d.text(in, k("sn"), p.source_name, where);
  d.text(in, k("sv"), p.source_version, where);
  d.texts(in, k("l"), p.licenses, where);
  d.text(in, k("m"), p.maintainer, where);
  d.text(in, k("vd"), p.vendor, where);
  d.text(in, k("ml"), p.modularity_label, where);
  d.text(in, k("o"), p.origin, where);
  d.texts(in, k("dp"), p.depends, where);
  d.texts(in, k("f"), p.files, where);
  d.flag(in, k("dev"), p.development, where);
  if (in.get(k("rel")) != nullptr) {
    std::string relationship;
    d.text(in, k("rel"), relationship, where);
    if (d.ok() && !parseRelationship(relationship, p.relationship)) {
      return d.fail(in, k("rel"), where, "not a relationship");
    }
  }
  if (std::uint64_t layer = 0;
      d.count(in, k("li"), layers.empty() ? 0 : layers.size() - 1, layer, where)) {
    if (layers.empty()) return d.fail(in, k("li"), where, "the target has no layers");
    p.location.layer_digest = layers[layer].digest;
  }
  d.text(in, k("ld"), p.location.layer_digest, where);
  d.text(in, k("lp"), p.location.path, where);
}

// A parser for this thread, its buffers kept for the next inventory up to kReusedParserBytes (a
// larger text gets a parser of its own, freed at once). Its nesting limit is half the capacity:
// a document of n bytes cannot nest deeper than n / 2, so no JSON text is refused for depth (the
// nlohmann parser had no limit), and the limit costs 9 bytes a level of untouched memory.
constexpr std::size_t kReusedParserBytes = 4U << 20;

simdjson::error_code allocateFor(dom::parser& parser, std::size_t bytes) {
  if (parser.capacity() >= bytes && parser.max_depth() >= bytes / 2 + 2) {
    return simdjson::SUCCESS;
  }
  // Grown in powers of two (so a run of inventories of about one size allocates once).
  const std::size_t capacity =
      bytes <= kReusedParserBytes ? std::bit_ceil(std::max<std::size_t>(bytes, 4096)) : bytes;
  return parser.allocate(capacity, capacity / 2 + 2);
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
  // What the nlohmann parser this replaced read: a leading UTF-8 byte order mark is skipped, and
  // a NUL byte ends the text (one inside a string leaves it unterminated, so still not JSON).
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    text = text.substr(0, nul);
  }
  // simdjson validates the whole text (structure and UTF-8) before anything is read, and builds
  // its tape without recursion.
  thread_local dom::parser reused;
  dom::parser large;
  dom::parser& parser = text.size() <= kReusedParserBytes ? reused : large;
  if (allocateFor(parser, text.size()) != simdjson::SUCCESS) {
    return core::fail(core::ErrorCode::Limit, "stored inventory: no memory to parse {} bytes",
                      text.size());
  }
  const simdjson::padded_string padded(text);
  dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) return invalid("not JSON");
  dom::object root_object;
  if (doc.get_object().get(root_object) != simdjson::SUCCESS) {
    return invalid("not a JSON object");
  }
  const auto& k = kRootKeys;
  const Members root(root_object, k);
  const dom::element* version = root.get(k("v"));
  if (version == nullptr || !(version->is_int64() || version->is_uint64())) {
    return invalid("no format version");
  }
  if (std::int64_t number = 0;
      version->get_int64().get(number) != simdjson::SUCCESS || number != kInventoryCodecVersion) {
    return invalid(fmt::format("format version {} is not {} (written by a newer bulwark?)",
                               simdjson::minify(*version), kInventoryCodecVersion));
  }

  constexpr Path kWhere{"inventory"};
  Decoder d;
  model::Inventory inventory;
  if (const auto target = d.object(root, k("t"), kWhere)) {
    decodeTarget(d, *target, inventory.target);
  }
  if (const auto distro = d.object(root, k("d"), kWhere)) {
    decodeDistro(d, *distro, inventory.distro);
  }
  if (const auto packages = d.array(root, k("p"), kWhere); packages && d.ok()) {
    const std::size_t size = packages->size();
    if (size > kMaxStoredPackages) {
      return invalid(
          fmt::format("{} packages, more than the {} allowed", size, kMaxStoredPackages));
    }
    inventory.packages.resize(size);
    std::size_t i = 0;
    for (const dom::element element : *packages) {
      if (!d.ok()) break;
      decodePackage(d, element, inventory.target.layers, i, inventory.packages[i]);
      ++i;
    }
  }
  if (const auto diagnostics = d.array(root, k("g"), kWhere)) {
    if (diagnostics->size() > kMaxStoredDiagnostics) {
      return invalid(fmt::format("more than {} diagnostics", kMaxStoredDiagnostics));
    }
    inventory.diagnostics.reserve(diagnostics->size());
    for (const dom::element element : *diagnostics) {
      dom::array g;
      std::array<std::string_view, 3> parts;
      std::size_t n = 0;
      if (element.get_array().get(g) == simdjson::SUCCESS && g.size() == parts.size()) {
        for (const dom::element part : g) {
          if (part.get_string().get(parts[n]) != simdjson::SUCCESS) break;
          ++n;
        }
      }
      if (n != parts.size()) {
        d.fail(Path{"g"}, "not all [kind, where, detail]");
        break;
      }
      inventory.diagnostics.push_back(
          {std::string(parts[0]), std::string(parts[1]), std::string(parts[2])});
    }
  }
  std::uint64_t count = inventory.diagnostics.size();
  d.count(root, k("gn"), std::numeric_limits<std::uint64_t>::max(), count, kWhere);
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
