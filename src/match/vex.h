// VEX input (`bulwark scan --vex FILE`): statements by a supplier or a user that a vulnerability
// does not affect a product. Three formats, told apart by their content:
//
//  - OpenVEX (v0.2.0, and the v0.0.x shapes where products and vulnerabilities were strings):
//    statements[] with vulnerability {name, @id, aliases}, products[] {@id, identifiers.purl,
//    subcomponents[]}, status, justification, impact_statement (timestamp: the statement's,
//    else the document's);
//  - CycloneDX VEX (1.4 – 1.6 JSON): vulnerabilities[] with id, references[].id (aliases),
//    analysis {state, justification, response, detail}, affects[].ref — a purl, a bom-ref of a
//    component of the same document, or a BOM-Link (urn:cdx:…#bom-ref);
//  - CSAF 2.0 VEX (document.category "csaf_vex", as Red Hat publishes one per CVE):
//    product_tree products (in branches, at any depth up to 32, and full_product_names) with
//    product_identification_helper.purl / .cpe; relationships of category
//    default_component_of, installed_on or installed_with define the composite product
//    "PLATFORM:COMPONENT" (its full_product_name.product_id): the component
//    (product_reference) on the platform (relates_to_product_reference). Each vulnerability
//    (ids: cve and ids[].text) becomes statements: product_status.known_not_affected →
//    not_affected, fixed and first_fixed → fixed, known_affected / first_affected /
//    last_affected → affected, under_investigation → under_investigation (the last two
//    suppress nothing); flags[].label (component_not_present, vulnerable_code_not_present,
//    vulnerable_code_cannot_be_controlled_by_adversary, vulnerable_code_not_in_execute_path,
//    inline_mitigations_already_exist) is the justification of the products it lists
//    (product_ids, or group_ids through product_tree.product_groups), the details of the
//    threat of category "impact" that lists the product (else of one that lists none) the
//    reason; the timestamp is tracking.current_release_date. Products the tree does not
//    identify by purl or CPE are diagnostics. Bounds: 16 identifiers per product, 64 groups
//    per product, 16 ids per vulnerability, 10,000 statements per document (the rest of the
//    document is then a diagnostic, not read).
//
// Semantics follow Trivy (pkg/vex): a statement applies to a finding when one of its ids is the
// finding's id or alias and one of its products covers the finding's package (suppression.h
// for purl rules); or a product names the scanned image (pkg:oci/…@digest) and either lists no
// subcomponents or lists one that covers the package. A CSAF composite product is its platform
// with the component as its one subcomponent; beyond Trivy (whose CSAF support needs the
// platform to be an OCI purl), a platform also names the target when its CPE names the
// package's operating system release (cpeNamesDistro: Red Hat's "cpe:/o:redhat:
// enterprise_linux:9" for a rhel-9.x package). Of the statements of one document that apply,
// the latest (timestamp, then document order) decides; within one CSAF vulnerability the
// statements come in the order affected, under investigation, fixed, not affected, so that a
// product listed twice (an invalid document) is suppressed, as Trivy, which looks at
// known_not_affected and fixed only, would. A statement suppresses when its status is
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

enum class VexFormat { OpenVex, CycloneDx, Csaf };

struct VexComponent {
  std::string id;  // @id / ref / CSAF product_id as written
  std::vector<model::ParsedPurl> purls;
  std::vector<std::string> cpes;  // CSAF product_identification_helper.cpe
};

struct VexProduct {
  VexComponent component;
  std::vector<VexComponent> subcomponents;
};

struct VexStatement {
  std::vector<std::string> ids;  // vulnerability name, @id, aliases
  std::vector<VexProduct> products;
  // CSAF: indexes into VexDocument::products (a product tree entry is shared by every
  // statement that names it instead of being copied into each).
  std::vector<std::size_t> product_refs;
  VexStatus status = VexStatus::Unknown;
  std::string status_text;    // as written: "not_affected", "false_positive", …
  std::string justification;  // "vulnerable_code_not_present", "code_not_reachable", …
  std::string reason;         // impact_statement / status_notes / analysis.detail
  std::string timestamp;      // RFC 3339, statement's or document's
  std::size_t index = 0;      // position in the document, 1-based (CSAF: the vulnerability's)

  [[nodiscard]] bool suppresses() const {
    return status == VexStatus::NotAffected || status == VexStatus::Fixed;
  }
};

struct VexDocument {
  std::string path;  // as given, for messages and Suppression::by
  VexFormat format = VexFormat::OpenVex;
  std::vector<VexStatement> statements;
  std::vector<VexProduct> products;           // CSAF: what VexStatement::product_refs name
  std::vector<core::Diagnostic> diagnostics;  // statements skipped or partly understood
  // lower-cased id → indexes into `statements`
  std::unordered_map<std::string, std::vector<std::size_t>> by_id;
};

// Parses a VEX document. A document that is not JSON, or not OpenVEX, CycloneDX or CSAF VEX,
// is an error naming "PATH:LINE:COLUMN" where it can; bad statements become diagnostics.
core::Result<VexDocument> parseVex(std::string_view text, std::string_view path);
core::Result<VexDocument> loadVex(const std::string& path);

// The statement of `document` that decides about `subject`, or nullptr when none applies.
const VexStatement* decidingStatement(const VexDocument& document, const Subject& subject);

}  // namespace bulwark::match
