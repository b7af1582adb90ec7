#include "image/source.h"

#include <sys/stat.h>

#include "core/text.h"
#include "image/sources.h"

namespace bulwark::image {

using core::ErrorCode;

namespace {

bool isFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool isDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Splits "PATH[:SUFFIX]" where PATH may itself contain ':' — the shortest prefix that exists
// wins, like skopeo's transports ("img.tar:alpine:3.19" → "img.tar", "alpine:3.19").
std::pair<std::string, std::string> splitExisting(std::string_view spec, bool directory) {
  auto exists = [&](const std::string& path) {
    return directory ? isDirectory(path) : isFile(path);
  };
  if (exists(std::string(spec))) return {std::string(spec), ""};
  for (std::size_t pos = spec.find(':'); pos != std::string_view::npos;
       pos = spec.find(':', pos + 1)) {
    std::string path(spec.substr(0, pos));
    if (exists(path)) return {path, std::string(spec.substr(pos + 1))};
  }
  // "@N" selects by index in docker-archive.
  if (const auto at = spec.rfind('@'); at != std::string_view::npos) {
    std::string path(spec.substr(0, at));
    if (exists(path)) return {path, std::string(spec.substr(at))};
  }
  return {std::string(spec), ""};
}

core::Result<std::unique_ptr<Image>> openArchive(const std::string& path, model::Target target,
                                                 std::string_view selector, bool docker,
                                                 const SourceOptions& options) {
  auto tree = openTarTree(path);
  if (!tree) return tl::unexpected(tree.error());
  if (docker) {
    target.kind = "docker-archive";
    return openDockerArchive(*tree, std::move(target), selector, options);
  }
  target.kind = "oci-archive";
  return openOciLayout(*tree, std::move(target), selector, options);
}

}  // namespace

core::Result<std::unique_ptr<Image>> openImage(std::string_view spec,
                                               const SourceOptions& options) {
  model::Target target;
  target.name = std::string(spec);
  auto prefixed = [&](std::string_view prefix) { return spec.substr(0, prefix.size()) == prefix; };

  if (prefixed("docker-archive:")) {
    auto [path, selector] = splitExisting(spec.substr(15), false);
    if (!isFile(path)) return core::fail(ErrorCode::NotFound, "{}: no such file", path);
    return openArchive(path, std::move(target), selector, true, options);
  }
  if (prefixed("oci-archive:")) {
    auto [path, tag] = splitExisting(spec.substr(12), false);
    if (!isFile(path)) return core::fail(ErrorCode::NotFound, "{}: no such file", path);
    return openArchive(path, std::move(target), tag, false, options);
  }
  if (prefixed("oci:")) {
    auto [dir, tag] = splitExisting(spec.substr(4), true);
    auto tree = openDirectoryTree(dir);
    if (!tree) return tl::unexpected(tree.error());
    target.kind = "oci";
    return openOciLayout(*tree, std::move(target), tag, options);
  }
  if (prefixed("rootfs:") || prefixed("dir:")) {
    const std::string dir(spec.substr(spec.find(':') + 1));
    return openRootfs(dir, std::move(target), options);
  }
  if (prefixed("registry:") || prefixed("docker://")) {
    target.kind = "registry";
    return openRegistry(spec.substr(spec.find(':') + (prefixed("docker://") ? 3 : 1)),
                        std::move(target), options);
  }

  // A bare path: look at what it is.
  const std::string path(spec);
  if (isDirectory(path)) {
    if (isFile(path + "/oci-layout")) {
      auto tree = openDirectoryTree(path);
      if (!tree) return tl::unexpected(tree.error());
      target.kind = "oci";
      return openOciLayout(*tree, std::move(target), "", options);
    }
    return openRootfs(path, std::move(target), options);
  }
  if (isFile(path)) {
    auto tree = openTarTree(path);
    if (!tree) return tl::unexpected(tree.error());
    if ((*tree)->has("manifest.json")) {
      target.kind = "docker-archive";
      return openDockerArchive(*tree, std::move(target), "", options);
    }
    if ((*tree)->has("oci-layout")) {
      target.kind = "oci-archive";
      return openOciLayout(*tree, std::move(target), "", options);
    }
    return core::fail(ErrorCode::Input,
                      "{}: a tar archive but neither a docker archive nor an OCI archive", path);
  }
  // Not a path: an image reference ("registry.example.com/team/app:1.2").
  if (spec.find('/') != std::string_view::npos || spec.find(':') != std::string_view::npos ||
      spec.find('@') != std::string_view::npos) {
    if (spec.starts_with('.') || spec.starts_with('/')) {
      return core::fail(ErrorCode::NotFound, "{}: no such file or directory", path);
    }
    target.kind = "registry";
    return openRegistry(spec, std::move(target), options);
  }
  return core::fail(ErrorCode::NotFound,
                    "{}: no such file or directory (and not an image reference)", path);
}

}  // namespace bulwark::image
