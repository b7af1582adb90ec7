// Alpine secdb (https://secdb.alpinelinux.org/), JSON and YAML:
//   {distroversion: "v3.19", reponame, packages: [{pkg: {name, secfixes:
//     {"1.2.3-r0": ["CVE-…", "CVE-… XSA-…"], "0": ["CVE-…"]}}}]}
// → one Advisory per id per file (source "alpine-secdb"; the first id of an entry is the
// advisory id, the others on the same line its aliases), one AffectedPackage per (origin
// package, version): ecosystem osEcosystem("alpine", distroversion), Fixed at that version
// (ECOSYSTEM range introduced 0 / fixed V), or NotAffected for version "0". Advisories are
// grouped per file and delivered sorted by id.
#pragma once

#include "vulndb/feeds/feeds.h"
