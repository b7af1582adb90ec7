// The covering rule shared by the ignore file and VEX (suppression.h).
#include <gtest/gtest.h>

#include "fixture.h"

namespace bulwark::match {
namespace {

using testing::debianMini;
using testing::subjectOf;

TEST(PurlCovers, PatternIsTheMoreGeneralSide) {
  const auto report = debianMini();
  const Subject libc6 = subjectOf(report, 0);
  ASSERT_EQ(libc6.purl_text, "pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12");
  const auto covers = [&](const char* pattern) {
    const auto purl = model::parsePurl(pattern);
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
  EXPECT_TRUE(purlCovers(*model::parsePurl("pkg:deb/debian/libc6@1:2.36-9+deb12u4"), libc6));
  EXPECT_TRUE(purlCovers(*model::parsePurl("pkg:deb/debian/libc6@2.36-9+deb12u4?epoch=1"), libc6));
  EXPECT_FALSE(purlCovers(*model::parsePurl("pkg:deb/debian/libc6@2:2.36-9+deb12u4"), libc6));
}

TEST(PurlNamesTarget, AnOciPurlWithOneOfTheImageDigests) {
  auto report = debianMini();
  report.inventory.target.manifest_digest = "sha256:1111";
  report.inventory.target.repo_tags = {"registry.invalid/team/debian-mini:1"};
  const Subject s = subjectOf(report, 0);
  EXPECT_TRUE(purlNamesTarget(*model::parsePurl("pkg:oci/debian-mini@sha256%3A1111"), s));
  EXPECT_FALSE(purlNamesTarget(*model::parsePurl("pkg:oci/debian-mini@sha256%3A2222"), s));
  EXPECT_FALSE(purlNamesTarget(*model::parsePurl("pkg:oci/other@sha256%3A1111"), s))
      << "other name";
  EXPECT_FALSE(purlNamesTarget(*model::parsePurl("pkg:oci/debian-mini"), s)) << "no digest";
  report.inventory.target = {};
  EXPECT_FALSE(
      purlNamesTarget(*model::parsePurl("pkg:oci/debian-mini@sha256%3A1111"), subjectOf(report, 0)))
      << "a root filesystem has no digest";
}

}  // namespace
}  // namespace bulwark::match
