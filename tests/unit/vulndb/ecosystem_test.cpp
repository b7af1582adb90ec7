#include "vulndb/ecosystem.h"

#include <gtest/gtest.h>

namespace bulwark::vulndb {
namespace {

TEST(OsEcosystem, FeedReleasesAndInstalledSystemsAgree) {
  EXPECT_EQ(osEcosystem("debian", "bookworm"), "debian:12");
  EXPECT_EQ(osEcosystem("debian", "12.4"), "debian:12");
  EXPECT_EQ(osEcosystem("ubuntu", "bionic"), "ubuntu:18.04");
  EXPECT_EQ(osEcosystem("alpine", "v3.19"), "alpine:3.19");
  EXPECT_EQ(osEcosystem("alpine", "3.19.1"), "alpine:3.19");
  EXPECT_EQ(osEcosystem("rhel", "8.9"), "rhel:8");
  EXPECT_EQ(osEcosystem("mariner", "2.0"), "mariner:2.0");
  EXPECT_EQ(osEcosystem("debian", ""), "");
  model::Distro distro;
  distro.id = "debian";
  distro.version_id = "12";
  distro.codename = "bookworm";
  EXPECT_EQ(osEcosystem(distro), "debian:12");
  distro.version_id.clear();  // testing and sid have no VERSION_ID
  distro.codename = "trixie";
  EXPECT_EQ(osEcosystem(distro), "debian:13");
}

TEST(OsEcosystem, SystemsMatchedAgainstAnotherReleasesData) {
  auto key = [](std::string id, std::string version, std::string codename = "") {
    model::Distro distro;
    distro.id = std::move(id);
    distro.version_id = std::move(version);
    distro.codename = std::move(codename);
    return osEcosystem(distro);
  };
  EXPECT_EQ(key("centos", "7"), "rhel:7");  // CentOS has no advisories of its own
  EXPECT_EQ(key("centos", "8.4.2105"), "rhel:8");
  EXPECT_EQ(key("rocky", "8.9"), "rocky:8");  // Rocky and Alma publish their own errata
  EXPECT_EQ(key("amzn", "2018.03"), "amzn:1");
  EXPECT_EQ(key("amzn", "2"), "amzn:2");
  EXPECT_EQ(key("amzn", "2023"), "amzn:2023");
  EXPECT_EQ(key("alpine", "3.16.2", "edge"), "alpine:edge");
  EXPECT_EQ(key("alpine", "3.16.2", "v3.15"), "alpine:3.15");
  EXPECT_EQ(key("alpine", "3.16.2"), "alpine:3.16");
}

// Each registry's own notion of "the same package": PyPI's PEP 503, NuGet's and Packagist's
// case-insensitive ids; the others exactly as written.
TEST(PackageKey, NormalizesAsTheRegistryDoes) {
  EXPECT_EQ(packageKey("PyPI", "Django"), "django");
  EXPECT_EQ(packageKey("PyPI", "zope.interface"), "zope-interface");
  EXPECT_EQ(packageKey("PyPI", "Foo__Bar-._baz"), "foo-bar-baz");
  EXPECT_EQ(packageKey("NuGet", "Newtonsoft.Json"), "newtonsoft.json");
  EXPECT_EQ(packageKey("Packagist", "Symfony/Console"), "symfony/console");
  EXPECT_EQ(packageKey("npm", "@Scope/Name"), "@Scope/Name");
  EXPECT_EQ(packageKey("Maven", "org.Apache:Commons"), "org.Apache:Commons");
  EXPECT_EQ(packageKey("debian:12", "OpenSSL"), "OpenSSL");
}

}  // namespace
}  // namespace bulwark::vulndb
