// The ecosystem key under which advisories for an operating system are stored and looked up:
// "debian:12", "ubuntu:18.04", "alpine:3.19", "rhel:8", "mariner:2.0", "azurelinux:3.0",
// "amzn:2", "sles:15.5". Feed parsers and the matcher both use these, so the two always agree.
//
// Keys are "ID:RELEASE", with ID the os-release ID (after the few mappings below) and RELEASE
// the part of the version the distribution's advisories are filed under. Two exceptions:
//  - Rolling releases (isRollingRelease: openSUSE Tumbleweed, Wolfi, Chainguard) have no
//    release: their advisories speak of the one current state, and their VERSION_ID, when
//    present, is a snapshot date ("20240101") that no feed names. Their key is the id alone
//    ("opensuse-tumbleweed"), whatever release is given. Alpine edge and Debian sid are not
//    rolling releases in this sense: they are branches of versioned distributions and their
//    feeds name them as releases ("alpine:edge"). Arch is rolling but no feed bulwark reads
//    covers it, so it keeps no key and its packages are reported unmatched.
//  - SUSE: SLES and its variants (sled, sles_sap) are "sles:MAJOR.SP" ("15-SP3" and "15.3" →
//    "sles:15.3", "15" → "sles:15"); openSUSE Leap is "opensuse-leap:15.5" (os-release ID
//    "opensuse" up to Leap 42.3, "opensuse-leap" since 15.0; ID "opensuse" with a release
//    before 42 is the old openSUSE, "opensuse:13.2"); SLE Micro and SUSE Linux Micro (ids
//    sle-micro, sl-micro, sle-micro-rancher) are "sle-micro:5.3"; openSUSE Leap Micro is
//    "opensuse-leap-micro:5.5". suseEcosystem() maps SUSE's product names to the same keys.
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

// Whether a distribution id is a rolling release keyed by its id alone (see above).
bool isRollingRelease(std::string_view id);

// The key for a SUSE product or platform name as SUSE's advisories (CVRF/CSAF relationships) and
// OSV's SUSE ecosystems spell them, or "" for products that are not an operating system release
// bulwark keys (SUSE Manager, SUSE Enterprise Storage, CaaS Platform, ...):
//   "SUSE Linux Enterprise Server 15 SP3", "SUSE Linux Enterprise Module for Basesystem 15 SP3",
//   "SUSE Linux Enterprise Server 12 SP4-LTSS", "SUSE:Linux Enterprise Server 15 SP5" → sles:15.3,
//   sles:15.3, sles:12.4, sles:15.5 (every SUSE Linux Enterprise product, modules and
//   extensions included, is filed under the release it belongs to, as Trivy does);
//   "SUSE Linux Enterprise Micro 5.3", "SUSE Linux Micro 6.0" → sle-micro:5.3, sle-micro:6.0;
//   "openSUSE Leap 15.5", "openSUSE:Leap 15.5" → opensuse-leap:15.5;
//   "openSUSE Leap Micro 5.5" → opensuse-leap-micro:5.5;
//   "openSUSE Tumbleweed", "openSUSE:Tumbleweed" → opensuse-tumbleweed;
//   "openSUSE 13.2" → opensuse:13.2.
std::string suseEcosystem(std::string_view product);

// The name a package is stored and looked up under in `ecosystem`: the registry's own
// equivalence, so that "Django", "django" and "DJANGO_" … find the same records.
//   PyPI: PEP 503 normalization (lower case, runs of '-', '_', '.' become one '-');
//   NuGet, Packagist: lower case (both registries compare ids case-insensitively);
//   everything else (distributions, npm, Go, Maven, RubyGems, crates.io): as written.
std::string packageKey(std::string_view ecosystem, std::string_view name);

// Debian and Ubuntu codenames ↔ versions ("bookworm" ↔ "12", "bionic" ↔ "18.04").
std::string_view releaseForCodename(std::string_view id, std::string_view codename);

}  // namespace bulwark::vulndb
