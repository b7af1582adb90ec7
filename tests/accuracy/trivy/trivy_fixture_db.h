// Test support: Trivy's integration-test advisory DB (trivy-db bolt buckets written as YAML,
// ../shared/testdata/scan/expected/trivy-integration/fixtures-db/) converted to bulwark
// model::Advisory records and written with vulndb::DatabaseWriter, so that bulwark can be run
// against the very data Trivy's golden results were produced with.
//
// The conversion, bucket by bucket (every decision is listed in the ConversionReport):
//  - OS buckets ("debian 10", "alpine 3.10", "alpine edge", "ubuntu 18.04", "amazon linux 2",
//    "alma 8", "rocky 8", "Oracle Linux 8", "Photon OS 3.0", "CBL-Mariner 1.0",
//    "openSUSE Leap 15.1", "SUSE Linux Enterprise 15-SP3", "SUSE Linux Enterprise Micro 5.3")
//    map to bulwark's ecosystem keys through vulndb::osEcosystem (ecosystemForBucket). A bucket
//    bulwark has no key for ("openSUSE Tumbleweed": a rolling release) is skipped and reported.
//  - "Red Hat" is not per release: each entry lists the content-set (CPE) indices it applies to;
//    the "Red Hat CPE" bucket maps indices to CPEs ("cpe:/o:redhat:enterprise_linux:7::server")
//    and each CPE's major release gives an ecosystem "rhel:N". Indices the fixture's CPE bucket
//    does not define are ignored (Trivy cannot select them either).
//  - One package bucket entry (package → vulnerability id → value) is one AffectedPackage. A
//    FixedVersion makes it Fixed (affected below that version); without one, Trivy's Status
//    integer (trivy-db types.Status: 0 unknown, 1 not_affected, 2 affected, 3 fixed,
//    4 under_investigation, 5 will_not_fix, 6 fix_deferred, 7 end_of_life) gives the status,
//    unknown counting as affected as Trivy's detectors do. "Entries" (Oracle, Rocky, Red Hat)
//    become one AffectedPackage each, with their Arches. A leading "0:" epoch is dropped from
//    rpm fixed versions, as bulwark's own OVAL importer does.
//  - Severity of a statement: its own Severity (Debian bucket, Red Hat Cves[]) if given, else
//    the vendor severity vulnerability.yaml records for the bucket's data source
//    (VendorSeverity[data-source ID]) — both are what the distribution says, which bulwark
//    keeps as AffectedPackage::severity. Trivy's numbers: 0 unknown, 1 low, 2 medium, 3 high,
//    4 critical.
//  - Advisory ids: the bucket key (CVE-…, openSUSE-SU-…). A Red Hat RHSA key is split into one
//    advisory per CVE it lists (with that CVE's own severity) carrying the RHSA as an alias, so
//    that per-CVE severities survive; VendorIDs (DSA-…, RLSA-…) become aliases. The source is
//    "trivy-db:" + the bucket's data-source ID (data-source.yaml), "trivy-db:none" without one.
//  - vulnerability.yaml: one advisory per id, source "trivy-db:vulnerability", with Title,
//    Description, References, dates and NVD's CVSS vectors (sources "nvd"); vendor CVSS vectors
//    are not imported (Trivy shows them but never derives a severity from them).
//  - Language buckets ("npm::…", "pip::…", "go::…", …) are out of scope (next issue): skipped.
//  - Fields Trivy does not read (the Debian "State: postponed" of one entry) are ignored and
//    listed in the report.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/advisory.h"

namespace bulwark::accuracy::trivy {

struct ConversionReport {
  // bucket → ecosystem key(s) it was written under ("Red Hat" → "rhel:6 rhel:7").
  std::vector<std::pair<std::string, std::string>> mapped;
  // bucket → why it was not converted.
  std::vector<std::pair<std::string, std::string>> skipped;
  // "bucket/package/id: what was ignored and why".
  std::vector<std::string> ignored;
  std::size_t advisories = 0;
  std::size_t statements = 0;  // AffectedPackage records
};

// A Trivy OS bucket name → bulwark's ecosystem key; "" when bulwark has no key for it.
std::string ecosystemForBucket(std::string_view bucket);

// Trivy's numeric severity (0..4) → bulwark's.
model::Severity severityFromTrivy(int value);

// Trivy's status integer → bulwark's status (unknown → Affected, as Trivy's detectors do).
model::AffectedStatus statusFromTrivy(int value);

// Reads every *.yaml of `fixtures_dir` and returns the advisories, sorted by (source, id).
core::Result<std::vector<model::Advisory>> convertFixtureDb(
    const std::filesystem::path& fixtures_dir, ConversionReport& report);

// convertFixtureDb, then writes the advisories into a new database at `database_path`.
core::Result<ConversionReport> writeFixtureDb(const std::filesystem::path& fixtures_dir,
                                              const std::string& database_path);

}  // namespace bulwark::accuracy::trivy
