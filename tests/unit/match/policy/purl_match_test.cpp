// Package URL parsing and the covering rule shared by the ignore file and VEX (suppression.h).
#include <gtest/gtest.h>

#include "fixture.h"

namespace bulwark::match {
namespace {

using testing::debianMini;
using testing::subjectOf;

TEST(ParsePurl, SplitsAndDecodesEveryPart) {
  const auto purl =
      parsePurl("pkg:DEB/debian/libc6@2.36-9%2Bdeb12u4?distro=debian-12&Arch=amd64#sub/path");
  ASSERT_TRUE(purl) << purl.error().message;
  EXPECT_EQ(purl->type, "deb");
  EXPECT_EQ(purl->package_namespace, "debian");
  EXPECT_EQ(purl->name, "libc6");
  EXPECT_EQ(purl->version, "2.36-9+deb12u4");
  ASSERT_EQ(purl->qualifiers.size(), 2U);
  EXPECT_EQ(purl->qualifiers[0].first, "arch") << "keys lower-cased and sorted";
  EXPECT_EQ(purl->qualifier("distro"), "debian-12");
  EXPECT_EQ(purl->subpath, "sub/path");
}

TEST(ParsePurl, NamespacesVersionsAndQualifiersAreOptional) {
  const auto npm = parsePurl("pkg:npm/%40angular/core");
  ASSERT_TRUE(npm);
  EXPECT_EQ(npm->package_namespace, "@angular");
  EXPECT_EQ(npm->name, "core");
  EXPECT_TRUE(npm->version.empty());
  const auto scoped = parsePurl("pkg:npm/@angular/core@1.0.0");
  ASSERT_TRUE(scoped);
  EXPECT_EQ(scoped->package_namespace, "@angular");
  EXPECT_EQ(scoped->version, "1.0.0");
  const auto go = parsePurl("pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible");
  ASSERT_TRUE(go);
  EXPECT_EQ(go->package_namespace, "github.com/docker");
  EXPECT_EQ(go->version, "v2.7.1+incompatible");
  // A '/' inside a qualifier value, as Canonical writes ESM releases.
  const auto esm =
      parsePurl("pkg:deb/ubuntu/curl@7.35.0?arch=source&distro=esm-infra-legacy/trusty");
  ASSERT_TRUE(esm);
  EXPECT_EQ(esm->name, "curl");
  EXPECT_EQ(esm->qualifier("distro"), "esm-infra-legacy/trusty");
}

TEST(ParsePurl, RejectsWhatIsNotAPurl) {
  for (const char* bad : {"", "deb/debian/x", "pkg:", "pkg:deb", "pkg:/x", "pkg:deb/debian/x@1%2",
                          "pkg:deb/debian/x@1%zz", "pkg:deb/x?novalue"}) {
    EXPECT_FALSE(parsePurl(bad)) << bad;
  }
}

TEST(PurlCovers, PatternIsTheMoreGeneralSide) {
  const auto report = debianMini();
  const Subject libc6 = subjectOf(report, 0);
  ASSERT_EQ(libc6.purl_text, "pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12");
  const auto covers = [&](const char* pattern) {
    const auto purl = parsePurl(pattern);
    EXPECT_TRUE(purl) << pattern;
    return purl && purlCovers(*purl, libc6);
  };
  EXPECT_TRUE(covers("pkg:deb/debian/libc6"));
  EXPECT_TRUE(covers("pkg:deb/Debian/LIBC6")) << "deb names are case-insensitive";
  EXPECT_TRUE(covers("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4"));
  EXPECT_TRUE(covers("pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64"));
  EXPECT_TRUE(covers("pkg:deb/debian/libc6?distro=bookworm")) << "codename for the release";
  EXPECT_FALSE(covers("pkg:deb/debian/libc6@2.36-9+deb12u7")) << "another version";
  EXPECT_FALSE(covers("pkg:deb/debian/libc6?arch=arm64")) << "a stated qualifier must hold";
  EXPECT_FALSE(covers("pkg:deb/debian/libc6?epoch=1")) << "a qualifier we do not have";
  EXPECT_FALSE(covers("pkg:deb/ubuntu/libc6"));
  EXPECT_FALSE(covers("pkg:rpm/debian/libc6"));
  EXPECT_FALSE(covers("pkg:deb/debian/libc6-dev")) << "names are whole, not prefixes";
}

TEST(PurlCovers, EpochInTheVersionMatchesTheFullVersion) {
  auto report = debianMini();
  report.inventory.packages[0].epoch = 1;
  report.findings[0].installed_version = report.inventory.packages[0].fullVersion();
  const Subject libc6 = subjectOf(report, 0);
  EXPECT_TRUE(purlCovers(*parsePurl("pkg:deb/debian/libc6@1:2.36-9+deb12u4"), libc6));
  EXPECT_TRUE(purlCovers(*parsePurl("pkg:deb/debian/libc6@2.36-9+deb12u4?epoch=1"), libc6));
  EXPECT_FALSE(purlCovers(*parsePurl("pkg:deb/debian/libc6@2:2.36-9+deb12u4"), libc6));
}

TEST(PurlNamesTarget, AnOciPurlWithOneOfTheImageDigests) {
  auto report = debianMini();
  report.inventory.target.manifest_digest = "sha256:1111";
  report.inventory.target.repo_tags = {"registry.invalid/team/debian-mini:1"};
  const Subject s = subjectOf(report, 0);
  EXPECT_TRUE(purlNamesTarget(*parsePurl("pkg:oci/debian-mini@sha256%3A1111"), s));
  EXPECT_FALSE(purlNamesTarget(*parsePurl("pkg:oci/debian-mini@sha256%3A2222"), s));
  EXPECT_FALSE(purlNamesTarget(*parsePurl("pkg:oci/other@sha256%3A1111"), s)) << "other name";
  EXPECT_FALSE(purlNamesTarget(*parsePurl("pkg:oci/debian-mini"), s)) << "no digest";
  report.inventory.target = {};
  EXPECT_FALSE(
      purlNamesTarget(*parsePurl("pkg:oci/debian-mini@sha256%3A1111"), subjectOf(report, 0)))
      << "a root filesystem has no digest";
}

}  // namespace
}  // namespace bulwark::match
