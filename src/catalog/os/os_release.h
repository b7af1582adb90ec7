// Which distribution and release a root filesystem is: etc/os-release and usr/lib/os-release
// first, then the older files distributions kept (alpine-release, debian_version,
// redhat-release and its cousins, lsb-release, system-release).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "image/fs_view.h"
#include "model/package.h"

namespace bulwark::catalog {

// The files detectDistro() reads; the pipeline adds them to the path filter.
std::vector<std::string_view> osReleasePatterns();

// KEY=value lines with shell-style quoting (os-release(5)); malformed lines are ignored.
std::map<std::string, std::string> parseOsRelease(std::string_view content);

model::Distro detectDistro(const image::FsView& fs, core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog
