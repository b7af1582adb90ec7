// OVAL feeds (src/vulndb/feeds/oval): the real Ubuntu, Debian, Red Hat and Mariner/Azure Linux
// files of ../shared/testdata/scan/vulns, each checked against definitions read by hand (the
// definition id is quoted with each check), plus damaged variants of them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testdata.h"
#include "vulndb/feeds/oval/oval.h"

namespace bulwark::vulndb::feeds {
namespace {

using model::Advisory;
using model::AffectedPackage;
using model::AffectedStatus;
using model::RangeEvent;

struct Parsed {
  core::Result<OvalSummary> summary;
  std::vector<Advisory> advisories;
  std::vector<core::Diagnostic> diagnostics;

  const Advisory* find(std::string_view id) const {
    for (const auto& advisory : advisories) {
      if (advisory.id == id) return &advisory;
    }
    return nullptr;
  }
  std::size_t count(std::string_view kind) const {
    return static_cast<std::size_t>(std::count_if(diagnostics.begin(), diagnostics.end(),
                                                  [&](const auto& d) { return d.kind == kind; }));
  }
};

Parsed parseBytes(std::string_view bytes, std::string_view where) {
  Parsed out{.summary = OvalSummary{}};
  core::Diagnostics diagnostics;
  const auto start = std::chrono::steady_clock::now();
  out.summary = parseOvalDocument(
      bytes, where, [&](Advisory&& advisory) { out.advisories.push_back(std::move(advisory)); },
      diagnostics);
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (out.summary && seconds > 0) {
    std::printf("[ oval     ] %s: %zu definitions in %.3f s (%.0f definitions/s)\n",
                std::string(where).c_str(), out.summary->definitions, seconds,
                static_cast<double>(out.summary->definitions) / seconds);
  }
  out.diagnostics = diagnostics.sorted();
  return out;
}

std::string vulns(std::string_view relative) {
  return (bulwark::testing::sharedTestdata() / "scan/vulns" / relative).string();
}

Parsed parseShared(std::string_view relative) {
  const std::string path = vulns(relative);
  return parseBytes(bulwark::testing::readFile(path), path);
}

const AffectedPackage* package(const Advisory& advisory, std::string_view name,
                               std::string_view ecosystem) {
  for (const auto& p : advisory.affected) {
    if (p.name == name && p.ecosystem == ecosystem) return &p;
  }
  return nullptr;
}

std::vector<RangeEvent> events(const AffectedPackage& p) {
  return p.ranges.empty() ? std::vector<RangeEvent>{} : p.ranges.front().events;
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

TEST(OvalUbuntu, BionicCveOval) {
  BULWARK_REQUIRE_SHARED("scan/vulns/ubuntu/oval/com.ubuntu.bionic.cve.oval.xml.bz2");
  const auto parsed = parseShared("ubuntu/oval/com.ubuntu.bionic.cve.oval.xml.bz2");
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  EXPECT_EQ(parsed.summary->definitions, 13430U);  // 1 inventory + 13,429 vulnerability
  EXPECT_EQ(parsed.summary->vulnerability_definitions, 13429U);
  EXPECT_EQ(parsed.summary->used_definitions, 13429U);
  EXPECT_EQ(parsed.advisories.size(), parsed.summary->advisories);
  EXPECT_EQ(parsed.advisories.size(), 13428U);  // two definitions name the same CVE
  EXPECT_TRUE(parsed.diagnostics.empty());
  EXPECT_TRUE(std::is_sorted(parsed.advisories.begin(), parsed.advisories.end(),
                             [](const auto& a, const auto& b) { return a.id < b.id; }));

  // oval:com.ubuntu.bionic:def:200224390000000: gcc-4.8 (var 200224390000000 lists its
  // binaries) is fixed in 0:4.8.2-19ubuntu1 (ste:200224390000000, "less than"); gcc-h8300-hms
  // (tst:200224390000020, no state) is affected with no fix. Priority Low.
  const Advisory* cve = parsed.find("CVE-2002-2439");
  ASSERT_NE(cve, nullptr);
  EXPECT_EQ(cve->source, "ubuntu-oval");
  EXPECT_EQ(cve->published, "2015-02-23");
  EXPECT_EQ(cve->modified, "2021-08-31T04:30:17Z");
  EXPECT_TRUE(contains(cve->references, "http://gcc.gnu.org/bugzilla/show_bug.cgi?id=19351"));
  EXPECT_TRUE(
      contains(cve->references, "https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2002-2439"));
  const auto* gcc = package(*cve, "gcc-4.8", "ubuntu:18.04");
  ASSERT_NE(gcc, nullptr);
  EXPECT_EQ(gcc->status, AffectedStatus::Fixed);
  EXPECT_EQ(gcc->fixed_version, "4.8.2-19ubuntu1");
  EXPECT_EQ(gcc->urgency, "Low");
  EXPECT_EQ(gcc->severity, model::Severity::Low);
  EXPECT_EQ(events(*gcc), (std::vector<RangeEvent>{{RangeEvent::Kind::Introduced, "0"},
                                                   {RangeEvent::Kind::Fixed, "4.8.2-19ubuntu1"}}));
  ASSERT_NE(package(*cve, "g++-4.8", "ubuntu:18.04"), nullptr);  // another binary of the var
  const auto* h8300 = package(*cve, "gcc-h8300-hms", "ubuntu:18.04");
  ASSERT_NE(h8300, nullptr);
  EXPECT_EQ(h8300->status, AffectedStatus::Affected);
  EXPECT_TRUE(h8300->fixed_version.empty());
  EXPECT_EQ(events(*h8300), (std::vector<RangeEvent>{{RangeEvent::Kind::Introduced, "0"}}));

  // oval:com.ubuntu.bionic:def:200702550000000: xine-ui, "needs fixing", priority Untriaged.
  const Advisory* xine = parsed.find("CVE-2007-0255");
  ASSERT_NE(xine, nullptr);
  ASSERT_FALSE(xine->affected.empty());
  for (const auto& p : xine->affected) {
    EXPECT_EQ(p.status, AffectedStatus::Affected);
    EXPECT_EQ(p.urgency, "Untriaged");
    EXPECT_EQ(p.severity, model::Severity::Unknown);
  }
  EXPECT_EQ(xine->published, "2007-01-16T23:28:00Z");
}

TEST(OvalDebian, JessieWithStrayMarkupAndCrlf) {
  BULWARK_REQUIRE_SHARED("scan/vulns/debian/oval/oval-definitions-jessie.xml");
  const auto parsed = parseShared("debian/oval/oval-definitions-jessie.xml");
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  EXPECT_EQ(parsed.summary->definitions, 946U);  // SOURCES-distro.md: 946 definitions
  EXPECT_EQ(parsed.summary->used_definitions, 946U);
  EXPECT_EQ(parsed.advisories.size(), 946U);
  EXPECT_TRUE(parsed.diagnostics.empty());  // the stray markup is tolerated, nothing dropped
  std::vector<std::string> packages;
  for (const auto& advisory : parsed.advisories) {
    for (const auto& p : advisory.affected) {
      EXPECT_EQ(p.ecosystem, "debian:8");
      if (!contains(packages, p.name)) packages.push_back(p.name);
    }
  }
  // SOURCES-distro.md counts 399 <product> names; the tests' objects name 394 packages (a
  // definition's <product> can differ from the package its test checks, see below).
  EXPECT_EQ(packages.size(), 394U);

  // oval:org.debian:def:20142983: <product>drupal6</product>, but tst:100 checks drupal7.
  const Advisory* drupal = parsed.find("CVE-2014-2983");
  ASSERT_NE(drupal, nullptr);
  ASSERT_EQ(drupal->affected.size(), 1U);
  EXPECT_EQ(drupal->affected[0].name, "drupal7");
  EXPECT_EQ(drupal->affected[0].fixed_version, "7.27-1");

  // oval:org.debian:def:20093555: pound less than 0:2.6-6+deb8u1 (tst:3 → obj:3, ste:2).
  const Advisory* pound = parsed.find("CVE-2009-3555");
  ASSERT_NE(pound, nullptr);
  EXPECT_EQ(pound->source, "debian-oval");
  EXPECT_EQ(pound->published, "2015-05-07");
  ASSERT_EQ(pound->affected.size(), 1U);
  EXPECT_EQ(pound->affected[0].name, "pound");
  EXPECT_EQ(pound->affected[0].status, AffectedStatus::Fixed);
  EXPECT_EQ(pound->affected[0].fixed_version, "2.6-6+deb8u1");
  EXPECT_NE(pound->details.find("DSA-3253"), std::string::npos);

  // oval:org.debian:def:20149031: the first raw `<url "…" />` (line 3330); the text is kept.
  const Advisory* wordpress = parsed.find("CVE-2014-9031");
  ASSERT_NE(wordpress, nullptr);
  ASSERT_EQ(wordpress->affected.size(), 1U);
  EXPECT_EQ(wordpress->affected[0].name, "wordpress");
  EXPECT_EQ(wordpress->affected[0].fixed_version, "4.0.1+dfsg-1");
  EXPECT_NE(
      wordpress->details.find("<url \"https://wordpress.org/news/2014/11/wordpress-4-0-1/\" />"),
      std::string::npos);
  EXPECT_EQ(wordpress->details.find('\r'), std::string::npos);  // CRLF normalised

  // oval:org.debian:def:20157940: an unclosed <br> in the DSA text.
  const Advisory* bouncy = parsed.find("CVE-2015-7940");
  ASSERT_NE(bouncy, nullptr);
  ASSERT_EQ(bouncy->affected.size(), 1U);
  EXPECT_EQ(bouncy->affected[0].name, "bouncycastle");
  EXPECT_EQ(bouncy->affected[0].fixed_version, "1.49+dfsg-3+deb8u1");
  EXPECT_NE(bouncy->details.find("<br>"), std::string::npos);
}

TEST(OvalRedHat, Rhel8PatchDefinitions) {
  BULWARK_REQUIRE_SHARED("scan/vulns/rhel/clair-v2/rhel-8.oval.xml");
  const auto parsed = parseShared("rhel/clair-v2/rhel-8.oval.xml");
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  EXPECT_EQ(parsed.summary->definitions, 181U);  // SOURCES-distro.md: 181 patch definitions
  EXPECT_EQ(parsed.advisories.size(), 181U);
  EXPECT_TRUE(parsed.diagnostics.empty());

  // oval:com.redhat.rhba:def:20194268: module idm:DL1 (tst:20194268065 → obj:20194268033
  // /etc/dnf/modules.d/idm.module, ste:20194268016 "stream\s*=\s*DL1\b"); softhsm-devel less
  // than 0:2.4.0-2.module+el8.1.0+4098+f286395e on aarch64|ppc64le|s390x|x86_64.
  const Advisory* rhba = parsed.find("RHBA-2019:4268");
  ASSERT_NE(rhba, nullptr);
  EXPECT_EQ(rhba->source, "redhat-oval");
  EXPECT_EQ(rhba->aliases, (std::vector<std::string>{"CVE-2019-10195", "CVE-2019-14867"}));
  EXPECT_EQ(rhba->published, "2019-12-17");
  EXPECT_TRUE(contains(rhba->references, "https://access.redhat.com/errata/RHBA-2019:4268"));
  const auto* softhsm = package(*rhba, "softhsm-devel", "rhel:8");
  ASSERT_NE(softhsm, nullptr);
  EXPECT_EQ(softhsm->module_stream, "idm:DL1");
  EXPECT_EQ(softhsm->status, AffectedStatus::Fixed);
  EXPECT_EQ(softhsm->fixed_version, "2.4.0-2.module+el8.1.0+4098+f286395e");
  EXPECT_EQ(softhsm->arches, (std::vector<std::string>{"aarch64", "ppc64le", "s390x", "x86_64"}));
  EXPECT_EQ(softhsm->urgency, "None");
  EXPECT_EQ(rhba->affected.size(), 32U);  // 32 "is earlier than" criteria, one per package

  // oval:com.redhat.rhea:def:20200330: an epoch other than 0 is kept.
  const Advisory* rhea = parsed.find("RHEA-2020:0330");
  ASSERT_NE(rhea, nullptr);
  const auto* npm = package(*rhea, "npm", "rhel:8");
  ASSERT_NE(npm, nullptr);
  EXPECT_EQ(npm->module_stream, "nodejs:12");
  EXPECT_EQ(npm->fixed_version, "1:6.13.4-1.12.14.1.1.module+el8.1.0+5466+30f75629");

  // oval:com.redhat.rhsa:def:20190966: no module; firefox-debugsource < 0:60.6.1-1.el8.
  const Advisory* rhsa = parsed.find("RHSA-2019:0966");
  ASSERT_NE(rhsa, nullptr);
  EXPECT_TRUE(contains(rhsa->aliases, "CVE-2019-9788"));
  const auto* firefox = package(*rhsa, "firefox-debugsource", "rhel:8");
  ASSERT_NE(firefox, nullptr);
  EXPECT_TRUE(firefox->module_stream.empty());
  EXPECT_EQ(firefox->fixed_version, "60.6.1-1.el8");
  EXPECT_EQ(firefox->severity, model::Severity::Critical);
}

TEST(OvalRedHat, UnpatchedStreamsBz2) {
  BULWARK_REQUIRE_SHARED("scan/vulns/rhel/vuln-list-update/oval/RHEL6");
  const auto parsed = parseShared(
      "rhel/vuln-list-update/oval/RHEL6/rhel-6-extras-including-unpatched.oval.xml.bz2");
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  EXPECT_EQ(parsed.summary->definitions, 6U);
  // oval:com.redhat.cve:def:20143209: "ldns is installed" (no evr state) → affected, no fix;
  // the release comes from the redhat-release check (rpmverifyfile_state version "^6[^\d]").
  const Advisory* ldns = parsed.find("CVE-2014-3209");
  ASSERT_NE(ldns, nullptr);
  const auto* p = package(*ldns, "ldns", "rhel:6");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->status, AffectedStatus::Affected);
  EXPECT_TRUE(p->fixed_version.empty());
  // oval:com.redhat.unaffected:def:20165391: "libreswan is installed" AND "libreswan is not
  // installed" (tst:20165391002, check_existence none_exist) → not affected.
  const Advisory* libreswan = parsed.find("CVE-2016-5391");
  ASSERT_NE(libreswan, nullptr);
  const auto* q = package(*libreswan, "libreswan", "rhel:6");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->status, AffectedStatus::NotAffected);
  EXPECT_TRUE(q->ranges.empty());

  for (const auto* file : {"RHEL7/dotnet-3.1-including-unpatched.oval.xml.bz2",
                           "RHEL8/ansible-2-including-unpatched.oval.xml.bz2"}) {
    const auto more = parseShared(std::string("rhel/vuln-list-update/oval/") + file);
    ASSERT_TRUE(more.summary) << file;
    EXPECT_GT(more.advisories.size(), 2U) << file;
    EXPECT_TRUE(more.diagnostics.empty()) << file;
  }
}

TEST(OvalMariner, Mariner2) {
  BULWARK_REQUIRE_SHARED("scan/vulns/mariner/oval/cbl-mariner-2.0-oval.xml");
  const auto parsed = parseShared("mariner/oval/cbl-mariner-2.0-oval.xml");
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  EXPECT_EQ(parsed.summary->definitions, 2436U);  // SOURCES-distro.md: 2436 definitions
  EXPECT_EQ(parsed.advisories.size(), 2185U);     // definitions of one CVE merge
  EXPECT_TRUE(parsed.diagnostics.empty());
  std::vector<std::string> names;
  for (const auto& advisory : parsed.advisories) {
    for (const auto& p : advisory.affected) {
      EXPECT_EQ(p.ecosystem, "mariner:2.0");
      if (!contains(names, p.name)) names.push_back(p.name);
    }
  }
  EXPECT_EQ(names.size(), 366U);  // SOURCES-distro.md: 366 package names

  // oval:com.microsoft.cbl-mariner:def:7357: finger less than 0:0.17-4.cm2.
  const Advisory* finger = parsed.find("CVE-1999-0150");
  ASSERT_NE(finger, nullptr);
  EXPECT_EQ(finger->source, "mariner-oval");
  ASSERT_EQ(finger->affected.size(), 1U);
  EXPECT_EQ(finger->affected[0].fixed_version, "0.17-4.cm2");
  EXPECT_EQ(finger->affected[0].severity, model::Severity::High);
  // CVE-1999-0163: sendmail "less than or equal" 0:8.15.2-46.cm2, <patchable>false</patchable>
  // → affected up to and including that version, no fix.
  const Advisory* sendmail = parsed.find("CVE-1999-0163");
  ASSERT_NE(sendmail, nullptr);
  ASSERT_EQ(sendmail->affected.size(), 1U);
  EXPECT_EQ(sendmail->affected[0].status, AffectedStatus::Affected);
  EXPECT_EQ(events(sendmail->affected[0]),
            (std::vector<RangeEvent>{{RangeEvent::Kind::Introduced, "0"},
                                     {RangeEvent::Kind::LastAffected, "8.15.2-46.cm2"}}));
  // CVE-1999-0145: the same criterion, but <patchable>Not Applicable</patchable> ("no longer is
  // or was never applicable"): not affected, whatever the criterion says.
  const Advisory* not_applicable = parsed.find("CVE-1999-0145");
  ASSERT_NE(not_applicable, nullptr);
  ASSERT_EQ(not_applicable->affected.size(), 1U);
  EXPECT_EQ(not_applicable->affected[0].status, AffectedStatus::NotAffected);
}

TEST(OvalMariner, AzureLinux3) {
  BULWARK_REQUIRE_SHARED("scan/vulns/mariner/oval/azurelinux-3.0-oval.xml");
  const auto parsed = parseShared("mariner/oval/azurelinux-3.0-oval.xml");
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  EXPECT_EQ(parsed.summary->definitions, 2266U);
  EXPECT_EQ(parsed.advisories.size(), 1886U);
  EXPECT_TRUE(parsed.diagnostics.empty());
  // oval:com.microsoft.azurelinux:def:36961: mailx less than 0:12.5-36.azl3.
  const Advisory* mailx = parsed.find("CVE-2004-2771");
  ASSERT_NE(mailx, nullptr);
  const auto* p = package(*mailx, "mailx", "azurelinux:3.0");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->fixed_version, "12.5-36.azl3");
  EXPECT_EQ(mailx->published, "2024-04-03T00:40:51Z");
}

TEST(OvalMariner, TruncatedTestInputs) {
  BULWARK_REQUIRE_SHARED("scan/vulns/mariner/vunnel/mariner-truncated-2.0-oval.xml");
  // oval:com.microsoft.cbl-mariner:def:44771: golang "greater than" 0:1.19.0.cm2 AND "less
  // than" 0:1.20.7-1.cm2 in one AND → one range.
  const auto mariner = parseShared("mariner/vunnel/mariner-truncated-2.0-oval.xml");
  ASSERT_TRUE(mariner.summary);
  EXPECT_EQ(mariner.summary->definitions, 5U);
  const Advisory* golang = mariner.find("CVE-2023-29404");
  ASSERT_NE(golang, nullptr);
  ASSERT_EQ(golang->affected.size(), 1U);
  EXPECT_EQ(golang->affected[0].ecosystem, "mariner:2.0");
  EXPECT_EQ(events(golang->affected[0]),
            (std::vector<RangeEvent>{{RangeEvent::Kind::Introduced, "1.19.0.cm2"},
                                     {RangeEvent::Kind::Fixed, "1.20.7-1.cm2"}}));

  const auto azure = parseShared("mariner/vunnel/azure-linux-truncated-3.0-oval.xml");
  ASSERT_TRUE(azure.summary);
  EXPECT_EQ(azure.summary->definitions, 3U);
  ASSERT_NE(azure.find("CVE-2020-27304"), nullptr);
  EXPECT_EQ(azure.find("CVE-2020-27304")->affected.at(0).ecosystem, "azurelinux:3.0");

  const auto v1 = parseShared("mariner/vuln-list-update/cbl-mariner-1.0-oval.xml");
  ASSERT_TRUE(v1.summary);
  EXPECT_EQ(v1.advisories.size(), 3U);
  ASSERT_NE(v1.find("CVE-2021-35942"), nullptr);
  EXPECT_EQ(v1.find("CVE-2021-35942")->affected.at(0).ecosystem, "mariner:1.0");
  EXPECT_EQ(v1.find("CVE-2021-35942")->affected.at(0).fixed_version, "2.28-19.cm1");

  const auto preview = parseShared("mariner/vuln-list-update/cbl-mariner-2.0-preview-oval.xml");
  ASSERT_TRUE(preview.summary);
  EXPECT_EQ(preview.summary->definitions, 5U);
  const auto azl = parseShared("mariner/vuln-list-update/azurelinux-3.0-oval.xml");
  ASSERT_TRUE(azl.summary);
  EXPECT_EQ(azl.advisories.size(), 2U);
}

// The fuzz seeds (tests/fuzz/corpus/feed_oval_fuzz, written by hand) double as small fixtures.
std::string seed(std::string_view name) {
  return bulwark::testing::readFile(bulwark::testing::sourceDir() /
                                    "tests/fuzz/corpus/feed_oval_fuzz" / name);
}

TEST(OvalSeeds, RedHatModuleSignatureAndUnaffected) {
  const auto parsed = parseBytes(seed("redhat-module.xml"), "redhat-module.xml");
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  ASSERT_EQ(parsed.advisories.size(), 1U);
  const Advisory& rhsa = parsed.advisories[0];
  EXPECT_EQ(rhsa.id, "RHSA-2000:0001");
  EXPECT_EQ(rhsa.aliases, (std::vector<std::string>{"CVE-2000-0003", "CVE-2000-0004"}));
  EXPECT_EQ(rhsa.published, "2019-12-17");
  EXPECT_EQ(rhsa.modified, "2019-12-18");
  ASSERT_EQ(rhsa.affected.size(), 2U);
  const auto* pkg = package(rhsa, "pkg", "rhel:8");  // release from the rpmverifyfile check
  ASSERT_NE(pkg, nullptr);
  EXPECT_EQ(pkg->module_stream, "idm:DL1");
  EXPECT_EQ(pkg->fixed_version, "1:2.4.0-2.module+el8");  // signature test adds nothing
  EXPECT_EQ(pkg->arches, (std::vector<std::string>{"aarch64", "x86_64"}));
  EXPECT_EQ(pkg->severity, model::Severity::High);
  const auto* other = package(rhsa, "other", "rhel:8");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->status, AffectedStatus::NotAffected);
  EXPECT_TRUE(parsed.diagnostics.empty());
}

TEST(OvalSeeds, MarinerMergeAndBz2) {
  const auto plain = parseBytes(seed("mariner.xml"), "fuzz/cbl-mariner-2.0-oval.xml");
  const auto packed = parseBytes(seed("mariner.oval.xml.bz2"), "fuzz/cbl-mariner-2.0-oval.xml");
  ASSERT_TRUE(plain.summary);
  ASSERT_TRUE(packed.summary);
  EXPECT_EQ(plain.advisories, packed.advisories);
  ASSERT_EQ(plain.advisories.size(), 1U);  // two definitions of CVE-2000-0005 merge
  const Advisory& cve = plain.advisories[0];
  ASSERT_EQ(cve.affected.size(), 2U);
  EXPECT_EQ(events(cve.affected[0]),
            (std::vector<RangeEvent>{{RangeEvent::Kind::Introduced, "1.19.0.cm2"},
                                     {RangeEvent::Kind::Fixed, "1.20.7-1.cm2"}}));
  EXPECT_EQ(cve.affected[1].name, "glibc");
  EXPECT_EQ(cve.affected[1].severity, model::Severity::High);
  EXPECT_EQ(cve.published, "2023-05-03T16:24:32Z");
  // Without a release in the file name the ecosystem is unknown: delivered and reported.
  const auto nameless = parseBytes(seed("mariner.xml"), "feed.xml");
  ASSERT_TRUE(nameless.summary);
  EXPECT_EQ(nameless.count("feed.unevaluable"), 2U);
}

// --- damaged input -------------------------------------------------------------------------

TEST(OvalDamaged, TruncatedXmlKeepsEarlierDefinitions) {
  BULWARK_REQUIRE_SHARED("scan/vulns/mariner/oval/cbl-mariner-2.0-oval.xml");
  const std::string bytes =
      bulwark::testing::readFile(vulns("mariner/oval/cbl-mariner-2.0-oval.xml"));
  // Cut inside <definitions>: the tests, objects and states are lost with the tail.
  const auto half =
      parseBytes(std::string_view(bytes).substr(0, bytes.size() / 4), "cbl-mariner-2.0-oval.xml");
  ASSERT_TRUE(half.summary) << half.summary.error().message;
  EXPECT_EQ(half.count("oval.malformed-xml"), 1U);
  EXPECT_GT(half.summary->definitions, 0U);
  EXPECT_LT(half.summary->definitions, 2436U);
  EXPECT_GT(half.count("oval.malformed-record"), 0U);  // criteria pointing at lost tests
  // Cut inside <states>: every definition is read, some states are missing.
  const auto late = parseBytes(std::string_view(bytes).substr(0, bytes.size() - 4000),
                               "cbl-mariner-2.0-oval.xml");
  ASSERT_TRUE(late.summary);
  EXPECT_EQ(late.summary->definitions, 2436U);
  EXPECT_EQ(late.count("oval.malformed-xml"), 1U);
}

TEST(OvalDamaged, TruncatedBz2IsAnError) {
  BULWARK_REQUIRE_SHARED("scan/vulns/ubuntu/oval/com.ubuntu.bionic.cve.oval.xml.bz2");
  const std::string bytes =
      bulwark::testing::readFile(vulns("ubuntu/oval/com.ubuntu.bionic.cve.oval.xml.bz2"));
  const auto cut = parseBytes(std::string_view(bytes).substr(0, bytes.size() / 2), "cut.xml.bz2");
  ASSERT_FALSE(cut.summary);
  EXPECT_NE(cut.summary.error().message.find("bzip2"), std::string::npos);
  std::string flipped = bytes;
  flipped[flipped.size() / 3] ^= 0x55;
  const auto corrupt = parseBytes(flipped, "flipped.xml.bz2");
  ASSERT_FALSE(corrupt.summary);
  EXPECT_TRUE(corrupt.advisories.empty());
}

TEST(OvalDamaged, NotOval) {
  for (const std::string_view bytes :
       {std::string_view(""), std::string_view("not xml at all"),
        std::string_view("<?xml version=\"1.0\"?><rss><channel/></rss>"),
        std::string_view("BZh9garbage")}) {
    const auto parsed = parseBytes(bytes, "x.xml");
    EXPECT_FALSE(parsed.summary) << bytes;
  }
}

TEST(OvalDamaged, DanglingReferencesAndUnknownOperations) {
  const std::string xml =
      R"(<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5">
<definitions>
 <definition class="vulnerability" id="oval:com.microsoft.cbl-mariner:def:1" version="1">
  <metadata><title>CVE-2099-0001 x</title>
   <reference ref_id="CVE-2099-0001" ref_url="u" source="CVE"/></metadata>
  <criteria operator="AND">
   <criterion test_ref="oval:com.microsoft.cbl-mariner:tst:missing"/>
   <criterion test_ref="oval:com.microsoft.cbl-mariner:tst:2"/>
  </criteria>
 </definition>
 <definition class="vulnerability" id="oval:com.microsoft.cbl-mariner:def:3" version="1">
  <metadata><title>no id</title></metadata>
 </definition>
</definitions>
<tests>
 <rpminfo_test id="oval:com.microsoft.cbl-mariner:tst:2">
  <object object_ref="o2"/><state state_ref="s2"/></rpminfo_test>
</tests>
<objects><rpminfo_object id="o2"><name>pkg</name></rpminfo_object></objects>
<states><rpminfo_state id="s2"><evr operation="bitwise and">0:1-1</evr></rpminfo_state></states>
</oval_definitions>)";
  const auto parsed = parseBytes(xml, "cbl-mariner-2.0-oval.xml");
  ASSERT_TRUE(parsed.summary);
  ASSERT_EQ(parsed.advisories.size(), 1U);
  ASSERT_EQ(parsed.advisories[0].affected.size(), 1U);
  EXPECT_EQ(parsed.advisories[0].affected[0].name, "pkg");
  EXPECT_EQ(parsed.count("feed.unevaluable"), 2U);       // missing test, "bitwise and"
  EXPECT_EQ(parsed.count("oval.malformed-record"), 1U);  // def:3 has no id
}

TEST(OvalDetect, Formats) {
  EXPECT_TRUE(detectOval("a.xml",
                         "<?xml version=\"1.0\"?>\n<oval_definitions xmlns="
                         "\"http://oval.mitre.org/XMLSchema/oval-definitions-5\">"));
  EXPECT_TRUE(detectOval("x/com.ubuntu.bionic.cve.oval.xml.bz2", "BZh91AY&SY"));
  EXPECT_FALSE(detectOval("x/other.xml.bz2", "BZh91AY&SY"));
  EXPECT_FALSE(detectOval("a.json", "{\"id\": \"CVE-1\"}"));
  BULWARK_REQUIRE_SHARED("scan/vulns/debian/oval/oval-definitions-jessie.xml");
  const auto head = bulwark::testing::readFile(vulns("debian/oval/oval-definitions-jessie.xml"))
                        .substr(0, kDetectBytes);
  const FeedFormat* format = detectFeed("oval-definitions-jessie.xml", head);
  ASSERT_NE(format, nullptr);
  EXPECT_EQ(format->name, "oval");
}

TEST(OvalDetect, ParseFeedPathOnTheBz2) {
  BULWARK_REQUIRE_SHARED("scan/vulns/rhel/vuln-list-update/oval/RHEL8");
  core::Diagnostics diagnostics;
  std::size_t count = 0;
  const auto status = parseFeedPath(
      vulns("rhel/vuln-list-update/oval/RHEL8"), [&](Advisory&&) { ++count; }, diagnostics);
  ASSERT_TRUE(status);
  EXPECT_EQ(count, 5U);  // 3 CVE definitions + RHSA-2019:3927 + RHSA-2020:0215
}

}  // namespace
}  // namespace bulwark::vulndb::feeds
