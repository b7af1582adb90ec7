// The Python catalogers over real fixtures (../shared/testdata/scan/lang) and Trivy's expected
// inventories (../shared/testdata/scan/expected/trivy-integration).
#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/common/lockfile_files.h"
#include "catalog/python/python_cataloger.h"
#include "python_test_support.h"
#include "testdata.h"

namespace bulwark::catalog {
namespace {

using python_test::NameVersions;
using testing::readFile;
using testing::sharedTestdata;

using python_test::find;
using python_test::nameVersions;
using python_test::shared;

std::size_t devCount(const std::vector<model::Package>& packages) {
  return static_cast<std::size_t>(
      std::count_if(packages.begin(), packages.end(), [](const auto& p) { return p.development; }));
}

// The (Name, Version) pairs of every package in a Trivy integration golden, dev ones excluded.
NameVersions trivyGolden(const std::string& name) {
  const auto document =
      nlohmann::json::parse(shared("scan/expected/trivy-integration/" + name + ".json.golden"));
  NameVersions out;
  for (const auto& result : document.at("Results")) {
    if (!result.contains("Packages")) continue;
    for (const auto& package : result.at("Packages")) {
      if (package.value("Dev", false)) continue;
      out.emplace(package.at("Name").get<std::string>(), package.at("Version").get<std::string>());
    }
  }
  return out;
}

// ---- core metadata -------------------------------------------------------------------------

struct MetadataCase {
  std::string file;
  std::string name;
  std::string version;
  std::vector<std::string> licenses;
};

TEST(PythonMetadata, TrivyPackagingFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/python/packaging");
  const std::vector<MetadataCase> cases = {
      // License: UNKNOWN is old setuptools' "not given" and is dropped (Trivy keeps "UNKNOWN");
      // the classifiers follow an empty line inside the Description, so they are body, not
      // headers (as for Python's email parser and Go's textproto).
      {"setuptools-51.3.3-py3.8.egg-info.PKG-INFO", "setuptools", "51.3.3", {}},
      {"unidecode-egg-info.PKG-INFO", "Unidecode", "0.4.1", {}},
      {"distlib-0.3.1-py3.9.egg-info", "distlib", "0.3.1", {"Python license"}},
      {"distlib-0.3.1.METADATA", "distlib", "0.3.1", {"Python license"}},
      {"simple-0.1.0.METADATA", "simple", "0.1.0", {}},
      {"asyncssh-2.14.2.METADATA", "asyncssh", "2.14.2", {"Eclipse Public License v2.0"}},
      {"pyphen-0.14.0.METADATA",
       "pyphen",
       "0.14.0",
       {"GNU General Public License v2 or later (GPLv2+)",
        "GNU Lesser General Public License v2 or later (LGPLv2+)",
        "Mozilla Public License 1.1 (MPL 1.1)"}},
      {"iniconfig-2.0.0.METADATA", "iniconfig", "2.0.0", {"MIT"}},
      {"zipp-3.12.1.METADATA", "zipp", "3.12.1", {"MIT License"}},
      {"networkx-3.0.METADATA", "networkx", "3.0", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    core::Diagnostics diagnostics;
    const auto packages = parsePythonMetadata(shared("scan/lang/trivy/python/packaging/" + c.file),
                                              c.file, diagnostics);
    ASSERT_EQ(packages.size(), 1U);
    EXPECT_EQ(packages[0].type, model::PackageType::Python);
    EXPECT_EQ(packages[0].name, c.name);
    EXPECT_EQ(packages[0].version, c.version);
    EXPECT_EQ(packages[0].licenses, c.licenses);
    EXPECT_EQ(packages[0].location.path, c.file);
    EXPECT_EQ(diagnostics.size(), 0U);
  }
}

TEST(PythonMetadata, RequiresDistWithoutExtras) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/python/packaging/asyncssh-2.14.2.METADATA");
  core::Diagnostics diagnostics;
  const auto packages = parsePythonMetadata(
      shared("scan/lang/trivy/python/packaging/asyncssh-2.14.2.METADATA"), "m", diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  // "Requires-Dist: cryptography (>=39.0)" and "typing-extensions (>=3.6)"; the
  // "extra == 'bcrypt'" ones are left out.
  EXPECT_EQ(packages[0].depends, (std::vector<std::string>{"cryptography", "typing-extensions"}));
}

TEST(PythonMetadata, InvalidJsonIsADiagnostic) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/python/packaging/invalid.json");
  core::Diagnostics diagnostics;
  EXPECT_TRUE(
      parsePythonMetadata(shared("scan/lang/trivy/python/packaging/invalid.json"), "x", diagnostics)
          .empty());
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics.sorted()[0].kind, "python.malformed-metadata");
}

TEST(PythonMetadata, SyftSitePackages) {
  BULWARK_REQUIRE_SHARED("scan/lang/syft/python/site-packages");
  const std::vector<MetadataCase> cases = {
      {"site-packages/partial.dist-info/METADATA", "Pygments", "2.6.1", {"BSD License"}},
      {"site-packages/test/test.egg-info", "requests", "2.22.0", {"Apache 2.0"}},
      // A Summary broken by a blank line ends the headers early; Name and Version came first.
      {"site-packages/nested/egg-name/egg-info/PKG-INFO-INVALID", "mxnet", "1.8.0", {}},
      {"site-packages/license/with-license-file-declared.dist-info/METADATA",
       "Pygments",
       "2.6.1",
       {"BSD License"}},
      {"Python-2.7.egg-info", "Python", "2.7.13", {"PSF license"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    core::Diagnostics diagnostics;
    const auto packages =
        parsePythonMetadata(shared("scan/lang/syft/python/" + c.file), c.file, diagnostics);
    ASSERT_EQ(packages.size(), 1U);
    EXPECT_EQ(packages[0].name, c.name);
    EXPECT_EQ(packages[0].version, c.version);
    EXPECT_EQ(packages[0].licenses, c.licenses);
  }
}

TEST(PythonMetadata, FoldedHeadersAndBodyIgnored) {
  const std::string text =
      "\xEF\xBB\xBFMetadata-Version: 2.1\r\nName: demo-pkg\r\nVersion: 1.0\r\n"
      "License: BSD\r\n  3-Clause\r\n\r\nName: body-is-not-headers\r\nVersion: 9\r\n";
  core::Diagnostics diagnostics;
  const auto packages = parsePythonMetadata(text, "m", diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  EXPECT_EQ(packages[0].name, "demo-pkg");
  EXPECT_EQ(packages[0].version, "1.0");
  EXPECT_EQ(packages[0].licenses, std::vector<std::string>{"BSD 3-Clause"});
  EXPECT_EQ(diagnostics.size(), 0U);

  const auto classified = parsePythonMetadata(
      "Name: c\nVersion: 2\nLicense: UNKNOWN\nClassifier: License :: OSI Approved\n"
      "Classifier: License :: OSI Approved :: MIT License\nClassifier: License :: Public Domain\n",
      "m", diagnostics);
  ASSERT_EQ(classified.size(), 1U);
  EXPECT_EQ(classified[0].licenses, (std::vector<std::string>{"MIT License", "Public Domain"}));

  EXPECT_TRUE(parsePythonMetadata("Name: x\n", "m", diagnostics).empty());
  EXPECT_TRUE(parsePythonMetadata("", "m", diagnostics).empty());
  EXPECT_EQ(diagnostics.size(), 2U);
}

// ---- requirements.txt ----------------------------------------------------------------------

TEST(PythonRequirements, TrivyPipFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/python/pip");
  struct Case {
    std::string file;
    NameVersions want;
    std::size_t diagnostics = 0;
  };
  const std::vector<Case> cases = {
      {"requirements_flask.txt",
       {{"click", "8.0.0"},
        {"Flask", "2.0.0"},
        {"itsdangerous", "2.0.0"},
        {"Jinja2", "3.0.0"},
        {"MarkupSafe", "2.0.0"},
        {"Werkzeug", "2.0.0"}}},
      {"requirements_comments.txt",
       {{"click", "8.0.0"}, {"Flask", "2.0.0"}, {"Jinja2", "3.0.0"}, {"MarkupSafe", "2.0.0"}}},
      {"requirements_spaces.txt",
       {{"click", "8.0.0"}, {"Flask", "2.0.0"}, {"itsdangerous", "2.0.0"}, {"Jinja2", "3.0.0"}}},
      {"requirements_no_version.txt", {{"Flask", "2.0.0"}}},
      {"requirements_operator.txt", {{"Django", "2.3.4"}, {"SomeProject", "5.4"}}},
      {"requirements_hash.txt", {{"FooProject", "1.2"}, {"Jinja2", "3.0.0"}}},
      {"requirements_hyphens.txt", {{"oauth2-client", "4.0.0"}, {"python-gitlab", "2.0.0"}}},
      {"requirement_exstras.txt", {{"pyjwt", "2.1.0"}, {"celery", "4.4.7"}}},
      {"requirements_utf16le.txt", {{"attrs", "20.3.0"}}},
      // Wildcard pins (==2.0.*, ==5.*.*, ==4.*.1, ==1.*) are no single version.
      {"requirements_compatible.txt", {}, 4},
      // Jinja-style templates: five lines with "==", none a valid pin.
      {"requirements_with_templating_engine.txt", {}, 5},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    core::Diagnostics diagnostics;
    const auto packages =
        parseRequirements(shared("scan/lang/trivy/python/pip/" + c.file), c.file, diagnostics);
    EXPECT_EQ(nameVersions(packages), c.want);
    EXPECT_EQ(packages.size(), c.want.size());
    EXPECT_EQ(diagnostics.size(), c.diagnostics);
  }
}

TEST(PythonRequirements, SameAsTrivyIntegrationGolden) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/pip/requirements.txt");
  BULWARK_REQUIRE_SHARED("scan/expected/trivy-integration/pip.json.golden");
  core::Diagnostics diagnostics;
  const auto packages =
      parseRequirements(shared("scan/lang/trivy-integration-repo/pip/requirements.txt"),
                        "requirements.txt", diagnostics);
  EXPECT_EQ(nameVersions(packages), trivyGolden("pip"));
  EXPECT_EQ(packages.size(), 7U);
}

TEST(PythonRequirements, OptionsContinuationsAndMarkers) {
  const std::string text =
      "-r base.txt\n--index-url https://example.org/simple\n-e git+https://x/y.git#egg=y\n"
      "requests[security] == 2.31.0 ; python_version >= \"3.8\" \\\n"
      "    --hash=sha256:abc\n"
      "numpy>=1.0; sys_platform == 'win32'\n"
      "pkg @ https://example.org/pkg-1.0.tar.gz\n"
      "urllib3==1.26.18,!=1.26.17  # pinned\n"
      "tail==0.1 \\";
  core::Diagnostics diagnostics;
  const auto packages = parseRequirements(text, "r.txt", diagnostics);
  EXPECT_EQ(nameVersions(packages),
            (NameVersions{{"requests", "2.31.0"}, {"urllib3", "1.26.18"}, {"tail", "0.1"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
  ASSERT_FALSE(packages.empty());
  EXPECT_EQ(packages[0].location.path, "r.txt");
  EXPECT_FALSE(packages[0].development);
}

// A generated file with more pins than any real one keeps the first kMaxPackagesPerLockfile and
// says where it stopped: memory follows that count, not the file's size.
TEST(PythonRequirements, StopsAtThePackageCap) {
  std::string text;
  for (std::size_t i = 0; i <= kMaxPackagesPerLockfile; ++i) {
    text += "p" + std::to_string(i) + "==1.0\n";
  }
  core::Diagnostics diagnostics;
  const auto packages = parseRequirements(text, "big.txt", diagnostics);
  ASSERT_EQ(packages.size(), kMaxPackagesPerLockfile);
  EXPECT_EQ(packages.back().name, "p" + std::to_string(kMaxPackagesPerLockfile - 1));
  ASSERT_EQ(diagnostics.size(), 1U);
  const auto reported = diagnostics.sorted();
  EXPECT_EQ(reported[0].kind, "python.too-many-packages");
  EXPECT_NE(reported[0].detail.find(std::to_string(kMaxPackagesPerLockfile + 1)),
            std::string::npos);  // the line where it stopped
}

TEST(PythonRequirements, Utf16BigEndianAndBrokenSurrogates) {
  // "a==1\n" in UTF-16BE with a BOM, then a lone high surrogate and an odd trailing byte.
  std::string text("\xFE\xFF", 2);
  for (const char c : std::string("a==1\n")) {
    text.push_back('\0');
    text.push_back(c);
  }
  text += std::string("\xD8\x00", 2) + "x";
  core::Diagnostics diagnostics;
  const auto packages = parseRequirements(text, "r.txt", diagnostics);
  EXPECT_EQ(nameVersions(packages), (NameVersions{{"a", "1"}}));
}

// ---- Pipfile.lock --------------------------------------------------------------------------

TEST(PythonPipfileLock, SameAsTrivyIntegrationGolden) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/pipenv/Pipfile.lock");
  core::Diagnostics diagnostics;
  const auto packages = parsePipfileLock(
      shared("scan/lang/trivy-integration-repo/pipenv/Pipfile.lock"), "Pipfile.lock", diagnostics);
  EXPECT_EQ(nameVersions(packages), trivyGolden("pipenv"));
  EXPECT_EQ(nameVersions(packages), (NameVersions{{"werkzeug", "0.11.1"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(PythonPipfileLock, TrivyFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/python/pipenv");
  const std::vector<std::pair<std::string, std::size_t>> cases = {
      {"Pipfile_normal.lock", 6}, {"Pipfile_django.lock", 10}, {"Pipfile_many.lock", 24}};
  for (const auto& [file, count] : cases) {
    SCOPED_TRACE(file);
    core::Diagnostics diagnostics;
    const auto packages =
        parsePipfileLock(shared("scan/lang/trivy/python/pipenv/" + file), file, diagnostics);
    EXPECT_EQ(packages.size(), count);
    EXPECT_EQ(devCount(packages), 0U);
    EXPECT_EQ(diagnostics.size(), 0U);
  }
  core::Diagnostics diagnostics;
  const auto many = parsePipfileLock(shared("scan/lang/trivy/python/pipenv/Pipfile_many.lock"),
                                     "Pipfile.lock", diagnostics);
  const auto* awscli = find(many, "awscli");
  ASSERT_NE(awscli, nullptr);
  EXPECT_EQ(awscli->version, "1.16.147");
}

TEST(PythonPipfileLock, DevelopIsDevelopment) {
  const std::string text = R"({"default": {"a": {"version": "==1.0"}, "vcs": {"git": "x"}},
    "develop": {"a": {"version": "==1.0"}, "pytest": {"version": "==8.0"}, "bad": 3}})";
  core::Diagnostics diagnostics;
  const auto packages = parsePipfileLock(text, "Pipfile.lock", diagnostics);
  ASSERT_EQ(packages.size(), 2U);
  EXPECT_FALSE(find(packages, "a")->development);
  EXPECT_TRUE(find(packages, "pytest")->development);
  EXPECT_EQ(diagnostics.size(), 1U);  // "bad"
  EXPECT_TRUE(parsePipfileLock("{\"default\": [", "Pipfile.lock", diagnostics).empty());
  EXPECT_EQ(diagnostics.size(), 2U);
}

// ---- poetry.lock ---------------------------------------------------------------------------

TEST(PythonPoetryLock, SameAsTrivyIntegrationGolden) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/poetry/poetry.lock");
  core::Diagnostics diagnostics;
  const auto packages = parsePoetryLock(
      shared("scan/lang/trivy-integration-repo/poetry/poetry.lock"), "poetry.lock", diagnostics);
  EXPECT_EQ(nameVersions(packages), trivyGolden("poetry"));
  EXPECT_EQ(packages.size(), 3U);
  EXPECT_EQ(find(packages, "click")->depends, std::vector<std::string>{"colorama"});
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(PythonPoetryLock, V1CategoryAndV2Groups) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/python/poetry");
  const NameVersions dev = {
      {"atomicwrites", "1.4.1"}, {"attrs", "25.1.0"}, {"more-itertools", "10.6.0"},
      {"packaging", "24.2"},     {"py", "1.11.0"},    {"pytest", "5.4.3"},
      {"wcwidth", "0.2.13"}};
  for (const std::string file : {"poetry_flask.lock", "poetry_v2_flask.lock"}) {
    SCOPED_TRACE(file);
    core::Diagnostics diagnostics;
    const auto packages =
        parsePoetryLock(shared("scan/lang/trivy/python/poetry/" + file), file, diagnostics);
    EXPECT_EQ(packages.size(), 15U);
    NameVersions got_dev;
    for (const auto& package : packages) {
      if (package.development) got_dev.emplace(package.name, package.version);
    }
    EXPECT_EQ(got_dev, dev);
    // pluggy: v1 category "main"; v2 groups ["main", "dev"] → runtime in both.
    EXPECT_FALSE(find(packages, "pluggy")->development);
    EXPECT_EQ(find(packages, "flask")->version, "1.0.3");
    EXPECT_EQ(diagnostics.size(), 0U);
  }
  core::Diagnostics diagnostics;
  const auto normal = parsePoetryLock(shared("scan/lang/trivy/python/poetry/poetry_normal.lock"),
                                      "poetry.lock", diagnostics);
  EXPECT_EQ(nameVersions(normal), (NameVersions{{"pypi", "2.1"}}));
}

TEST(PythonPoetryLock, MalformedToml) {
  core::Diagnostics diagnostics;
  EXPECT_TRUE(parsePoetryLock("[[package]\nname = ", "poetry.lock", diagnostics).empty());
  EXPECT_TRUE(parsePoetryLock("package = [1, 2]\n[[x]]\n", "poetry.lock", diagnostics).empty());
  EXPECT_TRUE(parsePoetryLock("[[package]]\nname = \"a\"\n", "poetry.lock", diagnostics).empty());
  // Absurd nesting: toml++ refuses it past its nesting limit instead of recursing.
  EXPECT_TRUE(
      parsePoetryLock("a = " + std::string(100000, '['), "poetry.lock", diagnostics).empty());
  EXPECT_EQ(diagnostics.size(), 5U);
  for (const auto& diagnostic : diagnostics.sorted()) {
    EXPECT_TRUE(diagnostic.kind.starts_with("python.malformed")) << diagnostic.kind;
  }
}

// ---- uv.lock -------------------------------------------------------------------------------

TEST(PythonUvLock, SameAsTrivyIntegrationGolden) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/uv/uv.lock");
  core::Diagnostics diagnostics;
  const auto packages =
      parseUvLock(shared("scan/lang/trivy-integration-repo/uv/uv.lock"), "uv.lock", diagnostics);
  EXPECT_EQ(nameVersions(packages), trivyGolden("uv"));
  EXPECT_EQ(packages.size(), 4U);
  EXPECT_EQ(find(packages, "uv-test")->depends, (std::vector<std::string>{"click", "werkzeug"}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(PythonUvLock, DevGroupsAreDevelopment) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/python/uv");
  core::Diagnostics diagnostics;
  const auto packages =
      parseUvLock(shared("scan/lang/trivy/python/uv/uv_normal.lock"), "uv.lock", diagnostics);
  EXPECT_EQ(packages.size(), 21U);
  NameVersions dev;
  for (const auto& package : packages) {
    if (package.development) dev.emplace(package.name, package.version);
  }
  // Only the dev group's pytest pulls these in; exceptiongroup is also anyio's (runtime), and
  // orjson (an optional extra of the project) and socksio (httpx[socks]) stay runtime.
  EXPECT_EQ(dev, (NameVersions{{"pytest", "8.3.4"},
                               {"colorama", "0.4.6"},
                               {"iniconfig", "2.0.0"},
                               {"packaging", "24.2"},
                               {"pluggy", "1.5.0"},
                               {"tomli", "2.2.1"}}));
  EXPECT_FALSE(find(packages, "orjson")->development);
  EXPECT_FALSE(find(packages, "socksio")->development);
  EXPECT_FALSE(find(packages, "exceptiongroup")->development);

  const auto roots = parseUvLock(shared("scan/lang/trivy/python/uv/uv_multiple_roots.lock"),
                                 "uv.lock", diagnostics);
  EXPECT_EQ(nameVersions(roots),
            (NameVersions{{"asyncio", "3.4.3"}, {"foo", "0.1.0"}, {"bar", "0.1.0"}}));
  EXPECT_EQ(devCount(roots), 0U);
  const auto rootless =
      parseUvLock(shared("scan/lang/trivy/python/uv/uv_without_root.lock"), "uv.lock", diagnostics);
  EXPECT_EQ(nameVersions(rootless), (NameVersions{{"asyncio", "3.4.3"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

// ---- pdm.lock ------------------------------------------------------------------------------

TEST(PythonPdmLock, SyftFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/syft/python/pdm-lock/pdm.lock");
  core::Diagnostics diagnostics;
  const auto packages =
      parsePdmLock(shared("scan/lang/syft/python/pdm-lock/pdm.lock"), "pdm.lock", diagnostics);
  EXPECT_EQ(packages.size(), 10U);
  EXPECT_EQ(find(packages, "requests")->version, "2.27.1");
  EXPECT_EQ(diagnostics.size(), 0U);
  // "coverage" and "coverage[toml]" are one distribution.
  const auto extras = parsePdmLock(shared("scan/lang/syft/python/pdm-lock-extras/pdm.lock"),
                                   "pdm.lock", diagnostics);
  EXPECT_EQ(nameVersions(extras), (NameVersions{{"coverage", "7.4.1"},
                                                {"pytest", "8.0.1"},
                                                {"pytest-cov", "4.1.0"},
                                                {"tomli", "2.0.1"},
                                                {"uvloop", "0.19.0"}}));
  const auto separate = parsePdmLock(
      shared("scan/lang/syft/python/pdm-lock-separate-files/pdm.lock"), "pdm.lock", diagnostics);
  // 58 [[package]] entries; "rfc3986" 1.5.0 appears twice (plain and with extras).
  EXPECT_EQ(separate.size(), 57U);
}

// ---- catalogers over an FsView -------------------------------------------------------------

void put(image::FsView& view, const std::string& path, std::string content) {
  image::FileEntry entry;
  entry.size = content.size();
  entry.layer_digest = "sha256:layer";
  entry.content = std::move(content);
  view.put(path, std::move(entry));
}

TEST(PythonCataloger, InstalledDistributions) {
  image::FsView view;
  put(view, "usr/lib/python3/dist-packages/six-1.16.0.egg-info",
      "Metadata-Version: 1.1\nName: six\nVersion: 1.16.0\n");
  put(view, "usr/local/lib/python3.11/site-packages/Flask-2.0.0.dist-info/METADATA",
      "Name: Flask\nVersion: 2.0.0\nLicense-Expression: BSD-3-Clause\n");
  put(view, "opt/venv/lib/python3.11/site-packages/foo.egg-info/PKG-INFO",
      "Name: foo\nVersion: 0.1\n");
  put(view, "usr/share/doc/other.dist-info/METADATA", "Name: nope\nVersion: 1\n");
  put(view, "usr/local/lib/python3.11/site-packages/Flask-2.0.0.dist-info/RECORD", "x");
  put(view, "app/requirements.txt", "django==4.2\n");

  const auto cataloger = makePythonCataloger();
  EXPECT_EQ(cataloger->name(), "python");
  EXPECT_TRUE(cataloger->patterns().empty());  // installed systems only
  EXPECT_FALSE(cataloger->installedPatterns().empty());
  for (const auto& pattern : cataloger->installedPatterns()) {
    EXPECT_TRUE(pattern.starts_with("**/site-packages/") ||
                pattern.starts_with("**/dist-packages/"))
        << pattern;
  }
  std::vector<model::Package> packages;
  core::Diagnostics diagnostics;
  cataloger->catalog(view, {}, packages, diagnostics);
  EXPECT_EQ(nameVersions(packages),
            (NameVersions{{"six", "1.16.0"}, {"Flask", "2.0.0"}, {"foo", "0.1"}}));
  const auto* flask = find(packages, "Flask");
  ASSERT_NE(flask, nullptr);
  EXPECT_EQ(flask->location.path,
            "usr/local/lib/python3.11/site-packages/Flask-2.0.0.dist-info/METADATA");
  EXPECT_EQ(flask->location.layer_digest, "sha256:layer");
  EXPECT_EQ(flask->licenses, std::vector<std::string>{"BSD-3-Clause"});
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(PythonCataloger, Lockfiles) {
  image::FsView view;
  put(view, "requirements.txt", "django==4.2\n");
  put(view, "srv/app/Pipfile.lock", R"({"default": {"flask": {"version": "==2.0.0"}}})");
  put(view, "srv/app/poetry.lock", "[[package]]\nname = \"click\"\nversion = \"8.1.3\"\n");
  put(view, "srv/uvproj/uv.lock", "[[package]]\nname = \"idna\"\nversion = \"3.10\"\n");
  put(view, "srv/pdmproj/pdm.lock", "[[package]]\nname = \"certifi\"\nversion = \"2024.2.2\"\n");
  put(view, "srv/app/requirements-dev.txt", "pytest==8.0\n");  // not a name this cataloger reads
  put(view, "srv/bad/poetry.lock", "[[package]\n");

  const auto cataloger = makePythonLockfileCataloger();
  EXPECT_EQ(cataloger->name(), "python-lockfiles");
  std::vector<model::Package> packages;
  core::Diagnostics diagnostics;
  cataloger->catalog(view, {}, packages, diagnostics);
  EXPECT_EQ(nameVersions(packages), (NameVersions{{"django", "4.2"},
                                                  {"flask", "2.0.0"},
                                                  {"click", "8.1.3"},
                                                  {"idna", "3.10"},
                                                  {"certifi", "2024.2.2"}}));
  EXPECT_EQ(find(packages, "django")->location.path, "requirements.txt");
  EXPECT_EQ(find(packages, "idna")->location.path, "srv/uvproj/uv.lock");
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics.sorted()[0].kind, "python.malformed");
}

}  // namespace
}  // namespace bulwark::catalog
