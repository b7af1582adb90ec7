// `bulwark.k8s-snapshot/v1`: a collected cluster (objects plus the state of every list read)
// written by `bulwark collect k8s` and read back by `bench k8s --snapshot` (or as a PATH,
// recognised by its `schema`), giving the same results as the live run.
// docs/dev/k8s-design.md §1.6.
#pragma once

#include <string>
#include <string_view>

#include "checks/k8s/inventory.h"
#include "core/diagnostic.h"
#include "core/result.h"

namespace bulwark::checks::k8s {

inline constexpr std::string_view kK8sSnapshotSchema = "bulwark.k8s-snapshot/v1";

// Deterministic: keys sorted, objects in inventory order; metadata.managedFields and status
// (except status.containerStatuses[*].imageID) dropped. `collected_at` as given (RFC 3339).
std::string writeK8sSnapshot(const Inventory& inventory, std::string_view collected_at,
                             std::string_view collector_version);

// Untrusted input: bounded (the manifest limits), a bad item becomes an InputProblem like a bad
// manifest document, a wrong schema or non-JSON text fails (exit 2). Calls Inventory::index().
core::Result<Inventory> readK8sSnapshot(std::string_view json, std::string_view source,
                                        core::Diagnostics& diagnostics);

// Whether the text looks like a snapshot (a JSON object whose `schema` is the one above).
bool isK8sSnapshot(std::string_view text);

}  // namespace bulwark::checks::k8s
