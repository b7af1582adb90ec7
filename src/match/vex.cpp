#include "match/vex.h"

#include <algorithm>
#include <fstream>

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
    if (statement.products.empty()) {
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

bool componentCovers(const VexComponent& component, const Subject& subject) {
  if (!component.id.empty() && component.id == subject.purl_text) return true;
  return std::any_of(component.purls.begin(), component.purls.end(),
                     [&](const model::ParsedPurl& purl) { return purlCovers(purl, subject); });
}

bool componentNamesTarget(const VexComponent& component, const Subject& subject) {
  return std::any_of(component.purls.begin(), component.purls.end(),
                     [&](const model::ParsedPurl& purl) { return purlNamesTarget(purl, subject); });
}

bool applies(const VexStatement& statement, const Subject& subject) {
  for (const auto& product : statement.products) {
    if (componentCovers(product.component, subject)) return true;
    if (!componentNamesTarget(product.component, subject)) continue;
    if (product.subcomponents.empty()) return true;
    for (const auto& sub : product.subcomponents) {
      if (componentCovers(sub, subject)) return true;
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
      csaf != nullptr && member(*csaf, "csaf_version")) {
    return core::fail(core::ErrorCode::Input,
                      "{}: CSAF VEX is not supported as --vex input (OpenVEX, CycloneDX)", path);
  }
  return core::fail(core::ErrorCode::Input,
                    "{}: neither OpenVEX (statements) nor CycloneDX (bomFormat) JSON", path);
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
    if (!applies(statement, subject)) continue;
    // Later in time wins; at equal times, later in the document (candidates are in order).
    if (best == nullptr || timestampKey(statement.timestamp) >= timestampKey(best->timestamp)) {
      best = &statement;
    }
  }
  return best;
}

}  // namespace bulwark::match
