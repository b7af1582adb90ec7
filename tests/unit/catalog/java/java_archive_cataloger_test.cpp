#include "catalog/java/java_archive_cataloger.h"

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "testdata.h"

namespace bulwark::catalog {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

// (name, version, location.path)
using Found = std::set<std::tuple<std::string, std::string, std::string>>;

Found found(const std::vector<model::Package>& packages) {
  Found out;
  for (const auto& package : packages) {
    EXPECT_EQ(package.type, model::PackageType::Maven);
    out.emplace(package.name, package.version, package.location.path);
  }
  return out;
}

std::set<std::string> kinds(const core::Diagnostics& diagnostics) {
  std::set<std::string> out;
  for (const auto& diagnostic : diagnostics.sorted()) out.insert(diagnostic.kind);
  return out;
}

struct Member {
  std::string name;
  std::string content;
};

// A zip written with libarchive: deflated members, or stored ones (as Spring Boot stores its
// nested jars).
std::string makeZip(const std::vector<Member>& members, bool stored = false) {
  archive* writer = archive_write_new();
  archive_write_set_format_zip(writer);
  if (stored) archive_write_set_format_option(writer, "zip", "compression", "store");
  std::vector<char> buffer;
  std::size_t used = 0;
  std::string out;
  // archive_write_open_memory needs a fixed buffer: size it from the members.
  std::size_t total = 1U << 16;
  for (const auto& member : members) total += member.content.size() + member.name.size() + 256;
  buffer.assign(total, 0);
  EXPECT_EQ(archive_write_open_memory(writer, buffer.data(), buffer.size(), &used), ARCHIVE_OK);
  for (const auto& member : members) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, member.name.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(member.content.size()));
    EXPECT_EQ(archive_write_header(writer, entry), ARCHIVE_OK);
    std::size_t offset = 0;
    while (offset < member.content.size()) {
      const std::size_t chunk = std::min<std::size_t>(1U << 20, member.content.size() - offset);
      EXPECT_GT(archive_write_data(writer, member.content.data() + offset, chunk), 0);
      offset += chunk;
    }
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
  out.assign(buffer.data(), used);
  return out;
}

std::string pomProperties(const std::string& group, const std::string& artifact,
                          const std::string& version) {
  return "#Created by Apache Maven 3.8.7\nversion=" + version + "\ngroupId=" + group +
         "\nartifactId=" + artifact + "\n";
}

Member pomMember(const std::string& group, const std::string& artifact,
                 const std::string& version) {
  return {"META-INF/maven/" + group + "/" + artifact + "/pom.properties",
          pomProperties(group, artifact, version)};
}

std::string shared(const std::string& relative) {
  return testing::readFile(testing::sharedTestdata() / relative);
}

constexpr const char* kTrivyJars = "scan/lang/trivy/java/jar";

// ---- Trivy's jar parser fixtures, with the packages its parse_test.go expects offline.

TEST(JavaArchive, TrivyFatJarYieldsEveryPomProperties) {
  BULWARK_REQUIRE_SHARED(std::string(kTrivyJars) + "/hadoop-shaded-guava-1.1.0-SNAPSHOT.jar");
  core::Diagnostics diagnostics;
  const std::string path = "opt/hadoop-shaded-guava-1.1.0-SNAPSHOT.jar";
  const auto packages =
      parseJavaArchive(shared(std::string(kTrivyJars) + "/hadoop-shaded-guava-1.1.0-SNAPSHOT.jar"),
                       path, diagnostics);
  EXPECT_EQ(found(packages),
            (Found{{"com.google.guava:failureaccess", "1.0.1", path},
                   {"com.google.guava:guava", "29.0-jre", path},
                   {"com.google.guava:listenablefuture",
                    "9999.0-empty-to-avoid-conflict-with-guava", path},
                   {"com.google.j2objc:j2objc-annotations", "1.3", path},
                   {"org.apache.hadoop.thirdparty:hadoop-shaded-guava", "1.1.0-SNAPSHOT", path}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(JavaArchive, TrivyNestedJarsCarryTheirChain) {
  BULWARK_REQUIRE_SHARED(std::string(kTrivyJars) + "/nested.jar");
  core::Diagnostics diagnostics;
  const auto packages =
      parseJavaArchive(shared(std::string(kTrivyJars) + "/nested.jar"), "nested.jar", diagnostics);
  // Trivy: FilePath nested.jar, nested.jar/META-INF/jars/nested2.jar, .../nested3.jar.
  EXPECT_EQ(found(packages),
            (Found{{"test:nested", "0.0.1", "nested.jar"},
                   {"test:nested2", "0.0.2", "nested.jar!/META-INF/jars/nested2.jar"},
                   {"test:nested3", "0.0.3",
                    "nested.jar!/META-INF/jars/nested2.jar!/META-INF/jars/nested3.jar"}}));
  for (const auto& package : packages) {
    EXPECT_EQ(javaOuterArchivePath(package.location.path), "nested.jar");
  }
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(JavaArchive, TrivyManifestOnlyJarOffline) {
  BULWARK_REQUIRE_SHARED(std::string(kTrivyJars) + "/test.jar");
  core::Diagnostics diagnostics;
  // Trivy's "offline" vector: groupId from Bundle-SymbolicName, artifactId from
  // Implementation-Title (online, Trivy finds spring-core 5.3.3 by SHA-1 in its Java DB).
  EXPECT_EQ(found(parseJavaArchive(shared(std::string(kTrivyJars) + "/test.jar"), "test.jar",
                                   diagnostics)),
            (Found{{"org.springframework:Spring Framework", "2.5.6.SEC03", "test.jar"}}));
}

TEST(JavaArchive, TrivyHeuristicJarNeedsTheJavaDb) {
  BULWARK_REQUIRE_SHARED(std::string(kTrivyJars) + "/heuristic-1.0.0-SNAPSHOT.jar");
  core::Diagnostics diagnostics;
  // Only "Manifest-Version: 1.0": Trivy finds com.example:heuristic by asking Maven Central for
  // the groupId of artifactId "heuristic"; offline (and bulwark) finds nothing.
  EXPECT_EQ(summarizeJavaArchive("h.jar",
                                 shared(std::string(kTrivyJars) + "/heuristic-1.0.0-SNAPSHOT.jar")),
            "");  // nothing to keep
  EXPECT_TRUE(parseJavaArchive(shared(std::string(kTrivyJars) + "/heuristic-1.0.0-SNAPSHOT.jar"),
                               "heuristic-1.0.0-SNAPSHOT.jar", diagnostics)
                  .empty());
}

TEST(JavaArchive, TrivyLicenseFixtures) {
  BULWARK_REQUIRE_SHARED(std::string(kTrivyJars) + "/multi-license-1.0.0.jar");
  core::Diagnostics diagnostics;
  EXPECT_EQ(found(parseJavaArchive(shared(std::string(kTrivyJars) + "/multi-license-1.0.0.jar"),
                                   "multi-license-1.0.0.jar", diagnostics)),
            (Found{{"com.example:multi-license", "1.0.0", "multi-license-1.0.0.jar"}}));
  EXPECT_EQ(
      found(parseJavaArchive(shared(std::string(kTrivyJars) + "/license-from-jenkins-plugin.jar"),
                             "plugins/license-from-jenkins-plugin.jar", diagnostics)),
      (Found{{"com.example:jenkins-plugin", "1.0.0", "plugins/license-from-jenkins-plugin.jar"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

// ---- Syft's jar-metadata fixtures are directories "to be zipped": zip them here.

std::string zipDirectory(const fs::path& dir) {
  std::vector<Member> members;
  for (const auto& item : fs::recursive_directory_iterator(dir)) {
    if (!item.is_regular_file()) continue;
    members.push_back(
        {fs::relative(item.path(), dir).generic_string(), testing::readFile(item.path())});
  }
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return a.name < b.name; });
  return makeZip(members);
}

TEST(JavaArchive, SyftJarMetadata) {
  const std::string base = "scan/lang/syft/java/jar-metadata/";
  BULWARK_REQUIRE_SHARED(base + "opensaml-core-3.4.6");
  const fs::path root = testing::sharedTestdata() / base;
  core::Diagnostics diagnostics;
  auto of = [&](const std::string& dir) {
    const std::string path = "lib/" + dir + ".jar";
    return found(parseJavaArchive(zipDirectory(root / dir), path, diagnostics));
  };
  // Its own pom.properties (artifactId and version match the file name): the manifest is not
  // consulted.
  EXPECT_EQ(of("opensaml-core-3.4.6"),
            (Found{{"org.opensaml:opensaml-core", "3.4.6", "lib/opensaml-core-3.4.6.jar"}}));
  // Two pom.properties, neither its own by file name; the manifest has no Implementation-*.
  EXPECT_EQ(of("org.multiple-thename"),
            (Found{{"com.multiple:thename", "10.11.12", "lib/org.multiple-thename.jar"},
                   {"org.multiple:thename", "10.11.12", "lib/org.multiple-thename.jar"}}));
  // Only a pom.xml (not read): the manifest names it, with Trivy's offline spelling.
  EXPECT_EQ(of("jackson-core-2.15.2"), (Found{{"com.fasterxml.jackson.core:Jackson-core", "2.15.2",
                                               "lib/jackson-core-2.15.2.jar"}}));
  // Implementation-Title-Alias is not Implementation-Title.
  EXPECT_EQ(of("spring-instrumentation-4.3.0-1.0"),
            (Found{{"New Relic:com.newrelic.instrumentation.spring-4.3.0", "1.0",
                    "lib/spring-instrumentation-4.3.0-1.0.jar"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

// ---- Archives built here.

TEST(JavaArchive, WarWithNestedJarsAndItsOwnPom) {
  const std::string guava_jar = makeZip({{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n"},
                                         pomMember("com.google.guava", "guava", "31.1-jre")});
  const std::string log4j_jar = makeZip({{"META-INF/MANIFEST.MF",
                                          "Manifest-Version: 1.0\nImplementation-Title: log4j\n"
                                          "Implementation-Version: 1.2.17\n"
                                          "Implementation-Vendor-Id: log4j\n"},
                                         pomMember("log4j", "log4j", "1.2.17")});
  const std::string stored_jar =
      makeZip({pomMember("org.yaml", "snakeyaml", "1.33")}, /*stored=*/true);
  const std::string war = makeZip({{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"},
                                   pomMember("com.example", "web-app", "1.0-SNAPSHOT"),
                                   {"WEB-INF/web.xml", "<web-app/>"},
                                   {"WEB-INF/lib/guava-31.1-jre.jar", guava_jar},
                                   {"WEB-INF/lib/log4j-1.2.17.jar", log4j_jar},
                                   {"BOOT-INF/lib/snakeyaml-1.33.jar", stored_jar},
                                   {"WEB-INF/classes/App.class", std::string(100, '\xCA')}});
  core::Diagnostics diagnostics;
  const std::string summary = summarizeJavaArchive("srv/web-app.war", war);
  EXPECT_LT(summary.size(), 2000U);  // a summary, not the archive
  EXPECT_EQ(
      found(parseJavaArchiveSummary(summary, "srv/web-app.war", diagnostics)),
      (Found{
          {"com.example:web-app", "1.0-SNAPSHOT", "srv/web-app.war"},
          {"com.google.guava:guava", "31.1-jre", "srv/web-app.war!/WEB-INF/lib/guava-31.1-jre.jar"},
          {"log4j:log4j", "1.2.17", "srv/web-app.war!/WEB-INF/lib/log4j-1.2.17.jar"},
          {"org.yaml:snakeyaml", "1.33", "srv/web-app.war!/BOOT-INF/lib/snakeyaml-1.33.jar"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(JavaArchive, ManifestFallbackAndItsRules) {
  core::Diagnostics diagnostics;
  // Folded lines are joined; the main section ends at the first empty line; variables skipped.
  const std::string manifest =
      "Manifest-Version: 1.0\r\n"
      "Bundle-Name: %bundleName\r\n"
      "Bundle-SymbolicName: com.fasterxml.jackson.core.jack\r\n"
      " son-databind\r\n"
      "Implementation-Title: jackson-databind\r\n"
      "Bundle-Version: 2.13.4.2\r\n"
      "\r\n"
      "Name: com/fasterxml/\r\n"
      "Implementation-Version: 9.9.9\r\n";
  EXPECT_EQ(
      found(parseJavaArchive(makeZip({{"META-INF/MANIFEST.MF", manifest}}), "a.jar", diagnostics)),
      (Found{{"com.fasterxml.jackson.core:jackson-databind", "2.13.4.2", "a.jar"}}));
  // Without a version nothing is reported (Trivy offline does the same).
  EXPECT_TRUE(parseJavaArchive(makeZip({{"META-INF/MANIFEST.MF",
                                         "Implementation-Title: x\nImplementation-Vendor: y\n"}}),
                               "x-1.0.jar", diagnostics)
                  .empty());
  // A pom.properties of another artifact does not stop the fallback (a shaded dependency) ...
  const std::string shaded = makeZip({{"META-INF/MANIFEST.MF",
                                       "Implementation-Vendor-Id: org.acme\n"
                                       "Implementation-Title: tool\nImplementation-Version: 2.0\n"},
                                      pomMember("commons-io", "commons-io", "2.11.0")});
  EXPECT_EQ(found(parseJavaArchive(shaded, "tool-2.0.jar", diagnostics)),
            (Found{{"org.acme:tool", "2.0", "tool-2.0.jar"},
                   {"commons-io:commons-io", "2.11.0", "tool-2.0.jar"}}));
  // ... its own does.
  const std::string own = makeZip({{"META-INF/MANIFEST.MF",
                                    "Implementation-Vendor-Id: org.acme\n"
                                    "Implementation-Title: Tool\nImplementation-Version: 2.0\n"},
                                   pomMember("org.acme", "tool", "2.0")});
  EXPECT_EQ(found(parseJavaArchive(own, "tool-2.0.jar", diagnostics)),
            (Found{{"org.acme:tool", "2.0", "tool-2.0.jar"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

// Trivy drops Maven-equal versions of one artifact in one archive; bulwark drops identical
// ones (catalogers do not depend on version schemes) and keeps "2.17" beside "2.17.0".
TEST(JavaArchive, DuplicatesAreIdenticalVersions) {
  core::Diagnostics diagnostics;
  const std::string jar = makeZip({{"a/pom.properties", pomProperties("g", "a", "2.17.0")},
                                   {"b/pom.properties", pomProperties("g", "a", "2.17")},
                                   {"e/pom.properties", pomProperties("g", "a", "2.17.0")},
                                   {"c/pom.properties", pomProperties("g", "a", "2.18")},
                                   {"d/pom.properties", "groupId=g\nartifactId=b\n"}});
  EXPECT_EQ(
      found(parseJavaArchive(jar, "x.jar", diagnostics)),
      (Found{{"g:a", "2.17", "x.jar"}, {"g:a", "2.17.0", "x.jar"}, {"g:a", "2.18", "x.jar"}}));
}

TEST(JavaArchive, FileNamesAsTrivyReadsThem) {
  auto name = [](std::string_view path) {
    const auto props = parseJavaFileName(path);
    return std::make_pair(props.artifact_id, props.version);
  };
  EXPECT_EQ(name("lib/log4j-core-2.14.1.jar"), std::make_pair("log4j-core"s, "2.14.1"s));
  EXPECT_EQ(name("spring-core-5.3.4-SNAPSHOT.jar"),
            std::make_pair("spring-core"s, "5.3.4-SNAPSHOT"s));
  EXPECT_EQ(name("spring-instrumentation-4.3.0-1.0.jar"),
            std::make_pair("spring-instrumentation-4.3.0"s, "1.0"s));
  EXPECT_EQ(name("guava-31.1-jre.jar"), std::make_pair("guava"s, "31.1-jre"s));
  EXPECT_EQ(name("nested.jar"), std::make_pair(""s, ""s));
  EXPECT_EQ(name("app-1.0.war"), std::make_pair(""s, ""s));  // Trivy's pattern is .jar only
  EXPECT_EQ(name("a--1.0.jar"), std::make_pair(""s, ""s));
  EXPECT_EQ(name("my app-1.0.jar"), std::make_pair(""s, ""s));
}

TEST(JavaArchive, ExtractorWantsArchivesOnly) {
  EXPECT_TRUE(wantsJavaArchive("usr/share/java/foo.jar", 0100644, 1000));
  EXPECT_TRUE(wantsJavaArchive("opt/app/APP.WAR", 0100644, 1000));
  for (const char* path : {"a.ear", "a.par", "a.sar", "a.jpi", "a.hpi", "a.kar"}) {
    EXPECT_TRUE(wantsJavaArchive(path, 0100644, 1)) << path;
  }
  EXPECT_FALSE(wantsJavaArchive("usr/lib/foo.jar.sha1", 0100644, 10));
  EXPECT_FALSE(wantsJavaArchive("jar", 0100644, 10));
  EXPECT_FALSE(wantsJavaArchive(".jar/x", 0100644, 10));
  EXPECT_FALSE(wantsJavaArchive("big.jar", 0100644, kMaxJavaArchiveFileBytes + 1));
  const auto cataloger = makeJavaArchiveCataloger();
  const auto extractors = cataloger->extractors();
  ASSERT_EQ(extractors.size(), 1U);
  EXPECT_EQ(extractors[0].name, kJavaArchiveExtractor);
  EXPECT_TRUE(cataloger->patterns().empty());
}

TEST(JavaArchive, CatalogReadsSummariesFromTheView) {
  image::FsView view;
  image::FileEntry entry;
  entry.content =
      summarizeJavaArchive("app/x.jar", makeZip({pomMember("org.example", "x", "1.2.3")}));
  entry.extracted_by = kJavaArchiveExtractor;
  entry.layer_digest = "sha256:abc";
  view.put("app/x.jar", entry);
  std::vector<model::Package> packages;
  core::Diagnostics diagnostics;
  makeJavaArchiveCataloger()->catalog(view, model::Distro{}, packages, diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  EXPECT_EQ(packages[0].name, "org.example:x");
  EXPECT_EQ(packages[0].location.path, "app/x.jar");
  EXPECT_EQ(packages[0].location.layer_digest, "sha256:abc");
}

// ---- Hostile input.

TEST(JavaArchive, NotAZipOrTruncated) {
  core::Diagnostics diagnostics;
  EXPECT_TRUE(parseJavaArchive("not a zip at all", "x.jar", diagnostics).empty());
  EXPECT_EQ(kinds(diagnostics), (std::set<std::string>{"java.malformed-archive"}));

  // Incompressible filler, so that cutting in the middle cuts its data.
  std::string filler(8000, '\0');
  std::uint32_t state = 12345;
  for (char& c : filler) {
    state = state * 1103515245U + 12345U;
    c = static_cast<char>(state >> 24);
  }
  const std::string jar = makeZip(
      {pomMember("g", "first", "1"), {"filler.bin", filler}, pomMember("g", "second", "2")});
  // Cut inside the filler's data, or inside the first header: a diagnostic, what came before.
  for (const auto& [keep, want] :
       {std::pair{jar.size() / 2, std::size_t{1}}, std::pair{std::size_t{30}, std::size_t{0}}}) {
    core::Diagnostics truncated;
    const auto packages = parseJavaArchive(jar.substr(0, keep), "t.jar", truncated);
    EXPECT_EQ(packages.size(), want) << keep;
    EXPECT_EQ(kinds(truncated), (std::set<std::string>{"java.malformed-archive"})) << keep;
  }
  // Cut inside the central directory: the members were all read from their local headers (the
  // streaming reader takes over), nothing is lost.
  core::Diagnostics cut_directory;
  EXPECT_EQ(parseJavaArchive(jar.substr(0, jar.size() - 10), "t.jar", cut_directory).size(), 2U);
  // A damaged summary is a diagnostic too.
  core::Diagnostics bad;
  EXPECT_TRUE(parseJavaArchiveSummary("P\x05\x00\x00\x00ab", "x.jar", bad).empty());
  EXPECT_EQ(kinds(bad), (std::set<std::string>{"java.malformed-summary"}));
}

TEST(JavaArchive, DeepNestingStopsAtTheBound) {
  std::string inner = makeZip({pomMember("deep", "level6", "6")});
  for (int level = 5; level >= 1; --level) {
    inner = makeZip({pomMember("deep", "level" + std::to_string(level), std::to_string(level)),
                     {"lib/inner.jar", inner}});
  }
  core::Diagnostics diagnostics;
  const auto packages = parseJavaArchive(inner, "deep.jar", diagnostics);
  // Levels 1..5 are the outer archive and 4 nested ones; the 6th is not opened.
  EXPECT_EQ(packages.size(), static_cast<std::size_t>(kMaxJavaArchiveDepth) + 1);
  EXPECT_EQ(kinds(diagnostics), (std::set<std::string>{"java.archive-depth"}));
}

TEST(JavaArchive, ZipBombsAreBounded) {
  // One member that inflates past the nested-archive cap: skipped, the rest still read.
  const std::string zeros(kMaxJavaNestedArchiveBytes + (1U << 20), '\0');
  const std::string bomb = makeZip({{"lib/bomb.jar", zeros}, pomMember("g", "after", "1")});
  EXPECT_LT(bomb.size(), 1U << 20);
  core::Diagnostics diagnostics;
  EXPECT_EQ(found(parseJavaArchive(bomb, "b.jar", diagnostics)),
            (Found{{"g:after", "1", "b.jar"}}));
  EXPECT_EQ(kinds(diagnostics), (std::set<std::string>{"java.member-too-large"}));

  // Many members under the cap whose sum passes the per-archive budget: reading stops.
  const std::string big(kMaxJavaNestedArchiveBytes - (1U << 20), '\0');
  std::vector<Member> members;
  const auto count = kMaxJavaDecompressedBytes / big.size() + 1;
  for (std::uint64_t i = 0; i < count; ++i) {
    members.push_back({"lib/part" + std::to_string(i) + ".jar", big});
  }
  members.push_back(pomMember("g", "late", "1"));
  core::Diagnostics budget;
  const auto packages = parseJavaArchive(makeZip(members), "c.jar", budget);
  EXPECT_TRUE(packages.empty());
  EXPECT_EQ(kinds(budget).count("java.archive-limit"), 1U);
}

// ---- A real jar and war written by the JDK's `jar` tool (Debian default-jdk-headless).

TEST(JavaArchive, JdkJarTool) {
  if (std::system("command -v jar > /dev/null 2>&1") != 0) GTEST_SKIP() << "no jar tool";
  const fs::path dir = fs::temp_directory_path() / ("bulwark-java-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "lib/META-INF/maven/org.acme/lib");
  fs::create_directories(dir / "war/WEB-INF/lib");
  auto write = [](const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  };
  write(dir / "lib/META-INF/maven/org.acme/lib/pom.properties",
        pomProperties("org.acme", "lib", "3.1"));
  write(dir / "lib/Hello.txt", "hello");
  write(dir / "manifest.txt",
        "Implementation-Vendor-Id: org.acme\nImplementation-Title: web\n"
        "Implementation-Version: 0.9\n");
  const std::string cd = "cd '" + dir.string() + "' && ";
  ASSERT_EQ(std::system((cd + "jar cf war/WEB-INF/lib/lib-3.1.jar -C lib . && "
                              "jar cfm web.war manifest.txt -C war .")
                            .c_str()),
            0);
  core::Diagnostics diagnostics;
  const auto packages =
      parseJavaArchive(testing::readFile(dir / "web.war"), "webapps/web.war", diagnostics);
  fs::remove_all(dir);
  EXPECT_EQ(found(packages),
            (Found{{"org.acme:web", "0.9", "webapps/web.war"},
                   {"org.acme:lib", "3.1", "webapps/web.war!/WEB-INF/lib/lib-3.1.jar"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

// ---- pom.xml (project directories).

TEST(PomXml, TrivyIntegrationRepo) {
  const std::string file = "scan/lang/trivy-integration-repo/pom/pom.xml";
  BULWARK_REQUIRE_SHARED(file);
  core::Diagnostics diagnostics;
  const auto packages = parsePomXml(shared(file), "pom.xml", diagnostics);
  // pom.json.golden reports jackson-databind 2.9.1 (its only vulnerable package); the servlet API
  // is "provided" and the JUnit artifacts "test", which Trivy leaves out too.
  EXPECT_EQ(found(packages),
            (Found{{"com.example:log4shell", "1.0-SNAPSHOT", "pom.xml"},
                   {"com.fasterxml.jackson.core:jackson-databind", "2.9.1", "pom.xml"}}));
  ASSERT_FALSE(packages.empty());
  EXPECT_EQ(packages[0].name, "com.example:log4shell");
  EXPECT_EQ(packages[0].depends,
            std::vector<std::string>{"com.fasterxml.jackson.core:jackson-databind"});
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(PomXml, TrivyParserFixtures) {
  const std::string dir = "scan/lang/trivy/java/pom/";
  BULWARK_REQUIRE_SHARED(dir + "happy/pom.xml");
  core::Diagnostics diagnostics;
  // happy: ${api.version} from <properties>; the "provided" dependency is left out (Trivy's
  // expected packages; example-api 1.7.30's own pom has no dependencies).
  EXPECT_EQ(found(parsePomXml(shared(dir + "happy/pom.xml"), "pom.xml", diagnostics)),
            (Found{{"com.example:happy", "1.0.0", "pom.xml"},
                   {"org.example:example-api", "1.7.30", "pom.xml"},
                   {"org.example:example-runtime", "1.0.0", "pom.xml"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
  // dep-without-version: Trivy keeps the dependency, without a version.
  EXPECT_EQ(found(parsePomXml(shared(dir + "dep-without-version/pom.xml"), "pom.xml", diagnostics)),
            (Found{{"com.example:dep-without-version", "1.0.0", "pom.xml"},
                   {"org.example:example-api", "", "pom.xml"}}));
}

TEST(PomXml, PropertiesManagementAndBadInput) {
  core::Diagnostics diagnostics;
  const std::string pom = R"(<?xml version="1.0"?>
<project>
  <parent><groupId>org.parent</groupId><artifactId>p</artifactId><version>7</version></parent>
  <artifactId>child</artifactId>
  <properties><a>${b}</a><b>${a}</b>
    <lib.version>2.${minor}</lib.version><minor>5</minor></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>g</groupId><artifactId>managed</artifactId><version>3.3</version>
    </dependency>
    <dependency><groupId>g</groupId><artifactId>managed-test</artifactId><version>1</version>
      <scope>test</scope></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>g</groupId><artifactId>lib</artifactId>
      <version>${lib.version}</version></dependency>
    <dependency><groupId>g</groupId><artifactId>lib</artifactId><version>9</version></dependency>
    <dependency><groupId>g</groupId><artifactId>managed</artifactId></dependency>
    <dependency><groupId>g</groupId><artifactId>managed-test</artifactId></dependency>
    <dependency><groupId>g</groupId><artifactId>opt</artifactId><version>1</version>
      <optional>true</optional></dependency>
    <dependency><groupId>g</groupId><artifactId>rt</artifactId><version>1</version>
      <scope>runtime</scope></dependency>
    <dependency><groupId>g</groupId><artifactId>cycle</artifactId><version>${a}</version>
    </dependency>
    <dependency><groupId>${project.groupId}</groupId>
      <artifactId>self-${project.version}</artifactId>
      <version>${project.version}</version></dependency>
  </dependencies>
</project>)";
  const auto packages = parsePomXml(pom, "svc/pom.xml", diagnostics);
  EXPECT_EQ(found(packages), (Found{{"org.parent:child", "7", "svc/pom.xml"},
                                    {"g:lib", "2.5", "svc/pom.xml"},
                                    {"g:managed", "3.3", "svc/pom.xml"},
                                    {"g:rt", "1", "svc/pom.xml"},
                                    {"g:cycle", "", "svc/pom.xml"},
                                    {"org.parent:self-7", "7", "svc/pom.xml"}}));
  EXPECT_EQ(kinds(diagnostics), (std::set<std::string>{"java.unresolved-property"}));

  core::Diagnostics bad;
  EXPECT_TRUE(parsePomXml("<project><dependencies>", "pom.xml", bad).empty());
  EXPECT_TRUE(parsePomXml("<notaproject/>", "pom.xml", bad).empty());
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  EXPECT_TRUE(parsePomXml(deep, "pom.xml", bad).empty());
  EXPECT_EQ(kinds(bad), (std::set<std::string>{"java.malformed-pom"}));
  EXPECT_EQ(bad.size(), 3U);
}

TEST(PomXml, OnlyInProjectDirectories) {
  const auto cataloger = makeJavaArchiveCataloger();
  EXPECT_EQ(cataloger->projectPatterns(),
            (std::vector<std::string_view>{"**/pom.xml", "**/gradle.lockfile",
                                           "**/gradle/dependency-locks/*.lockfile",
                                           "**/build.sbt.lock"}));
  image::FsView view;
  image::FileEntry entry;
  entry.content =
      "<project><groupId>a</groupId><artifactId>b</artifactId><version>1</version>"
      "</project>";
  view.put("app/pom.xml", entry);
  std::vector<model::Package> packages;
  core::Diagnostics diagnostics;
  cataloger->catalog(view, model::Distro{}, packages, diagnostics);
  EXPECT_EQ(found(packages), (Found{{"a:b", "1", "app/pom.xml"}}));
}

// ---- gradle.lockfile (project directories).

TEST(GradleLockfile, TrivyParserFixtures) {
  const std::string dir = "scan/lang/trivy/gradle/lockfile/";
  BULWARK_REQUIRE_SHARED(dir + "happy.lockfile");
  core::Diagnostics diagnostics;
  // Trivy's expected packages for happy.lockfile; the commented-out module is not one.
  const auto packages =
      parseGradleLockfile(shared(dir + "happy.lockfile"), "gradle.lockfile", diagnostics);
  EXPECT_EQ(found(packages),
            (Found{{"cglib:cglib-nodep", "2.1.2", "gradle.lockfile"},
                   {"junit:junit", "4.13.2", "gradle.lockfile"},
                   {"org.springframework:spring-asm", "3.1.3.RELEASE", "gradle.lockfile"},
                   {"org.springframework:spring-beans", "5.0.5.RELEASE", "gradle.lockfile"}}));
  ASSERT_EQ(packages.size(), 4U);
  EXPECT_FALSE(packages[0].development);  // testRuntimeClasspath and classpath
  EXPECT_TRUE(packages[1].development);   // test configurations only
  EXPECT_EQ(packages[0].type, model::PackageType::Maven);
  EXPECT_EQ(diagnostics.size(), 0U);
  EXPECT_TRUE(
      parseGradleLockfile(shared(dir + "empty.lockfile"), "gradle.lockfile", diagnostics).empty());
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(GradleLockfile, MalformedLinesAreDiagnostics) {
  core::Diagnostics diagnostics;
  const auto packages =
      parseGradleLockfile("a:b:1=runtimeClasspath\r\nno-colons=x\n::=x\ng:a:v:extra=y\n\xff\xfe\n",
                          "x/gradle.lockfile", diagnostics);
  EXPECT_EQ(found(packages), (Found{{"a:b", "1", "x/gradle.lockfile"}}));
  EXPECT_EQ(kinds(diagnostics), (std::set<std::string>{"java.malformed-gradle-lockfile"}));
  EXPECT_EQ(diagnostics.size(), 4U);
}

}  // namespace
}  // namespace bulwark::catalog
