// readSbom(): CycloneDX and SPDX JSON from bulwark, Trivy and syft back into an Inventory.
#include "catalog/sbom/sbom_reader.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "pipeline/sbom.h"
#include "report/inventory_report.h"
#include "testdata.h"

namespace {

using bulwark::catalog::readSbom;
using bulwark::catalog::readSbomFile;
using bulwark::core::Diagnostic;
using bulwark::core::Diagnostics;
using bulwark::core::ErrorCode;
using bulwark::model::Inventory;
using bulwark::model::Package;
using bulwark::model::PackageType;
namespace fs = std::filesystem;

Inventory read(std::string_view text, Diagnostics& diagnostics) {
  auto inventory = readSbom(text, "test.json", diagnostics);
  EXPECT_TRUE(inventory.has_value()) << (inventory ? "" : inventory.error().message);
  return inventory ? std::move(*inventory) : Inventory{};
}

const Package* find(const Inventory& inventory, std::string_view name) {
  for (const auto& package : inventory.packages) {
    if (package.name == name) return &package;
  }
  return nullptr;
}

std::size_t countKind(const std::vector<Diagnostic>& diagnostics, std::string_view kind) {
  return static_cast<std::size_t>(std::count_if(
      diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) { return d.kind == kind; }));
}

std::string diagnosticsText(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.kind + " | " + d.where + " | " + d.detail + "\n";
  return out;
}

// bulwark's CycloneDX as Trivy writes it: the epoch only in the purl, sources as properties.
TEST(SbomReader, TrivyCycloneDx) {
  constexpr std::string_view kDoc = R"({
    "bomFormat": "CycloneDX", "specVersion": "1.5",
    "components": [
      {"type": "operating-system", "name": "debian", "version": "12.4"},
      {"type": "library", "name": "libgcc-s1", "version": "12.2.0-14",
       "purl": "pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&epoch=1&distro=debian-12.4",
       "properties": [
         {"name": "aquasecurity:trivy:SrcName", "value": "gcc-12"},
         {"name": "aquasecurity:trivy:SrcRelease", "value": "14"},
         {"name": "aquasecurity:trivy:SrcVersion", "value": "12.2.0"},
         {"name": "aquasecurity:trivy:LayerDigest", "value": "sha256:aa"}]},
      {"type": "library", "name": "tzdata", "version": "2024a-0+deb12u1",
       "purl": "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12.4",
       "supplier": {"name": "GNU Libc Maintainers"},
       "licenses": [{"license": {"id": "MIT"}}, {"expression": "GPL-2.0-only OR MIT"}]}
    ]})";
  Diagnostics diagnostics;
  const auto inventory = read(kDoc, diagnostics);
  EXPECT_EQ(inventory.target.kind, "sbom");
  EXPECT_EQ(inventory.target.name, "test.json");
  EXPECT_EQ(inventory.distro.id, "debian");
  EXPECT_EQ(inventory.distro.version_id, "12.4");
  ASSERT_EQ(inventory.packages.size(), 2U);
  const auto* gcc = find(inventory, "libgcc-s1");
  ASSERT_NE(gcc, nullptr);
  EXPECT_EQ(gcc->type, PackageType::Deb);
  EXPECT_EQ(gcc->epoch, 1U);
  EXPECT_EQ(gcc->version, "12.2.0-14");
  EXPECT_EQ(gcc->fullVersion(), "1:12.2.0-14");
  EXPECT_EQ(gcc->arch, "amd64");
  EXPECT_EQ(gcc->source_name, "gcc-12");
  EXPECT_EQ(gcc->source_version, "12.2.0-14");
  EXPECT_EQ(gcc->location.layer_digest, "sha256:aa");
  const auto* tz = find(inventory, "tzdata");
  ASSERT_NE(tz, nullptr);
  EXPECT_FALSE(tz->epoch.has_value());
  EXPECT_EQ(tz->version, "2024a-0+deb12u1");
  EXPECT_EQ(tz->source_name, "tzdata");  // dpkg's default: the binary itself
  EXPECT_EQ(tz->source_version, "2024a-0+deb12u1");
  EXPECT_EQ(tz->maintainer, "GNU Libc Maintainers");
  EXPECT_EQ(tz->licenses, (std::vector<std::string>{"MIT", "GPL-2.0-only OR MIT"}));
  EXPECT_TRUE(inventory.diagnostics.empty()) << diagnosticsText(inventory.diagnostics);
}

// syft's conventions: the epoch in the version, sources in syft:metadata:* and `upstream`, no
// operating-system component (the distro comes from the qualifiers), nested components.
TEST(SbomReader, SyftStyleApkAndRpmFromQualifiers) {
  constexpr std::string_view kDoc = R"({
    "bomFormat": "CycloneDX", "specVersion": "1.6",
    "components": [
      {"type": "library", "name": "busybox-binsh", "version": "1.36.1-r15",
       "purl": "pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64)"
                                    R"(&upstream=busybox&distro=alpine-3.19.1",
       "components": [
         {"type": "library", "name": "musl", "version": "1.2.4_git20230717-r4",
          "purl": "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=3.19.1",
          "properties": [{"name": "syft:metadata:originPackage", "value": "musl"}]}]},
      {"type": "library", "name": "ssl_client", "version": "1.36.1-r15",
       "purl": "pkg:apk/alpine/ssl_client@1.36.1-r15?distro=alpine-3.19.1"}
    ]})";
  Diagnostics diagnostics;
  const auto inventory = read(kDoc, diagnostics);
  EXPECT_EQ(inventory.distro.id, "alpine");
  EXPECT_EQ(inventory.distro.version_id, "3.19.1");
  ASSERT_EQ(inventory.packages.size(), 3U);
  const auto* binsh = find(inventory, "busybox-binsh");
  ASSERT_NE(binsh, nullptr);
  EXPECT_EQ(binsh->origin, "busybox");
  EXPECT_EQ(binsh->source_name, "busybox");
  EXPECT_EQ(binsh->version, "1.36.1-r15");
  const auto* musl = find(inventory, "musl");
  ASSERT_NE(musl, nullptr);  // nested inside busybox-binsh
  EXPECT_EQ(musl->origin, "musl");
  const auto* ssl = find(inventory, "ssl_client");
  ASSERT_NE(ssl, nullptr);
  EXPECT_EQ(ssl->origin, "");
  EXPECT_EQ(ssl->source_name, "ssl_client");
  EXPECT_EQ(countKind(inventory.diagnostics, "sbom.distro-mismatch"), 0U)
      << diagnosticsText(inventory.diagnostics);

  constexpr std::string_view kRpm = R"({
    "bomFormat": "CycloneDX", "specVersion": "1.4",
    "components": [
      {"type": "library", "name": "openssl-libs", "version": "1:1.1.1k-9.el8_7",
       "supplier": {"name": "Red Hat, Inc."},
       "purl": "pkg:rpm/redhat/openssl-libs@1:1.1.1k-9.el8_7?arch=x86_64&distro=rhel-8.9)"
                                    R"(&upstream=openssl-1.1.1k-9.el8_7.src.rpm",
       "properties": [{"name": "syft:location:0:path", "value": "/var/lib/rpm/rpmdb.sqlite"}]}
    ]})";
  const auto rhel = read(kRpm, diagnostics);
  EXPECT_EQ(rhel.distro.id, "rhel");
  EXPECT_EQ(rhel.distro.version_id, "8.9");
  ASSERT_EQ(rhel.packages.size(), 1U);
  const auto& ssl_libs = rhel.packages.front();
  EXPECT_EQ(ssl_libs.type, PackageType::Rpm);
  EXPECT_EQ(ssl_libs.epoch, 1U);
  EXPECT_EQ(ssl_libs.version, "1.1.1k");
  EXPECT_EQ(ssl_libs.release, "9.el8_7");
  EXPECT_EQ(ssl_libs.fullVersion(), "1:1.1.1k-9.el8_7");
  EXPECT_EQ(ssl_libs.source_name, "openssl");
  EXPECT_EQ(ssl_libs.source_version, "1.1.1k-9.el8_7");
  EXPECT_EQ(ssl_libs.vendor, "Red Hat, Inc.");
  EXPECT_EQ(ssl_libs.location.path, "var/lib/rpm/rpmdb.sqlite");
}

// Trivy's names for distributions map to os-release ids; "2 (Karoo)" is release 2.
TEST(SbomReader, TrivyDistroNames) {
  constexpr std::string_view kDoc = R"json({
    "bomFormat": "CycloneDX", "specVersion": "1.5",
    "components": [
      {"type": "operating-system", "name": "amazon", "version": "2 (Karoo)"},
      {"type": "library", "name": "curl", "version": "8.3.0-1.amzn2.0.4",
       "purl": "pkg:rpm/amazon/curl@8.3.0-1.amzn2.0.4?arch=x86_64&distro=amazon-2%20%28Karoo%29",
       "properties": [
         {"name": "aquasecurity:trivy:SrcName", "value": "curl"},
         {"name": "aquasecurity:trivy:SrcEpoch", "value": "0"},
         {"name": "aquasecurity:trivy:SrcVersion", "value": "8.3.0"},
         {"name": "aquasecurity:trivy:SrcRelease", "value": "1.amzn2.0.4"}]}
    ]})json";
  Diagnostics diagnostics;
  const auto amazon = read(kDoc, diagnostics);
  EXPECT_EQ(amazon.distro.id, "amzn");
  EXPECT_EQ(amazon.distro.version_id, "2");
  ASSERT_EQ(amazon.packages.size(), 1U);
  EXPECT_EQ(amazon.packages.front().version, "8.3.0");
  EXPECT_EQ(amazon.packages.front().release, "1.amzn2.0.4");
  EXPECT_EQ(amazon.packages.front().source_name, "curl");
  EXPECT_EQ(amazon.packages.front().source_version, "8.3.0-1.amzn2.0.4");
  EXPECT_TRUE(amazon.diagnostics.empty()) << diagnosticsText(amazon.diagnostics);

  constexpr std::string_view kRedHat = R"({
    "bomFormat": "CycloneDX", "specVersion": "1.5",
    "components": [
      {"type": "operating-system", "name": "redhat", "version": "8.9"},
      {"type": "library", "name": "bash", "version": "4.4.20-4.el8_6",
       "purl": "pkg:rpm/redhat/bash@4.4.20-4.el8_6?arch=x86_64&distro=redhat-8.9"}
    ]})";
  Diagnostics more;
  const auto rhel = read(kRedHat, more);
  EXPECT_EQ(rhel.distro.id, "rhel");
  EXPECT_EQ(rhel.distro.version_id, "8.9");
  EXPECT_TRUE(rhel.diagnostics.empty()) << diagnosticsText(rhel.diagnostics);
}

// Nothing is dropped silently: no purl, types bulwark does not match, distro disagreement,
// version disagreement, nesting too deep.
TEST(SbomReader, OddComponentsBecomeDiagnostics) {
  std::string nested = R"({"type": "library", "name": "deep", "version": "1",
                          "purl": "pkg:deb/debian/deep@1?distro=debian-12"})";
  for (int i = 0; i < bulwark::catalog::kMaxSbomNesting + 5; ++i) {
    nested = R"({"type": "library", "name": "n)" + std::to_string(i) + R"(", "components": [)" +
             nested + "]}";
  }
  const std::string doc = R"({
    "bomFormat": "CycloneDX", "specVersion": "1.5",
    "components": [
      {"type": "operating-system", "name": "debian", "version": "12"},
      {"type": "library", "name": "no-purl", "version": "1.0"},
      {"type": "library", "name": "phoenix", "version": "1.7.0", "purl": "pkg:hex/phoenix@1.7.0"},
      {"type": "library", "name": "http", "version": "1", "purl": "pkg:pub/http@1"},
      {"type": "library", "name": "plug", "version": "1", "purl": "pkg:hex/plug@1"},
      {"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"},
      {"type": "library", "name": "zlib1g", "version": "1:1.2.11",
       "purl": "pkg:deb/ubuntu/zlib1g@1.2.13?distro=ubuntu-22.04"},
      {"type": "library", "name": "bad", "purl": "pkg:deb/debian/bad@1%G0"},
      {"type": "library", "name": "noversion", "purl": "pkg:deb/debian/noversion"},
      42,
      )" + nested + R"(
    ]})";
  Diagnostics diagnostics;
  const auto inventory = read(doc, diagnostics);
  const auto& d = inventory.diagnostics;
  EXPECT_EQ(countKind(d, "sbom.no-purl"),
            1U + static_cast<std::size_t>(bulwark::catalog::kMaxSbomNesting))
      << diagnosticsText(d);
  EXPECT_EQ(countKind(d, "sbom.unsupported-type"), 2U);  // one line per purl type
  const auto hex = std::find_if(d.begin(), d.end(), [](const Diagnostic& x) {
    return x.kind == "sbom.unsupported-type" && x.detail.find("'hex'") != std::string::npos;
  });
  ASSERT_NE(hex, d.end());
  EXPECT_EQ(hex->detail.rfind("2 component(s)", 0), 0U) << hex->detail;
  EXPECT_EQ(countKind(d, "sbom.distro-mismatch"), 1U);
  EXPECT_EQ(countKind(d, "sbom.version-mismatch"), 1U);
  EXPECT_EQ(countKind(d, "sbom.bad-purl"), 1U);
  EXPECT_EQ(countKind(d, "sbom.no-version"), 1U);
  EXPECT_EQ(countKind(d, "sbom.malformed"), 1U);
  EXPECT_EQ(countKind(d, "sbom.too-deep"), 1U);
  EXPECT_EQ(inventory.distro.id, "debian");  // the operating-system component wins
  ASSERT_EQ(inventory.packages.size(), 2U);
  EXPECT_EQ(inventory.packages.front().name, "zlib1g");
  EXPECT_EQ(inventory.packages.front().version, "1.2.13");  // the purl wins
  EXPECT_EQ(inventory.packages.back().type, PackageType::Npm);
  EXPECT_EQ(inventory.packages.back().name, "left-pad");
  EXPECT_EQ(find(inventory, "deep"), nullptr);
}

TEST(SbomReader, TrivySpdx) {
  constexpr std::string_view kDoc = R"({
    "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT",
    "creationInfo": {"creators": ["Organization: aquasecurity", "Tool: trivy-0.50.1"]},
    "packages": [
      {"name": "alpine:3.19", "SPDXID": "SPDXRef-ContainerImage-1",
       "primaryPackagePurpose": "CONTAINER",
       "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                         "referenceLocator": "pkg:oci/alpine@sha256%3Aabc"}]},
      {"name": "alpine", "SPDXID": "SPDXRef-OperatingSystem-1", "versionInfo": "3.19.1",
       "primaryPackagePurpose": "OPERATING-SYSTEM"},
      {"name": "libcrypto3", "SPDXID": "SPDXRef-Package-1", "versionInfo": "3.1.4-r5",
       "supplier": "NOASSERTION", "sourceInfo": "built package from: openssl 3.1.4-r5",
       "licenseDeclared": "Apache-2.0",
       "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                         "referenceLocator":
                           "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=3.19.1"}],
       "annotations": [{"comment": "LayerDigest: sha256:bb"}]},
      {"name": "Gemfile.lock", "SPDXID": "SPDXRef-Application-1",
       "primaryPackagePurpose": "APPLICATION"}
    ],
    "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                       "relatedSpdxElement": "SPDXRef-ContainerImage-1"}]})";
  Diagnostics diagnostics;
  const auto inventory = read(kDoc, diagnostics);
  EXPECT_EQ(inventory.distro.id, "alpine");
  EXPECT_EQ(inventory.distro.version_id, "3.19.1");
  ASSERT_EQ(inventory.packages.size(), 1U);
  const auto& crypto = inventory.packages.front();
  EXPECT_EQ(crypto.type, PackageType::Apk);
  EXPECT_EQ(crypto.origin, "openssl");
  EXPECT_EQ(crypto.source_name, "openssl");
  EXPECT_EQ(crypto.source_version, "3.1.4-r5");
  EXPECT_EQ(crypto.maintainer, "");
  EXPECT_EQ(crypto.licenses, std::vector<std::string>{"Apache-2.0"});
  EXPECT_EQ(crypto.location.layer_digest, "sha256:bb");
  // The described image is the subject, not a component; Gemfile.lock has no purl.
  EXPECT_EQ(countKind(inventory.diagnostics, "sbom.unsupported-type"), 0U);
  EXPECT_EQ(countKind(inventory.diagnostics, "sbom.no-purl"), 1U)
      << diagnosticsText(inventory.diagnostics);
}

TEST(SbomReader, UnusableDocumentsAreErrors) {
  struct Case {
    std::string_view text;
    std::string_view says;
  };
  for (const auto& [text, says] : std::initializer_list<Case>{
           {"", "not a JSON document"},
           {"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"/>", "XML"},
           {"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n", "tag-value"},
           {"{\"bomFormat\": \"CycloneDX\", ", "invalid JSON"},
           {"{\"hello\": 1}", "neither CycloneDX"},
           {"[1, 2]", "not a JSON document"},
           {R"({"bomFormat": "CycloneDX", "specVersion": "1.1"})", "CycloneDX 1.1"},
           {R"({"spdxVersion": "SPDX-3.0"})", "SPDX-3.0"},
       }) {
    Diagnostics diagnostics;
    const auto result = readSbom(text, "bad.json", diagnostics);
    ASSERT_FALSE(result.has_value()) << text;
    EXPECT_EQ(result.error().code, ErrorCode::Input) << text;
    EXPECT_NE(result.error().message.find("bad.json"), std::string::npos) << result.error().message;
    EXPECT_NE(result.error().message.find(says), std::string::npos) << result.error().message;
  }
  Diagnostics diagnostics;
  const auto missing = readSbomFile("/nonexistent/sbom.json", diagnostics);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

// A Trivy image SBOM (Debian 10.2 with Ruby gems) from Trivy's integration goldens.
TEST(SbomReader, TrivyIntegrationGolden) {
  const fs::path relative =
      "scan/expected/trivy-integration/fluentd-multiple-lockfiles.cdx.json.golden";
  BULWARK_REQUIRE_SHARED(relative);
  Diagnostics diagnostics;
  auto inventory = readSbomFile(bulwark::testing::sharedTestdata() / relative, diagnostics);
  ASSERT_TRUE(inventory.has_value()) << inventory.error().message;
  EXPECT_EQ(inventory->distro.id, "debian");
  EXPECT_EQ(inventory->distro.version_id, "10.2");
  EXPECT_EQ(inventory->packages.size(), 105U + 55U);  // dpkg packages and gems
  const auto* base = find(*inventory, "base-files");
  ASSERT_NE(base, nullptr);
  EXPECT_EQ(base->version, "10.3+deb10u2");  // percent-decoded from the purl
  EXPECT_EQ(base->arch, "amd64");
  EXPECT_EQ(base->location.layer_digest,
            "sha256:000eee12ec04cc914bf96e8f5dee7767510c2aca3816af6078bd9fbe3150920c");
  const auto* bash = find(*inventory, "bash");
  ASSERT_NE(bash, nullptr);  // the package of Trivy's finding CVE-2019-18276 in the JSON golden
  EXPECT_EQ(bash->fullVersion(), "5.0-4");
  for (const auto& package : inventory->packages) {
    if (package.type == PackageType::Gem) continue;
    EXPECT_EQ(package.type, PackageType::Deb);
    EXPECT_FALSE(package.source_name.empty()) << package.name;
    EXPECT_FALSE(package.source_version.empty()) << package.name;
  }
  const auto* libgcc = find(*inventory, "libgcc1");
  ASSERT_NE(libgcc, nullptr);
  EXPECT_EQ(libgcc->fullVersion(), "1:8.3.0-6");
  EXPECT_EQ(libgcc->source_name, "gcc-8");
  // The 55 gems are read as RubyGems packages, with the path of the gemspec Trivy found.
  EXPECT_EQ(std::count_if(inventory->packages.begin(), inventory->packages.end(),
                          [](const auto& p) { return p.type == PackageType::Gem; }),
            55);
  const auto& d = inventory->diagnostics;
  EXPECT_EQ(countKind(d, "sbom.unsupported-type"), 0U) << diagnosticsText(d);
}

// Every SBOM among Trivy's goldens is read without an error.
TEST(SbomReader, EveryTrivyGoldenSbomReads) {
  const fs::path dir = bulwark::testing::sharedTestdata() / "scan/expected/trivy-integration";
  BULWARK_REQUIRE_SHARED("scan/expected/trivy-integration");
  int read_count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find("cdx") == std::string::npos && name.find("cyclonedx") == std::string::npos &&
        name.find("spdx") == std::string::npos) {
      continue;
    }
    Diagnostics diagnostics;
    const auto inventory = readSbomFile(entry.path(), diagnostics);
    ASSERT_TRUE(inventory.has_value()) << name << ": " << inventory.error().message;
    // Every document yields packages (npm, Maven, gems, ...) or counts what bulwark cannot
    // match (conda, julia): nothing is lost silently.
    EXPECT_TRUE(!inventory->packages.empty() ||
                countKind(inventory->diagnostics, "sbom.unsupported-type") >= 1U)
        << name;
    ++read_count;
  }
  EXPECT_GE(read_count, 8);
}

// bulwark's own CycloneDX and SPDX of debian-mini read back into the inventory they came from.
class OwnDocuments : public ::testing::TestWithParam<bulwark::report::Format> {};

TEST_P(OwnDocuments, RoundTripToTheSameInventory) {
  const std::string rootfs = (bulwark::testing::fixtures() / "rootfs/debian-mini").string();
  auto original = bulwark::pipeline::buildInventory(rootfs, {});
  ASSERT_TRUE(original.has_value()) << original.error().message;
  bulwark::report::RenderOptions options;
  options.tool_version = "test";
  options.timestamp = "2024-01-01T00:00:00Z";
  const std::string document = bulwark::report::render(*original, GetParam(), options);
  Diagnostics diagnostics;
  const auto back = read(document, diagnostics);
  EXPECT_TRUE(back.diagnostics.empty()) << diagnosticsText(back.diagnostics);
  EXPECT_EQ(back.distro.id, original->distro.id);
  EXPECT_EQ(back.distro.version_id, original->distro.version_id);
  ASSERT_EQ(back.packages.size(), original->packages.size());
  for (std::size_t i = 0; i < back.packages.size(); ++i) {
    const auto& a = original->packages[i];
    const auto& b = back.packages[i];
    EXPECT_EQ(b.type, a.type) << a.name;
    EXPECT_EQ(b.name, a.name);
    EXPECT_EQ(b.epoch, a.epoch) << a.name;
    EXPECT_EQ(b.version, a.version) << a.name;
    EXPECT_EQ(b.release, a.release) << a.name;
    EXPECT_EQ(b.arch, a.arch) << a.name;
    EXPECT_EQ(b.source_name, a.source_name) << a.name;
    EXPECT_EQ(b.source_version, a.source_version) << a.name;
    EXPECT_EQ(b.origin, a.origin) << a.name;
    EXPECT_EQ(b.maintainer, a.maintainer) << a.name;
    EXPECT_EQ(b.location, a.location) << a.name;
    if (GetParam() == bulwark::report::Format::CycloneDx) {
      EXPECT_EQ(b.licenses, a.licenses) << a.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, OwnDocuments,
                         ::testing::Values(bulwark::report::Format::CycloneDx,
                                           bulwark::report::Format::Spdx));

}  // namespace
