// CSAF 2.0 VEX as --vex input (vex.h): product tree resolution (branches, composite products of
// relationships, groups), statuses, justifications from flags, reasons from impact threats, the
// platform CPE naming the package's release (cpeNamesDistro), and Red Hat's real files.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "fixture.h"

namespace bulwark::match {
namespace {

using bulwark::testing::readFile;
using bulwark::testing::sharedTestdata;

// A package of a Red Hat-like release, as policy.cpp makes the subject for one of its findings.
Subject rpmSubject(const std::string& id, const std::string& name, const std::string& version,
                   const std::string& release, const std::string& distro_version,
                   const model::Target* target = nullptr, const std::string& distro_id = "rhel") {
  model::Package p;
  p.type = model::PackageType::Rpm;
  p.name = name;
  p.version = version;
  p.release = release;
  p.arch = "x86_64";
  model::Distro distro;
  distro.id = distro_id;
  distro.version_id = distro_version;
  Subject s;
  s.vulnerability_id = id;
  s.package_name = name;
  s.full_version = p.fullVersion();
  s.purl_text = model::purl(p, distro);
  s.purl = *model::parsePurl(s.purl_text);
  s.target = target;
  return s;
}

// The status of the deciding statement, or "-" when none applies.
std::string decision(const VexDocument& document, const Subject& subject) {
  const VexStatement* statement = decidingStatement(document, subject);
  return statement == nullptr ? "-" : std::string(toString(statement->status));
}

// Written for this test: two releases (CPE platforms), an image (OCI purl platform), components
// by purl, composite products, a product group, flags, impact threats, and bad entries.
constexpr const char* kCsaf = R"({
  "document": {
    "category": "csaf_vex", "csaf_version": "2.0", "title": "example",
    "publisher": {"category": "vendor", "name": "Example", "namespace": "https://example.invalid"},
    "tracking": {"id": "EXA-VEX-1", "current_release_date": "2024-05-01T00:00:00Z"}
  },
  "product_tree": {
    "branches": [{"category": "vendor", "name": "Example", "branches": [
      {"category": "product_name", "name": "EL 9", "product": {"name": "EL 9", "product_id": "el9",
        "product_identification_helper": {"cpe": "cpe:/o:redhat:enterprise_linux:9::baseos"}}},
      {"category": "product_name", "name": "EL 8", "product": {"name": "EL 8", "product_id": "el8",
        "product_identification_helper": {"cpe": "cpe:2.3:o:redhat:enterprise_linux:8:*:*:*:*:*:*:*"}}},
      {"category": "product_name", "name": "EUS", "product": {"name": "EUS", "product_id": "eus",
        "product_identification_helper": {"cpe": "cpe:/a:redhat:rhel_eus:9.2::baseos"}}},
      {"category": "product_name", "name": "app", "product": {"name": "app", "product_id": "app",
        "product_identification_helper": {"purl": "pkg:oci/app@sha256:1111?repository_url=registry.invalid/app"}}},
      {"category": "architecture", "name": "x86_64", "branches": [
        {"category": "product_version", "name": "openssl", "product": {"name": "openssl",
          "product_id": "openssl", "product_identification_helper": {"purl": "pkg:rpm/redhat/openssl"}}},
        {"category": "product_version", "name": "curl", "product": {"name": "curl",
          "product_id": "curl", "product_identification_helper": {"purl": "pkg:rpm/redhat/curl"}}},
        {"category": "product_version", "name": "bad", "product": {"name": "bad",
          "product_id": "bad", "product_identification_helper": {"purl": "pkg:rpm/x@1%zz"}}},
        {"category": "product_version", "name": "nameless", "product": {"name": "nameless",
          "product_id": "nameless"}}
      ]}
    ]}],
    "relationships": [
      {"category": "default_component_of", "product_reference": "openssl",
       "relates_to_product_reference": "el9",
       "full_product_name": {"name": "openssl on EL 9", "product_id": "el9:openssl"}},
      {"category": "default_component_of", "product_reference": "curl",
       "relates_to_product_reference": "el9",
       "full_product_name": {"name": "curl on EL 9", "product_id": "el9:curl"}},
      {"category": "default_component_of", "product_reference": "openssl",
       "relates_to_product_reference": "el8",
       "full_product_name": {"name": "openssl on EL 8", "product_id": "el8:openssl"}},
      {"category": "default_component_of", "product_reference": "openssl",
       "relates_to_product_reference": "eus",
       "full_product_name": {"name": "openssl on EUS", "product_id": "eus:openssl"}},
      {"category": "installed_on", "product_reference": "curl",
       "relates_to_product_reference": "app",
       "full_product_name": {"name": "curl in app", "product_id": "app:curl"}},
      {"category": "external_component_of", "product_reference": "curl",
       "relates_to_product_reference": "el8",
       "full_product_name": {"name": "curl beside EL 8", "product_id": "el8:curl"}},
      {"category": "default_component_of", "product_reference": "nameless",
       "relates_to_product_reference": "el9",
       "full_product_name": {"name": "nameless on EL 9", "product_id": "el9:nameless"}}
    ],
    "product_groups": [{"group_id": "g-openssl", "product_ids": ["el9:openssl"]}]
  },
  "vulnerabilities": [
    {"cve": "CVE-2024-0001", "ids": [{"system_name": "Example", "text": "EXA-2024-1"}],
     "product_status": {"known_not_affected": ["el9:openssl", "el9:curl", "eus:openssl"],
                        "known_affected": ["el8:openssl"]},
     "flags": [{"label": "vulnerable_code_not_present", "group_ids": ["g-openssl"]},
               {"label": "component_not_present", "product_ids": ["el9:curl"]},
               {"label": "not_a_label", "product_ids": ["el9:curl"]}],
     "threats": [{"category": "impact", "details": "Low", "product_ids": ["el9:openssl"]},
                 {"category": "impact", "details": "Moderate"},
                 {"category": "exploit_status", "details": "none", "product_ids": ["el9:curl"]}]},
    {"cve": "CVE-2024-0002",
     "product_status": {"fixed": ["app:curl", "app:curl"], "under_investigation": ["el9:curl"],
                        "known_not_affected": ["unknown-id", "el8:curl", "bad", "el9:nameless"]}},
    {"cve": "CVE-2024-0003", "product_status": {"known_not_affected": ["el9"]}},
    {"ids": [], "product_status": {"known_not_affected": ["el9"]}},
    "not an object"
  ]
})";

VexDocument example() {
  auto document = parseVex(kCsaf, "example.csaf.json");
  EXPECT_TRUE(document) << (document ? "" : document.error().message);
  return document ? std::move(*document) : VexDocument{};
}

TEST(CsafVex, ComponentsOfAReleaseAreSuppressedOnThatReleaseOnly) {
  const auto document = example();
  EXPECT_EQ(document.format, VexFormat::Csaf);
  const auto el9 = rpmSubject("CVE-2024-0001", "openssl", "3.0.7", "24.el9", "9.2");
  EXPECT_EQ(decision(document, el9), "not_affected");
  const VexStatement* statement = decidingStatement(document, el9);
  ASSERT_NE(statement, nullptr);
  EXPECT_EQ(statement->justification, "vulnerable_code_not_present") << "through the group";
  EXPECT_EQ(statement->reason, "Low") << "the impact threat naming the product";
  EXPECT_EQ(statement->timestamp, "2024-05-01T00:00:00Z");
  EXPECT_EQ(statement->status_text, "known_not_affected");
  EXPECT_EQ(statement->index, 1U);
  EXPECT_EQ(decision(document, rpmSubject("CVE-2024-0001", "openssl", "1.1.1k", "9.el8", "8.9")),
            "affected")
      << "EL 8 by its CPE 2.3 name";
  EXPECT_EQ(decision(document, rpmSubject("CVE-2024-0001", "openssl", "3.0.7", "24.el9", "10.0")),
            "-")
      << "another release";
  EXPECT_EQ(decision(document, rpmSubject("CVE-2024-0001", "openssl", "3.0.7", "24.el9", "9.2",
                                          nullptr, "rocky")),
            "-")
      << "a rebuild's packages are not Red Hat's";
  EXPECT_EQ(decision(document, rpmSubject("CVE-2024-0001", "zlib", "1.2.11", "40.el9", "9.2")), "-")
      << "a package the statement does not name";
}

TEST(CsafVex, JustificationsAndReasonsArePerProduct) {
  const auto document = example();
  auto curl = rpmSubject("CVE-2024-0001", "curl", "7.76.1", "26.el9", "9.2");
  const VexStatement* statement = decidingStatement(document, curl);
  ASSERT_NE(statement, nullptr);
  EXPECT_EQ(toString(statement->status), "not_affected");
  EXPECT_EQ(statement->justification, "component_not_present");
  EXPECT_EQ(statement->reason, "Moderate") << "the impact threat that names no product";
  curl.vulnerability_id = "GHSA-none";
  curl.aliases = {"exa-2024-1"};
  EXPECT_EQ(decision(document, curl), "not_affected") << "ids[].text is an alias";
}

TEST(CsafVex, ImagePlatformsAndStatusOrder) {
  const auto document = example();
  model::Target image;
  image.manifest_digest = "sha256:1111";
  image.repo_tags = {"registry.invalid/app:1"};
  // Under investigation on EL 9, fixed in the image: in the image, fixed comes later and wins.
  EXPECT_EQ(
      decision(document, rpmSubject("CVE-2024-0002", "curl", "7.76.1", "26.el9", "9.2", &image)),
      "fixed");
  EXPECT_EQ(decision(document, rpmSubject("CVE-2024-0002", "curl", "7.76.1", "26.el9", "9.2")),
            "under_investigation");
  // The whole release is not affected: every package of it.
  EXPECT_EQ(decision(document, rpmSubject("CVE-2024-0003", "zlib", "1.2.11", "40.el9", "9.4")),
            "not_affected");
  EXPECT_EQ(decision(document, rpmSubject("CVE-2024-0003", "zlib", "1.2.11", "40.el8", "8.9")),
            "-");
}

TEST(CsafVex, BadEntriesAreDiagnostics) {
  const auto document = example();
  std::multiset<std::string> kinds;
  for (const auto& d : document.diagnostics) kinds.insert(d.kind);
  EXPECT_EQ(kinds.count("vex.unknown-justification"), 1U) << "not_a_label";
  EXPECT_EQ(kinds.count("vex.unresolved-product"), 1U)
      << "unknown-id, el8:curl (external_component_of), bad (purl), el9:nameless: one line";
  EXPECT_EQ(kinds.count("vex.bad-purl"), 1U);
  EXPECT_EQ(kinds.count("vex.no-vulnerability"), 1U);
  EXPECT_EQ(kinds.count("vex.malformed-statement"), 1U);
  // Every statement made: vulnerability 1 (known_affected; known_not_affected for three
  // (justification, reason) pairs), 2 (under_investigation, fixed), 3 (known_not_affected).
  EXPECT_EQ(document.statements.size(), 7U);
  // A product named twice in one list is one reference.
  for (const auto& statement : document.statements) {
    const std::set<std::size_t> unique(statement.product_refs.begin(),
                                       statement.product_refs.end());
    EXPECT_EQ(unique.size(), statement.product_refs.size());
  }
}

TEST(CsafVex, OtherCsafCategoriesAndShapesAreErrors) {
  const auto advisory =
      parseVex(R"({"document": {"category": "csaf_security_advisory", "csaf_version": "2.0"}})",
               "rhsa.json");
  ASSERT_FALSE(advisory);
  EXPECT_NE(advisory.error().message.find("csaf_security_advisory"), std::string::npos);
  EXPECT_FALSE(parseVex(R"({"document": {"category": "csaf_vex"}, "vulnerabilities": {}})", "x"));
  // A VEX document with no tree and no vulnerabilities is empty, not an error.
  const auto empty = parseVex(R"({"document": {"category": "csaf_vex"}})", "x");
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->statements.empty());
}

TEST(CpeNamesDistro, ReleasesAndPrefixes) {
  const auto el92 = rpmSubject("CVE-1", "openssl", "3.0.7", "24.el9", "9.2");
  EXPECT_TRUE(cpeNamesDistro("cpe:/o:redhat:enterprise_linux:9::baseos", el92));
  EXPECT_TRUE(cpeNamesDistro("cpe:/a:redhat:enterprise_linux:9::appstream", el92));
  EXPECT_TRUE(cpeNamesDistro("cpe:/o:redhat:enterprise_linux:9.2", el92));
  EXPECT_TRUE(cpeNamesDistro("cpe:/o:redhat:enterprise_linux", el92)) << "no version: any";
  EXPECT_TRUE(cpeNamesDistro("cpe:2.3:o:redhat:enterprise_linux:*:*:*:*:*:*:*:*", el92));
  EXPECT_FALSE(cpeNamesDistro("cpe:/o:redhat:enterprise_linux:9.0", el92));
  EXPECT_FALSE(cpeNamesDistro("cpe:/o:redhat:enterprise_linux:92", el92));
  EXPECT_FALSE(cpeNamesDistro("cpe:/a:redhat:rhel_eus:9.2::baseos", el92));
  EXPECT_FALSE(cpeNamesDistro("cpe:/o:canonical:ubuntu_linux:9.2", el92));
  EXPECT_FALSE(cpeNamesDistro("not a cpe", el92));
  EXPECT_FALSE(cpeNamesDistro("cpe:/", el92));
  auto debian = testing::subjectOf(testing::debianMini(), 0);
  EXPECT_TRUE(cpeNamesDistro("cpe:/o:debian:debian_linux:12", debian));
  EXPECT_FALSE(cpeNamesDistro("cpe:/o:debian:debian_linux:11", debian));
  Subject none;
  EXPECT_FALSE(cpeNamesDistro("cpe:/o:redhat:enterprise_linux:9", none)) << "no distro";
}

// Red Hat's CSAF VEX files (real documents, read in place).
TEST(RedHatCsafVex, SambaNotAffectedOnEveryRhelRelease) {
  const std::string relative = "scan/vulns/rhel/claircore-vex/cve-2023-42670.json";
  BULWARK_REQUIRE_SHARED(relative);
  const auto document = parseVex(readFile(sharedTestdata() / relative), relative);
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_EQ(document->format, VexFormat::Csaf);
  EXPECT_TRUE(document->diagnostics.empty()) << document->diagnostics.front().detail;
  const auto samba = rpmSubject("CVE-2023-42670", "samba", "4.17.5", "102.el9", "9.2");
  const VexStatement* statement = decidingStatement(*document, samba);
  ASSERT_NE(statement, nullptr);
  EXPECT_EQ(toString(statement->status), "not_affected");
  EXPECT_EQ(statement->justification, "vulnerable_code_not_present");
  EXPECT_EQ(statement->reason, "Moderate");
  EXPECT_EQ(decision(*document,
                     rpmSubject("CVE-2023-42670", "libsmbclient", "4.10.16", "25.el7_9", "7.9")),
            "not_affected");
  EXPECT_EQ(decision(*document, rpmSubject("CVE-2023-42670", "openssl", "3.0.7", "24.el9", "9.2")),
            "-");
  EXPECT_EQ(decision(*document, rpmSubject("CVE-2023-44487", "samba", "4.17.5", "102.el9", "9.2")),
            "-")
      << "another CVE";
}

TEST(RedHatCsafVex, CurlFixedOnRhel9AtTheListedBuildNotAffectedOnRhel8) {
  const std::string relative = "scan/vulns/rhel/claircore-vex/cve-2023-38545.json";
  BULWARK_REQUIRE_SHARED(relative);
  const auto document = parseVex(readFile(sharedTestdata() / relative), relative);
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_EQ(
      decision(*document, rpmSubject("CVE-2023-38545", "curl", "7.76.1", "26.el9_3.2", "9.3")),
      "fixed")
      << "BaseOS-9.3.0.Z.MAIN:curl-0:7.76.1-26.el9_3.2.x86_64";
  EXPECT_EQ(
      decision(*document, rpmSubject("CVE-2023-38545", "curl", "7.76.1", "26.el9_3.1", "9.3")), "-")
      << "another build: no statement";
  const auto rhel8 = rpmSubject("CVE-2023-38545", "curl", "7.61.1", "30.el8_8.3", "8.8");
  EXPECT_EQ(decision(*document, rhel8), "not_affected");
  EXPECT_EQ(decidingStatement(*document, rhel8)->justification, "vulnerable_code_not_present");
  EXPECT_EQ(decidingStatement(*document, rhel8)->reason, "Important");
}

}  // namespace
}  // namespace bulwark::match
