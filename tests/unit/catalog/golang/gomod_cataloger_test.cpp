#include "catalog/golang/gomod_cataloger.h"

#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "testdata.h"

namespace bulwark::catalog {
namespace {

using NameVersion = std::set<std::pair<std::string, std::string>>;

NameVersion nameVersions(const std::vector<model::Package>& packages) {
  NameVersion out;
  for (const auto& package : packages) out.emplace(package.name, package.version);
  return out;
}

std::string shared(const std::string& relative) {
  return testing::readFile(testing::sharedTestdata() / relative);
}

std::vector<model::Package> modDir(const std::string& dir, core::Diagnostics& diagnostics) {
  const auto sum_path = testing::sharedTestdata() / dir / "go.sum";
  const std::string sum = testing::readFile(sum_path);
  return goModPackages(
      shared(dir + "/go.mod"), "go.mod",
      std::filesystem::exists(sum_path) ? std::optional<std::string_view>(sum) : std::nullopt,
      "go.sum", diagnostics);
}

constexpr const char* kRepo = "scan/lang/trivy-integration-repo/gomod";

// Trivy's gomod.json.golden lists the vulnerable modules it found in each go.mod (it does not
// list packages): the root go.mod (go 1.17) requires all three; submod2's go.mod (go 1.15) does
// not require docker/distribution: it comes from its go.sum.
TEST(GoMod, TrivyIntegrationGolden) {
  BULWARK_REQUIRE_SHARED(std::string(kRepo) + "/go.mod");
  core::Diagnostics diagnostics;
  const auto root = nameVersions(modDir(kRepo, diagnostics));
  EXPECT_EQ(root.size(), 18U);  // 3 direct + 15 indirect requires
  for (const auto& expected : NameVersion{{"github.com/docker/distribution", "v2.7.1+incompatible"},
                                          {"github.com/open-policy-agent/opa", "v0.35.0"},
                                          {"golang.org/x/text", "v0.3.6"}}) {
    EXPECT_EQ(root.count(expected), 1U) << expected.first;
  }
  EXPECT_EQ(root.count({"github.com/testdata/testdata", ""}), 0U);
  const auto submod = nameVersions(modDir(std::string(kRepo) + "/submod", diagnostics));
  EXPECT_EQ(submod.count({"github.com/docker/distribution", "v2.7.1+incompatible"}), 1U);
  const auto submod2 = nameVersions(modDir(std::string(kRepo) + "/submod2", diagnostics));
  EXPECT_EQ(submod2, (NameVersion{{"github.com/davecgh/go-spew", "v1.1.0"},
                                  {"github.com/docker/distribution", "v2.7.1+incompatible"},
                                  {"github.com/pmezard/go-difflib", "v1.0.0"},
                                  {"github.com/stretchr/objx", "v0.1.0"},
                                  {"github.com/stretchr/testify", "v1.7.0"},
                                  {"gopkg.in/check.v1", "v0.0.0-20161208181325-20d25e280405"},
                                  {"gopkg.in/yaml.v3", "v3.0.0-20200313102051-9f266ea9e77c"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(GoMod, TrivyReplaceFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/golang/mod/replaced/go.mod");
  const std::string dir = "scan/lang/trivy/golang/mod/";
  core::Diagnostics diagnostics;
  const std::string parser = "github.com/aquasecurity/go-dep-parser";
  const std::string xerrors = "golang.org/x/xerrors";
  const std::string yaml = "gopkg.in/yaml.v3";
  const NameVersion replaced{{parser, "v0.0.0-20220406074731-71021a481237"},
                             {xerrors, "v0.0.0-20200804184101-5ec99f83aff1"}};
  EXPECT_EQ(
      nameVersions(parseGoMod(shared(dir + "replaced/go.mod"), "m", diagnostics).dependencies),
      replaced);
  EXPECT_EQ(
      nameVersions(
          parseGoMod(shared(dir + "replaced-with-version/go.mod"), "m", diagnostics).dependencies),
      replaced);
  const NameVersion unreplaced{{parser, "v0.0.0-20211224170007-df43bca6b6ff"},
                               {xerrors, "v0.0.0-20200804184101-5ec99f83aff1"},
                               {yaml, "v3.0.0-20210107192922-496545a6307b"}};
  EXPECT_EQ(nameVersions(
                parseGoMod(shared(dir + "replaced-with-version-mismatch/go.mod"), "m", diagnostics)
                    .dependencies),
            unreplaced);
  EXPECT_EQ(nameVersions(parseGoMod(shared(dir + "replaced-with-local-path-and-version-mismatch/"
                                                 "go.mod"),
                                    "m", diagnostics)
                             .dependencies),
            unreplaced);
  // Replaced by a local directory: dropped.
  const NameVersion local{{parser, "v0.0.0-20211224170007-df43bca6b6ff"},
                          {yaml, "v3.0.0-20210107192922-496545a6307b"}};
  EXPECT_EQ(
      nameVersions(parseGoMod(shared(dir + "replaced-with-local-path/go.mod"), "m", diagnostics)
                       .dependencies),
      local);
  EXPECT_EQ(nameVersions(parseGoMod(shared(dir + "replaced-with-local-path-and-version/go.mod"),
                                    "m", diagnostics)
                             .dependencies),
            local);
  const auto normal = parseGoMod(shared(dir + "normal/go.mod"), "m", diagnostics);
  EXPECT_EQ(normal.module, "github.com/org/repo");
  EXPECT_EQ(normal.go_version, "1.22.0");
  EXPECT_FALSE(normal.before117());
  EXPECT_EQ(normal.dependencies.size(), 5U);
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(GoMod, Before117SkipsIndirectAndMergesGoSum) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/golang/mod/go116/go.mod");
  const std::string dir = "scan/lang/trivy/golang/mod/";
  core::Diagnostics diagnostics;
  const auto mod = parseGoMod(shared(dir + "go116/go.mod"), "m", diagnostics);
  EXPECT_TRUE(mod.before117());
  EXPECT_EQ(nameVersions(mod.dependencies), (NameVersion{{"github.com/aquasecurity/go-dep-parser",
                                                          "v0.0.0-20211224170007-df43bca6b6ff"}}));
  // go.sum lists 37 module paths (go-dep-parser among them).
  EXPECT_EQ(modDir(dir + "go116", diagnostics).size(), 37U);
  const auto no_version = parseGoMod(shared(dir + "no-go-version/gomod"), "m", diagnostics);
  EXPECT_TRUE(no_version.before117());
  EXPECT_EQ(no_version.dependencies.size(), 1U);
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(GoSum, TrivyFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/golang/sum/gomod_many.sum");
  const std::string dir = "scan/lang/trivy/golang/sum/";
  core::Diagnostics diagnostics;
  EXPECT_EQ(parseGoSum(shared(dir + "gomod_many.sum"), "s", diagnostics).size(), 13U);
  EXPECT_EQ(parseGoSum(shared(dir + "gomod_trivy.sum"), "s", diagnostics).size(), 336U);
  EXPECT_EQ(nameVersions(parseGoSum(shared(dir + "gomod_emptyline.sum"), "s", diagnostics)),
            (NameVersion{{"github.com/karrick/godirwalk", "v1.12.0"},
                         {"github.com/pkg/errors", "v0.8.1"}}));
  const auto normal = parseGoSum(shared(dir + "gomod_normal.sum"), "go.sum", diagnostics);
  ASSERT_EQ(normal.size(), 1U);
  EXPECT_EQ(normal[0].type, model::PackageType::Go);
  EXPECT_EQ(normal[0].location.path, "go.sum");
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(GoMod, MalformedLinesBecomeDiagnostics) {
  core::Diagnostics diagnostics;
  const auto mod = parseGoMod(
      "module \"example.com/m\" // the module\ngo 1.21\nrequire (\n  a.example/x v1.0.0\n"
      "  broken\n  \"quoted.example/y\" v2.0.0 // indirect\n)\nrequire z \"unterminated\n"
      "replace a.example/x => \nreplace a.example/x v1.0.0 => b.example/x v1.1.0\n",
      "go.mod", diagnostics);
  EXPECT_EQ(mod.module, "example.com/m");
  EXPECT_EQ(nameVersions(mod.dependencies),
            (NameVersion{{"b.example/x", "v1.1.0"}, {"quoted.example/y", "v2.0.0"}}));
  EXPECT_EQ(diagnostics.size(), 3U);
  EXPECT_EQ(parseGoSum("onlyonefield\n", "go.sum", diagnostics).size(), 0U);
  EXPECT_EQ(diagnostics.size(), 4U);
}

TEST(GoModCataloger, GoSumOnlyWithoutGoMod) {
  image::FsView fs;
  auto put = [&](std::string path, std::string content) {
    image::FileEntry entry;
    entry.content = std::move(content);
    fs.put(std::move(path), std::move(entry));
  };
  put("a/go.mod", "module a\n\ngo 1.20\n\nrequire x.example/one v1.0.0\n");
  put("a/go.sum", "x.example/one v1.0.0 h1:x=\nx.example/two v2.0.0 h1:y=\n");
  put("b/go.sum", "x.example/three v3.0.0 h1:z=\n");
  put("root/go/pkg/mod/x.example/one@v1.0.0/go.mod",
      "module x.example/one\nrequire q.example/q v9\n");
  std::vector<model::Package> packages;
  core::Diagnostics diagnostics;
  makeGoModCataloger()->catalog(fs, model::Distro{}, packages, diagnostics);
  EXPECT_EQ(nameVersions(packages),
            (NameVersion{{"x.example/one", "v1.0.0"}, {"x.example/three", "v3.0.0"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

}  // namespace
}  // namespace bulwark::catalog
