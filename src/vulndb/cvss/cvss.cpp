// CVSS base scores. Formulas and tables from the specifications:
//   v2    "A Complete Guide to the CVSS Version 2.0", §3.2.1 (base equation)
//   v3.0  CVSS v3.0 Specification Document, §8.1 (Roundup: smallest number, to one decimal,
//         not below the input, i.e. ceil(x * 10) / 10 as in FIRST's v3.0 calculator)
//   v3.1  CVSS v3.1 Specification Document, §7.1 and Appendix A (integer-arithmetic Roundup)
//   v4.0  CVSS v4.0 Specification Document, §8 (MacroVectors, severity distances), computed
//         step for step as FIRST's reference implementation (cvss40.js / cvss_score.js of
//         github.com/FIRSTdotorg/cvss-v4-calculator) computes it, with the same floating-point
//         operations in the same order so that results agree to the last bit.
#include "vulndb/cvss/cvss.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/text.h"

namespace bulwark::vulndb::cvss {
namespace {

using core::ErrorCode;
using model::Severity;

// One metric of a vector: its key, the values the specification allows (space-separated), and
// whether it is a mandatory base metric.
struct MetricDef {
  std::string_view key;
  std::string_view values;
  bool mandatory = false;
};

// Which metrics a version knows, in the specification's order, and its parsing rules.
struct Grammar {
  std::string_view label;   // "CVSS:3.1", "CVSS v2": starts every error message
  std::string_view prefix;  // written before the metrics in the normalized vector ("" for v2)
  std::span<const MetricDef> metrics;
  bool ordered = false;          // v4.0: metrics must appear in the specification's order
  std::string_view not_defined;  // the value meaning "not defined": dropped when normalizing
};

constexpr std::array kV2Metrics = {
    MetricDef{"AV", "L A N", true},
    MetricDef{"AC", "H M L", true},
    MetricDef{"Au", "M S N", true},
    MetricDef{"C", "N P C", true},
    MetricDef{"I", "N P C", true},
    MetricDef{"A", "N P C", true},
    // Temporal
    MetricDef{"E", "U POC F H ND"},
    MetricDef{"RL", "OF TF W U ND"},
    MetricDef{"RC", "UC UR C ND"},
    // Environmental
    MetricDef{"CDP", "N L LM MH H ND"},
    MetricDef{"TD", "N L M H ND"},
    MetricDef{"CR", "L M H ND"},
    MetricDef{"IR", "L M H ND"},
    MetricDef{"AR", "L M H ND"},
};

constexpr std::array kV3Metrics = {
    MetricDef{"AV", "N A L P", true},
    MetricDef{"AC", "L H", true},
    MetricDef{"PR", "N L H", true},
    MetricDef{"UI", "N R", true},
    MetricDef{"S", "U C", true},
    MetricDef{"C", "H L N", true},
    MetricDef{"I", "H L N", true},
    MetricDef{"A", "H L N", true},
    // Temporal
    MetricDef{"E", "X U P F H"},
    MetricDef{"RL", "X O T W U"},
    MetricDef{"RC", "X U R C"},
    // Environmental
    MetricDef{"CR", "X L M H"},
    MetricDef{"IR", "X L M H"},
    MetricDef{"AR", "X L M H"},
    MetricDef{"MAV", "X N A L P"},
    MetricDef{"MAC", "X L H"},
    MetricDef{"MPR", "X N L H"},
    MetricDef{"MUI", "X N R"},
    MetricDef{"MS", "X U C"},
    MetricDef{"MC", "X N L H"},
    MetricDef{"MI", "X N L H"},
    MetricDef{"MA", "X N L H"},
};

constexpr std::array kV4Metrics = {
    MetricDef{"AV", "N A L P", true},
    MetricDef{"AC", "L H", true},
    MetricDef{"AT", "N P", true},
    MetricDef{"PR", "N L H", true},
    MetricDef{"UI", "N P A", true},
    MetricDef{"VC", "H L N", true},
    MetricDef{"VI", "H L N", true},
    MetricDef{"VA", "H L N", true},
    MetricDef{"SC", "H L N", true},
    MetricDef{"SI", "H L N", true},
    MetricDef{"SA", "H L N", true},
    // Threat
    MetricDef{"E", "X A P U"},
    // Environmental
    MetricDef{"CR", "X H M L"},
    MetricDef{"IR", "X H M L"},
    MetricDef{"AR", "X H M L"},
    MetricDef{"MAV", "X N A L P"},
    MetricDef{"MAC", "X L H"},
    MetricDef{"MAT", "X N P"},
    MetricDef{"MPR", "X N L H"},
    MetricDef{"MUI", "X N P A"},
    MetricDef{"MVC", "X H L N"},
    MetricDef{"MVI", "X H L N"},
    MetricDef{"MVA", "X H L N"},
    MetricDef{"MSC", "X H L N"},
    MetricDef{"MSI", "X S H L N"},
    MetricDef{"MSA", "X S H L N"},
    // Supplemental
    MetricDef{"S", "X N P"},
    MetricDef{"AU", "X N Y"},
    MetricDef{"R", "X A U I"},
    MetricDef{"V", "X D C"},
    MetricDef{"RE", "X L M H"},
    MetricDef{"U", "X Clear Green Amber Red"},
};

constexpr Grammar kV2{"CVSS v2", "", kV2Metrics, false, "ND"};
constexpr Grammar kV30{"CVSS:3.0", "CVSS:3.0", kV3Metrics, false, "X"};
constexpr Grammar kV31{"CVSS:3.1", "CVSS:3.1", kV3Metrics, false, "X"};
constexpr Grammar kV40{"CVSS:4.0", "CVSS:4.0", kV4Metrics, true, "X"};

bool allowed(std::string_view values, std::string_view value) {
  if (value.empty()) return false;
  for (std::string_view candidate : core::split(values, ' ')) {
    if (candidate == value) return true;
  }
  return false;
}

// Untrusted text quoted in an error: escaped and cut short.
std::string quote(std::string_view text) {
  constexpr std::size_t kMaxQuoted = 24;
  std::string shown = core::printable(text.substr(0, kMaxQuoted));
  if (text.size() > kMaxQuoted) shown += "...";
  return shown;
}

// The metric values of a parsed vector, by the grammar's metric index ("" = absent).
struct Parsed {
  std::vector<std::string_view> values;

  std::string_view get(const Grammar& grammar, std::string_view key) const {
    for (std::size_t i = 0; i < grammar.metrics.size(); ++i) {
      if (grammar.metrics[i].key == key) return values[i];
    }
    return {};
  }
};

core::Result<Parsed> parseMetrics(const Grammar& grammar, std::string_view body) {
  Parsed parsed;
  parsed.values.assign(grammar.metrics.size(), std::string_view());
  // Tolerated: one trailing '/' ("CVSS:3.1/AV:N/.../RC:C/"), seen in published advisories.
  if (body.ends_with('/')) body.remove_suffix(1);
  if (body.empty()) return core::fail(ErrorCode::Input, "{}: no metrics", grammar.label);
  std::size_t last_index = 0;
  bool any = false;
  for (std::string_view part : core::split(body, '/')) {
    const std::size_t colon = part.find(':');
    if (part.empty() || colon == std::string_view::npos) {
      return core::fail(ErrorCode::Input, "{}: '{}' is not a KEY:VALUE metric", grammar.label,
                        quote(part));
    }
    const std::string_view key = part.substr(0, colon);
    const std::string_view value = part.substr(colon + 1);
    std::size_t index = grammar.metrics.size();
    for (std::size_t i = 0; i < grammar.metrics.size(); ++i) {
      if (grammar.metrics[i].key == key) index = i;
    }
    if (index == grammar.metrics.size()) {
      return core::fail(ErrorCode::Input, "{}: unknown metric '{}'", grammar.label, quote(key));
    }
    const MetricDef& def = grammar.metrics[index];
    if (!parsed.values[index].empty()) {
      return core::fail(ErrorCode::Input, "{}: metric {} given twice", grammar.label, def.key);
    }
    if (!allowed(def.values, value)) {
      return core::fail(ErrorCode::Input, "{}: invalid value '{}' for metric {} (allowed: {})",
                        grammar.label, quote(value), def.key, def.values);
    }
    if (grammar.ordered && any && index < last_index) {
      return core::fail(ErrorCode::Input,
                        "{}: metric {} out of order (the specification fixes the order)",
                        grammar.label, def.key);
    }
    parsed.values[index] = value;
    last_index = index;
    any = true;
  }
  for (std::size_t i = 0; i < grammar.metrics.size(); ++i) {
    if (grammar.metrics[i].mandatory && parsed.values[i].empty()) {
      return core::fail(ErrorCode::Input, "{}: metric {} missing", grammar.label,
                        grammar.metrics[i].key);
    }
  }
  return parsed;
}

std::string normalize(const Grammar& grammar, const Parsed& parsed) {
  std::string out(grammar.prefix);
  for (std::size_t i = 0; i < grammar.metrics.size(); ++i) {
    const std::string_view value = parsed.values[i];
    if (value.empty() || (!grammar.metrics[i].mandatory && value == grammar.not_defined)) continue;
    if (!out.empty()) out += '/';
    out += grammar.metrics[i].key;
    out += ':';
    out += value;
  }
  return out;
}

// ---- v2 -------------------------------------------------------------------------------------

double scoreV2(const Parsed& p) {
  const auto av = p.get(kV2, "AV");
  const auto ac = p.get(kV2, "AC");
  const auto au = p.get(kV2, "Au");
  const double access_vector = av == "L" ? 0.395 : av == "A" ? 0.646 : 1.0;
  const double access_complexity = ac == "H" ? 0.35 : ac == "M" ? 0.61 : 0.71;
  const double authentication = au == "M" ? 0.45 : au == "S" ? 0.56 : 0.704;
  const auto impact_of = [&](std::string_view key) {
    const auto value = p.get(kV2, key);
    return value == "N" ? 0.0 : value == "P" ? 0.275 : 0.660;
  };
  const double impact =
      10.41 * (1 - (1 - impact_of("C")) * (1 - impact_of("I")) * (1 - impact_of("A")));
  const double exploitability = 20 * access_vector * access_complexity * authentication;
  const double f_impact = impact == 0 ? 0 : 1.176;
  const double base = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f_impact;
  return std::clamp(std::round(base * 10) / 10, 0.0, 10.0);
}

// ---- v3.x -----------------------------------------------------------------------------------

// CVSS v3.1 Appendix A: Roundup on integers, immune to floating-point noise.
double roundUp31(double input) {
  const std::int64_t int_input = std::llround(input * 100000);
  if (int_input % 10000 == 0) return static_cast<double>(int_input) / 100000.0;
  const std::int64_t tenths = int_input / 10000 + 1;  // floor(int_input / 10000) + 1
  return static_cast<double>(tenths) / 10.0;
}

// CVSS v3.0 §8.1: the smallest number, specified to one decimal place, >= its input.
double roundUp30(double input) { return std::ceil(input * 10) / 10; }

double scoreV3(const Parsed& p, bool v31) {
  const auto get = [&](std::string_view key) { return p.get(kV31, key); };
  const bool changed = get("S") == "C";
  const auto av = get("AV");
  const auto ac = get("AC");
  const auto pr = get("PR");
  const double attack_vector = av == "N" ? 0.85 : av == "A" ? 0.62 : av == "L" ? 0.55 : 0.2;
  const double attack_complexity = ac == "L" ? 0.77 : 0.44;
  const double privileges = pr == "N"   ? 0.85
                            : pr == "L" ? (changed ? 0.68 : 0.62)
                                        : (changed ? 0.5 : 0.27);
  const double user_interaction = get("UI") == "N" ? 0.85 : 0.62;
  const auto cia = [&](std::string_view key) {
    const auto value = get(key);
    return value == "H" ? 0.56 : value == "L" ? 0.22 : 0.0;
  };
  const double iss = 1 - ((1 - cia("C")) * (1 - cia("I")) * (1 - cia("A")));
  const double impact =
      changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  const double exploitability =
      8.22 * attack_vector * attack_complexity * privileges * user_interaction;
  if (impact <= 0) return 0.0;
  const double raw = changed ? std::min(1.08 * (impact + exploitability), 10.0)
                             : std::min(impact + exploitability, 10.0);
  return v31 ? roundUp31(raw) : roundUp30(raw);
}

// ---- v4.0 -----------------------------------------------------------------------------------

struct MacroScore {
  std::string_view macro_vector;
  double score;
};

constexpr MacroScore kV4Lookup[] = {
#include "vulndb/cvss/cvss4_lookup.inc"
};

std::optional<double> lookupMacro(const std::array<int, 6>& eq) {
  std::array<char, 6> key{};
  for (std::size_t i = 0; i < eq.size(); ++i) {
    if (eq[i] < 0 || eq[i] > 9) return std::nullopt;
    key[i] = static_cast<char>('0' + eq[i]);
  }
  const std::string_view wanted(key.data(), key.size());
  for (const MacroScore& entry : kV4Lookup) {
    if (entry.macro_vector == wanted) return entry.score;
  }
  return std::nullopt;
}

// The highest-severity vectors of each MacroVector part (reference: max_composed.js).
constexpr std::string_view kMaxEq1[3][3] = {
    {"AV:N/PR:N/UI:N/"},
    {"AV:A/PR:N/UI:N/", "AV:N/PR:L/UI:N/", "AV:N/PR:N/UI:P/"},
    {"AV:P/PR:N/UI:N/", "AV:A/PR:L/UI:P/"},
};
constexpr std::string_view kMaxEq2[2][2] = {
    {"AC:L/AT:N/"},
    {"AC:H/AT:N/", "AC:L/AT:P/"},
};
constexpr std::string_view kMaxEq3Eq6[3][2][5] = {
    {{"VC:H/VI:H/VA:H/CR:H/IR:H/AR:H/"},
     {"VC:H/VI:H/VA:L/CR:M/IR:M/AR:H/", "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M/"}},
    {{"VC:L/VI:H/VA:H/CR:H/IR:H/AR:H/", "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H/"},
     {"VC:L/VI:H/VA:L/CR:H/IR:M/AR:H/", "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M/",
      "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M/", "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H/",
      "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M/"}},
    {{}, {"VC:L/VI:L/VA:L/CR:H/IR:H/AR:H/"}},
};
constexpr std::string_view kMaxEq4[3] = {"SC:H/SI:S/SA:S/", "SC:H/SI:H/SA:H/", "SC:L/SI:L/SA:L/"};
constexpr std::string_view kMaxEq5[3] = {"E:A/", "E:P/", "E:U/"};

// Severity depths of each MacroVector part, +1 (reference: max_severity.js).
constexpr double kMaxSeverityEq1[3] = {1, 4, 5};
constexpr double kMaxSeverityEq2[2] = {1, 2};
constexpr double kMaxSeverityEq3Eq6[3][2] = {{7, 6}, {8, 8}, {0, 10}};
constexpr double kMaxSeverityEq4[3] = {6, 5, 4};

// The metric levels used for severity distances (reference: METRIC_LEVELS), in its order.
struct Level {
  std::string_view metric;
  std::string_view values;  // space-separated, parallel to levels
  std::array<double, 4> levels;
};
constexpr std::array kV4Levels = {
    Level{"AV", "N A L P", {0.0, 0.1, 0.2, 0.3}},
    Level{"PR", "N L H", {0.0, 0.1, 0.2}},
    Level{"UI", "N P A", {0.0, 0.1, 0.2}},
    Level{"AC", "L H", {0.0, 0.1}},
    Level{"AT", "N P", {0.0, 0.1}},
    Level{"VC", "H L N", {0.0, 0.1, 0.2}},
    Level{"VI", "H L N", {0.0, 0.1, 0.2}},
    Level{"VA", "H L N", {0.0, 0.1, 0.2}},
    Level{"SC", "H L N", {0.1, 0.2, 0.3}},
    Level{"SI", "S H L N", {0.0, 0.1, 0.2, 0.3}},
    Level{"SA", "S H L N", {0.0, 0.1, 0.2, 0.3}},
    Level{"CR", "H M L", {0.0, 0.1, 0.2}},
    Level{"IR", "H M L", {0.0, 0.1, 0.2}},
    Level{"AR", "H M L", {0.0, 0.1, 0.2}},
    Level{"E", "U P A", {0.2, 0.1, 0.0}},
};
// Indexes named after the specification's metric abbreviations, as the reference code does.
// NOLINTNEXTLINE(readability-identifier-naming)
enum LevelIndex { kAV, kPR, kUI, kAC, kAT, kVC, kVI, kVA, kSC, kSI, kSA, kCR, kIR, kAR, kE };

double levelOf(const Level& level, std::string_view value) {
  std::size_t i = 0;
  for (std::string_view candidate : core::split(level.values, ' ')) {
    if (candidate == value) return level.levels[i];
    ++i;
  }
  return std::nan("");  // unreachable for validated vectors
}

// The value of `metric` in a max vector such as "AV:N/PR:N/UI:N/AC:L/...".
std::string_view valueIn(std::string_view max_vector, std::string_view metric) {
  for (std::string_view part : core::split(max_vector, '/')) {
    const std::size_t colon = part.find(':');
    if (colon != std::string_view::npos && part.substr(0, colon) == metric) {
      return part.substr(colon + 1);
    }
  }
  return {};
}

double scoreV4(const Parsed& p) {
  // CVSS-B: threat and environmental metrics at their defaults, whatever the vector says.
  // Effective values: E:X → A, CR/IR/AR:X → H, MSI/MSA:X → the base SI/SA (never "S").
  const auto base = [&](std::string_view key) { return p.get(kV40, key); };
  const auto effective = [&](std::string_view key) -> std::string_view {
    if (key == "E") return "A";
    if (key == "CR" || key == "IR" || key == "AR") return "H";
    return base(key);
  };
  const auto is = [&](std::string_view key, std::string_view value) {
    return effective(key) == value;
  };

  if (is("VC", "N") && is("VI", "N") && is("VA", "N") && is("SC", "N") && is("SI", "N") &&
      is("SA", "N")) {
    return 0.0;
  }

  std::array<int, 6> eq{};
  if (is("AV", "N") && is("PR", "N") && is("UI", "N")) {
    eq[0] = 0;
  } else if ((is("AV", "N") || is("PR", "N") || is("UI", "N")) && !is("AV", "P")) {
    eq[0] = 1;
  } else {
    eq[0] = 2;
  }
  eq[1] = is("AC", "L") && is("AT", "N") ? 0 : 1;
  if (is("VC", "H") && is("VI", "H")) {
    eq[2] = 0;
  } else if (is("VC", "H") || is("VI", "H") || is("VA", "H")) {
    eq[2] = 1;
  } else {
    eq[2] = 2;
  }
  // MSI/MSA are at their default, so EQ4 = 0 (MSI:S or MSA:S) cannot occur for CVSS-B.
  eq[3] = is("SC", "H") || is("SI", "H") || is("SA", "H") ? 1 : 2;
  eq[4] = is("E", "A") ? 0 : is("E", "P") ? 1 : 2;
  eq[5] = (is("CR", "H") && is("VC", "H")) || (is("IR", "H") && is("VI", "H")) ||
                  (is("AR", "H") && is("VA", "H"))
              ? 0
              : 1;

  const std::optional<double> macro_score = lookupMacro(eq);
  if (!macro_score) return std::nan("");  // unreachable: every reachable MacroVector is listed
  const double value = *macro_score;

  const auto lower = [&](int which, int step6 = 0) {
    std::array<int, 6> next = eq;
    next[static_cast<std::size_t>(which)] += 1;
    next[5] += step6;
    return lookupMacro(next);
  };
  const std::optional<double> score_eq1_lower = lower(0);
  const std::optional<double> score_eq2_lower = lower(1);
  std::optional<double> score_eq3eq6_lower;
  const int eq3 = eq[2];
  const int eq6 = eq[5];
  if (eq3 == 1 && eq6 == 1) {
    score_eq3eq6_lower = lower(2);
  } else if (eq3 == 0 && eq6 == 1) {
    score_eq3eq6_lower = lower(2);
  } else if (eq3 == 1 && eq6 == 0) {
    score_eq3eq6_lower = lower(5);
  } else if (eq3 == 0 && eq6 == 0) {
    const std::optional<double> left = lower(5);
    const std::optional<double> right = lower(2);
    // Math.max of the two, NaN (absent) when either is absent.
    if (left && right) score_eq3eq6_lower = std::max(*left, *right);
  } else {
    score_eq3eq6_lower = lower(2, 1);  // 21 → 32 does not exist
  }
  const std::optional<double> score_eq4_lower = lower(3);
  const std::optional<double> score_eq5_lower = lower(4);

  // Severity distances from the first highest-severity vector of the MacroVector that the
  // vector does not exceed (as the reference: the last candidate when none qualifies).
  std::array<double, kV4Levels.size()> distances{};
  const auto compute_distances = [&](std::string_view max_vector) {
    bool all_non_negative = true;
    for (std::size_t i = 0; i < kV4Levels.size(); ++i) {
      const Level& level = kV4Levels[i];
      distances[i] = levelOf(level, effective(level.metric)) -
                     levelOf(level, valueIn(max_vector, level.metric));
      if (!(distances[i] >= 0)) all_non_negative = false;
    }
    return all_non_negative;
  };
  bool found = false;
  for (std::string_view m1 : kMaxEq1[eq[0]]) {
    if (m1.empty() || found) break;
    for (std::string_view m2 : kMaxEq2[eq[1]]) {
      if (m2.empty() || found) break;
      for (std::string_view m36 : kMaxEq3Eq6[eq3][eq6]) {
        if (m36.empty() || found) break;
        const std::string max_vector =
            fmt::format("{}{}{}{}{}", m1, m2, m36, kMaxEq4[eq[3]], kMaxEq5[eq[4]]);
        found = compute_distances(max_vector);
      }
    }
  }

  const double current_eq1 = distances[kAV] + distances[kPR] + distances[kUI];
  const double current_eq2 = distances[kAC] + distances[kAT];
  const double current_eq3eq6 = distances[kVC] + distances[kVI] + distances[kVA] + distances[kCR] +
                                distances[kIR] + distances[kAR];
  const double current_eq4 = distances[kSC] + distances[kSI] + distances[kSA];

  constexpr double kStep = 0.1;
  const double max_severity_eq1 = kMaxSeverityEq1[eq[0]] * kStep;
  const double max_severity_eq2 = kMaxSeverityEq2[eq[1]] * kStep;
  const double max_severity_eq3eq6 = kMaxSeverityEq3Eq6[eq3][eq6] * kStep;
  const double max_severity_eq4 = kMaxSeverityEq4[eq[3]] * kStep;

  int n_existing_lower = 0;
  double normalized_eq1 = 0;
  double normalized_eq2 = 0;
  double normalized_eq3eq6 = 0;
  double normalized_eq4 = 0;
  double normalized_eq5 = 0;
  if (score_eq1_lower) {
    ++n_existing_lower;
    normalized_eq1 = (value - *score_eq1_lower) * (current_eq1 / max_severity_eq1);
  }
  if (score_eq2_lower) {
    ++n_existing_lower;
    normalized_eq2 = (value - *score_eq2_lower) * (current_eq2 / max_severity_eq2);
  }
  if (score_eq3eq6_lower) {
    ++n_existing_lower;
    normalized_eq3eq6 = (value - *score_eq3eq6_lower) * (current_eq3eq6 / max_severity_eq3eq6);
  }
  if (score_eq4_lower) {
    ++n_existing_lower;
    normalized_eq4 = (value - *score_eq4_lower) * (current_eq4 / max_severity_eq4);
  }
  if (score_eq5_lower) {
    ++n_existing_lower;  // the proportion for EQ5 is always 0
    normalized_eq5 = (value - *score_eq5_lower) * 0;
  }
  const double mean_distance = n_existing_lower == 0
                                   ? 0
                                   : (normalized_eq1 + normalized_eq2 + normalized_eq3eq6 +
                                      normalized_eq4 + normalized_eq5) /
                                         n_existing_lower;
  const double clamped = std::max(0.0, std::min(10.0, value - mean_distance));
  return std::round(clamped * 10) / 10;  // Math.round: half up (the value is never negative)
}

core::Result<Score> scoreWith(const Grammar& grammar, std::string_view body,
                              std::string_view version) {
  auto parsed = parseMetrics(grammar, body);
  if (!parsed) return tl::unexpected(parsed.error());
  Score score;
  score.version = std::string(version);
  if (version == "2.0") {
    score.base_score = scoreV2(*parsed);
  } else if (version == "4.0") {
    score.base_score = scoreV4(*parsed);
  } else {
    score.base_score = scoreV3(*parsed, version == "3.1");
  }
  if (!(score.base_score >= 0.0 && score.base_score <= 10.0)) {
    return core::fail(ErrorCode::Internal, "{}: score out of range for a valid vector",
                      grammar.label);
  }
  score.severity = severityFor(version, score.base_score);
  score.vector = normalize(grammar, *parsed);
  return score;
}

}  // namespace

Severity severityFor(std::string_view version, double score) {
  if (score <= 0.0) return Severity::Negligible;
  if (version == "2.0") {
    return score < 4.0 ? Severity::Low : score < 7.0 ? Severity::Medium : Severity::High;
  }
  if (score < 4.0) return Severity::Low;
  if (score < 7.0) return Severity::Medium;
  if (score < 9.0) return Severity::High;
  return Severity::Critical;
}

core::Result<Score> parseAndScore(std::string_view vector) {
  vector = core::trim(vector);
  if (vector.empty()) return core::fail(ErrorCode::Input, "empty CVSS vector");
  if (vector.size() > kMaxVectorLength) {
    return core::fail(ErrorCode::Limit, "CVSS vector longer than {} bytes", kMaxVectorLength);
  }
  if (vector.starts_with("CVSS:")) {
    const std::size_t slash = vector.find('/');
    const std::string_view prefix = vector.substr(0, slash);
    const std::string_view body =
        slash == std::string_view::npos ? std::string_view() : vector.substr(slash + 1);
    if (prefix == "CVSS:3.1") return scoreWith(kV31, body, "3.1");
    if (prefix == "CVSS:3.0") return scoreWith(kV30, body, "3.0");
    if (prefix == "CVSS:4.0") return scoreWith(kV40, body, "4.0");
    return core::fail(ErrorCode::Input, "unsupported CVSS version '{}'", quote(prefix));
  }
  if (vector.front() == '(') {
    if (vector.size() < 2 || vector.back() != ')') {
      return core::fail(ErrorCode::Input, "CVSS v2: unbalanced parentheses");
    }
    vector = vector.substr(1, vector.size() - 2);
  }
  return scoreWith(kV2, vector, "2.0");
}

}  // namespace bulwark::vulndb::cvss
