// The ecosystem key under which advisories for an operating system are stored and looked up:
// "debian:12", "ubuntu:18.04", "alpine:3.19", "rhel:8", "mariner:2.0", "azurelinux:3.0",
// "amzn:2", "sles:15.5". Feed parsers and the matcher both use these, so the two always agree.
#pragma once

#include <string>
#include <string_view>

#include "model/package.h"

namespace bulwark::vulndb {

// The key for an installed system, or "" when its distribution is unknown.
std::string osEcosystem(const model::Distro& distro);

// The key for a distribution id and a release as feeds name them ("debian", "bookworm" or "12";
// "alpine", "v3.19"; "ubuntu", "bionic" or "18.04"; "rhel", "8.9").
std::string osEcosystem(std::string_view id, std::string_view release);

// The name a package is stored and looked up under in `ecosystem`: the registry's own
// equivalence, so that "Django", "django" and "DJANGO_" … find the same records.
//   PyPI: PEP 503 normalization (lower case, runs of '-', '_', '.' become one '-');
//   NuGet, Packagist: lower case (both registries compare ids case-insensitively);
//   everything else (distributions, npm, Go, Maven, RubyGems, crates.io): as written.
std::string packageKey(std::string_view ecosystem, std::string_view name);

// Debian and Ubuntu codenames ↔ versions ("bookworm" ↔ "12", "bionic" ↔ "18.04").
std::string_view releaseForCodename(std::string_view id, std::string_view codename);

}  // namespace bulwark::vulndb
