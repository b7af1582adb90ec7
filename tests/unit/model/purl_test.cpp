// Package URL parsing (model/purl.h): the one parser SBOMs, VEX, ignore files and CSAF use.
#include "model/purl.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace bulwark::model {
namespace {

TEST(ParsePurl, SplitsAndDecodesEveryPart) {
  const auto purl =
      parsePurl("pkg:DEB/debian/libc6@2.36-9%2Bdeb12u4?distro=debian-12&Arch=amd64#sub/path");
  ASSERT_TRUE(purl) << purl.error().message;
  EXPECT_EQ(purl->type, "deb");
  EXPECT_EQ(purl->namespace_, "debian");
  EXPECT_EQ(purl->name, "libc6");
  EXPECT_EQ(purl->version, "2.36-9+deb12u4");
  ASSERT_EQ(purl->qualifiers.size(), 2U);
  EXPECT_EQ(purl->qualifiers[0].first, "arch") << "keys lower-cased and sorted";
  EXPECT_EQ(purl->qualifier("distro"), "debian-12");
  EXPECT_EQ(purl->subpath, "sub/path");
}

TEST(ParsePurl, ReadsWhatSbomsWrite) {
  const auto purl = parsePurl(
      "pkg:deb/debian/libgcc-s1@1%3A12.2.0-14?arch=amd64&Distro=debian-12&upstream=gcc-12%4012.2."
      "0-14&empty=#usr/lib");
  ASSERT_TRUE(purl) << purl.error().message;
  EXPECT_EQ(purl->type, "deb");
  EXPECT_EQ(purl->namespace_, "debian");
  EXPECT_EQ(purl->name, "libgcc-s1");
  EXPECT_EQ(purl->version, "1:12.2.0-14");
  EXPECT_EQ(purl->qualifier("arch"), "amd64");
  EXPECT_EQ(purl->qualifier("distro"), "debian-12");  // keys are case-insensitive
  EXPECT_EQ(purl->qualifier("upstream"), "gcc-12@12.2.0-14");
  EXPECT_EQ(purl->qualifier("empty"), "");
  EXPECT_EQ(purl->qualifiers.size(), 3U) << "an empty value means absent";
  EXPECT_EQ(purl->subpath, "usr/lib");

  const auto plus = parsePurl("pkg:deb/debian/base-files@10.3%2Bdeb10u2?arch=amd64");
  ASSERT_TRUE(plus);
  EXPECT_EQ(plus->version, "10.3+deb10u2");
}

TEST(ParsePurl, NamespacesVersionsAndQualifiersAreOptional) {
  const auto npm = parsePurl("pkg:npm/%40angular/core");
  ASSERT_TRUE(npm);
  EXPECT_EQ(npm->namespace_, "@angular");
  EXPECT_EQ(npm->name, "core");
  EXPECT_TRUE(npm->version.empty());
  const auto encoded = parsePurl("pkg:npm/%40angular/core@16.0.0");
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded->namespace_, "@angular");
  EXPECT_EQ(encoded->name, "core");
  EXPECT_EQ(encoded->version, "16.0.0");
  const auto scoped = parsePurl("pkg:npm/@angular/core@1.0.0");
  ASSERT_TRUE(scoped);
  EXPECT_EQ(scoped->namespace_, "@angular");
  EXPECT_EQ(scoped->version, "1.0.0");
  const auto unversioned = parsePurl("pkg:npm/@angular/core");
  ASSERT_TRUE(unversioned) << "an unencoded scope's '@' is not a version separator";
  EXPECT_EQ(unversioned->namespace_, "@angular");
  EXPECT_EQ(unversioned->name, "core");
  EXPECT_TRUE(unversioned->version.empty());
  const auto go = parsePurl("pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible");
  ASSERT_TRUE(go);
  EXPECT_EQ(go->namespace_, "github.com/docker");
  EXPECT_EQ(go->version, "v2.7.1+incompatible");
  // A '/' inside a qualifier value, as Canonical writes ESM releases.
  const auto esm =
      parsePurl("pkg:deb/ubuntu/curl@7.35.0?arch=source&distro=esm-infra-legacy/trusty");
  ASSERT_TRUE(esm);
  EXPECT_EQ(esm->name, "curl");
  EXPECT_EQ(esm->qualifier("distro"), "esm-infra-legacy/trusty");
  const auto bare = parsePurl("pkg:generic/openssl");
  ASSERT_TRUE(bare);
  EXPECT_TRUE(bare->namespace_.empty());
  EXPECT_EQ(bare->name, "openssl");
}

TEST(ParsePurl, ToleratesWhatTheSpecAllows) {
  const auto purl = parsePurl("  PKG://rpm//redhat/./openssl@1.1.1k?&arch=x86_64&#/a/../b/  ");
  ASSERT_TRUE(purl) << purl.error().message;
  EXPECT_EQ(purl->type, "rpm");
  EXPECT_EQ(purl->namespace_, "redhat") << "empty and '.' segments dropped";
  EXPECT_EQ(purl->name, "openssl");
  EXPECT_EQ(purl->version, "1.1.1k");
  EXPECT_EQ(purl->qualifier("arch"), "x86_64");
  EXPECT_EQ(purl->subpath, "a/b");
}

TEST(ParsePurl, RejectsWhatIsNotAPurl) {
  for (const std::string_view bad :
       {"", "pkg:", "pkg:deb", "pkg:/openssl@1", "pkg:/x", "deb/debian/openssl@1", "deb/debian/x",
        "pkg:deb/debian/@1", "pkg:deb/debian/openssl@1%zz", "pkg:deb/debian/openssl@1%2",
        "pkg:deb/debian/x%", "pkg:deb/x?novalue", "pkg:deb/x?=v", "pkg:deb/x?a=%g1",
        "pkg:deb/x#sub%", "pkg:deb/%zz/x", "pkg:deb/"}) {
    const auto purl = parsePurl(bad);
    ASSERT_FALSE(purl) << bad;
    EXPECT_EQ(purl.error().code, core::ErrorCode::Input) << bad;
    EXPECT_FALSE(purl.error().message.empty()) << bad;
  }
}

TEST(ParsePurl, LimitsTheLength) {
  const std::string name(kMaxPurlBytes, 'a');
  const auto too_long = parsePurl("pkg:deb/debian/" + name + "@1");
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, core::ErrorCode::Limit);
  const std::string fits = "pkg:deb/debian/" + std::string(kMaxPurlBytes - 17, 'a') + "@1";
  ASSERT_EQ(fits.size(), kMaxPurlBytes);
  EXPECT_TRUE(parsePurl(fits));
}

TEST(PercentDecode, DecodesAndRejectsMalformedEscapes) {
  EXPECT_EQ(percentDecode("10.3%2bdeb10u2").value_or("?"), "10.3+deb10u2");
  EXPECT_EQ(percentDecode("%40%2F").value_or("?"), "@/");
  EXPECT_EQ(percentDecode("plain").value_or("?"), "plain");
  EXPECT_FALSE(percentDecode("%"));
  EXPECT_FALSE(percentDecode("a%4"));
  EXPECT_FALSE(percentDecode("%4g"));
}

// Language packages: the ecosystem's name split into namespace and name as each purl type
// defines it, and read back to the same name by the SBOM reader.
TEST(Purl, LanguagePackages) {
  auto make = [](PackageType type, std::string name, std::string version) {
    Package package;
    package.type = type;
    package.name = std::move(name);
    package.version = std::move(version);
    return purl(package, Distro{});
  };
  EXPECT_EQ(make(PackageType::Python, "Django_Rest", "3.14.0"), "pkg:pypi/django-rest@3.14.0");
  EXPECT_EQ(make(PackageType::Npm, "@angular/core", "16.0.0"), "pkg:npm/%40angular/core@16.0.0");
  EXPECT_EQ(make(PackageType::Npm, "left-pad", "1.3.0"), "pkg:npm/left-pad@1.3.0");
  EXPECT_EQ(make(PackageType::Go, "github.com/gin-gonic/gin", "v1.9.1"),
            "pkg:golang/github.com/gin-gonic/gin@v1.9.1");
  EXPECT_EQ(make(PackageType::Maven, "org.apache.logging.log4j:log4j-core", "2.14.1"),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
  EXPECT_EQ(make(PackageType::Composer, "symfony/console", "v6.0.0"),
            "pkg:composer/symfony/console@v6.0.0");
  EXPECT_EQ(make(PackageType::Gem, "rails", "7.0.4"), "pkg:gem/rails@7.0.4");
  EXPECT_EQ(make(PackageType::Cargo, "serde", "1.0.1+build"), "pkg:cargo/serde@1.0.1+build");
  EXPECT_EQ(make(PackageType::NuGet, "Newtonsoft.Json", "13.0.1"),
            "pkg:nuget/Newtonsoft.Json@13.0.1");

  const auto parsed = parsePurl("pkg:npm/%40angular/core@16.0.0");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->namespace_, "@angular");
  EXPECT_EQ(ecosystemForPurlType("golang")->type, PackageType::Go);
  EXPECT_EQ(ecosystemForPurlType("hex"), nullptr);
  EXPECT_EQ(ecosystemForOsv("crates.io")->type, PackageType::Cargo);
  EXPECT_EQ(ecosystemForOsv(""), nullptr);
  EXPECT_TRUE(isOsPackage(PackageType::Rpm));
  EXPECT_FALSE(isOsPackage(PackageType::Npm));
}

}  // namespace
}  // namespace bulwark::model
