// .egg archives, pylock.toml and pyproject.toml (src/catalog/python/egg.cpp, pyproject.cpp) over
// Trivy's fixtures (../shared/testdata/scan/lang), its expected inventories
// (../shared/testdata/scan/expected/trivy-integration) and eggs the test zips with libarchive.
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/python/python_cataloger.h"
#include "python_test_support.h"
#include "testdata.h"

namespace bulwark::catalog {
namespace {

using python_test::NameVersions;
using testing::readFile;
using testing::sharedTestdata;
using Names = std::set<std::string, std::less<>>;

using python_test::find;
using python_test::nameVersions;
using python_test::shared;

std::set<std::string> kinds(const core::Diagnostics& diagnostics) {
  std::set<std::string> out;
  for (const auto& diagnostic : diagnostics.sorted()) out.insert(diagnostic.kind);
  return out;
}

// The packages of a Trivy integration golden: (Name, Version) → Relationship ("" when absent).
std::map<std::pair<std::string, std::string>, std::string> trivyGolden(const std::string& name) {
  const auto document =
      nlohmann::json::parse(shared("scan/expected/trivy-integration/" + name + ".json.golden"));
  std::map<std::pair<std::string, std::string>, std::string> out;
  for (const auto& result : document.at("Results")) {
    if (!result.contains("Packages")) continue;
    for (const auto& package : result.at("Packages")) {
      if (package.value("Dev", false)) continue;
      out[{package.at("Name").get<std::string>(), package.at("Version").get<std::string>()}] =
          package.value("Relationship", "");
    }
  }
  return out;
}

struct Member {
  std::string name;
  std::string content;
};

std::string makeZip(const std::vector<Member>& members) {
  archive* writer = archive_write_new();
  archive_write_set_format_zip(writer);
  std::size_t total = 1U << 16;
  for (const auto& member : members) total += member.content.size() + member.name.size() + 256;
  std::vector<char> buffer(total, 0);
  std::size_t used = 0;
  EXPECT_EQ(archive_write_open_memory(writer, buffer.data(), buffer.size(), &used), ARCHIVE_OK);
  for (const auto& member : members) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, member.name.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(member.content.size()));
    EXPECT_EQ(archive_write_header(writer, entry), ARCHIVE_OK);
    if (!member.content.empty()) {
      EXPECT_GT(archive_write_data(writer, member.content.data(), member.content.size()), 0);
    }
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
  return {buffer.data(), used};
}

// What Trivy's egg-zip fixture (kitchen-1.2.6-py2.7.egg) carries, rebuilt here.
const std::string kKitchenPkgInfo =
    "Metadata-Version: 1.1\nName: kitchen\nVersion: 1.2.6\n"
    "Summary: Kitchen contains a cornucopia of useful code\nLicense: LGPLv2+\n"
    "Classifier: License :: OSI Approved :: GNU Library or Lesser General Public License "
    "(LGPL)\n\nKitchen description\n";

// ---- .egg ----------------------------------------------------------------------------------

TEST(PythonEgg, PkgInfoFromTheZip) {
  const std::string egg = makeZip({{"kitchen/__init__.py", "x = 1\n"},
                                   {"EGG-INFO/SOURCES.txt", "kitchen/__init__.py\n"},
                                   {"EGG-INFO/PKG-INFO", kKitchenPkgInfo},
                                   {"EGG-INFO/top_level.txt", "kitchen\n"}});
  core::Diagnostics diagnostics;
  const auto packages = parsePythonEgg(egg, "kitchen-1.2.6-py2.7.egg", diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  EXPECT_EQ(packages[0].name, "kitchen");
  EXPECT_EQ(packages[0].version, "1.2.6");
  EXPECT_EQ(packages[0].licenses, std::vector<std::string>{"LGPLv2+"});  // as Trivy's test
  EXPECT_EQ(packages[0].location.path, "kitchen-1.2.6-py2.7.egg");
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(PythonEgg, WithoutMetadataNothing) {
  // Trivy's no-required-files.egg: an archive without EGG-INFO/PKG-INFO is skipped quietly.
  const std::string egg = makeZip({{"EGG-INFO/top_level.txt", "x\n"}, {"x.py", "pass\n"}});
  core::Diagnostics diagnostics;
  EXPECT_TRUE(summarizePythonEgg("x.egg", egg).empty());
  EXPECT_TRUE(parsePythonEgg(egg, "x.egg", diagnostics).empty());
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(PythonEgg, DamagedArchivesAreDiagnostics) {
  core::Diagnostics diagnostics;
  EXPECT_TRUE(parsePythonEgg("not a zip at all", "a.egg", diagnostics).empty());
  const std::string egg = makeZip({{"EGG-INFO/PKG-INFO", kKitchenPkgInfo}});
  EXPECT_TRUE(parsePythonEgg(egg.substr(0, egg.size() / 2), "b.egg", diagnostics).empty());
  EXPECT_EQ(kinds(diagnostics), (std::set<std::string>{"python.malformed-egg"}));
  EXPECT_EQ(diagnostics.size(), 2U);
  // A metadata member without a Version header is the usual metadata diagnostic.
  core::Diagnostics no_version;
  EXPECT_TRUE(
      parsePythonEgg(makeZip({{"EGG-INFO/PKG-INFO", "Name: x\n"}}), "c.egg", no_version).empty());
  EXPECT_EQ(kinds(no_version), (std::set<std::string>{"python.malformed-metadata"}));
  // Forged summaries (lengths past the end) are diagnostics too.
  core::Diagnostics forged;
  EXPECT_TRUE(parsePythonEggSummary(std::string("P\xff\xff\xff\x7f", 5), "d.egg", forged).empty());
  EXPECT_TRUE(parsePythonEggSummary("P\x01", "d.egg", forged).empty());
  EXPECT_EQ(forged.size(), 2U);
}

TEST(PythonEgg, ZipBombIsCutWithADiagnostic) {
  // 32 MiB of zeros after the headers deflate to ~32 KiB; only the first MiB is inflated.
  std::string pkg_info = "Name: bomb\nVersion: 6.6.6\n\n";
  pkg_info.append(std::size_t{32} << 20U, '\0');
  const std::string egg = makeZip({{"EGG-INFO/PKG-INFO", pkg_info}});
  EXPECT_LT(egg.size(), std::size_t{1} << 20U);
  const std::string summary = summarizePythonEgg("bomb.egg", egg);
  EXPECT_LT(summary.size(), kMaxPythonEggMetadataBytes + 1024);
  core::Diagnostics diagnostics;
  const auto packages = parsePythonEggSummary(summary, "bomb.egg", diagnostics);
  EXPECT_EQ(nameVersions(packages), (NameVersions{{"bomb", "6.6.6"}}));
  EXPECT_EQ(kinds(diagnostics), (std::set<std::string>{"python.egg-limit"}));
}

TEST(PythonEgg, ExtractorAndCataloger) {
  EXPECT_TRUE(
      wantsPythonEgg("usr/lib/python2.7/site-packages/kitchen-1.2.6-py2.7.egg", 0100644, 1000));
  EXPECT_FALSE(wantsPythonEgg("srv/kitchen.egg-info", 0100644, 1000));
  EXPECT_FALSE(wantsPythonEgg("big.egg", 0100644, kMaxPythonEggFileBytes + 1));

  const auto cataloger = makePythonCataloger();
  const auto extractors = cataloger->extractors();
  ASSERT_EQ(extractors.size(), 1U);
  EXPECT_EQ(extractors[0].name, kPythonEggExtractor);
  const std::string egg = makeZip({{"EGG-INFO/PKG-INFO", kKitchenPkgInfo}});
  ASSERT_NE(extractors[0].accepts_head, nullptr);
  EXPECT_TRUE(extractors[0].accepts_head(std::string_view(egg).substr(0, 64)));
  EXPECT_FALSE(extractors[0].accepts_head("<?xml"));

  image::FsView view;
  image::FileEntry entry;
  entry.layer_digest = "sha256:layer";
  entry.content = extractors[0].extract("opt/eggs/kitchen-1.2.6-py2.7.egg", egg);
  entry.extracted_by = kPythonEggExtractor;
  view.put("opt/eggs/kitchen-1.2.6-py2.7.egg", std::move(entry));
  // The unpacked (directory) form in site-packages.
  image::FileEntry unpacked;
  unpacked.content = "Name: six\nVersion: 1.16.0\n";
  view.put("usr/lib/python3/site-packages/six-1.16.0-py3.11.egg/EGG-INFO/PKG-INFO",
           std::move(unpacked));

  std::vector<model::Package> packages;
  core::Diagnostics diagnostics;
  cataloger->catalog(view, {}, packages, diagnostics);
  EXPECT_EQ(nameVersions(packages), (NameVersions{{"kitchen", "1.2.6"}, {"six", "1.16.0"}}));
  const auto* kitchen = find(packages, "kitchen");
  ASSERT_NE(kitchen, nullptr);
  EXPECT_EQ(kitchen->location.path, "opt/eggs/kitchen-1.2.6-py2.7.egg");
  EXPECT_EQ(kitchen->location.layer_digest, "sha256:layer");
  EXPECT_EQ(diagnostics.size(), 0U);
}

// ---- pylock.toml ---------------------------------------------------------------------------

TEST(PythonPylock, SameAsTrivyIntegrationGolden) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/pylock/pylock.toml");
  core::Diagnostics diagnostics;
  const auto packages = parsePylock(shared("scan/lang/trivy-integration-repo/pylock/pylock.toml"),
                                    "pylock.toml", diagnostics);
  NameVersions golden;
  for (const auto& [key, relationship] : trivyGolden("pylock")) golden.insert(key);
  EXPECT_EQ(nameVersions(packages), golden);
  EXPECT_EQ(packages.size(), 3U);
  EXPECT_EQ(find(packages, "click")->depends, std::vector<std::string>{"colorama"});
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(PythonPylock, TrivyParserFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/python/pylock/pylock.toml");
  core::Diagnostics diagnostics;
  const auto packages =
      parsePylock(shared("scan/lang/trivy/python/pylock/pylock.toml"), "pylock.toml", diagnostics);
  // Trivy's parse_test: one package per name and version (ham is locked twice, once per
  // platform; spam at two versions).
  EXPECT_EQ(nameVersions(packages), (NameVersions{{"attrs", "25.4.0"},
                                                  {"certifi", "2025.10.5"},
                                                  {"charset-normalizer", "3.4.3"},
                                                  {"idna", "3.10"},
                                                  {"requests", "2.32.5"},
                                                  {"urllib3", "2.5.0"},
                                                  {"spam", "1.0.0"},
                                                  {"spam", "1.1.0"},
                                                  {"ham", "3.0.0"}}));
  EXPECT_EQ(packages.size(), 9U);
  EXPECT_EQ(find(packages, "ham")->depends, std::vector<std::string>{"spam"});
  EXPECT_EQ(diagnostics.size(), 0U);
  core::Diagnostics sad;
  EXPECT_TRUE(
      parsePylock(shared("scan/lang/trivy/python/pylock/sad.toml"), "sad.toml", sad).empty());
  EXPECT_EQ(kinds(sad), (std::set<std::string>{"python.malformed"}));
}

TEST(PythonPylock, MarkersRootsAndVersions) {
  const std::string lock = R"(lock-version = "1.0"
default-groups = ["main"]
created-by = "uv"

[[packages]]
name = "app"
directory = { path = ".", editable = true }

[[packages]]
name = "app-root"
version = "0.1.0"
directory = { path = "." }

[[packages]]
name = "flask"
version = "3.0.0"
dependencies = [{ name = "click" }, { name = "click" }]

[[packages]]
name = "click"
version = "8.1.7"
marker = "'main' in dependency_groups"

[[packages]]
name = "pytest"
version = "8.0.0"
marker = "'dev' in dependency_groups or \"test\" in dependency_groups"

[[packages]]
name = "colorama"
version = "0.4.6"
marker = "'dev' in dependency_groups and sys_platform == 'win32'"

[[packages]]
name = "colorama"
version = "0.4.6"
marker = "python_version < '3.9'"

[[packages]]
name = "noversion"

[[packages]]
version = "1.0"
)";
  core::Diagnostics diagnostics;
  const auto packages = parsePylock(lock, "pylock.toml", diagnostics);
  EXPECT_EQ(nameVersions(packages, true), (NameVersions{{"app-root", "0.1.0"},
                                                        {"flask", "3.0.0"},
                                                        {"click", "8.1.7"},
                                                        {"pytest", "8.0.0"},
                                                        {"colorama", "0.4.6"}}));
  EXPECT_EQ(
      nameVersions(packages),
      (NameVersions{
          {"app-root", "0.1.0"}, {"flask", "3.0.0"}, {"click", "8.1.7"}, {"colorama", "0.4.6"}}));
  EXPECT_EQ(find(packages, "app-root")->relationship, model::Relationship::Root);
  EXPECT_EQ(find(packages, "flask")->depends, std::vector<std::string>{"click"});
  EXPECT_EQ(diagnostics.size(), 2U);  // "noversion" and the nameless one

  core::Diagnostics future;
  EXPECT_TRUE(parsePylock("lock-version = \"2.0\"\n[[packages]]\nname = \"a\"\nversion = \"1\"\n",
                          "pylock.toml", future)
                  .empty());
  EXPECT_EQ(kinds(future), (std::set<std::string>{"python.unsupported"}));
}

TEST(PythonPylock, FileNames) {
  EXPECT_TRUE(isPylockName("pylock.toml"));
  EXPECT_TRUE(isPylockName("some/dir/pylock.toml"));
  EXPECT_TRUE(isPylockName("pylock.linux.toml"));
  EXPECT_TRUE(isPylockName("some/dir/pylock.prod.toml"));
  EXPECT_FALSE(isPylockName("pylock.linux.arm64.toml"));
  EXPECT_FALSE(isPylockName("pylock..toml"));
  EXPECT_FALSE(isPylockName("notpylock.toml"));
  EXPECT_FALSE(isPylockName("requirements.txt"));
}

// ---- pyproject.toml ------------------------------------------------------------------------

struct PyProjectCase {
  std::string file;
  Names main;
  Names direct;
};

TEST(PythonPyProject, TrivyParserFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/python/pyproject");
  // Trivy's pyproject_test expectations (MainDeps; groups added for `direct`), "python" aside.
  const std::vector<PyProjectCase> cases = {
      {"happy.toml",
       {"flask", "requests", "virtualenv"},
       {"flask", "requests", "virtualenv", "pytest", "ruff"}},
      {"happy_v2.toml",
       {"flask", "check-wheel-contents", "pluggy", "typing-extensions", "ruamel-yaml"},
       {"flask", "check-wheel-contents", "pluggy", "typing-extensions", "ruamel-yaml", "pytest"}},
      {"happy_with_optional.toml",
       {"requests", "click", "pytest", "ruff"},
       {"requests", "click", "pytest", "ruff"}},
      {"happy_with_optional_only.toml", {"pytest", "ruff"}, {"pytest", "ruff"}},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(test.file);
    core::Diagnostics diagnostics;
    const auto project = parsePyProject(shared("scan/lang/trivy/python/pyproject/" + test.file),
                                        test.file, diagnostics);
    ASSERT_TRUE(project.has_value());
    EXPECT_EQ(project->main, test.main);
    EXPECT_EQ(project->direct, test.direct);
    EXPECT_FALSE(project->dynamic);
    EXPECT_EQ(diagnostics.size(), 0U);
  }
  core::Diagnostics sad;
  EXPECT_FALSE(parsePyProject(shared("scan/lang/trivy/python/pyproject/sad.toml"), "sad.toml", sad)
                   .has_value());
  EXPECT_EQ(kinds(sad), (std::set<std::string>{"python.malformed"}));
}

void put(image::FsView& view, const std::string& path, std::string content) {
  image::FileEntry entry;
  entry.size = content.size();
  entry.layer_digest = "sha256:layer";
  entry.content = std::move(content);
  view.put(path, std::move(entry));
}

std::vector<model::Package> catalogLockfiles(const image::FsView& view,
                                             core::Diagnostics& diagnostics) {
  std::vector<model::Package> packages;
  makePythonLockfileCataloger()->catalog(view, {}, packages, diagnostics);
  return packages;
}

TEST(PythonPyProject, PoetryBesideItSameAsTrivyIntegrationGolden) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/poetry/pyproject.toml");
  image::FsView view;
  put(view, "poetry/poetry.lock", shared("scan/lang/trivy-integration-repo/poetry/poetry.lock"));
  put(view, "poetry/pyproject.toml",
      shared("scan/lang/trivy-integration-repo/poetry/pyproject.toml"));
  core::Diagnostics diagnostics;
  const auto packages = catalogLockfiles(view, diagnostics);
  std::map<std::pair<std::string, std::string>, std::string> ours;
  for (const auto& package : packages) {
    if (!package.development) {
      ours[{package.name, package.version}] = std::string(model::toString(package.relationship));
    }
  }
  // click and werkzeug direct, colorama (click's) indirect, as Trivy says.
  EXPECT_EQ(ours, trivyGolden("poetry"));
  EXPECT_EQ(ours.size(), 3U);
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(PythonPyProject, PoetryGroupsAndDevelopment) {
  // A poetry 2 lock without categories or groups: only pyproject.toml tells the dev group apart.
  image::FsView view;
  put(view, "app/poetry.lock", R"([[package]]
name = "Flask"
version = "3.0.0"
[package.dependencies]
click = ">=8"

[[package]]
name = "click"
version = "8.1.7"

[[package]]
name = "pytest"
version = "8.0.0"
[package.dependencies]
iniconfig = "*"

[[package]]
name = "iniconfig"
version = "2.0.0"
)");
  put(view, "app/pyproject.toml", R"([tool.poetry.dependencies]
python = "^3.11"
flask = "^3"

[tool.poetry.group.dev.dependencies]
pytest = "^8"
)");
  // A lone pyproject.toml lists nothing (Trivy: its requirements are not pins).
  put(view, "lone/pyproject.toml", "[project]\ndependencies = [\"requests==2.31.0\"]\n");
  core::Diagnostics diagnostics;
  const auto packages = catalogLockfiles(view, diagnostics);
  EXPECT_EQ(nameVersions(packages), (NameVersions{{"Flask", "3.0.0"}, {"click", "8.1.7"}}));
  EXPECT_EQ(nameVersions(packages, true).size(), 4U);
  EXPECT_EQ(find(packages, "Flask")->relationship, model::Relationship::Direct);
  EXPECT_EQ(find(packages, "click")->relationship, model::Relationship::Indirect);
  EXPECT_EQ(find(packages, "pytest")->relationship, model::Relationship::Direct);
  EXPECT_TRUE(find(packages, "pytest")->development);
  EXPECT_EQ(find(packages, "iniconfig")->relationship, model::Relationship::Indirect);
  EXPECT_TRUE(find(packages, "iniconfig")->development);
  EXPECT_EQ(diagnostics.size(), 0U);

  // Dynamic dependencies say nothing about what is runtime: the lock's view stands.
  PyProject dynamic;
  dynamic.main = {"flask"};
  dynamic.dynamic = true;
  core::Diagnostics ignored;
  auto again = parsePoetryLock(view.find("app/poetry.lock")->content, "poetry.lock", ignored);
  applyPyProjectToPoetry(again, dynamic);
  EXPECT_EQ(std::count_if(again.begin(), again.end(), [](const auto& p) { return p.development; }),
            0);
}

TEST(PythonPyProject, PylockBesideIt) {
  image::FsView view;
  put(view, "svc/pylock.toml", R"(lock-version = "1.0"
[[packages]]
name = "requests"
version = "2.32.3"
dependencies = [{ name = "urllib3", version = "2.3.0" }]
[[packages]]
name = "urllib3"
version = "2.3.0"
)");
  put(view, "svc/pyproject.toml", "[project]\ndependencies = [\"Requests>=2\"]\n");
  put(view, "svc/pylock.dev.toml",
      "lock-version = \"1.0\"\n[[packages]]\nname = \"pytest\"\nversion = \"8.0.0\"\n");
  put(view, "svc/pylock.a.b.toml",
      "lock-version = \"1.0\"\n[[packages]]\nname = \"nope\"\nversion = \"1\"\n");
  core::Diagnostics diagnostics;
  const auto packages = catalogLockfiles(view, diagnostics);
  EXPECT_EQ(nameVersions(packages),
            (NameVersions{{"requests", "2.32.3"}, {"urllib3", "2.3.0"}, {"pytest", "8.0.0"}}));
  EXPECT_EQ(find(packages, "requests")->relationship, model::Relationship::Direct);
  EXPECT_EQ(find(packages, "urllib3")->relationship, model::Relationship::Indirect);
  EXPECT_EQ(find(packages, "pytest")->relationship, model::Relationship::Indirect);
  EXPECT_EQ(find(packages, "pytest")->location.path, "svc/pylock.dev.toml");
  EXPECT_EQ(diagnostics.size(), 0U);
}

// ---- uv.lock relationships -----------------------------------------------------------------

TEST(PythonUvLock, RelationshipsSameAsTrivyIntegrationGolden) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/uv/uv.lock");
  core::Diagnostics diagnostics;
  const auto packages =
      parseUvLock(shared("scan/lang/trivy-integration-repo/uv/uv.lock"), "uv.lock", diagnostics);
  std::map<std::pair<std::string, std::string>, std::string> ours;
  for (const auto& package : packages) {
    if (!package.development) {
      ours[{package.name, package.version}] = std::string(model::toString(package.relationship));
    }
  }
  // uv-test (the project) root, click and werkzeug direct, colorama indirect.
  EXPECT_EQ(ours, trivyGolden("uv"));
  EXPECT_EQ(ours.size(), 4U);
  EXPECT_EQ(diagnostics.size(), 0U);

  // A root's dev group members are direct too (and development).
  const auto dev = parseUvLock(R"([[package]]
name = "app"
version = "1.0"
source = { virtual = "." }
[package.dev-dependencies]
test = [{ name = "pytest" }]

[[package]]
name = "pytest"
version = "8.0.0"
dependencies = [{ name = "pluggy" }]

[[package]]
name = "pluggy"
version = "1.5.0"
)",
                               "uv.lock", diagnostics);
  ASSERT_EQ(dev.size(), 3U);
  EXPECT_EQ(find(dev, "app")->relationship, model::Relationship::Root);
  EXPECT_EQ(find(dev, "pytest")->relationship, model::Relationship::Direct);
  EXPECT_TRUE(find(dev, "pytest")->development);
  EXPECT_EQ(find(dev, "pluggy")->relationship, model::Relationship::Indirect);
  EXPECT_TRUE(find(dev, "pluggy")->development);
}

}  // namespace
}  // namespace bulwark::catalog
