// OSV JSON (https://ossf.github.io/osv-schema/, schema 1.x): single records, arrays of records,
// directories of them (through feeds::parseFeedPath) and the per-ecosystem all.zip archives
// that the OSV project publishes (read member by member with libarchive).
//
// Mapping to model::Advisory (source "osv"): every schema field is kept; severity[] keeps its
// vector in SeverityScore::vector (the score is computed later from it); severity words found
// in database_specific / ecosystem_specific (GHSA "severity": "HIGH", Debian "urgency") become
// a SeverityScore of type "database_specific" and AffectedPackage::severity / urgency;
// database_specific.cwe_ids (GHSA records) become Advisory::cwes.
// Ecosystems: language ecosystems keep their OSV name; OS ecosystems with a release become
// osEcosystem() keys ("Debian:12" → "debian:12", "Alpine:v3.19" → "alpine:3.19"); anything
// else is kept raw and reported as "feed.unevaluable".
#pragma once

#include <string>
#include <string_view>

#include "vulndb/feeds/feeds.h"

namespace bulwark::vulndb::feeds {

// The bulwark ecosystem key for an OSV ecosystem string, or "" when bulwark cannot evaluate it.
std::string mapOsvEcosystem(std::string_view osv_ecosystem);

}  // namespace bulwark::vulndb::feeds
