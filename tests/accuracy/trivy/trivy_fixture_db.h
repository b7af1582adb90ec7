// Test support: Trivy's integration-test advisory DB (trivy-db bolt buckets written as YAML,
// ../shared/testdata/scan/expected/trivy-integration/fixtures-db/) converted to bulwark
// model::Advisory records and written with vulndb::DatabaseWriter, so that bulwark can be run
// against the very data Trivy's golden results were produced with.
//
// The conversion, bucket by bucket (every decision is listed in the ConversionReport):
//  - OS buckets ("debian 10", "alpine 3.10", "alpine edge", "ubuntu 18.04", "amazon linux 2",
//    "alma 8", "rocky 8", "Oracle Linux 8", "Photon OS 3.0", "CBL-Mariner 1.0",
//    "openSUSE Leap 15.1", "SUSE Linux Enterprise 15-SP3", "SUSE Linux Enterprise Micro 5.3")
//    map to bulwark's ecosystem keys through vulndb::osEcosystem, SUSE's product names through
//    vulndb::suseEcosystem (ecosystemForBucket); "openSUSE Tumbleweed", a rolling release, is
//    keyed by its id alone ("opensuse-tumbleweed"). A bucket bulwark has no key for is skipped
//    and reported.
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
//  - Language buckets ("pip::GitHub Security Advisory Pip", "npm::…", "go::…", "cargo::…",
//    "composer::…", "nuget::…", "rubygems::…", "maven::…") map to the OSV ecosystem of the
//    prefix (osvEcosystemForBucket: "PyPI", "npm", "Go", "crates.io", "Packagist", "NuGet",
//    "RubyGems", "Maven"); prefixes bulwark has no package type for (cocoapods, conan, erlang,
//    pub, swift, k8s) are skipped and reported. Each entry's constraint strings are Trivy's
//    (trivy-db types.Advisory): a version is vulnerable when it satisfies one of
//    VulnerableVersions, or — when there are none — none of PatchedVersions and
//    UnaffectedVersions. Every constraint is read as one interval (readInterval: clauses
//    ">= A", "> A", "< B", "<= B", "= A" joined by ",", or Maven's "[A,B)" notation) and
//    becomes OSV events: a vulnerable interval [A, B) → introduced A (0 without a lower bound),
//    fixed B ("<= B": last_affected B; "= A": the version listed); the safe intervals are sorted
//    with the ecosystem's version scheme and their gaps become the ranges (a gap ends with
//    fixed <lower> of the next safe interval, or last_affected for "> A"). One AffectedPackage
//    per interval, so that a finding's fixed version is that of the installed version's branch.
//    What OSV cannot say ("> A" as a vulnerable lower bound, "<= B" ending a safe interval,
//    "!=", "||") makes the entry unconvertible: reported (ConversionReport::unconvertible),
//    never silently dropped.
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
  // "bucket/package/id: constraint: why" for language entries OSV events cannot express.
  std::vector<std::string> unconvertible;
  // Every converted language entry with the constraints it came from, to verify the
  // conversion against each ecosystem's own constraint parser.
  struct LanguageEntry {
    std::string bucket;
    std::string ecosystem;  // OSV name
    std::string package;
    std::string id;
    std::vector<std::string> vulnerable;           // VulnerableVersions
    std::vector<std::string> safe;                 // PatchedVersions then UnaffectedVersions
    std::vector<model::AffectedPackage> affected;  // what the entry became
  };
  std::vector<LanguageEntry> language;
  std::size_t advisories = 0;
  std::size_t statements = 0;  // AffectedPackage records
};

// A Trivy OS bucket name → bulwark's ecosystem key; "" when bulwark has no key for it.
std::string ecosystemForBucket(std::string_view bucket);

// A Trivy language bucket ("pip::GitHub Security Advisory Pip") → its OSV ecosystem ("PyPI");
// "" for prefixes bulwark has no package type for.
std::string osvEcosystemForBucket(std::string_view bucket);

// One Trivy constraint string read as an interval ("" bounds are open). Fails (ErrorCode::Input)
// on what is not one interval ("||", "!=", two lower bounds, ...).
struct Interval {
  std::string lower;  // "" = no lower bound
  bool lower_inclusive = true;
  std::string upper;  // "" = no upper bound
  bool upper_inclusive = false;
  bool exact = false;  // "= A": lower == upper == A
};
core::Result<Interval> readInterval(std::string_view constraint);

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
