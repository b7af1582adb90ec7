// Issue 4 §6 through the real entry points: zip bombs in jars and wars, archives nested deeper
// than the limits, and a web shell inside a war — each in an OCI image the test writes, read by
// `bulwark sbom` / `bulwark scan --scanners malware` as a child process whose peak RSS is
// measured (wait4). Bounded work is shown by what the diagnostics and packages say, never by
// wall time; memory bounds come from the caps documented in the code, with margin.
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "catalog/java/java_archive_cataloger.h"
#include "malware/archive_scan.h"
#include "unit/image/oci_layout_writer.h"
#include "unit/robustness/robustness_util.h"
#include "unit/robustness/zip_writer.h"

namespace bulwark::testing {
namespace {

using Packages = std::set<std::tuple<std::string, std::string, std::string>>;

std::string pom(const std::string& group, const std::string& artifact, const std::string& version) {
  return "version=" + version + "\ngroupId=" + group + "\nartifactId=" + artifact + "\n";
}

std::string pomPath(const std::string& group, const std::string& artifact) {
  return "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
}

std::string jspShell() {
  return "<% Process p = Runtime.getRuntime().exec(request.getParameter(\"cmd\")); %>\n";
}

// 10 GiB of zeros as one deflated member, about 10 MB; built once.
const Deflated& tenGiB() {
  static const Deflated bomb = deflateBomb(10ULL << 30);
  return bomb;
}

// An OCI layout holding one layer of `files` (path, content, mode).
std::filesystem::path writeImage(
    const TempDir& dir, const std::string& name,
    const std::vector<std::tuple<std::string, std::string, int>>& files) {
  TarBuilder layer;
  for (const auto& [path, content, mode] : files) layer.file(path, content, mode);
  const auto layout = dir.path() / name;
  writeOciLayout(layout, {layer.finish()});
  return layout;
}

// Peak RSS of `sbom` over a small ordinary image: the baseline the bounds are added to.
std::uint64_t baselineRssKib(const TempDir& dir) {
  static std::uint64_t baseline = 0;
  if (baseline != 0) return baseline;
  const auto layout = writeImage(
      dir, "baseline",
      {{"opt/app/small-1.0.jar",
        ZipWriter().deflated(pomPath("g", "small"), pom("g", "small", "1.0")).finish(), 0644}});
  const auto run =
      runBulwarkChild({"sbom", "oci:" + layout.string(), "--format", "json"}, dir.path());
  EXPECT_EQ(run.status, 0) << run.err;
  baseline = run.max_rss_kib;
  return baseline;
}

TEST(RobustArchives, ZipBombJarsAndWarInAnImage) {
  TempDir dir("bomb");
  const Deflated& bomb = tenGiB();
  ASSERT_EQ(bomb.size, 10ULL << 30);
  // (a) A member inflating to 10 GiB, its size stated (zip64 central directory), between two
  // pom.properties.
  const std::string bomb_jar = ZipWriter()
                                   .deflated(pomPath("g", "before"), pom("g", "before", "1"))
                                   .raw("lib/bomb.jar", 8, bomb)
                                   .deflated(pomPath("g", "after"), pom("g", "after", "2"))
                                   .finish();
  ASSERT_LT(bomb_jar.size(), 16U << 20);
  // (b) The same bomb streamed: no central directory, sizes after the data, so skipping it
  // means inflating it.
  const std::string streamed_jar = ZipWriter()
                                       .deflated(pomPath("s", "first"), pom("s", "first", "1"))
                                       .raw("data.bin", 8, bomb, /*descriptor=*/true)
                                       .deflated(pomPath("s", "after"), pom("s", "after", "2"))
                                       .finish(/*directory=*/false);
  // (c) The bomb jar inside a war, next to a good library.
  const std::string good_jar =
      ZipWriter().deflated(pomPath("org.good", "lib"), pom("org.good", "lib", "3.1")).finish();
  const std::string war = ZipWriter()
                              .stored("WEB-INF/lib/lib-3.1.jar", good_jar)
                              .stored("WEB-INF/lib/bomb.jar", bomb_jar)
                              .finish();
  const auto layout = writeImage(dir, "image",
                                 {{"opt/app/bomb.jar", bomb_jar, 0644},
                                  {"opt/app/streamed.jar", streamed_jar, 0644},
                                  {"opt/app/app.war", war, 0644}});
  const std::uint64_t baseline = baselineRssKib(dir);
  const auto run =
      runBulwarkChild({"sbom", "oci:" + layout.string(), "--format", "json"}, dir.path());
  ASSERT_FALSE(run.signaled) << run.err;
  EXPECT_EQ(run.status, 0) << run.err;
  const auto doc = parseOutput(run);
  const Packages found = packagesOf(doc);
  // Everything around the bombs is still read.
  for (const auto& want :
       Packages{{"g:before", "1", "opt/app/bomb.jar"},
                {"g:after", "2", "opt/app/bomb.jar"},
                {"s:first", "1", "opt/app/streamed.jar"},
                {"org.good:lib", "3.1", "opt/app/app.war!/WEB-INF/lib/lib-3.1.jar"},
                {"g:before", "1", "opt/app/app.war!/WEB-INF/lib/bomb.jar"},
                {"g:after", "2", "opt/app/app.war!/WEB-INF/lib/bomb.jar"}}) {
    EXPECT_EQ(found.count(want), 1U) << std::get<0>(want) << " in " << std::get<2>(want);
  }
  // Clear diagnostics naming the member: the stated-size bomb is skipped at the nested-archive
  // cap; the streamed one is inflated only up to the per-archive budget, and reading stops
  // there (so its later pom.properties is not reached).
  EXPECT_TRUE(hasDiagnostic(doc, "java.member-too-large", "opt/app/bomb.jar!/lib/bomb.jar"))
      << doc["diagnostics"].dump();
  EXPECT_TRUE(hasDiagnostic(doc, "java.member-too-large",
                            "opt/app/app.war!/WEB-INF/lib/bomb.jar!/lib/bomb.jar"));
  EXPECT_TRUE(hasDiagnostic(doc, "java.archive-limit", "opt/app/streamed.jar!/data.bin"));
  EXPECT_EQ(found.count({"s:after", "2", "opt/app/streamed.jar"}), 0U);
  // Memory: three 10 GiB bombs cost at most one nested-archive buffer (64 MiB), the archives
  // themselves (about 10 MB each, read whole by the extractor) and the layer's buffers.
  const std::uint64_t bound = (catalog::kMaxJavaNestedArchiveBytes >> 10) + 128 * kKibPerMib;
  expectRssWithin(run, baseline, bound, "sbom, three 10 GiB zip bombs");
}

TEST(RobustArchives, StreamedBombIsChargedToTheBudgetInProcess) {
  // Counting, not timing: the skip of an unknown-size member is inflated against the
  // per-archive budget, so exactly one "archive-limit" stops the walk.
  const std::string jar = ZipWriter()
                              .deflated(pomPath("s", "first"), pom("s", "first", "1"))
                              .raw("data.bin", 8, tenGiB(), /*descriptor=*/true)
                              .finish(/*directory=*/false);
  core::Diagnostics diagnostics;
  const auto packages = catalog::parseJavaArchive(jar, "s.jar", diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  const auto sorted = diagnostics.sorted();
  ASSERT_EQ(sorted.size(), 1U);
  EXPECT_EQ(sorted[0].kind, "java.archive-limit");
  EXPECT_EQ(sorted[0].where, "s.jar!/data.bin");
  EXPECT_NE(sorted[0].detail.find(std::to_string(catalog::kMaxJavaDecompressedBytes)),
            std::string::npos)
      << sorted[0].detail;
}

TEST(RobustArchives, NestingTenDeep) {
  // jar in jar ... 10 deep; level n has the package deep:level<n> and a web shell shell<n>.jsp.
  std::string inner;
  for (int level = 10; level >= 1; --level) {
    const std::string n = std::to_string(level);
    ZipWriter writer;
    writer.deflated(pomPath("deep", "level" + n), pom("deep", "level" + n, n));
    writer.deflated("shell" + n + ".jsp", jspShell());
    if (!inner.empty()) writer.stored("lib/inner.jar", inner);
    inner = writer.finish();
  }
  TempDir dir("nest");
  const auto layout = writeImage(dir, "image", {{"opt/deep.jar", inner, 0644}});
  const auto sbom =
      runBulwarkChild({"sbom", "oci:" + layout.string(), "--format", "json"}, dir.path());
  ASSERT_FALSE(sbom.signaled) << sbom.err;
  EXPECT_EQ(sbom.status, 0) << sbom.err;
  const auto doc = parseOutput(sbom);
  // The outer jar and kMaxJavaArchiveDepth nested ones are read; the next is a diagnostic.
  std::string chain = "opt/deep.jar";
  for (int level = 1; level <= 10; ++level) {
    const std::string n = std::to_string(level);
    const bool read = level <= catalog::kMaxJavaArchiveDepth + 1;
    EXPECT_EQ(packagesOf(doc).count({"deep:level" + n, n, chain}), read ? 1U : 0U) << chain;
    if (level == catalog::kMaxJavaArchiveDepth + 1) {
      EXPECT_TRUE(hasDiagnostic(doc, "java.archive-depth", chain + "!/lib/inner.jar"))
          << doc["diagnostics"].dump();
    }
    chain += "!/lib/inner.jar";
  }

  // The malware scanner opens three levels: the shells of levels 1..3, then a diagnostic.
  const auto scan = runBulwarkChild(
      {"scan", "oci:" + layout.string(), "--scanners", "malware", "--format", "json"}, dir.path());
  ASSERT_FALSE(scan.signaled) << scan.err;
  EXPECT_EQ(scan.status, 0) << scan.err;
  const auto report = parseOutput(scan);
  std::set<std::string> shells;
  for (const auto& finding : report.value("malware", nlohmann::json::array())) {
    shells.insert(finding.value("path", ""));
  }
  EXPECT_EQ(shells, (std::set<std::string>{
                        "opt/deep.jar!/shell1.jsp", "opt/deep.jar!/lib/inner.jar!/shell2.jsp",
                        "opt/deep.jar!/lib/inner.jar!/lib/inner.jar!/shell3.jsp"}));
  EXPECT_TRUE(hasDiagnostic(report, "malware.archive-depth",
                            "opt/deep.jar!/lib/inner.jar!/lib/inner.jar!/lib/inner.jar"))
      << report["diagnostics"].dump();
}

TEST(RobustArchives, WebShellInAWarAndABombBesideItWithTheMalwareScanner) {
  TempDir dir("war");
  const std::string evil_jar =
      ZipWriter().deflated("META-INF/resources/cmd.jsp", jspShell()).finish();
  const std::string war = ZipWriter()
                              .deflated("index.jsp", "<html><%= new java.util.Date() %></html>")
                              .deflated("uploads/shell.jsp", jspShell())
                              .stored("WEB-INF/lib/evil.jar", evil_jar)
                              .finish();
  const std::string bomb_zip =
      ZipWriter().raw("zeros.bin", 8, tenGiB()).deflated("after.jsp", jspShell()).finish();
  const auto layout =
      writeImage(dir, "image", {{"srv/app.war", war, 0644}, {"srv/bomb.zip", bomb_zip, 0644}});
  const auto run = runBulwarkChild(
      {"scan", "oci:" + layout.string(), "--scanners", "malware", "--format", "json"}, dir.path());
  ASSERT_FALSE(run.signaled) << run.err;
  EXPECT_EQ(run.status, 0) << run.err;
  const auto report = parseOutput(run);
  std::set<std::pair<std::string, std::string>> findings;
  for (const auto& finding : report.value("malware", nlohmann::json::array())) {
    findings.emplace(finding.value("path", ""), finding.value("rule_id", ""));
    EXPECT_TRUE(finding.value("layer", "").starts_with("sha256:")) << finding.dump();
  }
  const std::string rule = "BULWARK_Webshell_JSP_Runtime_Exec";
  EXPECT_EQ(findings, (std::set<std::pair<std::string, std::string>>{
                          {"srv/app.war!/uploads/shell.jsp", rule},
                          {"srv/app.war!/WEB-INF/lib/evil.jar!/META-INF/resources/cmd.jsp", rule},
                          {"srv/bomb.zip!/after.jsp", rule}}));
  EXPECT_TRUE(hasDiagnostic(report, "malware.archive-member-too-large", "srv/bomb.zip!/zeros.bin"))
      << report["diagnostics"].dump();
  // Memory: one member buffer of the scanner's limit (64 MiB) per scanning thread, plus the
  // archive and the layer's buffers.
  const std::uint64_t bound =
      2 * (malware::ArchiveLimits{}.max_member_bytes >> 10) + 96 * kKibPerMib;
  expectRssWithin(run, baselineRssKib(dir), bound, "scan --scanners malware, war and bomb");
}

}  // namespace
}  // namespace bulwark::testing
