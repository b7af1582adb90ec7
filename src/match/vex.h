// VEX input (`bulwark scan --vex FILE`): statements by a supplier or a user that a vulnerability
// does not affect a product. Two formats, told apart by their content:
//
//  - OpenVEX (v0.2.0, and the v0.0.x shapes where products and vulnerabilities were strings):
//    statements[] with vulnerability {name, @id, aliases}, products[] {@id, identifiers.purl,
//    subcomponents[]}, status, justification, impact_statement (timestamp: the statement's,
//    else the document's);
//  - CycloneDX VEX (1.4 – 1.6 JSON): vulnerabilities[] with id, references[].id (aliases),
//    analysis {state, justification, response, detail}, affects[].ref — a purl, a bom-ref of a
//    component of the same document, or a BOM-Link (urn:cdx:…#bom-ref).
//
// Semantics follow Trivy (pkg/vex): a statement applies to a finding when one of its ids is the
// finding's id or alias and one of its products covers the finding's package (suppression.h
// for purl rules); or a product names the scanned image (pkg:oci/…@digest) and either lists no
// subcomponents or lists one that covers the package. Of the statements of one document that
// apply, the latest (timestamp, then document order) decides. It suppresses when its status is
// not_affected or fixed (CycloneDX: not_affected, false_positive, resolved,
// resolved_with_pedigree).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/diagnostic.h"
#include "core/result.h"
#include "match/suppression.h"
#include "model/purl.h"

namespace bulwark::match {

enum class VexStatus { NotAffected, Affected, Fixed, UnderInvestigation, Unknown };

std::string_view toString(VexStatus status);  // "not_affected", "affected", ...

enum class VexFormat { OpenVex, CycloneDx };

struct VexComponent {
  std::string id;  // @id / ref as written
  std::vector<model::ParsedPurl> purls;
};

struct VexProduct {
  VexComponent component;
  std::vector<VexComponent> subcomponents;
};

struct VexStatement {
  std::vector<std::string> ids;  // vulnerability name, @id, aliases
  std::vector<VexProduct> products;
  VexStatus status = VexStatus::Unknown;
  std::string status_text;    // as written: "not_affected", "false_positive", …
  std::string justification;  // "vulnerable_code_not_present", "code_not_reachable", …
  std::string reason;         // impact_statement / status_notes / analysis.detail
  std::string timestamp;      // RFC 3339, statement's or document's
  std::size_t index = 0;      // position in the document, 1-based

  [[nodiscard]] bool suppresses() const {
    return status == VexStatus::NotAffected || status == VexStatus::Fixed;
  }
};

struct VexDocument {
  std::string path;  // as given, for messages and Suppression::by
  VexFormat format = VexFormat::OpenVex;
  std::vector<VexStatement> statements;
  std::vector<core::Diagnostic> diagnostics;  // statements skipped or partly understood
  // lower-cased id → indexes into `statements`
  std::unordered_map<std::string, std::vector<std::size_t>> by_id;
};

// Parses a VEX document. A document that is not JSON, or neither OpenVEX nor CycloneDX, is an
// error naming "PATH:LINE:COLUMN" where it can; bad statements become diagnostics.
core::Result<VexDocument> parseVex(std::string_view text, std::string_view path);
core::Result<VexDocument> loadVex(const std::string& path);

// The statement of `document` that decides about `subject`, or nullptr when none applies.
const VexStatement* decidingStatement(const VexDocument& document, const Subject& subject);

}  // namespace bulwark::match
