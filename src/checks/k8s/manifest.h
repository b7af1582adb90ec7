// Reading Kubernetes manifests: files, directories and stdin holding YAML or JSON documents
// (multi-document streams, List kinds, `helm template` output) into an Inventory. Every
// problem is an InputProblem (reported by BW-K8S-602/603) or a diagnostic: one bad document
// costs only itself. docs/dev/k8s-design.md §1.3.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "checks/k8s/inventory.h"
#include "core/diagnostic.h"
#include "core/result.h"

namespace bulwark::checks::k8s {

struct ManifestOptions {
  std::string default_namespace = "default";  // kubectl apply's default
  // The namespace was given (`-n`): objects that name none are in it by the user's choice, not
  // by default (Object::namespace_defaulted stays false).
  bool namespace_given = false;
  std::size_t max_file_bytes = 64 << 20;  // larger files: BW-K8S-603
  std::size_t max_documents = 100'000;    // per file
  std::size_t max_objects = 1'000'000;    // per run
  std::size_t max_nodes = 2'000'000;      // JSON nodes per document, aliases expanded
  std::size_t max_depth = 128;
  std::size_t max_files = 100'000;  // per directory walk
};

// Reads PATHs (files, directories walked recursively, "-" for stdin). Fails (exit 2) only when
// nothing can be read at all from a path given (it does not exist); everything else becomes a
// problem or a diagnostic in the inventory. Calls Inventory::index().
core::Result<Inventory> loadManifests(std::span<const std::string> paths,
                                      const ManifestOptions& options,
                                      core::Diagnostics& diagnostics);

// Adds the documents of one buffer; `source` names it in origins and problems. Does not index.
void addManifestText(std::string_view text, std::string_view source, const ManifestOptions& options,
                     Inventory& inventory, core::Diagnostics& diagnostics);

}  // namespace bulwark::checks::k8s
