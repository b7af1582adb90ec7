// The individual sources behind openImage() (source.h).
#pragma once

#include <memory>
#include <string>

#include "image/file_tree.h"
#include "image/source.h"

namespace bulwark::image {

// An OCI image layout read through a FileTree (a directory or an OCI archive). `tag` selects by
// the org.opencontainers.image.ref.name annotation; empty takes the only image.
core::Result<std::unique_ptr<Image>> openOciLayout(const std::shared_ptr<FileTree>& tree,
                                                   model::Target target, std::string_view tag,
                                                   const SourceOptions& options);

// `docker save` output. `selector` is empty, a RepoTag ("name:tag") or "@N" (0-based).
core::Result<std::unique_ptr<Image>> openDockerArchive(const std::shared_ptr<FileTree>& tree,
                                                       model::Target target,
                                                       std::string_view selector,
                                                       const SourceOptions& options);

// A root filesystem on disk. Every path is resolved strictly inside `dir`.
core::Result<std::unique_ptr<Image>> openRootfs(const std::string& dir, model::Target target,
                                                const SourceOptions& options);

// A registry reference. Implemented in image/registry/.
core::Result<std::unique_ptr<Image>> openRegistry(std::string_view reference, model::Target target,
                                                  const SourceOptions& options);

}  // namespace bulwark::image
