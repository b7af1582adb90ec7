// Inline SVG charts for the self-contained HTML reports (posture_report.h): a score ring, a
// trend line and horizontal (stacked) bars. Each chart is one <svg role="img"> with a <title>
// and an aria-label; the report prints the same numbers in a table beside it. Pure text
// output: no script, no external reference, every label escaped, numbers with fixed decimals
// so that the same input gives the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark::report::svg {

// Escapes & < > " ' for HTML and SVG text and attribute values.
std::string escapeMarkup(std::string_view text);

// The ring's geometry: the arc of `percent` is percent ÷ 100 × 2π × kRingRadius long.
inline constexpr double kRingRadius = 54;

// A ring filled to `percent` (clamped to 0–100) with the percent ("60.9 %") and `caption`
// ("19.5 of 32 points") in its middle. No percent: an empty grey ring showing "—" and
// "not available", never 0 %.
std::string scoreRing(std::optional<double> percent, std::string_view caption,
                      std::string_view title);

struct TrendPoint {
  std::int64_t at = 0;  // Unix ms
  double percent = 0;
};

// The score over time: x from the first to the last point's time, y from 0 to 100 %; the
// points are taken in time order. One point is a dot in the middle; none, the axes and a note.
std::string trendLine(std::span<const TrendPoint> points, std::string_view title);

struct BarSegment {
  std::string name;    // in the legend: "healthy"
  double value = 0;    // ≥ 0
  std::string colour;  // a fill: "#1e6b34"
};

struct BarRow {
  std::string label;  // left of the bar: "image", "critical", "2026-11-20"
  std::vector<BarSegment> segments;
};

// One horizontal bar per row, its segments stacked left to right, all rows on the scale of the
// largest row total; each row's total is written after its bar. A legend names the segments of
// the first row when there is more than one.
std::string barChart(std::span<const BarRow> rows, std::string_view title);

}  // namespace bulwark::report::svg
