// Issue 4 §6: invalid UTF-8 in package metadata. An image holds a Python METADATA, an npm
// package.json and a jar's pom.properties whose names and versions carry bytes that are not
// UTF-8 (a lone continuation byte, an overlong encoding, Latin-1, a truncated sequence, an
// encoded surrogate), beside good ones. `bulwark sbom` in every format: each bad file yields its
// package or a diagnostic naming it, the good packages are all there, and every JSON output
// (inventory, CycloneDX, SPDX) is valid UTF-8 (checked strictly here, and by the JSON parser).
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "unit/image/oci_layout_writer.h"
#include "unit/robustness/robustness_util.h"
#include "unit/robustness/zip_writer.h"

namespace bulwark::testing {
namespace {

const std::string kBad = std::string("\x80\xc0\xaf\xe9\xed\xa0\x80\xf0\x9f", 9);

TEST(RobustUtf8, ValidatorRejectsWhatItShould) {
  EXPECT_TRUE(validUtf8("plain ascii, caf\xc3\xa9, \xf0\x9f\x98\x80"));
  for (const std::string bad :
       {"\x80", "\xc0\xaf", "caf\xe9", "\xed\xa0\x80", "\xf0\x9f", "\xf4\x90\x80\x80", "\xff"}) {
    EXPECT_FALSE(validUtf8(bad)) << bad.size();
  }
}

TEST(RobustUtf8, InvalidBytesInMetadataKeepTheOutputValid) {
  TempDir dir("utf8");
  const std::string site = "usr/lib/python3/dist-packages/";
  const std::string bad_metadata = "Metadata-Version: 2.1\nName: bad" + kBad +
                                   "name\nVersion: 1.0" + kBad + "\nSummary: caf\xe9 " + kBad +
                                   "\nAuthor: \xff\xfe\n\nBody " + kBad + "\n";
  const std::string bad_pom =
      "version=1.0" + kBad + "\ngroupId=org.bad" + kBad + "\nartifactId=art" + kBad + "\n";
  TarBuilder layer;
  layer.file(site + "bad_name-1.0.dist-info/METADATA", bad_metadata)
      .file(site + "good-2.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: good\nVersion: 2.0\nSummary: fine\n")
      .file(
          "usr/lib/node_modules/badjs/package.json",
          "{\"name\":\"bad" + kBad + "js\",\"version\":\"1.0.0\",\"description\":\"" + kBad + "\"}")
      .file("usr/lib/node_modules/badver/package.json",
            "{\"name\":\"badver\",\"version\":\"1.0.0-" + kBad + "\"}")
      .file("usr/lib/node_modules/goodjs/package.json", R"({"name":"goodjs","version":"3.0.0"})")
      .file("opt/app/bad.jar",
            ZipWriter()
                .deflated("META-INF/maven/org.bad/art/pom.properties", bad_pom)
                .deflated("META-INF/MANIFEST.MF",
                          "Manifest-Version: 1.0\nImplementation-Title: " + kBad + "\n")
                .finish())
      .file("opt/app/good-1.0.jar",
            ZipWriter()
                .deflated("META-INF/maven/org.good/good/pom.properties",
                          "version=1.0\ngroupId=org.good\nartifactId=good\n")
                .finish())
      // A member name that is not UTF-8 either.
      .file("opt/app/names.jar", ZipWriter()
                                     .deflated("META-INF/maven/n/n" + kBad + "/pom.properties",
                                               "version=4\ngroupId=n\nartifactId=n\n")
                                     .stored("lib/inner" + kBad + ".jar",
                                             ZipWriter()
                                                 .deflated("META-INF/maven/i/i/pom.properties",
                                                           "version=5\ngroupId=i\nartifactId=i\n")
                                                 .finish())
                                     .finish());
  const auto layout = dir.path() / "image";
  writeOciLayout(layout, {layer.finish()});

  const std::vector<std::string> bad_files = {
      site + "bad_name-1.0.dist-info/METADATA", "usr/lib/node_modules/badjs/package.json",
      "usr/lib/node_modules/badver/package.json", "opt/app/bad.jar"};
  for (const std::string format : {"json", "cyclonedx", "spdx", "table"}) {
    const auto run =
        runBulwarkChild({"sbom", "oci:" + layout.string(), "--format", format}, dir.path());
    ASSERT_FALSE(run.signaled) << format << ": " << run.err;
    EXPECT_EQ(run.status, 0) << format << ": " << run.err;
    EXPECT_TRUE(validUtf8(run.err)) << format << ": " << firstInvalidLine(run.err);
    // Every format is valid UTF-8: the table through core::printable, which escapes bytes that
    // are not UTF-8 as \xNN.
    EXPECT_TRUE(validUtf8(run.out)) << format << ": " << firstInvalidLine(run.out);
    if (format == "table") {
      EXPECT_NE(run.out.find("goodjs"), std::string::npos);
      EXPECT_NE(run.out.find("org.good:good"), std::string::npos);
      continue;
    }
    const auto doc = parseOutput(run);
    ASSERT_TRUE(doc.is_object()) << format;
    if (format != "json") {
      EXPECT_NE(run.out.find("goodjs"), std::string::npos) << format;
      EXPECT_NE(run.out.find("org.good"), std::string::npos) << format;
      continue;
    }
    const auto found = packagesOf(doc);
    EXPECT_EQ(found.count({"good", "2.0", site + "good-2.0.dist-info/METADATA"}), 1U);
    EXPECT_EQ(found.count({"goodjs", "3.0.0", "usr/lib/node_modules/goodjs/package.json"}), 1U);
    EXPECT_EQ(found.count({"org.good:good", "1.0", "opt/app/good-1.0.jar"}), 1U);
    EXPECT_EQ(found.count({"n:n", "4", "opt/app/names.jar"}), 1U);
    // Each bad file: its package (names made valid in the output) or a diagnostic naming it.
    for (const auto& file : bad_files) {
      bool diagnosed = false;
      for (const auto& [kind, where, detail] : diagnosticsOf(doc)) {
        diagnosed = diagnosed || where.find(file) != std::string::npos;
      }
      bool kept = false;
      for (const auto& [name, version, path] : found) kept = kept || path == file;
      EXPECT_TRUE(kept || diagnosed) << file << "\n" << run.out.substr(0, 4000);
    }
  }
}

}  // namespace
}  // namespace bulwark::testing
