// `bulwark.k8s-snapshot/v1` (docs/dev/k8s-design.md §1.6): the objects of an Inventory as the
// API returns them (trimmed), the state of every list read, and the input problems met.
//
// Layout: `schema` first (so a reader knows the file from its first bytes), then the other keys
// sorted; each item on a line of its own (a diff of two snapshots shows changed objects). Items
// keep no origin: read back, an object is like a live API object (no file, no line) whose
// origin.item is "items[<i>]", and its state's source is "<snapshot>#items[<i>]".
//
// The reader trusts nothing: the size and nesting are bounded before parsing; a bad item, source
// or problem costs only itself (an InputProblem BW-K8S-602 or a diagnostic); only a text that is
// not a snapshot (not JSON, not an object, another schema) fails.
#include "checks/k8s/snapshot.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checks/k8s/field_types.h"
#include "core/text.h"

namespace bulwark::checks::k8s {

namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxBytes = std::size_t{256} << 20;
constexpr int kMaxDepth = 160;  // a manifest's 128 levels, inside `items`
constexpr std::size_t kMaxObjects = 1'000'000;
constexpr std::size_t kMaxSources = 10'000;
constexpr std::size_t kMaxProblems = 1'000'000;
constexpr std::string_view kItemCheck = "BW-K8S-602";
constexpr std::string_view kMalformed = "k8s-snapshot.malformed";

std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The item as the snapshot keeps it: kind, apiVersion and the namespace the object was given
// written in; metadata.managedFields and a Secret's values dropped; of `status`, only the
// name, image and image id of each container (the scan lookup reads them).
Json trimmedItem(const Object& object) {
  Json item = object.doc.is_object() ? object.doc : Json::object();
  if (!item.contains("kind")) item["kind"] = object.kind;
  if (!item.contains("apiVersion")) item["apiVersion"] = object.api_version;
  auto meta = item.find("metadata");
  if (meta == item.end() || !meta->is_object()) {
    item["metadata"] = Json::object();
    meta = item.find("metadata");
  }
  meta->erase("managedFields");
  // A collector never lists Secrets (§1.4); an inventory from manifests may hold one, whose
  // values no check reads and no snapshot should carry.
  if (object.kind == "Secret") {
    item.erase("data");
    item.erase("stringData");
  }
  if (!object.ns.empty() && !meta->contains("namespace")) (*meta)["namespace"] = object.ns;
  if (const auto status = item.find("status"); status != item.end()) {
    Json kept = Json::object();
    if (status->is_object()) {
      for (const char* list :
           {"containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"}) {
        const auto entries = status->find(list);
        if (entries == status->end() || !entries->is_array()) continue;
        Json out = Json::array();
        for (const auto& entry : *entries) {
          Json slim = Json::object();
          if (entry.is_object()) {
            for (const char* key : {"name", "image", "imageID"}) {
              if (const auto it = entry.find(key); it != entry.end()) slim[key] = *it;
            }
          }
          out.push_back(std::move(slim));
        }
        kept[list] = std::move(out);
      }
    }
    if (kept.empty()) {
      item.erase("status");
    } else {
      *status = std::move(kept);
    }
  }
  return item;
}

model::NotEvaluatedCause parseCause(std::string_view text, bool& ok) {
  ok = true;
  for (const auto cause :
       {model::NotEvaluatedCause::PermissionDenied, model::NotEvaluatedCause::Unreachable,
        model::NotEvaluatedCause::Timeout, model::NotEvaluatedCause::MissingInput,
        model::NotEvaluatedCause::Malformed, model::NotEvaluatedCause::Undetermined}) {
    if (model::toString(cause) == text) return cause;
  }
  ok = false;
  return model::NotEvaluatedCause::Malformed;
}

const Json* member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string stringMember(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

class Reader {
 public:
  Reader(std::string_view source, core::Diagnostics& diagnostics, Inventory& inventory)
      : source_(source), diagnostics_(diagnostics), inventory_(inventory) {}

  void read(Json& root) {
    if (const Json* cluster = member(root, "cluster")) readCluster(*cluster);
    if (const Json* sources = member(root, "sources")) readSources(*sources);
    if (Json* items = root.contains("items") ? &root["items"] : nullptr; items != nullptr) {
      if (items->is_array()) {
        readItems(*items);
      } else if (!items->is_null()) {
        bad("items", "not a list");
      }
    }
    if (const Json* problems = member(root, "problems")) readProblems(*problems);
    if (const Json* running = member(root, "running_images")) readRunningImages(*running);
    if (const Json* configz = member(root, "kubelet_configz")) readKubeletConfigz(*configz);
  }

 private:
  void readCluster(const Json& cluster) {
    if (!cluster.is_object()) return bad("cluster", "not a map");
    inventory_.cluster = stringMember(cluster, "context");
    inventory_.source = stringMember(cluster, "source");
    if (const Json* files = member(cluster, "files");
        files != nullptr && files->is_number_unsigned()) {
      inventory_.files = files->get<std::size_t>();
    }
    if (const Json* skipped = member(cluster, "skipped_owned");
        skipped != nullptr && skipped->is_number_unsigned()) {
      inventory_.skipped_owned = skipped->get<std::size_t>();
    }
    const Json* version = member(cluster, "version");
    if (version == nullptr) return;
    if (!version->is_object()) return bad("cluster.version", "not a map");
    inventory_.server_git_version = stringMember(*version, "gitVersion");
    std::string text = inventory_.server_git_version;
    if (text.empty()) {
      const std::string major = stringMember(*version, "major");
      const std::string minor = stringMember(*version, "minor");
      if (!major.empty() && !minor.empty()) text = fmt::format("{}.{}", major, minor);
    }
    if (text.empty()) return;
    if (auto parsed = parseK8sVersion(text)) {
      inventory_.server_version = *parsed;
    } else {
      bad("cluster.version", fmt::format("{} is not a Kubernetes version; the newest rules apply",
                                         dump(Json(core::printable(text.substr(0, 64))))));
    }
  }

  // {"Deployment/web/api": {"nginx:1.25": ["sha256:…"]}}; entries that are not digests are
  // dropped with a diagnostic (a wrong digest could only make an image look unscanned).
  void readRunningImages(const Json& running) {
    if (!running.is_object()) return bad("running_images", "not a map");
    std::size_t digests = 0;
    for (const auto& [key, images] : running.items()) {
      if (!images.is_object()) {
        bad(fmt::format("running_images.{}", core::printable(key)), "not a map");
        continue;
      }
      for (const auto& [image, list] : images.items()) {
        if (!list.is_array()) {
          bad(fmt::format("running_images.{}", core::printable(key)), "not a list");
          continue;
        }
        for (const auto& digest : list) {
          if (++digests > kMaxObjects) {
            return bad("running_images",
                       fmt::format("more than {} digests; the rest are ignored", kMaxObjects));
          }
          if (!digest.is_string() || repositoryDigest("@" + digest.get<std::string>()).empty()) {
            bad(fmt::format("running_images.{}", core::printable(key)), "not a sha256 digest");
            continue;
          }
          inventory_.running_images[key][image].insert(digest.get<std::string>());
        }
      }
    }
  }

  // {"node-1": {"status": "ok", "source": "GET …", "config": {…}}}: an entry whose status is
  // unknown, or Ok without a config object, is kept as Malformed (never a clean kubelet).
  void readKubeletConfigz(const Json& configz) {
    if (!configz.is_object()) return bad("kubelet_configz", "not a map");
    for (const auto& [node, value] : configz.items()) {
      if (inventory_.kubelet_configz.size() >= kMaxObjects) {
        return bad("kubelet_configz",
                   fmt::format("more than {} nodes; the rest are ignored", kMaxObjects));
      }
      const std::string where = fmt::format("kubelet_configz.{}", core::printable(node));
      if (node.empty() || !value.is_object()) {
        bad(where, "not a map");
        continue;
      }
      KubeletConfigz entry;
      entry.state.source = stringMember(value, "source");
      const std::string status = stringMember(value, "status");
      if (!docker::parseFactStatus(status, entry.state.status)) {
        entry.state.status = docker::FactStatus::Malformed;
        entry.state.detail = fmt::format("unknown status {}", dump(Json(core::printable(status))));
        bad(where, entry.state.detail);
      } else if (entry.state.ok()) {
        const Json* config = member(value, "config");
        if (config != nullptr && config->is_object()) {
          entry.config = *config;
        } else {
          entry.state.status = docker::FactStatus::Malformed;
          entry.state.detail = "no `config` object";
          bad(where, entry.state.detail);
        }
      } else {
        entry.state.detail = stringMember(value, "detail");
      }
      inventory_.kubelet_configz.emplace(node, std::move(entry));
    }
  }

  void readSources(const Json& sources) {
    if (!sources.is_object()) return bad("sources", "not a map");
    for (const auto& [key, value] : sources.items()) {
      if (inventory_.sources.size() >= kMaxSources) {
        return bad("sources", fmt::format("more than {}; the rest are ignored", kMaxSources));
      }
      const std::string where = fmt::format("sources.{}", core::printable(key));
      if (key.empty() || !value.is_object()) {
        bad(where, "not a map");
        continue;
      }
      SourceState state;
      const std::string status = stringMember(value, "status");
      if (!docker::parseFactStatus(status, state.state.status)) {
        // Kept, as malformed: a list whose state is unknown must never read as a clean one.
        state.state.status = docker::FactStatus::Malformed;
        state.state.detail = fmt::format("unknown status {}", dump(Json(core::printable(status))));
        bad(where, state.state.detail);
      } else {
        state.state.detail = stringMember(value, "detail");
      }
      state.state.source = stringMember(value, "source");
      if (const Json* items = member(value, "items");
          items != nullptr && items->is_number_unsigned()) {
        state.items = items->get<std::size_t>();
      }
      inventory_.sources.emplace(key, std::move(state));
    }
  }

  void readItems(Json& items) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string at = fmt::format("items[{}]", i);
      if (inventory_.objects.size() >= kMaxObjects) {
        problem(at, fmt::format("more than {} objects; the rest is not read", kMaxObjects));
        return;
      }
      Json& item = items[i];
      if (!item.is_object()) {
        problem(at, "not a map");
        continue;
      }
      const Json* kind = member(item, "kind");
      if (kind == nullptr || !kind->is_string() || kind->get_ref<const std::string&>().empty()) {
        problem(at, kind == nullptr ? "no `kind`" : "`kind` is not a non-empty string");
        continue;
      }
      Object object;
      object.kind = kind->get<std::string>();
      object.api_version = stringMember(item, "apiVersion");
      if (const std::size_t slash = object.api_version.find('/'); slash != std::string::npos) {
        object.group = object.api_version.substr(0, slash);
        object.version = object.api_version.substr(slash + 1);
      } else {
        object.version = object.api_version;
      }
      const Json* meta = member(item, "metadata");
      if (meta != nullptr && !meta->is_object()) {
        problem(at, "metadata is not a map");
        continue;
      }
      static const Json kNone = Json::object();
      const Json& metadata = meta != nullptr ? *meta : kNone;
      object.name = stringMember(metadata, "name");
      if (object.name.empty()) {
        const std::string generate = stringMember(metadata, "generateName");
        if (generate.empty()) {
          problem(at, fmt::format("{} has no metadata.name or generateName",
                                  core::printable(object.kind.substr(0, 64))));
          continue;
        }
        object.name = generate + "*";
      }
      if (namespaced(object.kind)) {
        object.ns = stringMember(metadata, "namespace");
        if (object.ns.empty()) {
          object.ns = "default";
          object.namespace_defaulted = true;
        }
      }
      object.doc = std::move(item);
      object.origin.item = at;
      object.state.status = docker::FactStatus::Ok;
      object.state.source = fmt::format("{}#{}", source_, at);
      classify(object);
      if (auto problem_text = fieldTypeProblem(object)) {
        // Not what an API server returns: the snapshot was edited or is not one.
        problem(at, fmt::format("{} {}: {}", core::printable(object.kind.substr(0, 64)),
                                core::printable(object.name.substr(0, 253)), *problem_text));
        continue;
      }
      inventory_.objects.push_back(std::move(object));
    }
  }

  void readProblems(const Json& problems) {
    if (!problems.is_array()) return bad("problems", "not a list");
    for (std::size_t i = 0; i < problems.size(); ++i) {
      const std::string where = fmt::format("problems[{}]", i);
      if (inventory_.problems.size() >= kMaxProblems) {
        return bad("problems", fmt::format("more than {}; the rest are ignored", kMaxProblems));
      }
      const Json& value = problems[i];
      InputProblem problem;
      problem.check_id = stringMember(value, "check_id");
      // Only the input checks: a snapshot cannot make another check's result.
      if (problem.check_id != "BW-K8S-602" && problem.check_id != "BW-K8S-603" &&
          problem.check_id != "BW-K8S-604") {
        bad(where, "not an input problem (check_id BW-K8S-602, -603 or -604)");
        continue;
      }
      problem.resource = stringMember(value, "resource");
      problem.reason = stringMember(value, "reason");
      problem.file = stringMember(value, "file");
      if (const Json* line = member(value, "line"); line != nullptr && line->is_number_unsigned()) {
        problem.line = line->get<std::size_t>();
      }
      bool known = false;
      problem.cause = parseCause(stringMember(value, "cause"), known);
      if (problem.resource.empty() || !known) {
        bad(where, "no resource or an unknown cause");
        continue;
      }
      inventory_.problems.push_back(std::move(problem));
    }
  }

  void problem(const std::string& at, std::string_view message) {
    InputProblem problem;
    problem.check_id = std::string(kItemCheck);
    problem.resource = fmt::format("file:{}#{}", source_, at);
    problem.cause = model::NotEvaluatedCause::Malformed;
    problem.reason = fmt::format("{}: {}: {}", source_, at, message);
    problem.file = std::string(source_);
    inventory_.problems.push_back(std::move(problem));
  }

  void bad(std::string_view where, std::string_view message) {
    diagnostics_.add(std::string(kMalformed), fmt::format("{}: {}", source_, where),
                     std::string(message));
  }

  std::string_view source_;
  core::Diagnostics& diagnostics_;
  Inventory& inventory_;
};

// Skips white space and a byte order mark.
std::string_view skipSpace(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  const std::size_t start = text.find_first_not_of(" \t\r\n");
  return start == std::string_view::npos ? std::string_view() : text.substr(start);
}

}  // namespace

std::string writeK8sSnapshot(const Inventory& inventory, std::string_view collected_at,
                             std::string_view collector_version) {
  Json cluster = Json::object();
  cluster["context"] = inventory.cluster;
  cluster["source"] = inventory.source;
  if (inventory.files != 0) cluster["files"] = inventory.files;
  if (inventory.skipped_owned != 0) cluster["skipped_owned"] = inventory.skipped_owned;
  if (!inventory.server_git_version.empty()) {
    cluster["version"] = Json{{"gitVersion", inventory.server_git_version}};
  } else if (inventory.server_version && !inventory.server_version->latest()) {
    cluster["version"] = Json{{"major", std::to_string(inventory.server_version->major)},
                              {"minor", std::to_string(inventory.server_version->minor)}};
  }
  Json sources = Json::object();
  for (const auto& [key, source] : inventory.sources) {
    Json entry = Json::object();
    entry["status"] = docker::toString(source.state.status);
    if (!source.state.detail.empty()) entry["detail"] = source.state.detail;
    if (!source.state.source.empty()) entry["source"] = source.state.source;
    entry["items"] = source.items;
    sources[key] = std::move(entry);
  }
  Json problems = Json::array();
  for (const auto& problem : inventory.problems) {
    Json entry = Json::object();
    entry["check_id"] = problem.check_id;
    entry["resource"] = problem.resource;
    entry["cause"] = model::toString(problem.cause);
    entry["reason"] = problem.reason;
    if (!problem.file.empty()) entry["file"] = problem.file;
    if (problem.line != 0) entry["line"] = problem.line;
    problems.push_back(std::move(entry));
  }

  // Keys after `schema` in sorted order: cluster, collected_at, collector_version, items,
  // problems, sources.
  std::string out = fmt::format("{{\"schema\": {},\n", dump(Json(kK8sSnapshotSchema)));
  out += fmt::format(" \"cluster\": {},\n", dump(cluster));
  out += fmt::format(" \"collected_at\": {},\n", dump(Json(collected_at)));
  out += fmt::format(" \"collector_version\": {},\n", dump(Json(collector_version)));
  out += " \"items\": [";
  bool first = true;
  for (const auto& object : inventory.objects) {
    out += first ? "\n  " : ",\n  ";
    first = false;
    out += dump(trimmedItem(object));
  }
  out += first ? "],\n" : "\n ],\n";
  if (!inventory.kubelet_configz.empty()) {
    Json configz = Json::object();
    for (const auto& [node, entry] : inventory.kubelet_configz) {
      Json one = Json::object();
      one["status"] = docker::toString(entry.state.status);
      if (!entry.state.detail.empty()) one["detail"] = entry.state.detail;
      if (!entry.state.source.empty()) one["source"] = entry.state.source;
      if (entry.state.ok()) one["config"] = entry.config;
      configz[node] = std::move(one);
    }
    out += fmt::format(" \"kubelet_configz\": {},\n", dump(configz));
  }
  out += fmt::format(" \"problems\": {},\n", dump(problems));
  if (!inventory.running_images.empty()) {
    Json running = Json::object();
    for (const auto& [key, images] : inventory.running_images) {
      Json by_image = Json::object();
      for (const auto& [image, digests] : images) by_image[image] = digests;
      running[key] = std::move(by_image);
    }
    out += fmt::format(" \"running_images\": {},\n", dump(running));
  }
  out += fmt::format(" \"sources\": {}\n}}\n", dump(sources));
  return out;
}

core::Result<Inventory> readK8sSnapshot(std::string_view json, std::string_view source,
                                        core::Diagnostics& diagnostics) {
  if (json.size() > kMaxBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: the snapshot is {} bytes; the limit is {}",
                      source, json.size(), kMaxBytes);
  }
  if (!core::jsonNestingWithin(json, kMaxDepth)) {
    return core::fail(core::ErrorCode::Limit, "{}: the snapshot nests deeper than {} levels",
                      source, kMaxDepth);
  }
  Json root;
  try {
    root = Json::parse(skipSpace(json));
  } catch (const Json::exception& error) {
    return core::fail(core::ErrorCode::Input, "{}: not a Kubernetes snapshot: not JSON ({})",
                      source, error.what());
  }
  if (!root.is_object()) {
    return core::fail(core::ErrorCode::Input, "{}: not a Kubernetes snapshot: not a JSON object",
                      source);
  }
  const std::string schema = stringMember(root, "schema");
  if (schema != kK8sSnapshotSchema) {
    return core::fail(
        core::ErrorCode::Input, "{}: schema {} is not {}", source,
        schema.empty() ? std::string("(none)") : dump(Json(core::printable(schema.substr(0, 100)))),
        kK8sSnapshotSchema);
  }
  Inventory inventory;
  Reader(source, diagnostics, inventory).read(root);
  if (inventory.cluster.empty()) inventory.cluster = std::string(source);
  if (inventory.source.empty()) inventory.source = fmt::format("snapshot {}", source);
  inventory.index();
  return inventory;
}

bool isK8sSnapshot(std::string_view text) {
  // What writeK8sSnapshot writes: `schema` first. Other writers may put it anywhere: a small
  // text is parsed whole.
  std::string_view rest = skipSpace(text);
  if (!rest.starts_with('{')) return false;
  rest = skipSpace(rest.substr(1));
  if (rest.starts_with("\"schema\"")) {
    rest = skipSpace(rest.substr(8));
    if (!rest.starts_with(':')) return false;
    rest = skipSpace(rest.substr(1));
    const std::string expected = fmt::format("\"{}\"", kK8sSnapshotSchema);
    return rest.starts_with(expected);
  }
  constexpr std::size_t kParsedWhole = std::size_t{1} << 20;
  if (text.size() > kParsedWhole || !core::jsonNestingWithin(text, kMaxDepth)) return false;
  try {
    const Json root = Json::parse(skipSpace(text));
    return stringMember(root, "schema") == kK8sSnapshotSchema;
  } catch (const Json::exception&) {
    return false;
  }
}

}  // namespace bulwark::checks::k8s
