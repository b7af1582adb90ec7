// Inline SVG charts (svg_chart.h).
#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <numbers>

#include <fmt/format.h>

namespace bulwark::report::svg {

namespace {

constexpr std::string_view kFont = "font-family=\"DejaVu Sans, Arial, sans-serif\"";
constexpr std::string_view kText = "#1a1a1a";    // 17:1 on white
constexpr std::string_view kMuted = "#4a4a4a";   // 8.9:1 on white
constexpr std::string_view kGrid = "#b3b3b3";    // lines only
constexpr std::string_view kAccent = "#1f5f99";  // 6.6:1 on white
constexpr std::size_t kMaxLabelBytes = 24;

std::string open(int width, int height, std::string_view title) {
  const std::string escaped = escapeMarkup(title);
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 {0} {1}\" "
      "width=\"{0}\" height=\"{1}\" aria-label=\"{2}\" {3}><title>{2}</title>\n",
      width, height, escaped, kFont);
}

// At most kMaxLabelBytes bytes, cut at a UTF-8 character boundary, "…" when cut.
std::string shortLabel(std::string_view label) {
  if (label.size() <= kMaxLabelBytes) return std::string(label);
  std::size_t end = kMaxLabelBytes - 1;
  while (end > 0 && (static_cast<unsigned char>(label[end]) & 0xC0U) == 0x80U) --end;
  return std::string(label.substr(0, end)) + "…";
}

std::string dayOf(std::int64_t at_ms) {
  const std::time_t seconds = static_cast<std::time_t>(at_ms / 1000);
  std::tm utc{};
  if (::gmtime_r(&seconds, &utc) == nullptr) return {};
  char text[16] = {};
  std::strftime(text, sizeof text, "%Y-%m-%d", &utc);
  return text;
}

// A count or a value with at most one decimal: "12", "3.5".
std::string number(double value) {
  const double rounded = std::round(value * 10) / 10;
  if (rounded == std::floor(rounded)) return fmt::format("{:.0f}", rounded);
  return fmt::format("{:.1f}", rounded);
}

}  // namespace

std::string escapeMarkup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string scoreRing(std::optional<double> percent, std::string_view caption,
                      std::string_view title) {
  constexpr int kSize = 160;
  constexpr double kCentre = kSize / 2.0;
  const double circumference = 2 * std::numbers::pi * kRingRadius;
  std::string svg = open(kSize, kSize, title);
  svg += fmt::format(
      "<circle cx=\"{0}\" cy=\"{0}\" r=\"{1}\" fill=\"none\" stroke=\"#d9d9d9\" "
      "stroke-width=\"16\"/>\n",
      kCentre, kRingRadius);
  if (percent) {
    const double clamped = std::clamp(*percent, 0.0, 100.0);
    const double arc = clamped / 100 * circumference;
    svg += fmt::format(
        "<circle cx=\"{0}\" cy=\"{0}\" r=\"{1}\" fill=\"none\" stroke=\"{2}\" stroke-width=\"16\" "
        "stroke-dasharray=\"{3:.3f} {4:.3f}\" transform=\"rotate(-90 {0} {0})\"/>\n",
        kCentre, kRingRadius, kAccent, arc, circumference);
    svg += fmt::format(
        "<text x=\"{0}\" y=\"84\" text-anchor=\"middle\" font-size=\"24\" font-weight=\"bold\" "
        "fill=\"{1}\">{2:.1f} %</text>\n",
        kCentre, kText, clamped);
  } else {
    svg += fmt::format(
        "<text x=\"{0}\" y=\"84\" text-anchor=\"middle\" font-size=\"24\" font-weight=\"bold\" "
        "fill=\"{1}\">—</text>\n",
        kCentre, kText);
  }
  svg += fmt::format(
      "<text x=\"{0}\" y=\"104\" text-anchor=\"middle\" font-size=\"10\" fill=\"{1}\">{2}</text>\n",
      kCentre, kMuted, escapeMarkup(percent ? caption : std::string_view("not available")));
  svg += "</svg>";
  return svg;
}

std::string trendLine(std::span<const TrendPoint> input, std::string_view title) {
  constexpr int kWidth = 640;
  constexpr int kHeight = 220;
  constexpr double kLeft = 48;
  constexpr double kRight = 624;
  constexpr double kTop = 16;
  constexpr double kBottom = 184;
  std::vector<TrendPoint> points(input.begin(), input.end());
  std::stable_sort(points.begin(), points.end(),
                   [](const TrendPoint& a, const TrendPoint& b) { return a.at < b.at; });
  std::string svg = open(kWidth, kHeight, title);
  for (int tick = 0; tick <= 100; tick += 25) {
    const double y = kBottom - (kBottom - kTop) * tick / 100.0;
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"{3}\" "
        "stroke-width=\"1\"/><text x=\"{4}\" y=\"{5:.1f}\" text-anchor=\"end\" font-size=\"10\" "
        "fill=\"{6}\">{7} %</text>\n",
        kLeft, y, kRight, kGrid, kLeft - 6, y + 3.5, kMuted, tick);
  }
  const auto y_of = [&](double percent) {
    return kBottom - (kBottom - kTop) * std::clamp(percent, 0.0, 100.0) / 100.0;
  };
  if (points.empty()) {
    svg += fmt::format(
        "<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{2}\">no "
        "history yet</text>\n",
        (kLeft + kRight) / 2, (kTop + kBottom) / 2, kMuted);
  } else {
    const std::int64_t first = points.front().at;
    const std::int64_t last = points.back().at;
    const auto x_of = [&](std::int64_t at) {
      if (last == first) return (kLeft + kRight) / 2;
      return kLeft +
             (kRight - kLeft) * static_cast<double>(at - first) / static_cast<double>(last - first);
    };
    if (points.size() > 1) {
      std::string coordinates;
      for (const auto& point : points) {
        if (!coordinates.empty()) coordinates += ' ';
        coordinates += fmt::format("{:.1f},{:.1f}", x_of(point.at), y_of(point.percent));
      }
      svg +=
          fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                      coordinates, kAccent);
    }
    for (const auto& point : points) {
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n",
                         x_of(point.at), y_of(point.percent), kAccent);
    }
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"start\" font-size=\"10\" fill=\"{}\">{}</text>\n",
        kLeft, kBottom + 18, kMuted, dayOf(first));
    if (last != first) {
      svg += fmt::format(
          "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"10\" fill=\"{}\">{}</text>\n",
          kRight, kBottom + 18, kMuted, dayOf(last));
    }
  }
  svg += "</svg>";
  return svg;
}

std::string barChart(std::span<const BarRow> rows, std::string_view title) {
  constexpr int kWidth = 640;
  constexpr double kBarLeft = 150;
  constexpr double kBarRight = 580;
  constexpr int kRowHeight = 22;
  constexpr int kBarHeight = 14;
  const bool legend = !rows.empty() && rows.front().segments.size() > 1;
  const int top = legend ? 24 : 4;
  const int height = top + static_cast<int>(rows.size()) * kRowHeight + 4;
  double largest = 0;
  for (const auto& row : rows) {
    double total = 0;
    for (const auto& segment : row.segments) total += std::max(segment.value, 0.0);
    largest = std::max(largest, total);
  }
  std::string svg = open(kWidth, height, title);
  if (legend) {
    double x = kBarLeft;
    for (const auto& segment : rows.front().segments) {
      svg += fmt::format(
          "<rect x=\"{0:.1f}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{1}\"/><text "
          "x=\"{2:.1f}\" y=\"13\" font-size=\"10\" fill=\"{3}\">{4}</text>\n",
          x, escapeMarkup(segment.colour), x + 14, kMuted, escapeMarkup(segment.name));
      x += 24 + 6.0 * static_cast<double>(segment.name.size());
    }
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const double y = top + static_cast<double>(i) * kRowHeight;
    svg += fmt::format(
        "<text x=\"{0}\" y=\"{1:.1f}\" text-anchor=\"end\" font-size=\"11\" "
        "fill=\"{2}\">{3}</text>\n",
        kBarLeft - 8, y + 12, kText, escapeMarkup(shortLabel(row.label)));
    double x = kBarLeft;
    double total = 0;
    for (const auto& segment : row.segments) {
      const double value = std::max(segment.value, 0.0);
      total += value;
      if (value <= 0 || largest <= 0) continue;
      const double width = (kBarRight - kBarLeft) * value / largest;
      svg += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"><title>{}: "
          "{}</title></rect>\n",
          x, y + 2, width, kBarHeight, escapeMarkup(segment.colour), escapeMarkup(segment.name),
          number(value));
      x += width;
    }
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" fill=\"{}\">{}</text>\n",
                       x + 6, y + 12, kText, number(total));
  }
  svg += "</svg>";
  return svg;
}

}  // namespace bulwark::report::svg
