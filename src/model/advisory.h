// Advisories as bulwark stores and matches them, whatever feed they came from (OSV, the
// Debian security tracker, Alpine secdb, OVAL, CSAF VEX, NVD, ...). A feed parser produces
// these; the vulnerability database stores them; the matcher compares packages with them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bulwark::model {

enum class Severity { Unknown, Negligible, Low, Medium, High, Critical };

std::string_view toString(Severity severity);
// "LOW", "moderate", "Important", "critical", "negligible", "unimportant" → Severity.
Severity parseSeverity(std::string_view text);

// What a distribution says about a package for one vulnerability (OSV's "affected" entries are
// Affected with ranges; distro feeds carry the rest explicitly).
enum class AffectedStatus {
  Affected,            // vulnerable; fixed where a range has a "fixed" event
  Fixed,               // fixed in `fixed_version` (the ranges say the same)
  WillNotFix,          // the distribution decided not to fix (Debian "ignored", Ubuntu "wontfix")
  FixDeferred,         // postponed (Debian "postponed", Red Hat "Fix deferred")
  EndOfLife,           // the release or package is out of support
  UnderInvestigation,  // not yet triaged (Debian "undetermined", Ubuntu "needs-triage")
  NotAffected,         // explicitly not affected (Ubuntu "not-affected", VEX "not_affected")
};

std::string_view toString(AffectedStatus status);

// One OSV-style range event. Versions are in the ecosystem's own syntax.
struct RangeEvent {
  enum class Kind { Introduced, Fixed, LastAffected, Limit };
  Kind kind = Kind::Introduced;
  std::string version;  // "0" for "introduced: 0" (everything before the first fix)

  friend bool operator==(const RangeEvent&, const RangeEvent&) = default;
};

struct VersionRange {
  enum class Type { Ecosystem, Semver, Git };
  Type type = Type::Ecosystem;
  std::vector<RangeEvent> events;  // in feed order; OSV semantics (introduced/fixed pairs)

  friend bool operator==(const VersionRange&, const VersionRange&) = default;
};

// A CVSS (or other) severity statement with its provenance.
struct SeverityScore {
  std::string type;    // "CVSS_V2", "CVSS_V3", "CVSS_V4", or a feed's own ("debian-urgency")
  std::string vector;  // the vector string as published, when there is one
  std::optional<double> score;  // the base score (computed by bulwark from the vector)
  Severity severity = Severity::Unknown;
  std::string source;  // who said it: "nvd", "debian", "ghsa", the feed name

  friend bool operator==(const SeverityScore&, const SeverityScore&) = default;
};

struct AffectedPackage {
  // Where the statement applies. OS feeds: distro release, e.g. "debian:12", "alpine:3.19",
  // "ubuntu:18.04", "rhel:8", "mariner:2.0". Language feeds: the OSV ecosystem ("npm", "PyPI",
  // "Go", "crates.io", "Maven", "RubyGems", "NuGet", "Packagist").
  std::string ecosystem;
  std::string name;  // source package (Debian, Ubuntu), origin (Alpine), rpm name
  AffectedStatus status = AffectedStatus::Affected;
  std::vector<VersionRange> ranges;
  std::vector<std::string> versions;      // explicitly listed affected versions (OSV "versions")
  std::string fixed_version;              // the first fixed version, when the feed names one
  std::string urgency;                    // the feed's own word: Debian "unimportant", "low**", ...
  Severity severity = Severity::Unknown;  // the distribution's severity for this package
  std::vector<std::string> arches;        // rpm: applicable architectures (empty = all)
  std::string module_stream;              // rpm modularity "name:stream"
  std::string purl;                       // OSV "package.purl" when given

  friend bool operator==(const AffectedPackage&, const AffectedPackage&) = default;
};

struct Advisory {
  std::string id;                    // "CVE-2023-1234", "GHSA-…", "DSA-5532-1", "GO-2022-0001"
  std::vector<std::string> aliases;  // other ids of the same vulnerability
  std::vector<std::string> related;
  std::string source;     // the feed: "osv", "debian-tracker", "alpine-secdb", ...
  std::string published;  // RFC 3339, when known
  std::string modified;   // RFC 3339; imports are upserts keyed by (source, id)
  std::string withdrawn;  // non-empty: the advisory was withdrawn
  std::string summary;
  std::string details;
  std::vector<SeverityScore> severities;
  std::vector<AffectedPackage> affected;
  std::vector<std::string> references;  // URLs
  // The weaknesses (CWE ids, "CWE-79" spelling), sorted and unique; NVD's placeholders
  // "NVD-CWE-Other" / "NVD-CWE-noinfo" are never stored.
  std::vector<std::string> cwes;

  friend bool operator==(const Advisory&, const Advisory&) = default;
};

}  // namespace bulwark::model
