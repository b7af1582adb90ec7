// The inline SVG charts (src/report/svg_chart.h): their geometry for known inputs, labels
// escaped, and no score drawn as "—", never as 0 %.
#include "report/svg_chart.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace svg = bulwark::report::svg;

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(SvgChart, EscapesMarkup) {
  EXPECT_EQ(svg::escapeMarkup("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
}

TEST(SvgChart, RingArcIsThePercentOfTheCircumference) {
  // 2π × 54 = 339.292; 60.9 % of it = 206.629.
  const std::string ring = svg::scoreRing(60.9, "19.5 of 32 points", "Secure score");
  EXPECT_TRUE(has(ring, "stroke-dasharray=\"206.629 339.292\"")) << ring;
  EXPECT_TRUE(has(ring, ">60.9 %</text>"));
  EXPECT_TRUE(has(ring, ">19.5 of 32 points</text>"));
  EXPECT_TRUE(has(ring, "role=\"img\""));
  EXPECT_TRUE(has(ring, "aria-label=\"Secure score\""));
  EXPECT_TRUE(has(ring, "><title>Secure score</title>"));
  EXPECT_TRUE(has(svg::scoreRing(0, "0 of 6 points", "s"), "stroke-dasharray=\"0.000 339.292\""));
  EXPECT_TRUE(has(svg::scoreRing(100, "", "s"), "stroke-dasharray=\"339.292 339.292\""));
  const std::string over = svg::scoreRing(120, "", "s");  // clamped
  EXPECT_TRUE(has(over, "stroke-dasharray=\"339.292 339.292\""));
  EXPECT_TRUE(has(over, ">100.0 %</text>"));
}

TEST(SvgChart, RingWithoutScoreShowsADashNotZero) {
  const std::string ring = svg::scoreRing(std::nullopt, "0 of 0 points", "Secure score");
  EXPECT_FALSE(has(ring, "stroke-dasharray"));
  EXPECT_FALSE(has(ring, "%</text>"));
  EXPECT_TRUE(has(ring, ">—</text>"));
  EXPECT_TRUE(has(ring, ">not available</text>"));
}

TEST(SvgChart, TrendScalesTimeAndPercent) {
  // x from 48 to 624 over the time span, y from 184 (0 %) to 16 (100 %); given out of order.
  constexpr std::int64_t kDay = 86400LL * 1000;
  const std::vector<svg::TrendPoint> points = {
      {3000 * kDay, 100}, {1000 * kDay, 0}, {2000 * kDay, 50}};
  const std::string line = svg::trendLine(points, "Secure score");
  EXPECT_TRUE(has(line, "<polyline points=\"48.0,184.0 336.0,100.0 624.0,16.0\"")) << line;
  EXPECT_TRUE(has(line, ">1972-09-27</text>"));  // day 1000
  EXPECT_TRUE(has(line, ">1978-03-20</text>"));  // day 3000
  EXPECT_TRUE(has(line, ">50 %</text>"));

  const std::vector<svg::TrendPoint> one = {{0, 25}};
  const std::string dot = svg::trendLine(one, "t");
  EXPECT_FALSE(has(dot, "<polyline"));
  EXPECT_TRUE(has(dot, "<circle cx=\"336.0\" cy=\"142.0\""));
  EXPECT_TRUE(has(svg::trendLine({}, "t"), ">no history yet</text>"));
}

TEST(SvgChart, BarsShareTheLargestRowsScale) {
  // The bar area is 430 wide from x = 150: totals 10 and 5 → 430 and 215.
  const std::vector<svg::BarRow> rows = {
      {"image", {{"unhealthy", 4, "#a4161a"}, {"healthy", 6, "#1e6b34"}}},
      {"host", {{"unhealthy", 5, "#a4161a"}, {"healthy", 0, "#1e6b34"}}},
      {"<b>a-very-long-label-that-is-cut</b>", {{"unhealthy", 0, "#a4161a"}}}};
  const std::string chart = svg::barChart(rows, "Resources");
  EXPECT_TRUE(has(chart,
                  "<rect x=\"150.0\" y=\"26.0\" width=\"172.0\" height=\"14\" "
                  "fill=\"#a4161a\"><title>unhealthy: 4</title></rect>"))
      << chart;
  EXPECT_TRUE(has(chart, "<rect x=\"322.0\" y=\"26.0\" width=\"258.0\""));
  EXPECT_TRUE(has(chart, "<rect x=\"150.0\" y=\"48.0\" width=\"215.0\""));
  EXPECT_FALSE(has(chart, "<title>healthy: 0</title>"));  // empty segments are not drawn
  EXPECT_TRUE(has(chart, ">10</text>"));
  EXPECT_TRUE(has(chart, ">5</text>"));
  EXPECT_TRUE(has(chart, ">&lt;b&gt;a-very-long-label-th…</text>"));  // 23 bytes + …
  EXPECT_TRUE(has(chart,
                  "<text x=\"164.0\" y=\"13\" font-size=\"10\" fill=\"#4a4a4a\">"
                  "unhealthy</text>"));  // the legend
  EXPECT_FALSE(has(chart, "<b>"));
}

TEST(SvgChart, AllZeroBarsDrawNothingButTotals) {
  const std::vector<svg::BarRow> rows = {{"critical", {{"alerts", 0, "#7f1d1d"}}}};
  const std::string chart = svg::barChart(rows, "Alerts");
  EXPECT_FALSE(has(chart, "<rect"));
  EXPECT_TRUE(has(chart, ">0</text>"));
}

}  // namespace
