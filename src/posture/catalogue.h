// The posture catalogue (data/posture/catalogue.yaml, embedded): the controls of the secure
// score with their maximum scores, and the recommendations that group assessments by what the
// user must do. Every check id and built-in rule id feeds exactly one recommendation or is listed
// as unmapped with a reason.
//
//   controls:
//     - {id: CTL-PRIV, title: Restrict container privileges, max: 6}
//   recommendations:
//     - id: BW-REC-010
//       title: Privileged containers should be avoided
//       control: CTL-PRIV
//       severity: critical                   # low, medium, high, critical
//       resource_types: [container, workload] # model::ResourceType names
//       description: >- …
//       remediation: [step, step]
//       sources:                              # at least one id in all
//         checks: [BW-DKR-505, BW-K8S-103]
//         rules: [BW-RT-207]
//         derived: [runtime]                  # kDerivedSources
//   unmapped:
//     - {ids: [BW-RT-215], reason: the test rule}
//
// Unknown fields are errors; every problem is reported (SOURCE:LINE:COLUMN) in one load.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "core/embedded.h"
#include "core/result.h"
#include "model/advisory.h"
#include "model/posture.h"

namespace bulwark::posture {

// The sources bulwark derives itself (assess.h): the only names `derived:` accepts.
inline constexpr std::string_view kSourceVulnSevere = "vuln:severe";
inline constexpr std::string_view kSourceVulnFixable = "vuln:fixable";
inline constexpr std::string_view kSourceVulnRunning = "vuln:running";
inline constexpr std::string_view kSourceScan = "scan";
inline constexpr std::string_view kSourceRuntime = "runtime";
inline constexpr std::string_view kSourceSensor = "sensor";
inline constexpr std::string_view kDerivedSources[] = {kSourceVulnSevere,  kSourceVulnFixable,
                                                       kSourceVulnRunning, kSourceScan,
                                                       kSourceRuntime,     kSourceSensor};

struct Control {
  std::string id;  // "CTL-PRIV"
  std::string title;
  double max = 0;                            // > 0
  std::vector<std::string> recommendations;  // ids, in file order
};

struct Recommendation {
  std::string id;  // "BW-REC-010"
  std::string title;
  std::string control;  // a Control id
  model::Severity severity = model::Severity::Medium;
  std::vector<model::ResourceType> resource_types;
  std::string description;
  std::vector<std::string> remediation;  // steps
  std::vector<std::string> checks;       // check ids
  std::vector<std::string> rules;        // rule ids
  std::vector<std::string> derived;      // kDerivedSources names
};

struct Unmapped {
  std::vector<std::string> ids;
  std::string reason;
};

// What a source id feeds.
struct SourceRef {
  model::SourceKind kind = model::SourceKind::Check;
  const Recommendation* recommendation = nullptr;  // null: unmapped or unknown
  const Unmapped* unmapped = nullptr;              // set when listed as unmapped
};

class Catalogue {
 public:
  [[nodiscard]] const std::vector<Control>& controls() const { return controls_; }
  [[nodiscard]] const std::vector<Recommendation>& recommendations() const {
    return recommendations_;
  }
  [[nodiscard]] const std::vector<Unmapped>& unmapped() const { return unmapped_; }
  [[nodiscard]] const std::string& source() const { return source_; }  // "posture/catalogue.yaml"
  // SHA-256 of the file's text: a new catalogue means a full recomputation.
  [[nodiscard]] const std::string& sha256() const { return sha256_; }

  [[nodiscard]] const Control* control(std::string_view id) const;
  [[nodiscard]] const Recommendation* recommendation(std::string_view id) const;
  // The recommendation a check id, rule id or derived source feeds; null recommendation when
  // the id is unmapped (`unmapped` set) or unknown (both null).
  [[nodiscard]] SourceRef source(std::string_view id) const;
  // Σ max over every control.
  [[nodiscard]] double maxTotal() const;

 private:
  friend class CatalogueLoader;
  std::vector<Control> controls_;
  std::vector<Recommendation> recommendations_;
  std::vector<Unmapped> unmapped_;
  std::string source_;
  std::string sha256_;
  // Indexes into the vectors (so that a copy stays valid).
  std::map<std::string, std::size_t, std::less<>> control_index_;
  std::map<std::string, std::size_t, std::less<>> recommendation_index_;
  struct SourceEntry {
    model::SourceKind kind = model::SourceKind::Check;
    std::size_t recommendation = 0;  // index, when !unmapped
    bool unmapped = false;
    std::size_t unmapped_index = 0;
  };
  std::map<std::string, SourceEntry, std::less<>> sources_;
};

// Reads a catalogue; every problem goes to `diagnostics` (kind "posture.invalid-catalogue",
// where SOURCE:LINE:COLUMN) and the first is the error's message.
core::Result<Catalogue> loadCatalogue(std::string_view text, std::string_view source,
                                      core::Diagnostics& diagnostics);

// The embedded data/posture/catalogue.yaml.
std::span<const core::EmbeddedFile> builtinCatalogueFiles();
core::Result<Catalogue> builtinCatalogue();

}  // namespace bulwark::posture
