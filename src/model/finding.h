// A finding: one vulnerability affecting one installed package, with the evidence for it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/advisory.h"
#include "model/check.h"
#include "model/package.h"

namespace bulwark::model {

struct Finding {
  std::string vulnerability_id;      // the CVE when there is one, else the advisory id
  std::vector<std::string> aliases;  // other ids: the distribution advisories (DSA, USN, RHSA)
  std::size_t package_index = 0;     // into Inventory::packages
  std::string package_name;
  std::string installed_version;  // Package::fullVersion()
  std::string fixed_version;      // empty when no fix is available
  AffectedStatus status = AffectedStatus::Affected;
  std::string urgency;  // the distribution's own word, when it has one
  Severity severity = Severity::Unknown;
  std::string severity_source;  // who said so: "debian-tracker", "nvd", ...
  std::optional<double> score;  // CVSS base score (computed by bulwark from the vector)
  std::string vector;           // that CVSS vector
  std::string title;
  std::vector<std::string> references;
  std::vector<std::string> cwes;          // weaknesses ("CWE-79"), sorted, unique
  std::vector<std::string> data_sources;  // the feeds whose records matched
  std::string explanation;                // which record, which range, which comparison
  std::string remediation;                // one sentence a person can act on
};

// Why one finding does not count. `suppressed` is false for findings no rule touched.
struct Suppression {
  bool suppressed = false;
  std::string by;             // "ignorefile" or "vex:FILE"
  std::string status;         // "ignored", or the VEX status: "not_affected", "fixed"
  std::string justification;  // VEX justification, when stated ("vulnerable_code_not_present")
  std::string reason;         // the rule's own words: statement, impact statement, detail
  std::string where;          // the rule: "FILE:LINE", or "FILE, statement N" for VEX
};

// A secret found in a layer file, the image config or the build history. `match` and
// `excerpt` are redacted: a secret is never printed or stored in full.
struct SecretFinding {
  std::string rule_id;   // "aws-access-key-id"
  std::string category;  // "AWS"
  std::string title;
  Severity severity = Severity::Unknown;
  std::string path;          // file path in the image; "config:Env", "history[3]" otherwise
  std::string layer_digest;  // the layer whose file it is; "" for config, history, directories
  std::uint32_t line = 0;    // 1-based line in the file; 0 when not in a file
  std::string match;         // the matched text, redacted ("AKIA****************")
  std::string excerpt;       // the line around it, redacted
};

// Malicious or suspicious content: a YARA rule that matched, a known-bad SHA-256, or a
// heuristic (an executable in /tmp, a setuid binary a layer added, a hidden ELF file).
struct MalwareFinding {
  std::string rule_id;  // the YARA rule name, "known-bad-sha256", or the heuristic's id
  std::string kind;     // "yara", "hash", "heuristic"
  std::string title;
  Severity severity = Severity::Unknown;
  std::string path;
  std::string layer_digest;
  std::string sha256;                 // of the file, when it was read
  std::vector<std::string> evidence;  // matched strings (identifiers and offsets), facts
};

struct ScanReport {
  Inventory inventory;
  std::vector<Finding> findings;  // sorted by (package, severity desc, id)
  // The other scanners (`--scanners`); empty when not run. Sorted by path, then rule.
  std::vector<SecretFinding> secrets;
  std::vector<MalwareFinding> malware;
  std::vector<CheckResult> misconfigurations;  // image config checks: every result, pass too
  std::vector<std::string> scanners;           // which ran: "vuln", "secret", "malware", "config"
  std::string db_build_id;
  std::string db_built_at;
  std::vector<core::Diagnostic> diagnostics;
};

}  // namespace bulwark::model
