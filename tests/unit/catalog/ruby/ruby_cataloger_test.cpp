#include "catalog/ruby/ruby_cataloger.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "core/text.h"
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

TEST(RubyGemspec, TrivyNormal) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/ruby/gemspec/normal00.gemspec");
  core::Diagnostics diagnostics;
  const auto package = parseGemspec(shared("scan/lang/trivy/ruby/gemspec/normal00.gemspec"),
                                    "x/specifications/rake.gemspec", diagnostics);
  ASSERT_TRUE(package.has_value());
  EXPECT_EQ(package->type, model::PackageType::Gem);
  EXPECT_EQ(package->name, "rake");
  EXPECT_EQ(package->version, "13.0.3");
  EXPECT_EQ(package->licenses, std::vector<std::string>{"MIT"});
  EXPECT_EQ(package->location.path, "x/specifications/rake.gemspec");
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(RubyGemspec, OtherVariableNameAndComment) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/ruby/gemspec/normal01.gemspec");
  core::Diagnostics diagnostics;
  const auto package =
      parseGemspec(shared("scan/lang/trivy/ruby/gemspec/normal01.gemspec"), "a", diagnostics);
  ASSERT_TRUE(package.has_value());
  EXPECT_EQ(package->name, "async");
  EXPECT_EQ(package->version, "1.25.0");
  // `spec.licenses = "MIT" # invalid`: not a list, so no license (as Trivy).
  EXPECT_TRUE(package->licenses.empty());
}

TEST(RubyGemspec, Licenses) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/ruby/gemspec/license.gemspec");
  core::Diagnostics diagnostics;
  auto single =
      parseGemspec(shared("scan/lang/trivy/ruby/gemspec/license.gemspec"), "a", diagnostics);
  ASSERT_TRUE(single.has_value());
  EXPECT_EQ(single->licenses, std::vector<std::string>{"MIT"});
  auto multiple = parseGemspec(shared("scan/lang/trivy/ruby/gemspec/multiple_licenses.gemspec"),
                               "b", diagnostics);
  ASSERT_TRUE(multiple.has_value());
  EXPECT_EQ(multiple->name, "test-unit");
  EXPECT_EQ(multiple->version, "3.3.7");
  EXPECT_EQ(multiple->licenses, (std::vector<std::string>{"Ruby", "BSDL", "PSFL"}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(RubyGemspec, SyftFrozenVersionAndInterpolation) {
  BULWARK_REQUIRE_SHARED("scan/lang/syft/ruby/formatador.gemspec");
  core::Diagnostics diagnostics;
  const auto formatador =
      parseGemspec(shared("scan/lang/syft/ruby/formatador.gemspec"), "f", diagnostics);
  ASSERT_TRUE(formatador.has_value());
  EXPECT_EQ(formatador->name, "formatador");
  EXPECT_EQ(formatador->version, "1.1.0");
  const auto bundler =
      parseGemspec(shared("scan/lang/syft/ruby/bundler.gemspec"), "b", diagnostics);
  ASSERT_TRUE(bundler.has_value());
  EXPECT_EQ(bundler->name, "bundler");
  EXPECT_EQ(bundler->version, "2.1.4");
  EXPECT_EQ(bundler->licenses, std::vector<std::string>{"MIT"});
}

TEST(RubyGemspec, MalformedBecomeDiagnostics) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/ruby/gemspec/malformed00.gemspec");
  core::Diagnostics diagnostics;
  // Wrong variable (|spec| but "s.name"), then a missing version.
  EXPECT_FALSE(
      parseGemspec(shared("scan/lang/trivy/ruby/gemspec/malformed00.gemspec"), "m0", diagnostics));
  EXPECT_FALSE(
      parseGemspec(shared("scan/lang/trivy/ruby/gemspec/malformed01.gemspec"), "m1", diagnostics));
  EXPECT_FALSE(parseGemspec("", "empty", diagnostics));
  EXPECT_FALSE(parseGemspec("Gem::Specification.new do |s|\n  s.name = \n", "x", diagnostics));
  const auto items = diagnostics.sorted();
  ASSERT_EQ(items.size(), 4U);
  EXPECT_EQ(items[0].kind, "ruby.malformed-gemspec");
  EXPECT_EQ(items[0].where, "empty");
}

TEST(RubyGemfileLock, TrivyNormal) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/ruby/bundler/Gemfile_normal.lock");
  core::Diagnostics diagnostics;
  const auto packages = parseGemfileLock(shared("scan/lang/trivy/ruby/bundler/Gemfile_normal.lock"),
                                         "app/Gemfile.lock", diagnostics);
  EXPECT_EQ(nameVersions(packages), (NameVersion{{"coderay", "1.1.2"},
                                                 {"concurrent-ruby", "1.1.5"},
                                                 {"dotenv", "2.7.2"},
                                                 {"faker", "1.9.3"},
                                                 {"i18n", "1.6.0"},
                                                 {"method_source", "0.9.2"},
                                                 {"pry", "0.12.2"}}));
  const auto pry = std::find_if(packages.begin(), packages.end(),
                                [](const auto& package) { return package.name == "pry"; });
  ASSERT_NE(pry, packages.end());
  EXPECT_EQ(pry->depends, (std::vector<std::string>{"coderay", "method_source"}));
  EXPECT_EQ(pry->type, model::PackageType::Gem);
  EXPECT_EQ(pry->location.path, "app/Gemfile.lock");
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(RubyGemfileLock, Bundler2AndMalformedHeader) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/ruby/bundler/Gemfile_bundler2.lock");
  core::Diagnostics diagnostics;
  const auto packages = parseGemfileLock(
      shared("scan/lang/trivy/ruby/bundler/Gemfile_bundler2.lock"), "l", diagnostics);
  EXPECT_EQ(packages.size(), 8U);
  EXPECT_EQ(nameVersions(packages).count({"json", "2.6.2"}), 1U);
  EXPECT_EQ(diagnostics.size(), 0U);
  // The whole file is the word "malformed": no packages, one diagnostic.
  const auto malformed = parseGemfileLock(
      shared("scan/lang/trivy/ruby/bundler/Gemfile_malformed.lock"), "m", diagnostics);
  EXPECT_TRUE(malformed.empty());
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics.sorted()[0].where, "m");
}

TEST(RubyGemfileLock, SyftLock) {
  BULWARK_REQUIRE_SHARED("scan/lang/syft/ruby/Gemfile.lock");
  core::Diagnostics diagnostics;
  const auto packages =
      parseGemfileLock(shared("scan/lang/syft/ruby/Gemfile.lock"), "l", diagnostics);
  EXPECT_EQ(packages.size(), 53U);
  EXPECT_EQ(nameVersions(packages).count({"actionmailer", "4.1.1"}), 1U);
}

TEST(RubyGemfileLock, PlatformSuffixStrippedAndDeduplicated) {
  const std::string lock =
      "GEM\n  remote: https://rubygems.org/\n  specs:\n"
      "    nokogiri (1.13.6-x86_64-linux)\n      racc (~> 1.4)\n"
      "    nokogiri (1.13.6-arm64-darwin)\n      racc (~> 1.4)\n"
      "    racc (1.6.0)\n    broken ()\n    too many fields\n";
  core::Diagnostics diagnostics;
  const auto packages = parseGemfileLock(lock, "Gemfile.lock", diagnostics);
  EXPECT_EQ(nameVersions(packages), (NameVersion{{"nokogiri", "1.13.6"}, {"racc", "1.6.0"}}));
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics.sorted()[0].kind, "ruby.malformed-lockfile");
  core::Diagnostics other;
  EXPECT_TRUE(parseGemfileLock("not a lockfile", "x", other).empty());
  EXPECT_EQ(other.size(), 1U);
}

TEST(RubyCataloger, FindsGemspecsAndLockfiles) {
  image::FsView fs;
  auto put = [&](std::string path, std::string content) {
    image::FileEntry entry;
    entry.content = std::move(content);
    entry.layer_digest = "sha256:l1";
    fs.put(std::move(path), std::move(entry));
  };
  put("var/lib/gems/2.5.0/specifications/activesupport-6.0.2.1.gemspec",
      "Gem::Specification.new do |s|\n  s.name = \"activesupport\".freeze\n"
      "  s.version = \"6.0.2.1\"\n  s.licenses = [\"MIT\".freeze]\nend\n");
  put("usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec",
      "Gem::Specification.new do |s|\n  s.name = \"json\"\n  s.version = \"2.6.1\"\nend\n");
  put("srv/app/Gemfile.lock", "GEM\n  specs:\n    rack (2.2.3)\n");
  put("srv/app/README", "    rack (9.9.9)\n");
  const auto cataloger = makeRubyCataloger();
  EXPECT_EQ(cataloger->name(), "ruby");
  // Gemspecs are installed metadata; Gemfile.lock is read in project directories only.
  EXPECT_TRUE(cataloger->patterns().empty());
  auto patterns = cataloger->installedPatterns();
  const auto project = cataloger->projectPatterns();
  EXPECT_EQ(project, std::vector<std::string_view>{"**/Gemfile.lock"});
  patterns.insert(patterns.end(), project.begin(), project.end());
  for (const auto& entry : fs.entries()) {
    const std::string& path = entry.first;  // a named variable: lambdas cannot capture bindings
    const bool wanted =
        std::any_of(patterns.begin(), patterns.end(),
                    [&](std::string_view pattern) { return core::globMatch(pattern, path); });
    EXPECT_EQ(wanted, path != "srv/app/README") << path;
  }
  std::vector<model::Package> packages;
  core::Diagnostics diagnostics;
  cataloger->catalog(fs, model::Distro{}, packages, diagnostics);
  EXPECT_EQ(nameVersions(packages),
            (NameVersion{{"activesupport", "6.0.2.1"}, {"json", "2.6.1"}, {"rack", "2.2.3"}}));
  for (const auto& package : packages) EXPECT_EQ(package.location.layer_digest, "sha256:l1");
  EXPECT_EQ(diagnostics.size(), 0U);
}

}  // namespace
}  // namespace bulwark::catalog
