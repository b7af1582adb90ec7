// build.sbt.lock (src/catalog/java/sbt_lockfile.cpp) and pom.xml with its parent POMs
// (src/catalog/java/pom_xml.cpp) over Trivy's fixtures
// (../shared/testdata/scan/lang) and its expected inventory
// (../shared/testdata/scan/expected/trivy-integration/sbt.json.golden).
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/java/java_archive_cataloger.h"
#include "testdata.h"

namespace bulwark::catalog {
namespace {

using testing::readFile;
using testing::sharedTestdata;
// (name, version, development)
using Found = std::set<std::tuple<std::string, std::string, bool>>;

std::string shared(const std::string& relative) { return readFile(sharedTestdata() / relative); }

Found found(const std::vector<model::Package>& packages) {
  Found out;
  for (const auto& package : packages) {
    EXPECT_EQ(package.type, model::PackageType::Maven);
    out.emplace(package.name, package.version, package.development);
  }
  return out;
}

std::set<std::string> kinds(const core::Diagnostics& diagnostics) {
  std::set<std::string> out;
  for (const auto& diagnostic : diagnostics.sorted()) out.insert(diagnostic.kind);
  return out;
}

// ---- build.sbt.lock ------------------------------------------------------------------------

TEST(SbtLockfile, TrivyParserFixtures) {
  const std::string dir = "scan/lang/trivy/sbt/lockfile/";
  BULWARK_REQUIRE_SHARED(dir + "v1_happy.sbt.lock");
  core::Diagnostics diagnostics;
  const auto packages =
      parseSbtLockfile(shared(dir + "v1_happy.sbt.lock"), "build.sbt.lock", diagnostics);
  // Trivy's parse_test: the three compile/runtime modules; scalatest (test only) is what Trivy
  // leaves out, here a development dependency.
  EXPECT_EQ(found(packages), (Found{{"org.apache.commons:commons-lang3", "3.9", false},
                                    {"org.scala-lang:scala-library", "2.12.10", false},
                                    {"org.typelevel:cats-core_2.12", "2.9.0", false},
                                    {"org.scalatest:scalatest-core_2.13", "3.2.15", true}}));
  for (const auto& package : packages) EXPECT_EQ(package.location.path, "build.sbt.lock");
  EXPECT_EQ(diagnostics.size(), 0U);
  EXPECT_TRUE(
      parseSbtLockfile(shared(dir + "empty.sbt.lock"), "build.sbt.lock", diagnostics).empty());
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(SbtLockfile, SameAsTrivyIntegrationGolden) {
  const std::string file = "scan/lang/trivy-integration-repo/sbt/build.sbt.lock";
  BULWARK_REQUIRE_SHARED(file);
  core::Diagnostics diagnostics;
  const auto packages = parseSbtLockfile(shared(file), "build.sbt.lock", diagnostics);
  // sbt.json.golden lists no Packages, only its findings: every finding's package is ours.
  const auto golden =
      nlohmann::json::parse(shared("scan/expected/trivy-integration/sbt.json.golden"));
  std::set<std::pair<std::string, std::string>> theirs;
  for (const auto& result : golden.at("Results")) {
    for (const auto& vulnerability : result.value("Vulnerabilities", nlohmann::json::array())) {
      theirs.emplace(vulnerability.at("PkgName").get<std::string>(),
                     vulnerability.at("InstalledVersion").get<std::string>());
    }
  }
  ASSERT_FALSE(theirs.empty());
  std::set<std::pair<std::string, std::string>> ours;
  for (const auto& package : packages) {
    if (!package.development) ours.emplace(package.name, package.version);
  }
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(SbtLockfile, BadInputIsDiagnostics) {
  core::Diagnostics diagnostics;
  EXPECT_TRUE(parseSbtLockfile("{\"dependencies\": [", "build.sbt.lock", diagnostics).empty());
  EXPECT_TRUE(parseSbtLockfile("[]", "build.sbt.lock", diagnostics).empty());
  EXPECT_TRUE(parseSbtLockfile("{\"dependencies\": {}}", "build.sbt.lock", diagnostics).empty());
  const auto packages = parseSbtLockfile(R"({"lockVersion": 2, "dependencies": [
      7, {"org": "a", "name": "b"}, {"org": "a", "name": 3, "version": "1"},
      {"org": "g", "name": "n", "version": "1.0", "configurations": "compile"},
      {"org": "g", "name": "p", "version": "2.0", "configurations": ["provided"]},
      {"org": "g", "name": "r", "version": "3.0", "configurations": [1, "runtime"]}]})",
                                         "build.sbt.lock", diagnostics);
  EXPECT_EQ(found(packages),
            (Found{{"g:n", "1.0", true}, {"g:p", "2.0", true}, {"g:r", "3.0", false}}));
  EXPECT_EQ(kinds(diagnostics), (std::set<std::string>{"java.malformed-sbt-lockfile"}));
  EXPECT_EQ(diagnostics.size(), 7U);
}

TEST(SbtLockfile, ReadInProjectDirectories) {
  const auto cataloger = makeJavaArchiveCataloger();
  image::FsView view;
  image::FileEntry entry;
  entry.layer_digest = "sha256:layer";
  entry.content = R"({"lockVersion": 1, "dependencies": [
      {"org": "g", "name": "a", "version": "1", "configurations": ["compile"]}]})";
  view.put("mod/build.sbt.lock", entry);
  view.put("mod/other.sbt.lock", entry);  // not the name sbt-dependency-lock writes
  std::vector<model::Package> packages;
  core::Diagnostics diagnostics;
  cataloger->catalog(view, model::Distro{}, packages, diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  EXPECT_EQ(packages[0].name, "g:a");
  EXPECT_EQ(packages[0].location.path, "mod/build.sbt.lock");
  EXPECT_EQ(packages[0].location.layer_digest, "sha256:layer");
}

// ---- pom.xml with parent POMs from the same tree --------------------------------------------

// Every pom.xml below a Trivy fixture directory, as a project directory scan keeps them.
image::FsView pomTree(const std::string& relative) {
  image::FsView view;
  const auto root = sharedTestdata() / relative;
  for (const auto& item : std::filesystem::recursive_directory_iterator(root)) {
    if (!item.is_regular_file() || item.path().filename() != "pom.xml") continue;
    image::FileEntry entry;
    entry.content = readFile(item.path());
    entry.size = entry.content.size();
    view.put(std::filesystem::relative(item.path(), root).generic_string(), std::move(entry));
  }
  return view;
}

// path → {name@version} of the packages read from that pom.xml (the root first).
using ByFile = std::map<std::string, std::vector<std::string>>;

ByFile catalogPoms(const image::FsView& view, core::Diagnostics& diagnostics) {
  std::vector<model::Package> packages;
  catalogPomFiles(view, "**/pom.xml", packages, diagnostics);
  ByFile out;
  for (const auto& package : packages) {
    out[package.location.path].push_back(package.name + "@" + package.version);
  }
  return out;
}

struct ParentCase {
  std::string dir;
  std::string file;  // the child
  std::vector<std::string> packages;
  std::set<std::string> diagnostic_kinds;  // of the whole tree
};

TEST(PomXmlParents, TrivyParserFixtures) {
  const std::string base = "scan/lang/trivy/java/pom/";
  BULWARK_REQUIRE_SHARED(base + "parent-relative-path/pom.xml");
  // Trivy's expectations for these children (parse_test.go), all met from the tree alone.
  const std::vector<ParentCase> cases = {
      // <relativePath>./parent</relativePath>: a directory, so its pom.xml; ${api.version} is the
      // parent's; the parent's own example-api is the same module, declared once.
      {"parent-relative-path",
       "pom.xml",
       {"com.example:child@1.0.0", "org.example:example-api@1.7.30"},
       {}},
      // Default ../pom.xml; the child's declaration wins over the parent's example-api 2.2.2.
      {"parent-properties",
       "child/pom.xml",
       {"com.example:child@1.0.0", "org.example:example-api@1.7.30"},
       {}},
      // Dependencies inherited; the version is the parent's ${revision}${changelist}.
      {"parent-dependencies",
       "child/pom.xml",
       {"com.example:child@1.0.0-SNAPSHOT", "org.example:example-api@1.7.30"},
       {}},
      // The version of a dependency from the parent's dependencyManagement.
      {"parent-dependency-management",
       "child/pom.xml",
       {"com.example:child@3.0.0", "org.example:example-api@1.7.30"},
       {}},
      // Two levels: child → ../parent → ../top-parent; ${project.version} is the inherited 2.0.0.
      {"project-version-from-parent",
       "child/pom.xml",
       {"com.example:child@2.0.0", "org.example:example-api@2.0.0"},
       {}},
      // The child's version is ${revision}, defined by the parent.
      {"parent-version-is-property",
       "child/pom.xml",
       {"com.example:child@1.0.0-SNAPSHOT", "org.example:example-api@1.1.1"},
       {}},
      // project.* are the project's own whatever <properties> says; the imported BOM is remote.
      {"parent-child-properties",
       "pom.xml",
       {"com.example:child@1.2.3", "org.example:example-dependency@1.2.3",
        "org.example:example-api3@4.0.3"},
       {}},
      // parent/pom.xml's own parent (org.example:example-api) is remote, and its default
      // ../pom.xml is the child again: no loop, one diagnostic.
      {"no-parent-infinity-loop",
       "pom.xml",
       {"com.example:child@1.0.0"},
       {"java.parent-not-found"}},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(test.dir);
    core::Diagnostics diagnostics;
    const auto by_file = catalogPoms(pomTree(base + test.dir), diagnostics);
    ASSERT_TRUE(by_file.count(test.file) != 0);
    EXPECT_EQ(by_file.at(test.file), test.packages);
    EXPECT_EQ(kinds(diagnostics), test.diagnostic_kinds);
  }
}

TEST(PomXmlParents, SameAsTrivyIntegrationGolden) {
  // The integration project has no parent: reading parents changes nothing there.
  const std::string file = "scan/lang/trivy-integration-repo/pom/pom.xml";
  BULWARK_REQUIRE_SHARED(file);
  image::FsView view;
  image::FileEntry entry;
  entry.content = shared(file);
  view.put("pom.xml", std::move(entry));
  core::Diagnostics diagnostics;
  const auto by_file = catalogPoms(view, diagnostics);
  EXPECT_EQ(by_file.at("pom.xml"),
            (std::vector<std::string>{"com.example:log4shell@1.0-SNAPSHOT",
                                      "com.fasterxml.jackson.core:jackson-databind@2.9.1"}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(PomXmlParents, CyclesDepthAndMismatches) {
  const auto pom = [](const std::string& artifact, const std::string& parent,
                      const std::string& relative, const std::string& extra = "") {
    std::string text = "<project><groupId>g</groupId><artifactId>" + artifact +
                       "</artifactId><version>1</version>";
    if (!parent.empty()) {
      text +=
          "<parent><groupId>g</groupId><artifactId>" + parent + "</artifactId><version>1</version>";
      if (relative != "-") text += "<relativePath>" + relative + "</relativePath>";
      text += "</parent>";
    }
    return text + extra + "</project>";
  };
  image::FsView view;
  const auto put = [&view](const std::string& path, std::string content) {
    image::FileEntry entry;
    entry.content = std::move(content);
    view.put(path, std::move(entry));
  };
  // a ↔ b name each other as parents.
  put("cycle/a/pom.xml", pom("a", "b", "../b"));
  put("cycle/b/pom.xml", pom("b", "a", "../a"));
  // A chain deeper than the bound: d0 → d1 → … each in the directory above.
  std::string path = "deep";
  for (int i = 0; i <= kMaxPomParentDepth + 2; ++i) {
    path += "/x";
  }
  std::string dir = path;
  for (int i = 0; i <= kMaxPomParentDepth + 2; ++i) {
    put(dir + "/pom.xml",
        pom("d" + std::to_string(i), "d" + std::to_string(i + 1), "-",
            i == kMaxPomParentDepth + 2 ? "<dependencies><dependency><groupId>far</groupId>"
                                          "<artifactId>dep</artifactId><version>1</version>"
                                          "</dependency></dependencies>"
                                        : ""));
    dir = dir.substr(0, dir.rfind('/'));
  }
  // ../pom.xml is another project; an empty relativePath means "none"; "../../.." leaves the tree.
  put("m/pom.xml", pom("unrelated", "", ""));
  put("m/c/pom.xml", pom("c", "wanted", "-"));
  put("e/pom.xml", pom("e", "p", ""));
  put("o/pom.xml", pom("o", "p", "../../../x"));
  core::Diagnostics diagnostics;
  std::vector<model::Package> packages;
  catalogPomFiles(view, "**/pom.xml", packages, diagnostics);
  std::map<std::string, int> count;
  for (const auto& diagnostic : diagnostics.sorted()) ++count[diagnostic.kind];
  // Not found: a and b (each other's parent is already on the path), m/c (../pom.xml is another
  // project), e (no local parent), o (outside the tree), and every deep pom whose chain reaches
  // the top without passing the bound (d3 … d18). The three deepest (d0, d1, d2) pass it.
  EXPECT_EQ(count["java.parent-depth"], 3);
  EXPECT_EQ(count["java.parent-not-found"], 5 + kMaxPomParentDepth);
  // The deepest pom reads kMaxPomParentDepth parents only, so the top's dependency is not there.
  bool far = false;
  for (const auto& package : packages) far = far || package.name == "far:dep";
  EXPECT_TRUE(far);  // read from the top pom and the children within the bound
  for (const auto& package : packages) {
    if (package.name == "far:dep") {
      EXPECT_NE(package.location.path, path + "/pom.xml");
    }
  }
}

}  // namespace
}  // namespace bulwark::catalog
