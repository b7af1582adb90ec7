// The posture report's JSON and HTML (src/report/posture_report.h): the hand-built worked
// example against reviewed goldens (tests/golden/posture/; BULWARK_UPDATE_GOLDEN=1 rewrites
// them), determinism whatever the input order, escaping of untrusted text, a self-contained
// and accessible page, and a report with nothing counted yet.
#include "report/posture_report.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "posture_fixture.h"
#include "testdata.h"

namespace {

namespace fs = std::filesystem;
namespace report = bulwark::report;
namespace model = bulwark::model;
using bulwark::testing::workedExample;
using Json = nlohmann::json;

void compareWithGolden(const std::string& actual, const std::string& name) {
  const fs::path golden = bulwark::testing::sourceDir() / "tests/golden/posture" / name;
  if (std::getenv("BULWARK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing; run with BULWARK_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, bulwark::testing::readFile(golden));
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t found = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++found;
  }
  return found;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The same data with every list reversed.
report::PostureReportData reversed(report::PostureReportData data) {
  std::reverse(data.trend.begin(), data.trend.end());
  std::reverse(data.recommendations.begin(), data.recommendations.end());
  for (auto& recommendation : data.recommendations) {
    std::reverse(recommendation.affected.begin(), recommendation.affected.end());
  }
  std::reverse(data.resources.begin(), data.resources.end());
  std::reverse(data.alerts_by_priority.begin(), data.alerts_by_priority.end());
  std::reverse(data.alerts_by_day.begin(), data.alerts_by_day.end());
  std::reverse(data.exemptions.begin(), data.exemptions.end());
  return data;
}

TEST(PostureReport, JsonMatchesReviewedGolden) {
  const std::string first = report::renderPostureJson(workedExample());
  EXPECT_EQ(first, report::renderPostureJson(workedExample())) << "output is not deterministic";
  EXPECT_EQ(first, report::renderPostureJson(reversed(workedExample())))
      << "output depends on the input's order";
  compareWithGolden(first, "worked-example.json.golden");
}

TEST(PostureReport, HtmlMatchesReviewedGolden) {
  const std::string first = report::renderPostureHtml(workedExample());
  EXPECT_EQ(first, report::renderPostureHtml(workedExample())) << "output is not deterministic";
  EXPECT_EQ(first, report::renderPostureHtml(reversed(workedExample())))
      << "output depends on the input's order";
  compareWithGolden(first, "worked-example.html.golden");
}

TEST(PostureReport, JsonCarriesTheScoreAndSortsWhatItLists) {
  const Json doc = Json::parse(report::renderPostureJson(workedExample()));
  EXPECT_EQ(doc["schema"], "bulwark.posture/v1");
  EXPECT_EQ(doc["generated_at"], "2026-11-18T11:06:40Z");
  EXPECT_TRUE(doc["scope"].is_null());
  EXPECT_DOUBLE_EQ(doc["score"]["percent"].get<double>(), 60.893);  // 19.486 ÷ 32
  EXPECT_DOUBLE_EQ(doc["score"]["points"].get<double>(), 19.486);
  EXPECT_DOUBLE_EQ(doc["score"]["max"].get<double>(), 32);
  ASSERT_EQ(doc["score"]["controls"].size(), 7U);
  EXPECT_EQ(doc["score"]["controls"][6]["id"], "CTL-RUNTIME");  // the catalogue's order, kept
  EXPECT_DOUBLE_EQ(doc["score"]["controls"][6]["score"].get<double>(), 3.2);
  // By potential increase: BW-REC-020 (15.625) before BW-REC-010 (1.339) before BW-REC-050 (0).
  ASSERT_EQ(doc["recommendations"].size(), 3U);
  EXPECT_EQ(doc["recommendations"][0]["id"], "BW-REC-020");
  EXPECT_DOUBLE_EQ(doc["recommendations"][0]["potential_increase"].get<double>(), 15.625);
  EXPECT_EQ(doc["recommendations"][0]["severity"], "high");
  EXPECT_EQ(doc["recommendations"][1]["id"], "BW-REC-010");
  EXPECT_EQ(doc["recommendations"][1]["affected"][0]["name"], "web-1");  // unhealthy first
  EXPECT_EQ(doc["recommendations"][1]["affected"][0]["status"], "unhealthy");
  EXPECT_EQ(doc["recommendations"][1]["affected"][0]["type"], "container");
  EXPECT_EQ(doc["recommendations"][2]["id"], "BW-REC-050");
  // The trend by time; a point without a score is null, not 0.
  ASSERT_EQ(doc["trend"].size(), 4U);
  EXPECT_TRUE(doc["trend"][0]["percent"].is_null());
  EXPECT_DOUBLE_EQ(doc["trend"][1]["percent"].get<double>(), 40);
  EXPECT_EQ(doc["resources"][0]["type"], "image");
  EXPECT_EQ(doc["resources"][2]["type"], "container");
  EXPECT_EQ(doc["alerts"]["by_priority"][0]["priority"], "critical");
  EXPECT_EQ(doc["alerts"]["by_day"][0]["day"], "2026-11-15");
  EXPECT_EQ(doc["alerts"]["total"], 4);
  EXPECT_EQ(doc["exemptions"][0]["category"], "mitigated");
  EXPECT_EQ(doc["exemptions"][0]["expires_at"], "2027-02-15T11:06:40Z");
}

TEST(PostureReport, UntrustedTextIsEscaped) {
  auto data = workedExample();
  auto& resource = data.recommendations[1].affected[0];
  resource.name = "<script>alert(1)</script>";
  resource.reason = "\"quoted\" & <b>bold</b>\n";
  resource.key = "container:docker/\xff\xfe/0123";  // not UTF-8
  data.exemptions[0].exemption.reason = "<img src=x onerror=alert(2)>";
  data.exemptions[0].scope_name = "' onmouseover='alert(3)";
  data.scope_id = "9a8b7c6d5e4f3a2b";
  data.scope_name = "</title><script>alert(4)</script>";
  data.alerts_by_priority.push_back({"<svg onload=alert(5)>", 1});

  const std::string html = report::renderPostureHtml(data);
  EXPECT_EQ(lower(html).find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<svg onload"), std::string::npos);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos);
  EXPECT_EQ(html.find("' onmouseover"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;\\x0a"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
  EXPECT_NE(html.find("&#39; onmouseover=&#39;alert(3)"), std::string::npos);
  EXPECT_NE(html.find("&lt;svg onload=alert(5)&gt;"), std::string::npos);

  // JSON keeps the text (its own escaping makes it safe) and replaces invalid UTF-8.
  const Json doc = Json::parse(report::renderPostureJson(data));
  EXPECT_EQ(doc["recommendations"][1]["affected"][0]["name"], "<script>alert(1)</script>");
  EXPECT_EQ(doc["recommendations"][1]["affected"][0]["key"],
            "container:docker/\xef\xbf\xbd\xef\xbf\xbd/0123");
  EXPECT_EQ(doc["scope"]["id"], "9a8b7c6d5e4f3a2b");
}

TEST(PostureReport, HtmlIsSelfContained) {
  std::string html = report::renderPostureHtml(workedExample());
  // The SVG namespace is a name, never fetched; nothing else may point outside the file.
  const std::string xmlns = "xmlns=\"http://www.w3.org/2000/svg\"";
  EXPECT_EQ(count(html, xmlns), 6U);  // one per chart
  for (auto at = html.find(xmlns); at != std::string::npos; at = html.find(xmlns)) {
    html.erase(at, xmlns.size());
  }
  for (const char* outside : {"http:", "https:", "src=", "href=", "url(", "@import", "<script",
                              "<link", "<iframe", "<object", "<img"}) {
    EXPECT_EQ(lower(html).find(outside), std::string::npos) << outside;
  }
  EXPECT_NE(html.find("@page { size: A4;"), std::string::npos);
  EXPECT_NE(html.find("break-before: page"), std::string::npos);
}

TEST(PostureReport, ChartsAreLabelledAndTheirNumbersAreInTables) {
  const std::string html = report::renderPostureHtml(workedExample());
  const std::regex svg_open(R"re(<svg [^>]*role="img"[^>]*aria-label="([^"]+)"[^>]*><title>)re");
  std::size_t charts = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), svg_open);
       it != std::sregex_iterator(); ++it) {
    ++charts;
    // A table follows every chart.
    const auto end = html.find("</svg>", static_cast<std::size_t>(it->position()));
    ASSERT_NE(end, std::string::npos);
    const auto table = html.find("<table>", end);
    const auto next_chart = html.find("<svg ", end);
    EXPECT_NE(table, std::string::npos) << (*it)[1];
    EXPECT_LT(table, next_chart) << "no table after the chart " << (*it)[1];
  }
  EXPECT_EQ(charts, count(html, "<svg "));
  EXPECT_EQ(charts, 6U);  // ring, trend, severity, resources, alerts by priority and by day
  EXPECT_NE(html.find("aria-label=\"Secure score 60.9 %, 19.5 of 32 points\""), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"row\"><code>CTL-HOST</code></th>"), std::string::npos);
}

TEST(PostureReport, HeadingsAreInOrder) {
  const std::string html = report::renderPostureHtml(workedExample());
  const std::regex heading("<h([1-6])[ >]");
  int previous = 0;
  int h1 = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), heading);
       it != std::sregex_iterator(); ++it) {
    const int level = std::stoi((*it)[1]);
    h1 += level == 1 ? 1 : 0;
    EXPECT_LE(level, previous + 1) << "h" << level << " after h" << previous;
    previous = level;
  }
  EXPECT_EQ(h1, 1);
  EXPECT_NE(html.find("<html lang=\"en\">"), std::string::npos);
}

TEST(PostureReport, NothingCountedYetIsNoScoreNotZero) {
  report::PostureReportData empty;
  empty.tool_version = "0.1.0";
  empty.generated_at = bulwark::testing::kGeneratedAt;
  empty.score.controls = {bulwark::testing::control("CTL-VULN", "Remediate", 6, 0, 0)};
  const std::string html = report::renderPostureHtml(empty);
  EXPECT_NE(html.find("aria-label=\"Secure score not available\""), std::string::npos);
  EXPECT_NE(html.find(">—</text>"), std::string::npos);
  EXPECT_NE(html.find("<strong>not available</strong>"), std::string::npos);
  EXPECT_EQ(html.find("0.0 %"), std::string::npos);
  EXPECT_EQ(html.find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"row\"><code>CTL-VULN</code></th><td>Remediate</td><td "
                      "class=\"num\">6</td><td class=\"num\">not applicable</td>"),
            std::string::npos);
  EXPECT_NE(html.find("No score history yet."), std::string::npos);
  EXPECT_NE(html.find("No exemptions."), std::string::npos);
  EXPECT_NE(html.find("0 alerts since"), std::string::npos);

  const Json doc = Json::parse(report::renderPostureJson(empty));
  EXPECT_TRUE(doc["score"]["percent"].is_null());
  EXPECT_EQ(doc["score"]["max"], 0);
  EXPECT_FALSE(doc["score"]["controls"][0]["applicable"].get<bool>());
  for (const char* list : {"trend", "recommendations", "resources", "exemptions"}) {
    EXPECT_TRUE(doc[list].is_array() && doc[list].empty()) << list;
  }
  EXPECT_TRUE(doc["alerts"]["by_priority"].empty());
  EXPECT_EQ(doc["alerts"]["total"], 0);
}

}  // namespace
