// What the Docker host and container probes share: turning a fact's state into a result
// (a state that is not Ok is never an observation that could pass), resolving `path:`
// parameters (literal, glob or `${alias}`) against the snapshot, and observations of JSON
// values reached by a path.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/docker/snapshot.h"
#include "checks/probes/probe.h"

namespace bulwark::checks::docker {
class JsonPath;
}

namespace bulwark::checks::probes {

// The first 12 characters of a container or image id ("sha256:" dropped), as Docker shows them.
std::string shortId(std::string_view id);

// docker::causeOf(status), or MissingInput where the state has no cause of its own (a Missing
// fact where absence means nothing).
model::NotEvaluatedCause causeFor(docker::FactStatus status);

// "GET /info: permission-denied (HTTP 403)"; "/networks was not collected".
std::string stateText(std::string_view source, const docker::FactState& state);

// Not evaluated because `source` is in `state`: the reason names both, the cause is the state's.
ProbeResult notEvaluatedFor(std::string_view source, const docker::FactState& state);

// The result a probe returns for a fact that is not Ok, or nullopt to go on. Missing is a fact
// when `missing_is_fact` (a document that does not exist: nothing observed, an Evaluated result
// with no observations); otherwise it, like every other state, is not evaluated.
std::optional<ProbeResult> unlessOk(std::string_view source, const docker::FactState& state,
                                    bool missing_is_fact);

// Not evaluated, MissingInput: the probe has nothing to read (no snapshot, no container).
ProbeResult noInput(std::string_view what);

// The paths a `path:` parameter names. `${alias}`: the collector's resolution
// (snapshot.host.paths); an alias the snapshot lacks is not evaluated (MissingInput) and an
// alias resolved to nothing is an empty list. A glob (`*`, `?`, `[`): every file of the
// snapshot it matches (fnmatch, `*` never crosses `/`). Anything else: itself.
using PathsOrResult = std::variant<std::vector<std::string>, ProbeResult>;
PathsOrResult resolvePaths(const docker::Snapshot& snapshot, std::string_view spec);

// The file fact of `path`, nullptr when the collector did not stat it.
const docker::FileFact* fileFact(const docker::Snapshot& snapshot, std::string_view path);

// The file facts of the paths `spec` names (resolvePaths), Missing ones included. Not
// evaluated when the spec cannot be resolved, a path was not stat'ed (MissingInput), or a
// file's state is neither Ok nor Missing (its cause): never a partial answer.
struct NamedFile {
  std::string path;  // as resolved (the snapshot's key)
  const docker::FileFact* fact = nullptr;
  [[nodiscard]] bool exists() const { return fact->state.ok(); }
};
using FilesOrResult = std::variant<std::vector<NamedFile>, ProbeResult>;
FilesOrResult fileFacts(const docker::Snapshot& snapshot, std::string_view spec);

// "stat /etc/docker": where a file fact came from.
std::string statWhere(std::string_view path);

// How a JSON value shows as an observed value: strings bare (`""` when empty), others as
// docker::scalarText; lists "[a, b]".
std::string shown(std::string_view value);
std::string shownList(const std::vector<std::string>& values);

using Normalise = std::function<std::string(std::string)>;

// One observation per value `path` reaches in `doc`: an array becomes a list observation of
// its elements (an empty array a list with no elements), anything else a scalar. `normalise`
// (may be empty) rewrites each value. Every observation gets `where`.
void addJsonObservations(const docker::JsonPath& path, const nlohmann::json& doc,
                         const std::string& where, const Normalise& normalise,
                         std::vector<Observation>& out);

// The JSON value at one member of an object, or nullptr (not an object, no such member, null).
const nlohmann::json* member(const nlohmann::json& doc, std::string_view name);

}  // namespace bulwark::checks::probes
