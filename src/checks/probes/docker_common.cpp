#include "checks/probes/docker_common.h"

#include <fnmatch.h>

#include <fmt/format.h>

#include "checks/docker/json_path.h"
#include "checks/probes/common.h"

namespace bulwark::checks::probes {

std::string shortId(std::string_view id) {
  if (id.substr(0, 7) == "sha256:") id.remove_prefix(7);
  return std::string(id.substr(0, 12));
}

model::NotEvaluatedCause causeFor(docker::FactStatus status) {
  const model::NotEvaluatedCause cause = docker::causeOf(status);
  return cause == model::NotEvaluatedCause::None ? model::NotEvaluatedCause::MissingInput : cause;
}

std::string stateText(std::string_view source, const docker::FactState& state) {
  const std::string_view from = state.source.empty() ? source : std::string_view(state.source);
  if (state.status == docker::FactStatus::NotCollected) {
    return state.detail.empty() ? fmt::format("{} was not collected", from)
                                : fmt::format("{} was not collected ({})", from, state.detail);
  }
  return state.detail.empty()
             ? fmt::format("{}: {}", from, docker::toString(state.status))
             : fmt::format("{}: {} ({})", from, docker::toString(state.status), state.detail);
}

ProbeResult notEvaluatedFor(std::string_view source, const docker::FactState& state) {
  return ProbeResult::notEvaluated(stateText(source, state), causeFor(state.status));
}

std::optional<ProbeResult> unlessOk(std::string_view source, const docker::FactState& state,
                                    bool missing_is_fact) {
  if (state.ok()) return std::nullopt;
  if (missing_is_fact && state.status == docker::FactStatus::Missing) return ProbeResult{};
  return notEvaluatedFor(source, state);
}

ProbeResult noInput(std::string_view what) {
  return ProbeResult::notEvaluated(fmt::format("no {} to read", what),
                                   model::NotEvaluatedCause::MissingInput);
}

PathsOrResult resolvePaths(const docker::Snapshot& snapshot, std::string_view spec) {
  if (spec.size() > 3 && spec.substr(0, 2) == "${" && spec.back() == '}') {
    const std::string_view alias = spec.substr(2, spec.size() - 3);
    const auto it = snapshot.host.paths.find(alias);
    if (it == snapshot.host.paths.end()) {
      return ProbeResult::notEvaluated(fmt::format("the path of {} was not collected", alias),
                                       model::NotEvaluatedCause::MissingInput);
    }
    return it->second;
  }
  if (spec.find_first_of("*?[") == std::string_view::npos) {
    return std::vector<std::string>{std::string(spec)};
  }
  const std::string pattern(spec);
  std::vector<std::string> paths;
  for (const auto& [path, fact] : snapshot.host.files) {
    if (::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0) paths.push_back(path);
  }
  return paths;
}

const docker::FileFact* fileFact(const docker::Snapshot& snapshot, std::string_view path) {
  const auto it = snapshot.host.files.find(path);
  return it == snapshot.host.files.end() ? nullptr : &it->second;
}

FilesOrResult fileFacts(const docker::Snapshot& snapshot, std::string_view spec) {
  auto paths = resolvePaths(snapshot, spec);
  if (auto* result = std::get_if<ProbeResult>(&paths)) return std::move(*result);
  std::vector<NamedFile> facts;
  for (const auto& path : std::get<std::vector<std::string>>(paths)) {
    const docker::FileFact* fact = fileFact(snapshot, path);
    if (fact == nullptr) {
      return ProbeResult::notEvaluated(fmt::format("{} was not collected", statWhere(path)),
                                       model::NotEvaluatedCause::MissingInput);
    }
    if (!fact->state.ok() && fact->state.status != docker::FactStatus::Missing) {
      return notEvaluatedFor(statWhere(path), fact->state);
    }
    facts.push_back({path, fact});
  }
  return facts;
}

std::string statWhere(std::string_view path) { return fmt::format("stat {}", path); }

std::string shown(std::string_view value) {
  return value.empty() ? std::string("\"\"") : std::string(value);
}

std::string shownList(const std::vector<std::string>& values) {
  std::string out = "[";
  for (const auto& value : values) {
    if (out.size() > 1) out += ", ";
    out += shown(value);
  }
  return out + "]";
}

void addJsonObservations(const docker::JsonPath& path, const nlohmann::json& doc,
                         const std::string& where, const Normalise& normalise,
                         std::vector<Observation>& out) {
  const auto text = [&](const nlohmann::json& value) {
    std::string t = docker::scalarText(value);
    return normalise ? normalise(std::move(t)) : t;
  };
  for (const auto& value : path.resolve(doc)) {
    Observation o;
    if (value.is_array()) {
      o.is_list = true;
      for (const auto& element : value) {
        if (!element.is_null()) o.values.push_back(text(element));
      }
      o.display = shorten(shownList(o.values), 200);
    } else {
      o.values = {text(value)};
      o.display = shorten(shown(o.values.front()), 200);
    }
    o.where = where;
    out.push_back(std::move(o));
  }
}

const nlohmann::json* member(const nlohmann::json& doc, std::string_view name) {
  if (!doc.is_object()) return nullptr;
  const auto it = doc.find(name);
  if (it == doc.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace bulwark::checks::probes
