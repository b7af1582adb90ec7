// engine-field: values in the Docker Engine's own documents — /info, /version, /swarm,
// /networks, /plugins — at a JSON path (docker/json_path.h), or in `summary`, counts derived
// from the snapshot: images_total, images_unused (no container, running or not, uses it),
// containers_total, containers_running. One observation per value the path reaches.
#include <set>

#include <fmt/format.h>

#include "checks/docker/json_path.h"
#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kDocs[] = {"info", "version", "swarm", "networks", "plugins", "summary"};

constexpr ParamSpec kParams[] = {
    {"doc", ParamType::String, true,
     "info, version, swarm, networks, plugins (GET /<doc>), or summary (images_total, "
     "images_unused, containers_total, containers_running)",
     kDocs},
    {"path", ParamType::Path, true, "JSON path into the document (Swarm.LocalNodeState)"},
};

// The image a container was created from (a full "sha256:" id), "" when neither document says.
std::string imageOf(const docker::Container& container) {
  for (const auto* fact : {&container.summary, &container.inspect}) {
    if (!fact->state.ok()) continue;
    const char* name = fact == &container.summary ? "ImageID" : "Image";
    const nlohmann::json* image = probes::member(fact->doc, name);
    if (image != nullptr && image->is_string()) return image->get<std::string>();
  }
  return "";
}

std::optional<bool> isRunning(const docker::Container& container) {
  if (container.summary.state.ok()) {
    const nlohmann::json* state = probes::member(container.summary.doc, "State");
    if (state != nullptr && state->is_string()) return state->get<std::string>() == "running";
  }
  if (container.inspect.state.ok()) {
    const nlohmann::json* state = probes::member(container.inspect.doc, "State");
    const nlohmann::json* flag = state != nullptr ? probes::member(*state, "Running") : nullptr;
    if (flag != nullptr && flag->is_boolean()) return flag->get<bool>();
  }
  return std::nullopt;
}

// The derived counts. A count whose source is not Ok is left out, with the not-evaluated
// result a probe asking for it gets; so is a count that needs a container whose documents do
// not say (whether it runs, which image it uses).
struct Summary {
  nlohmann::json doc = nlohmann::json::object();
  std::map<std::string, ProbeResult, std::less<>> unknown;  // field → why not
};

// Not evaluated: neither document of `container` says `what`; the cause is the state of the
// inspect document when it was not read.
ProbeResult undetermined(const docker::Container& container, std::string_view what) {
  const std::string id = probes::shortId(container.id);
  if (!container.inspect.state.ok()) {
    return probes::notEvaluatedFor(fmt::format("/containers/{}/json", id), container.inspect.state);
  }
  return ProbeResult::notEvaluated(fmt::format("container {} does not say {}", id, what),
                                   model::NotEvaluatedCause::MissingInput);
}

Summary summaryOf(const docker::Snapshot& snapshot) {
  Summary s;
  const auto& engine = snapshot.engine;
  const auto unknown = [&](const char* field, ProbeResult why) {
    s.unknown.emplace(field, std::move(why));
  };
  if (engine.images_state.ok()) {
    s.doc["images_total"] = engine.images.size();
  } else {
    unknown("images_total", probes::notEvaluatedFor("/images/json", engine.images_state));
  }
  if (!engine.containers_state.ok()) {
    const ProbeResult why = probes::notEvaluatedFor("/containers/json", engine.containers_state);
    unknown("containers_total", why);
    unknown("containers_running", why);
    unknown("images_unused", why);
    return s;
  }
  s.doc["containers_total"] = engine.containers.size();
  std::size_t running = 0;
  std::optional<ProbeResult> running_unknown;
  std::optional<ProbeResult> image_unknown;
  std::set<std::string, std::less<>> used;
  for (const auto& container : engine.containers) {
    const auto runs = isRunning(container);
    if (!runs && !running_unknown) running_unknown = undetermined(container, "whether it runs");
    if (runs == true) ++running;
    std::string image = imageOf(container);
    if (image.empty() && !image_unknown) image_unknown = undetermined(container, "its image");
    used.insert(std::move(image));
  }
  if (running_unknown) {
    unknown("containers_running", std::move(*running_unknown));
  } else {
    s.doc["containers_running"] = running;
  }
  if (!engine.images_state.ok()) {
    unknown("images_unused", probes::notEvaluatedFor("/images/json", engine.images_state));
  } else if (image_unknown) {
    unknown("images_unused", std::move(*image_unknown));
  } else {
    std::size_t unused = 0;
    for (const auto& image : engine.images) unused += used.count(image.id) == 0 ? 1 : 0;
    s.doc["images_unused"] = unused;
  }
  return s;
}

ProbeResult evaluateSummary(const docker::JsonPath& path, const docker::Snapshot& snapshot) {
  Summary summary = summaryOf(snapshot);
  const auto& steps = path.steps();
  if (!steps.empty() && steps.front().kind == docker::JsonPath::Step::Kind::Member) {
    const auto it = summary.unknown.find(steps.front().name);
    if (it != summary.unknown.end()) return std::move(it->second);
  } else if (!summary.unknown.empty()) {
    return std::move(summary.unknown.begin()->second);  // the whole summary: every count
  }
  ProbeResult result;
  probes::addJsonObservations(
      path, summary.doc,
      fmt::format("derived from /images/json, /containers/json: {}", path.text()), {},
      result.observations);
  return result;
}

ProbeResult evaluateEngineField(const Params& params, const Resource& resource) {
  if (resource.snapshot == nullptr) return probes::noInput("Docker host snapshot");
  const docker::JsonPath* path = params.path("path");
  if (path == nullptr) return probes::noInput("JSON path");
  const std::string_view name = params.string("doc");
  const auto& engine = resource.snapshot->engine;
  if (name == "summary") return evaluateSummary(*path, *resource.snapshot);
  const docker::DocFact* doc = nullptr;
  if (name == "info") doc = &engine.info;
  if (name == "version") doc = &engine.version;
  if (name == "swarm") doc = &engine.swarm;
  if (name == "networks") doc = &engine.networks;
  if (name == "plugins") doc = &engine.plugins;
  if (doc == nullptr) {
    return ProbeResult::notEvaluated(fmt::format("the Engine has no document {}", name),
                                     model::NotEvaluatedCause::MissingInput);
  }
  const std::string source = fmt::format("/{}", name);
  if (auto gate = probes::unlessOk(source, doc->state, true)) return std::move(*gate);
  ProbeResult result;
  result.looked_at = fmt::format("{} {}", source, path->text());
  probes::addJsonObservations(*path, doc->doc, result.looked_at, {}, result.observations);
  return result;
}

}  // namespace

const ProbeKind& engineFieldProbe() {
  static const ProbeKind kKind{"engine-field",
                               "a field of the Engine's /info, /version, /swarm, /networks or "
                               "/plugins, or a derived count",
                               kParams, &evaluateEngineField, false};
  return kKind;
}

}  // namespace bulwark::checks
