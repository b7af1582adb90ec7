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

}  // namespace
}  // namespace bulwark::vulndb
