// A finding: one vulnerability affecting one installed package, with the evidence for it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/advisory.h"
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

struct ScanReport {
  Inventory inventory;
  std::vector<Finding> findings;  // sorted by (package, severity desc, id)
  std::string db_build_id;
  std::string db_built_at;
  std::vector<core::Diagnostic> diagnostics;
};

}  // namespace bulwark::model
