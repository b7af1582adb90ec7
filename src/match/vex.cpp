#include "match/vex.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "model/purl.h"

namespace bulwark::match {

namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxVexBytes = std::size_t{256} * 1024 * 1024;
constexpr std::size_t kMaxComponentDepth = 64;
constexpr std::size_t kTimestampKeyLength = 19;  // "YYYY-MM-DDTHH:MM:SS"

const Json* member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string stringAt(const Json& object, const char* key) {
  const Json* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

std::string lowered(std::string_view value) {
  std::string out(value);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class Builder {
 public:
  explicit Builder(VexDocument& document) : document_(document) {}

  void diagnose(std::string kind, std::size_t statement, std::string detail) {
    document_.diagnostics.push_back(core::Diagnostic{
        std::move(kind), fmt::format("{}: statement {}", document_.path, statement),
        std::move(detail)});
  }

  // A product, subcomponent or affects entry named by `id` (a purl, or something else).
  VexComponent component(std::string id, std::size_t statement) {
    VexComponent out;
    out.id = std::move(id);
    addPurl(out, out.id, statement);
    return out;
  }

  void addPurl(VexComponent& component, const std::string& candidate, std::size_t statement) {
    if (candidate.rfind("pkg:", 0) != 0) return;
    auto purl = model::parsePurl(candidate);
    if (!purl) {
      diagnose("vex.bad-purl", statement,
               fmt::format("'{}': {}", core::printable(candidate), purl.error().message));
      return;
    }
    component.purls.push_back(std::move(*purl));
  }

  // OpenVEX component: a string (v0.0.x) or {"@id", "identifiers": {"purl"}}.
  VexComponent openVexComponent(const Json& node, std::size_t statement) {
    if (node.is_string()) return component(node.get<std::string>(), statement);
    VexComponent out = component(stringAt(node, "@id"), statement);
    if (const Json* identifiers = member(node, "identifiers")) {
      const std::string purl = stringAt(*identifiers, "purl");
      if (!purl.empty() && purl != out.id) addPurl(out, purl, statement);
    }
    return out;
  }

  void finish(VexStatement statement) {
    if (statement.ids.empty()) {
      diagnose("vex.no-vulnerability", statement.index, "statement names no vulnerability");
      return;
    }
    if (statement.products.empty() && statement.product_refs.empty()) {
      diagnose("vex.no-product", statement.index, "statement names no product");
      return;
    }
    const std::size_t position = document_.statements.size();
    std::vector<std::string> keys;
    for (const auto& id : statement.ids) keys.push_back(lowered(id));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (auto& key : keys) document_.by_id[std::move(key)].push_back(position);
    document_.statements.push_back(std::move(statement));
  }

 private:
  VexDocument& document_;
};

VexStatus openVexStatus(std::string_view status) {
  if (status == "not_affected") return VexStatus::NotAffected;
  if (status == "affected") return VexStatus::Affected;
  if (status == "fixed") return VexStatus::Fixed;
  if (status == "under_investigation") return VexStatus::UnderInvestigation;
  return VexStatus::Unknown;
}

VexStatus cycloneDxStatus(std::string_view state) {
  if (state == "not_affected" || state == "false_positive") return VexStatus::NotAffected;
  if (state == "resolved" || state == "resolved_with_pedigree") return VexStatus::Fixed;
  if (state == "exploitable") return VexStatus::Affected;
  if (state == "in_triage") return VexStatus::UnderInvestigation;
  return VexStatus::Unknown;
}

void parseOpenVex(const Json& root, VexDocument& document) {
  Builder builder(document);
  const std::string document_timestamp = stringAt(root, "timestamp");
  const Json* statements = member(root, "statements");
  if (statements == nullptr || !statements->is_array()) return;
  std::size_t index = 0;
  for (const auto& node : *statements) {
    ++index;
    if (!node.is_object()) {
      builder.diagnose("vex.malformed-statement", index, "statement is not an object");
      continue;
    }
    VexStatement statement;
    statement.index = index;
    if (const Json* vulnerability = member(node, "vulnerability")) {
      if (vulnerability->is_string()) {
        statement.ids.push_back(vulnerability->get<std::string>());
      } else {
        for (const char* key : {"name", "@id"}) {
          const std::string id = stringAt(*vulnerability, key);
          if (!id.empty()) statement.ids.push_back(id);
        }
        if (const Json* aliases = member(*vulnerability, "aliases");
            aliases != nullptr && aliases->is_array()) {
          for (const auto& alias : *aliases) {
            if (alias.is_string()) statement.ids.push_back(alias.get<std::string>());
          }
        }
      }
    }
    // v0.0.x: subcomponents beside the products, applying to each of them.
    std::vector<VexComponent> shared_subcomponents;
    if (const Json* subcomponents = member(node, "subcomponents");
        subcomponents != nullptr && subcomponents->is_array()) {
      for (const auto& sub : *subcomponents) {
        shared_subcomponents.push_back(builder.openVexComponent(sub, index));
      }
    }
    if (const Json* products = member(node, "products");
        products != nullptr && products->is_array()) {
      for (const auto& product_node : *products) {
        VexProduct product;
        product.component = builder.openVexComponent(product_node, index);
        if (const Json* subcomponents = member(product_node, "subcomponents");
            subcomponents != nullptr && subcomponents->is_array()) {
          for (const auto& sub : *subcomponents) {
            product.subcomponents.push_back(builder.openVexComponent(sub, index));
          }
        }
        product.subcomponents.insert(product.subcomponents.end(), shared_subcomponents.begin(),
                                     shared_subcomponents.end());
        statement.products.push_back(std::move(product));
      }
    }
    statement.status_text = stringAt(node, "status");
    statement.status = openVexStatus(statement.status_text);
    if (statement.status == VexStatus::Unknown) {
      builder.diagnose("vex.unknown-status", index,
                       fmt::format("unknown status '{}' (not_affected, affected, fixed, "
                                   "under_investigation): the statement suppresses nothing",
                                   core::printable(statement.status_text)));
    }
    statement.justification = stringAt(node, "justification");
    for (const char* key : {"impact_statement", "status_notes", "action_statement"}) {
      statement.reason = stringAt(node, key);
      if (!statement.reason.empty()) break;
    }
    statement.timestamp = stringAt(node, "timestamp");
    if (statement.timestamp.empty()) statement.timestamp = document_timestamp;
    builder.finish(std::move(statement));
  }
}

// bom-ref → purl for every component of a CycloneDX document (metadata.component included).
std::unordered_map<std::string, std::string> componentPurls(const Json& root) {
  std::unordered_map<std::string, std::string> out;
  std::vector<std::pair<const Json*, std::size_t>> pending;
  if (const Json* metadata = member(root, "metadata")) {
    if (const Json* subject = member(*metadata, "component")) pending.emplace_back(subject, 0);
  }
  if (const Json* components = member(root, "components");
      components != nullptr && components->is_array()) {
    for (const auto& c : *components) pending.emplace_back(&c, 0);
  }
  while (!pending.empty()) {
    const auto [node, depth] = pending.back();
    pending.pop_back();
    const std::string ref = stringAt(*node, "bom-ref");
    const std::string purl = stringAt(*node, "purl");
    if (!ref.empty() && !purl.empty()) out.emplace(ref, purl);
    if (depth >= kMaxComponentDepth) continue;
    if (const Json* children = member(*node, "components");
        children != nullptr && children->is_array()) {
      for (const auto& c : *children) pending.emplace_back(&c, depth + 1);
    }
  }
  return out;
}

void parseCycloneDx(const Json& root, VexDocument& document) {
  Builder builder(document);
  const auto purls = componentPurls(root);
  std::string document_timestamp;
  if (const Json* metadata = member(root, "metadata")) {
    document_timestamp = stringAt(*metadata, "timestamp");
  }
  const Json* vulnerabilities = member(root, "vulnerabilities");
  if (vulnerabilities == nullptr || !vulnerabilities->is_array()) return;
  std::size_t index = 0;
  for (const auto& node : *vulnerabilities) {
    ++index;
    if (!node.is_object()) {
      builder.diagnose("vex.malformed-statement", index, "vulnerability is not an object");
      continue;
    }
    VexStatement statement;
    statement.index = index;
    const std::string id = stringAt(node, "id");
    if (!id.empty()) statement.ids.push_back(id);
    if (const Json* references = member(node, "references");
        references != nullptr && references->is_array()) {
      for (const auto& reference : *references) {
        const std::string alias = stringAt(reference, "id");
        if (!alias.empty()) statement.ids.push_back(alias);
      }
    }
    const Json* analysis = member(node, "analysis");
    if (analysis == nullptr || !analysis->is_object()) {
      builder.diagnose("vex.no-analysis", index,
                       "vulnerability without an analysis: the statement suppresses nothing");
    } else {
      statement.status_text = stringAt(*analysis, "state");
      statement.justification = stringAt(*analysis, "justification");
      statement.reason = stringAt(*analysis, "detail");
      statement.timestamp = stringAt(*analysis, "lastUpdated");
    }
    statement.status = cycloneDxStatus(statement.status_text);
    if (analysis != nullptr && statement.status == VexStatus::Unknown) {
      builder.diagnose("vex.unknown-status", index,
                       fmt::format("unknown analysis state '{}': the statement suppresses nothing",
                                   core::printable(statement.status_text)));
    }
    if (statement.timestamp.empty()) statement.timestamp = stringAt(node, "updated");
    if (statement.timestamp.empty()) statement.timestamp = document_timestamp;
    if (const Json* affects = member(node, "affects"); affects != nullptr && affects->is_array()) {
      for (const auto& affect : *affects) {
        std::string ref = stringAt(affect, "ref");
        if (ref.empty()) continue;
        // BOM-Link: urn:cdx:<serial>/<version>#<percent-encoded bom-ref>
        if (ref.rfind("urn:cdx:", 0) == 0) {
          const auto hash = ref.find('#');
          auto decoded = hash == std::string::npos ? core::Result<std::string>(std::string())
                                                   : model::percentDecode(ref.substr(hash + 1));
          if (!decoded || decoded->empty()) {
            builder.diagnose("vex.bad-ref", index,
                             fmt::format("BOM-Link without a bom-ref: '{}'", core::printable(ref)));
            continue;
          }
          ref = std::move(*decoded);
        }
        VexProduct product;
        if (const auto it = purls.find(ref); it != purls.end()) {
          product.component = builder.component(ref, index);
          builder.addPurl(product.component, it->second, index);
        } else {
          product.component = builder.component(ref, index);
          if (product.component.purls.empty()) {
            builder.diagnose("vex.unresolved-ref", index,
                             fmt::format("'{}' is neither a purl nor the bom-ref of a component "
                                         "with a purl in this document",
                                         core::printable(ref)));
          }
        }
        statement.products.push_back(std::move(product));
      }
    }
    builder.finish(std::move(statement));
  }
}

// ---- CSAF 2.0 VEX ---------------------------------------------------------------------------

constexpr std::size_t kMaxCsafBranchDepth = 32;        // Red Hat's trees are 3-4 levels deep
constexpr std::size_t kMaxRelationshipDepth = 8;       // composites of composites
constexpr std::size_t kMaxCsafReasonBytes = 1024;      // threat details kept as the reason
constexpr std::size_t kMaxIdentifiersPerProduct = 16;  // helpers, purls and CPEs of one id
constexpr std::size_t kMaxGroupsPerProduct = 64;       // product_groups one product is in
constexpr std::size_t kMaxCsafIds = 16;                // ids of one vulnerability (cve, ids[])
constexpr std::size_t kMaxCsafIdBytes = 256;           // longer "ids" are no vulnerability ids
// Statements of one document: Red Hat's files make a few dozen. Each copies its vulnerability's
// ids and reason, so their number is bounded rather than the products they name.
constexpr std::size_t kMaxCsafStatements = 10'000;

// CSAF 2.0 §3.2.3.5: the flag labels, which are OpenVEX's justifications.
constexpr std::string_view kCsafJustifications[] = {
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "vulnerable_code_not_in_execute_path",
    "inline_mitigations_already_exist",
};

// product_status lists in the order their statements are made (later ones win a tie).
struct CsafStatusList {
  const char* key;
  VexStatus status;
};
constexpr CsafStatusList kCsafStatusLists[] = {
    {"known_affected", VexStatus::Affected},
    {"first_affected", VexStatus::Affected},
    {"last_affected", VexStatus::Affected},
    {"under_investigation", VexStatus::UnderInvestigation},
    {"fixed", VexStatus::Fixed},
    {"first_fixed", VexStatus::Fixed},
    {"known_not_affected", VexStatus::NotAffected},
};

// Relationship categories that put a component on a platform (Trivy's three).
bool isComponentRelationship(std::string_view category) {
  return category == "default_component_of" || category == "installed_on" ||
         category == "installed_with";
}

// The product tree: product ids → identification helpers, composite ids → (component,
// platform), group ids → product ids. Products are resolved into VexDocument::products when a
// statement first names them, once each.
class CsafTree {
 public:
  CsafTree(const Json& tree, Builder& builder, VexDocument& document)
      : builder_(builder), document_(document) {
    if (const Json* branches = member(tree, "branches")) walk(*branches, 0);
    if (const Json* names = member(tree, "full_product_names"); names && names->is_array()) {
      for (const auto& product : *names) addProduct(product);
    }
    if (const Json* relationships = member(tree, "relationships");
        relationships != nullptr && relationships->is_array()) {
      for (const auto& relationship : *relationships) {
        const Json* full_name = member(relationship, "full_product_name");
        if (full_name == nullptr) continue;
        addProduct(*full_name);  // a composite may carry its own helper
        if (!isComponentRelationship(stringAt(relationship, "category"))) continue;
        std::string id = stringAt(*full_name, "product_id");
        Relationship value{stringAt(relationship, "product_reference"),
                           stringAt(relationship, "relates_to_product_reference")};
        if (id.empty() || value.component.empty() || value.platform.empty()) continue;
        relationships_.try_emplace(std::move(id), std::move(value));
      }
    }
    if (const Json* groups = member(tree, "product_groups"); groups && groups->is_array()) {
      for (const auto& group : *groups) {
        const Json* ids = member(group, "product_ids");
        const std::string id = stringAt(group, "group_id");
        if (ids == nullptr || !ids->is_array() || id.empty()) continue;
        for (const auto& product : *ids) {
          if (!product.is_string()) continue;
          auto& of = groups_of_[product.get<std::string>()];
          if (of.size() < kMaxGroupsPerProduct && std::find(of.begin(), of.end(), id) == of.end()) {
            of.push_back(id);
          }
        }
      }
    }
  }

  // The groups product `id` belongs to (at most kMaxGroupsPerProduct), or nullptr.
  const std::vector<std::string>* groupsOf(const std::string& id) const {
    const auto it = groups_of_.find(id);
    return it == groups_of_.end() ? nullptr : &it->second;
  }

  // Indexes into VexDocument::products for product `id`; empty when the tree does not identify
  // it (unknown id, no purl or CPE, a composite whose component or platform has neither).
  const std::vector<std::size_t>& productsOf(const std::string& id, std::size_t statement) {
    if (const auto it = resolved_.find(id); it != resolved_.end()) return it->second;
    std::vector<std::size_t> out;
    VexComponent own = componentOf(id, statement);
    if (!own.purls.empty() || !own.cpes.empty()) {
      out.push_back(document_.products.size());
      document_.products.push_back(VexProduct{std::move(own), {}});
    }
    if (const auto it = relationships_.find(id); it != relationships_.end()) {
      VexComponent platform = resolved(it->second.platform, statement, true);
      VexComponent component = resolved(it->second.component, statement, false);
      if ((!platform.purls.empty() || !platform.cpes.empty()) && !component.purls.empty()) {
        out.push_back(document_.products.size());
        document_.products.push_back(VexProduct{std::move(platform), {std::move(component)}});
      }
    }
    return resolved_.emplace(id, std::move(out)).first->second;
  }

 private:
  struct Relationship {
    std::string component;
    std::string platform;
  };

  void addProduct(const Json& product) {
    std::string id = stringAt(product, "product_id");
    const Json* helper = member(product, "product_identification_helper");
    if (id.empty() || helper == nullptr || !helper->is_object()) return;
    auto& helpers = helpers_[std::move(id)];
    if (helpers.size() < kMaxIdentifiersPerProduct) helpers.push_back(helper);
  }

  void walk(const Json& branches, std::size_t depth) {
    if (!branches.is_array()) return;
    if (depth > kMaxCsafBranchDepth) {
      if (too_deep_) return;
      too_deep_ = true;
      document_.diagnostics.push_back(core::Diagnostic{
          "vex.malformed-product-tree", document_.path + ": product_tree",
          fmt::format("branches nested deeper than {}: the deeper ones are not read",
                      kMaxCsafBranchDepth)});
      return;
    }
    for (const auto& branch : branches) {
      if (const Json* product = member(branch, "product")) addProduct(*product);
      if (const Json* children = member(branch, "branches")) walk(*children, depth + 1);
    }
  }

  // The purls and CPEs the tree gives product `id` itself.
  VexComponent componentOf(const std::string& id, std::size_t statement) {
    VexComponent out;
    out.id = id;
    const auto it = helpers_.find(id);
    if (it == helpers_.end()) return out;
    // Each identifier is copied into every composite that names the product: a few per product.
    const auto room = [&] {
      return out.purls.size() + out.cpes.size() < kMaxIdentifiersPerProduct;
    };
    for (const Json* helper : it->second) {
      const std::string purl = stringAt(*helper, "purl");
      if (!purl.empty() && room()) builder_.addPurl(out, purl, statement);
      if (const Json* purls = member(*helper, "purls"); purls != nullptr && purls->is_array()) {
        for (const auto& more : *purls) {
          if (!room()) break;
          if (more.is_string()) builder_.addPurl(out, more.get<std::string>(), statement);
        }
      }
      std::string cpe = stringAt(*helper, "cpe");
      if (!cpe.empty() && room()) out.cpes.push_back(std::move(cpe));
    }
    return out;
  }

  // A relationship's component or platform: the product itself, or when it has no helper and
  // is a composite, that composite's component (or platform), to a bounded depth.
  VexComponent resolved(std::string id, std::size_t statement, bool platform) {
    for (std::size_t depth = 0;; ++depth) {
      VexComponent out = componentOf(id, statement);
      if (!out.purls.empty() || !out.cpes.empty() || depth >= kMaxRelationshipDepth) return out;
      const auto it = relationships_.find(id);
      if (it == relationships_.end()) return out;
      id = platform ? it->second.platform : it->second.component;
    }
  }

  Builder& builder_;
  VexDocument& document_;
  std::unordered_map<std::string, std::vector<const Json*>> helpers_;
  std::unordered_map<std::string, Relationship> relationships_;
  std::unordered_map<std::string, std::vector<std::string>> groups_of_;  // product → groups
  std::unordered_map<std::string, std::vector<std::size_t>> resolved_;
  bool too_deep_ = false;
};

// What the flags (justifications) or the impact threats (reasons) of one vulnerability say
// about each product, by the position of the flag or threat that says it (the first wins) and
// an index into their values; products are named directly or through their groups.
class CsafNotes {
 public:
  // Records `value` for the product_ids and group_ids of `node`, the `order`-th entry.
  void add(const Json& node, std::size_t order, std::size_t value) {
    bool scoped = false;
    for (const char* key : {"product_ids", "group_ids"}) {
      const Json* ids = member(node, key);
      if (ids == nullptr || !ids->is_array()) continue;
      auto& map = key[0] == 'p' ? by_product_ : by_group_;
      for (const auto& id : *ids) {
        if (!id.is_string()) continue;
        scoped = true;
        map.try_emplace(id.get<std::string>(), Note{order, value});
      }
    }
    if (!scoped && !unscoped_) unscoped_ = Note{order, value};
  }

  // The value for product `id`: from the first entry naming it or one of its groups, else from
  // the first entry naming no product; nullopt when there is none.
  [[nodiscard]] std::optional<std::size_t> valueFor(const std::string& id,
                                                    const CsafTree& tree) const {
    std::optional<Note> best;
    const auto consider = [&](const std::unordered_map<std::string, Note>& map,
                              const std::string& key) {
      const auto it = map.find(key);
      if (it != map.end() && (!best || it->second.order < best->order)) best = it->second;
    };
    consider(by_product_, id);
    if (const auto* groups = tree.groupsOf(id)) {
      for (const auto& group : *groups) consider(by_group_, group);
    }
    if (!best) best = unscoped_;
    return best ? std::optional<std::size_t>(best->value) : std::nullopt;
  }

 private:
  struct Note {
    std::size_t order = 0;
    std::size_t value = 0;
  };
  std::unordered_map<std::string, Note> by_product_;
  std::unordered_map<std::string, Note> by_group_;
  std::optional<Note> unscoped_;
};

// The justifications (flags, which must name products; values index kCsafJustifications) and
// the reasons (impact threats; values index reason_texts) of one vulnerability.
struct CsafProductNotes {
  CsafNotes justifications;
  CsafNotes reasons;
  std::vector<std::string> reason_texts;
};

CsafProductNotes csafNotes(const Json& vulnerability, Builder& builder, std::size_t index) {
  CsafProductNotes notes;
  if (const Json* flags = member(vulnerability, "flags"); flags != nullptr && flags->is_array()) {
    std::size_t order = 0;
    for (const auto& flag : *flags) {
      const std::string label = stringAt(flag, "label");
      const auto* known =
          std::find(std::begin(kCsafJustifications), std::end(kCsafJustifications), label);
      if (known == std::end(kCsafJustifications)) {
        builder.diagnose("vex.unknown-justification", index,
                         fmt::format("unknown flag label '{}'", core::printable(label)));
        continue;
      }
      if (member(flag, "product_ids") == nullptr && member(flag, "group_ids") == nullptr) continue;
      notes.justifications.add(flag, order++,
                               static_cast<std::size_t>(known - std::begin(kCsafJustifications)));
    }
  }
  if (const Json* threats = member(vulnerability, "threats");
      threats != nullptr && threats->is_array()) {
    for (const auto& threat : *threats) {
      if (stringAt(threat, "category") != "impact") continue;
      std::string details = stringAt(threat, "details");
      if (details.empty()) continue;
      if (details.size() > kMaxCsafReasonBytes) details.resize(kMaxCsafReasonBytes);
      notes.reasons.add(threat, notes.reason_texts.size(), notes.reason_texts.size());
      notes.reason_texts.push_back(std::move(details));
    }
  }
  return notes;
}

void parseCsaf(const Json& root, VexDocument& document) {
  Builder builder(document);
  const Json* meta = member(root, "document");
  std::string timestamp;
  if (const Json* tracking = meta != nullptr ? member(*meta, "tracking") : nullptr) {
    timestamp = stringAt(*tracking, "current_release_date");
  }
  static const Json kEmpty = Json::object();
  const Json* tree_node = member(root, "product_tree");
  CsafTree tree(tree_node != nullptr ? *tree_node : kEmpty, builder, document);
  const Json* vulnerabilities = member(root, "vulnerabilities");
  if (vulnerabilities == nullptr || !vulnerabilities->is_array()) return;
  std::size_t index = 0;
  bool truncated = false;
  for (const auto& node : *vulnerabilities) {
    if (truncated) break;
    ++index;
    if (!node.is_object()) {
      builder.diagnose("vex.malformed-statement", index, "vulnerability is not an object");
      continue;
    }
    std::vector<std::string> ids;
    const auto add_id = [&](std::string id) {
      if (!id.empty() && id.size() <= kMaxCsafIdBytes && ids.size() < kMaxCsafIds) {
        ids.push_back(std::move(id));
      }
    };
    add_id(stringAt(node, "cve"));
    if (const Json* more = member(node, "ids"); more != nullptr && more->is_array()) {
      for (const auto& id : *more) add_id(stringAt(id, "text"));
    }
    const CsafProductNotes notes = csafNotes(node, builder, index);
    const Json* statuses = member(node, "product_status");
    if (statuses == nullptr || !statuses->is_object()) {
      builder.diagnose("vex.no-product", index,
                       "vulnerability without product_status: it suppresses nothing");
      continue;
    }
    for (const auto& list : kCsafStatusLists) {
      const Json* products = member(*statuses, list.key);
      if (products == nullptr || !products->is_array()) continue;
      // One statement per (justification, reason), in order of first appearance.
      std::vector<VexStatement> made;
      std::map<std::pair<std::string, std::string>, std::size_t> by_note;
      std::unordered_set<std::string> seen;
      std::size_t unresolved = 0;
      std::string first_unresolved;
      for (const auto& product : *products) {
        if (!product.is_string()) continue;
        const std::string id = product.get<std::string>();
        if (!seen.insert(id).second) continue;
        const auto& refs = tree.productsOf(id, index);
        if (refs.empty()) {
          if (unresolved++ == 0) first_unresolved = id;
          continue;
        }
        std::string justification;
        if (list.status == VexStatus::NotAffected) {
          if (const auto label = notes.justifications.valueFor(id, tree)) {
            justification = kCsafJustifications[*label];
          }
        }
        std::string reason;
        if (const auto text = notes.reasons.valueFor(id, tree)) reason = notes.reason_texts[*text];
        const std::pair<std::string, std::string> note{std::move(justification), std::move(reason)};
        if (!by_note.contains(note) &&
            document.statements.size() + made.size() >= kMaxCsafStatements) {
          if (!truncated) {
            builder.diagnose("vex.too-many-statements", index,
                             fmt::format("more than {} statements: the rest of the document is "
                                         "not read",
                                         kMaxCsafStatements));
          }
          truncated = true;
          break;
        }
        auto [slot, added] = by_note.try_emplace(note, made.size());
        if (added) {
          VexStatement statement;
          statement.ids = ids;
          statement.status = list.status;
          statement.status_text = list.key;
          statement.justification = slot->first.first;
          statement.reason = slot->first.second;
          statement.timestamp = timestamp;
          statement.index = index;
          made.push_back(std::move(statement));
        }
        auto& target = made[slot->second].product_refs;
        target.insert(target.end(), refs.begin(), refs.end());
      }
      if (unresolved > 0) {
        builder.diagnose("vex.unresolved-product", index,
                         fmt::format("{} product id(s) of {} have no purl or CPE in the product "
                                     "tree (first: '{}'): they match nothing",
                                     unresolved, list.key, core::printable(first_unresolved)));
      }
      for (auto& statement : made) builder.finish(std::move(statement));
    }
  }
}

bool componentCovers(const VexComponent& component, const Subject& subject) {
  if (!component.id.empty() && component.id == subject.purl_text) return true;
  return std::any_of(component.purls.begin(), component.purls.end(),
                     [&](const model::ParsedPurl& purl) { return purlCovers(purl, subject); });
}

// The component is the scanned image (an OCI purl with its digest) or, for CSAF platforms, the
// operating system release the package comes from (a CPE).
bool componentNamesTarget(const VexComponent& component, const Subject& subject) {
  return std::any_of(
             component.purls.begin(), component.purls.end(),
             [&](const model::ParsedPurl& purl) { return purlNamesTarget(purl, subject); }) ||
         std::any_of(component.cpes.begin(), component.cpes.end(),
                     [&](const std::string& cpe) { return cpeNamesDistro(cpe, subject); });
}

bool productApplies(const VexProduct& product, const Subject& subject) {
  if (componentCovers(product.component, subject)) return true;
  if (!componentNamesTarget(product.component, subject)) return false;
  if (product.subcomponents.empty()) return true;
  return std::any_of(product.subcomponents.begin(), product.subcomponents.end(),
                     [&](const VexComponent& sub) { return componentCovers(sub, subject); });
}

bool applies(const VexDocument& document, const VexStatement& statement, const Subject& subject) {
  for (const auto& product : statement.products) {
    if (productApplies(product, subject)) return true;
  }
  for (const std::size_t ref : statement.product_refs) {
    if (ref < document.products.size() && productApplies(document.products[ref], subject)) {
      return true;
    }
  }
  return false;
}

std::string_view timestampKey(const std::string& timestamp) {
  return std::string_view(timestamp).substr(0, std::min(timestamp.size(), kTimestampKeyLength));
}

}  // namespace

std::string_view toString(VexStatus status) {
  switch (status) {
    case VexStatus::NotAffected: return "not_affected";
    case VexStatus::Affected: return "affected";
    case VexStatus::Fixed: return "fixed";
    case VexStatus::UnderInvestigation: return "under_investigation";
    case VexStatus::Unknown: return "unknown";
  }
  return "unknown";
}

core::Result<VexDocument> parseVex(std::string_view text, std::string_view path) {
  if (text.size() > kMaxVexBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: VEX document larger than {} bytes", path,
                      kMaxVexBytes);
  }
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::parse_error& error) {
    // error.byte counts the characters read, the offending one included; at the end of the
    // input everything was read.
    const std::size_t consumed =
        error.byte >= text.size() ? text.size() : (error.byte > 0 ? error.byte - 1 : 0);
    const std::string_view before = text.substr(0, consumed);
    const std::size_t line =
        1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    const auto last_newline = before.rfind('\n');
    const std::size_t column =
        last_newline == std::string_view::npos ? before.size() + 1 : before.size() - last_newline;
    return core::fail(core::ErrorCode::Input, "{}:{}:{}: invalid JSON: {}", path, line, column,
                      error.what());
  } catch (const std::exception& error) {
    return core::fail(core::ErrorCode::Input, "{}: invalid JSON: {}", path, error.what());
  }
  VexDocument document;
  document.path = std::string(path);
  if (!root.is_object()) {
    return core::fail(core::ErrorCode::Input, "{}: a VEX document is a JSON object", path);
  }
  const std::string context = stringAt(root, "@context");
  if (context.find("openvex") != std::string::npos || member(root, "statements") != nullptr) {
    const Json* statements = member(root, "statements");
    if (statements == nullptr || !statements->is_array()) {
      return core::fail(core::ErrorCode::Input, "{}: OpenVEX document without a statements list",
                        path);
    }
    document.format = VexFormat::OpenVex;
    parseOpenVex(root, document);
    return document;
  }
  if (stringAt(root, "bomFormat") == "CycloneDX") {
    const Json* vulnerabilities = member(root, "vulnerabilities");
    if (vulnerabilities != nullptr && !vulnerabilities->is_array()) {
      return core::fail(core::ErrorCode::Input, "{}: CycloneDX 'vulnerabilities' is not a list",
                        path);
    }
    document.format = VexFormat::CycloneDx;
    parseCycloneDx(root, document);
    return document;
  }
  if (const Json* csaf = member(root, "document");
      csaf != nullptr && (member(*csaf, "csaf_version") || member(*csaf, "category"))) {
    const std::string category = stringAt(*csaf, "category");
    if (category != "csaf_vex") {
      return core::fail(core::ErrorCode::Input,
                        "{}: a CSAF document of category '{}', not VEX (csaf_vex)", path,
                        core::printable(category));
    }
    const Json* vulnerabilities = member(root, "vulnerabilities");
    if (vulnerabilities != nullptr && !vulnerabilities->is_array()) {
      return core::fail(core::ErrorCode::Input, "{}: CSAF 'vulnerabilities' is not a list", path);
    }
    document.format = VexFormat::Csaf;
    parseCsaf(root, document);
    return document;
  }
  return core::fail(core::ErrorCode::Input,
                    "{}: neither OpenVEX (statements), CycloneDX (bomFormat) nor CSAF VEX "
                    "(document.category csaf_vex) JSON",
                    path);
}

core::Result<VexDocument> loadVex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::ErrorCode::NotFound, "cannot open VEX document {}", path);
  std::string content;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (content.size() > kMaxVexBytes) {
      return core::fail(core::ErrorCode::Limit, "{}: VEX document larger than {} bytes", path,
                        kMaxVexBytes);
    }
  }
  if (in.bad()) return core::fail(core::ErrorCode::Io, "cannot read VEX document {}", path);
  return parseVex(content, path);
}

const VexStatement* decidingStatement(const VexDocument& document, const Subject& subject) {
  std::vector<std::size_t> candidates;
  const auto collect = [&](const std::string& id) {
    if (id.empty()) return;
    const auto it = document.by_id.find(lowered(id));
    if (it != document.by_id.end()) {
      candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    }
  };
  collect(subject.vulnerability_id);
  for (const auto& alias : subject.aliases) collect(alias);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  const VexStatement* best = nullptr;
  for (const std::size_t position : candidates) {
    const VexStatement& statement = document.statements[position];
    if (!applies(document, statement, subject)) continue;
    // Later in time wins; at equal times, later in the document (candidates are in order).
    if (best == nullptr || timestampKey(statement.timestamp) >= timestampKey(best->timestamp)) {
      best = &statement;
    }
  }
  return best;
}

}  // namespace bulwark::match
