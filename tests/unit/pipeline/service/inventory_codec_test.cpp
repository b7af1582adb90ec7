// The stored inventory encoding: real inventories (our fixtures and the cached test images)
// survive encode → decode field by field and match to the same findings; every field of a
// hand-built inventory does too; corrupt or forged text is ErrorCode::Input. Also the finding
// records the store keeps.
#include "pipeline/service/inventory_codec.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/purl.h"
#include "pipeline/sbom.h"
#include "pipeline/service/finding_records.h"
#include "service_test_support.h"
#include "testdata.h"

namespace bulwark::pipeline::service {
namespace {

namespace fs = std::filesystem;
using testing::expectSameInventory;

// A package of every kind of field, in an inventory whose every field is set.
model::Inventory everything() {
  model::Inventory inventory;
  auto& t = inventory.target;
  t.name = "localhost:5000/quarantine/app@sha256:aa";
  t.kind = "registry";
  t.manifest_digest = "sha256:aa";
  t.config_digest = "sha256:bb";
  t.created = "2024-05-01T10:00:00Z";
  t.os = "linux";
  t.architecture = "arm64";
  t.repo_tags = {"localhost:5000/quarantine/app:1.0"};
  t.repo_digests = {"localhost:5000/quarantine/app@sha256:aa"};
  t.layers = {{"sha256:l1", "sha256:d1", 1234, "application/vnd.oci.image.layer.v1.tar+gzip",
               "ADD rootfs /"},
              {"sha256:l2", "sha256:d2", 0, "", ""}};
  t.config.present = true;
  t.config.user = "app";
  t.config.env = {"PATH=/usr/bin", "LANG=C.UTF-8"};
  t.config.labels = {{"maintainer", "ops"}, {"org.opencontainers.image.version", "1.0"}};
  t.config.exposed_ports = {"8080/tcp"};
  t.config.entrypoint = {"/app"};
  t.config.cmd = {"--serve"};
  t.config.working_dir = "/srv";
  t.config.has_healthcheck = true;
  t.config.healthcheck_test = {"CMD-SHELL", "curl -f http://localhost/"};
  t.config.history = {{"2024-05-01T10:00:00Z", "ADD rootfs /", "base", false},
                      {"", "USER app", "", true}};
  inventory.distro = {"rhel",   "9.3",           "plow", "Red Hat Enterprise Linux 9.3",
                      "fedora", "etc/os-release"};
  model::Package rpm;
  rpm.type = model::PackageType::Rpm;
  rpm.name = "openssl-libs";
  rpm.epoch = 1;
  rpm.version = "3.0.7";
  rpm.release = "26.el9_3";
  rpm.arch = "aarch64";
  rpm.source_name = "openssl";
  rpm.source_version = "3.0.7-26.el9_3";
  rpm.licenses = {"ASL 2.0"};
  rpm.maintainer = "";
  rpm.vendor = "Red Hat, Inc.";
  rpm.modularity_label = "openssl:3:9030:abc";
  rpm.depends = {"glibc", "zlib"};
  rpm.files = {"/usr/lib64/libssl.so.3", "/usr/lib64/libcrypto.so.3"};
  rpm.location = {"sha256:l1", "var/lib/rpm/rpmdb.sqlite"};
  inventory.packages.push_back(rpm);
  model::Package zero_epoch = rpm;
  zero_epoch.name = "openssl";
  zero_epoch.epoch = 0;  // present and zero differs from absent
  zero_epoch.location = {"sha256:elsewhere", "var/lib/rpm/rpmdb.sqlite"};
  inventory.packages.push_back(zero_epoch);
  model::Package apk;
  apk.type = model::PackageType::Apk;
  apk.name = "musl";
  apk.version = "1.2.4-r2";
  apk.origin = "musl";
  apk.maintainer = "Timo Teräs <timo.teras@iki.fi>";
  apk.location = {"sha256:l2", "lib/apk/db/installed"};
  inventory.packages.push_back(apk);
  model::Package npm;
  npm.type = model::PackageType::Npm;
  npm.name = "@scope/left-pad";
  npm.version = "1.3.0";
  npm.development = true;
  npm.relationship = model::Relationship::Indirect;
  npm.location = {"", "srv/app.war!/package-lock.json"};
  inventory.packages.push_back(npm);
  for (int i = 0; i < 3; ++i) {
    inventory.diagnostics.push_back(
        {"rpm.bad-header", "var/lib/rpm", "header " + std::to_string(i) + " is short"});
  }
  return inventory;
}

TEST(InventoryCodec, EveryFieldRoundTrips) {
  const auto original = everything();
  const std::string text = encodeInventory(original, {.files = true});
  std::size_t count = 0;
  auto decoded = decodeInventory(text, &count);
  ASSERT_TRUE(decoded) << decoded.error().message;
  expectSameInventory(original, *decoded, true, "everything");
  EXPECT_EQ(count, 3U);
  // Layer digests that are target layers are written as indexes, others in full.
  const auto json = nlohmann::json::parse(text);
  EXPECT_EQ(json["v"], 1);
  EXPECT_EQ(json["p"][0]["li"], 0);
  EXPECT_EQ(json["p"][1]["ld"], "sha256:elsewhere");
  EXPECT_EQ(json["p"][2]["li"], 1);
  EXPECT_FALSE(json["p"][3].contains("li"));
  // purls (derived from the package and the distro) are the same, too.
  for (std::size_t i = 0; i < original.packages.size(); ++i) {
    EXPECT_EQ(model::purl(original.packages[i], original.distro),
              model::purl(decoded->packages[i], decoded->distro));
  }
  // Encoding is deterministic.
  EXPECT_EQ(encodeInventory(*decoded, {.files = true}), text);
}

TEST(InventoryCodec, FilesAreLeftOutByDefault) {
  const auto original = everything();
  const std::string with_files = encodeInventory(original, {.files = true});
  const std::string without = encodeInventory(original);
  EXPECT_LT(without.size(), with_files.size());
  auto decoded = decodeInventory(without);
  ASSERT_TRUE(decoded) << decoded.error().message;
  expectSameInventory(original, *decoded, false, "without files");
  for (const auto& package : decoded->packages) EXPECT_TRUE(package.files.empty());
}

TEST(InventoryCodec, DiagnosticsAreCappedButCounted) {
  auto original = everything();
  original.diagnostics.clear();
  for (std::size_t i = 0; i < kMaxStoredDiagnostics + 50; ++i) {
    original.diagnostics.push_back({"k", "w", std::to_string(i)});
  }
  std::size_t count = 0;
  auto decoded = decodeInventory(encodeInventory(original), &count);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->diagnostics.size(), kMaxStoredDiagnostics);
  EXPECT_EQ(count, kMaxStoredDiagnostics + 50);
}

// Real inventories read by the catalogers from our fixtures, and the same matched against a
// database imported from tests/fixtures/advisories: the decoded inventory gives the same
// findings.
class RealInventories : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    database_ = new vulndb::Database(testing::importDatabase(
        (dir_->path() / "bulwark.db").string(),
        {(bulwark::testing::fixtures() / "advisories" / "debian-mini").string()}));
  }
  static void TearDownTestSuite() {
    delete database_;
    delete dir_;
  }

  static void roundTrip(const std::string& target, bool expect_findings) {
    SCOPED_TRACE(target);
    auto original = buildInventory(target, SbomOptions{});
    ASSERT_TRUE(original) << original.error().message;
    ASSERT_FALSE(original->packages.empty());
    const std::string text = encodeInventory(*original, {.files = true});
    auto decoded = decodeInventory(text);
    ASSERT_TRUE(decoded) << decoded.error().message;
    expectSameInventory(*original, *decoded, true, target);
    auto compact = decodeInventory(encodeInventory(*original));
    ASSERT_TRUE(compact) << compact.error().message;
    expectSameInventory(*original, *compact, false, target + " (without files)");

    core::Diagnostics d1;
    core::Diagnostics d2;
    auto before = matchFindings(*database_, *original, d1);
    auto after = matchFindings(*database_, *compact, d2);
    ASSERT_TRUE(before && after);
    if (expect_findings) {
      EXPECT_FALSE(before->empty());
    }
    ASSERT_EQ(before->size(), after->size());
    for (std::size_t i = 0; i < before->size(); ++i) {
      const auto& a = (*before)[i];
      const auto& b = (*after)[i];
      EXPECT_EQ(a.vulnerability_id, b.vulnerability_id);
      EXPECT_EQ(a.package_index, b.package_index);
      EXPECT_EQ(a.installed_version, b.installed_version);
      EXPECT_EQ(a.fixed_version, b.fixed_version);
      EXPECT_EQ(a.status, b.status);
      EXPECT_EQ(a.severity, b.severity);
      EXPECT_EQ(a.explanation, b.explanation);
      EXPECT_EQ(toFindingRecord(a, *original).detail_json,
                toFindingRecord(b, *compact).detail_json);
    }
  }

  static testing::TempDir* dir_;
  static vulndb::Database* database_;
};

testing::TempDir* RealInventories::dir_ = nullptr;
vulndb::Database* RealInventories::database_ = nullptr;

TEST_F(RealInventories, Fixtures) {
  roundTrip((bulwark::testing::fixtures() / "rootfs" / "debian-mini").string(), true);
  roundTrip((bulwark::testing::fixtures() / "rootfs" / "lang-mixed").string(), false);
  roundTrip("dir:" + (bulwark::testing::fixtures() / "rootfs" / "lang-mixed").string(), false);
}

// The images scripts/build-test-images caches (Debian 12 minbase and tiny, as OCI layouts with
// layers): skipped visibly when not built.
TEST_F(RealInventories, CachedImages) {
  int found = 0;
  for (const std::string name : {"tiny", "minbase"}) {
    const std::string command =
        (bulwark::testing::sourceDir() / "scripts" / "build-test-images").string() + " --cached " +
        name + " 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char buffer[4096];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe.get())) {
      out.append(buffer, n);
    }
    std::istringstream lines(out);
    std::string image, variant, target;
    while (lines >> image >> variant >> target) {
      if (variant != "oci" && variant != "docker-archive") continue;
      roundTrip(target, name == "minbase");
      ++found;
    }
  }
  if (found == 0) GTEST_SKIP() << "no cached test images (scripts/build-test-images tiny minbase)";
}

TEST(InventoryCodec, LookupDecodingReadsTheDistroAndThePackageNames) {
  std::vector<model::Inventory> inventories{everything()};
  auto real = pipeline::buildInventory(
      (bulwark::testing::fixtures() / "rootfs" / "debian-mini").string(), SbomOptions{});
  ASSERT_TRUE(real) << real.error().message;
  inventories.push_back(std::move(*real));
  for (const auto& inventory : inventories) {
    auto lookups = decodeLookupInventory(encodeInventory(inventory));
    ASSERT_TRUE(lookups) << lookups.error().message;
    EXPECT_EQ(lookups->distro.id, inventory.distro.id);
    EXPECT_EQ(lookups->distro.version_id, inventory.distro.version_id);
    EXPECT_EQ(lookups->distro.codename, inventory.distro.codename);
    EXPECT_EQ(lookups->distro.id_like, inventory.distro.id_like);
    ASSERT_EQ(lookups->packages.size(), inventory.packages.size());
    for (std::size_t i = 0; i < inventory.packages.size(); ++i) {
      EXPECT_EQ(lookups->packages[i].type, inventory.packages[i].type);
      EXPECT_EQ(lookups->packages[i].name, inventory.packages[i].name);
      EXPECT_EQ(lookups->packages[i].source_name, inventory.packages[i].source_name);
      EXPECT_TRUE(lookups->packages[i].version.empty());  // not read
    }
  }
  for (const std::string text :
       {"", "not json", "[]", R"({"v":2,"p":[]})", R"({"v":1,"d":[]})", R"({"v":1,"p":{}})",
        R"({"v":1,"p":[1]})", R"({"v":1,"p":[{"y":"nope","n":"x"}]})",
        R"({"v":1,"p":[{"y":"deb","n":5}]})", R"({"v":1,"p":[{"y":"deb","n":"x","sn":[]}]})"}) {
    auto decoded = decodeLookupInventory(text);
    ASSERT_FALSE(decoded) << text;
    EXPECT_EQ(decoded.error().code, core::ErrorCode::Input) << text;
  }
}

TEST(InventoryCodec, CorruptTextIsInputError) {
  const std::string good = encodeInventory(everything());
  std::vector<std::string> bad = {
      "",
      "not json",
      "[]",
      "{}",
      R"({"v":2,"p":[]})",
      R"({"v":"1"})",
      R"({"v":1,"p":{}})",
      R"({"v":1,"p":[1]})",
      R"({"v":1,"p":[{"y":"deb"}]})",
      R"({"v":1,"p":[{"y":"nope","n":"x"}]})",
      R"({"v":1,"p":[{"y":"deb","n":5}]})",
      R"({"v":1,"p":[{"y":"deb","n":"x","e":-1}]})",
      R"({"v":1,"p":[{"y":"deb","n":"x","e":4294967296}]})",
      R"({"v":1,"p":[{"y":"deb","n":"x","e":1.5}]})",
      R"({"v":1,"p":[{"y":"deb","n":"x","li":0}]})",
      R"({"v":1,"t":{"ly":[{"d":"a"}]},"p":[{"y":"deb","n":"x","li":1}]})",
      R"({"v":1,"p":[{"y":"deb","n":"x","rel":"cousin"}]})",
      R"({"v":1,"p":[{"y":"deb","n":"x","l":["a",1]}]})",
      R"({"v":1,"t":{"cf":{"lb":[["a"]]}}})",
      R"({"v":1,"t":{"ly":[{"s":-5}]}})",
      R"({"v":1,"g":[["a","b"]]})",
      R"({"v":1,"g":[["a","b","c"]],"gn":0})",
      "{\"v\":1,\"t\":{\"n\":\"\xff\"}}",
      good.substr(0, good.size() / 2),
  };
  for (const auto& text : bad) {
    auto decoded = decodeInventory(text);
    ASSERT_FALSE(decoded) << text;
    EXPECT_EQ(decoded.error().code, core::ErrorCode::Input) << text;
    EXPECT_NE(decoded.error().message.find("stored inventory"), std::string::npos);
  }
  // Deep nesting is read without recursion trouble: unknown members are ignored however deep;
  // unbalanced nesting is not JSON.
  const std::string deep =
      R"({"v":1,"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto nested = decodeInventory(deep);
  EXPECT_TRUE(nested) << "unknown keys are ignored: " << nested.error().message;
  const std::string deep_objects = R"({"v":1,"p":[{"y":"deb","n":"x","z":)" +
                                   std::string(50000, '[') + R"({"a":)" + std::string(50000, '[') +
                                   std::string(50000, ']') + "}" + std::string(50000, ']') + "}]}";
  auto in_package = decodeInventory(deep_objects);
  ASSERT_TRUE(in_package) << in_package.error().message;
  EXPECT_EQ(in_package->packages.at(0).name, "x");
  EXPECT_FALSE(decodeInventory(R"({"v":1,"x":)" + std::string(200000, '[')));
  EXPECT_FALSE(decodeInventory(R"({"v":1,"x":)" + std::string(200000, '[') + "}"));
}

// The messages name what is wrong, checked in a fixed order (the first wrong member in that
// order is reported, whatever the order in the text).
TEST(InventoryCodec, CorruptTextMessages) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not JSON"},
      {"[]", "not a JSON object"},
      {"{}", "no format version"},
      {R"({"v":"1"})", "no format version"},
      {R"({"v":1.0})", "no format version"},
      {R"({"v":2,"p":[]})", "format version 2 is not 1 (written by a newer bulwark?)"},
      {R"({"v":18446744073709551615})",
       "format version 18446744073709551615 is not 1 (written by a newer bulwark?)"},
      {R"({"v":1,"t":[]})", "inventory.t: not an object"},
      {R"({"v":1,"d":{"id":1}})", "d.id: not a string"},
      {R"({"v":1,"p":{}})", "inventory.p: not an array"},
      {R"({"v":1,"p":[1]})", "p[0]: not an object"},
      {R"({"v":1,"p":[{"y":"deb","n":"x"},{"y":"deb"}]})", "p[1].n: missing"},
      {R"({"v":1,"p":[{"n":"x"}]})", "p[0].y: not a package type"},
      {R"({"v":1,"p":[{"y":1,"n":"x"}]})", "p[0].y: not a string"},
      {R"({"v":1,"p":[{"y":"deb","n":5}]})", "p[0].n: not a string"},
      {R"({"v":1,"p":[{"y":"deb","n":"x","e":-1}]})", "p[0].e: not a valid count"},
      {R"({"v":1,"p":[{"y":"deb","n":"x","e":4294967296}]})", "p[0].e: not a valid count"},
      {R"({"v":1,"p":[{"y":"deb","n":"x","l":"a"}]})", "p[0].l: not an array"},
      {R"({"v":1,"p":[{"y":"deb","n":"x","l":["a",1]}]})", "p[0].l: not all strings"},
      {R"({"v":1,"p":[{"y":"deb","n":"x","dev":1}]})", "p[0].dev: not a boolean"},
      {R"({"v":1,"p":[{"y":"deb","n":"x","rel":"cousin"}]})", "p[0].rel: not a relationship"},
      {R"({"v":1,"p":[{"y":"deb","n":"x","li":0}]})", "p[0].li: the target has no layers"},
      {R"({"v":1,"t":{"ly":[{}]},"p":[{"y":"deb","n":"x","li":1}]})", "p[0].li: not a valid count"},
      // Checked in the decoder's order, not the text's: "n" before "e", "t" before "p".
      {R"({"v":1,"p":[{"e":-1,"y":"deb","n":5}]})", "p[0].n: not a string"},
      {R"({"v":1,"p":[1],"t":{"n":1}})", "t.n: not a string"},
      {R"({"v":1,"t":{"ly":[1]}})", "t.ly: not all objects"},
      {R"({"v":1,"t":{"ly":[{"s":-5}]}})", "t.ly.s: not a valid count"},
      {R"({"v":1,"t":{"cf":{"lb":[["a"]]}}})", "t.cf.lb: not all [key, value] pairs"},
      {R"({"v":1,"t":{"cf":{"lb":[["a",1]]}}})", "t.cf.lb: not all [key, value] pairs"},
      {R"({"v":1,"t":{"cf":{"h":[{"el":"yes"}]}}})", "t.cf.h.el: not a boolean"},
      {R"({"v":1,"g":[["a","b"]]})", "g: not all [kind, where, detail]"},
      {R"({"v":1,"g":[["a","b","c"]],"gn":0})", "gn is less than the diagnostics listed"},
      {R"({"v":1,"gn":-1})", "inventory.gn: not a valid count"},
      {"{\"v\":1,\"t\":{\"n\":\"\xff\"}}", "not JSON"},
      {"{\"v\":1,\"t\":{\"n\":\"\xc0\xaf\"}}", "not JSON"},
      {R"({"v":1,"t":{"n":"\udc00"}})", "not JSON"},
  };
  for (const auto& [text, message] : cases) {
    auto decoded = decodeInventory(text);
    ASSERT_FALSE(decoded) << text;
    EXPECT_EQ(decoded.error().code, core::ErrorCode::Input) << text;
    EXPECT_EQ(decoded.error().message, "stored inventory: " + message) << text;
  }
  // Too many diagnostics is reported even before an earlier wrong member.
  std::string many = R"({"v":1,"t":5,"g":[)";
  for (std::size_t i = 0; i <= kMaxStoredDiagnostics; ++i) many += R"(["k","w","d"],)";
  many.back() = ']';
  many += "}";
  auto too_many = decodeInventory(many);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().message, "stored inventory: more than 1000 diagnostics");
}

// When a member name repeats, the last one counts; a leading byte order mark is skipped and a
// NUL byte ends the text (as the nlohmann parser did).
TEST(InventoryCodec, DuplicateMembersByteOrderMarkAndNul) {
  auto decoded = decodeInventory(
      R"({"v":2,"v":1,"d":{"id":"alpine","id":"debian"},"p":[{"y":"deb","n":5,"n":"x"}],)"
      R"("p":[{"y":"apk","n":"musl","l":["a"],"l":["b","c"]}]})");
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->distro.id, "debian");
  ASSERT_EQ(decoded->packages.size(), 1U);
  EXPECT_EQ(decoded->packages[0].type, model::PackageType::Apk);
  EXPECT_EQ(decoded->packages[0].licenses, (std::vector<std::string>{"b", "c"}));
  auto last_wrong = decodeInventory(R"({"v":1,"d":{"id":"debian","id":5}})");
  ASSERT_FALSE(last_wrong);
  EXPECT_EQ(last_wrong.error().message, "stored inventory: d.id: not a string");

  const std::string good = encodeInventory(everything());
  auto with_bom = decodeInventory("\xEF\xBB\xBF" + good);
  ASSERT_TRUE(with_bom) << with_bom.error().message;
  expectSameInventory(everything(), *with_bom, false, "after a byte order mark");
  std::string with_nul = good;
  with_nul += '\0';
  with_nul += "garbage";
  EXPECT_TRUE(decodeInventory(with_nul));
  std::string nul_in_string = R"({"v":1,"t":{"n":"a)";
  nul_in_string += '\0';
  nul_in_string += R"("}})";
  EXPECT_FALSE(decodeInventory(nul_in_string));
}

// Inventories of every size decode the same, one after another on one thread (the parser is
// reused up to a size and then one of its own is made), and again after a failure.
TEST(InventoryCodec, LargeAndSmallInventoriesInTurn) {
  model::Inventory large = everything();
  for (int i = 0; large.packages.size() < 40000; ++i) {
    model::Package p = large.packages[static_cast<std::size_t>(i) % 4];
    p.name += std::to_string(i);
    large.packages.push_back(std::move(p));
  }
  const std::string large_text = encodeInventory(large, {.files = true});
  ASSERT_GT(large_text.size(), 4U << 20);  // more than the parser kept for reuse
  const std::string small_text = encodeInventory(everything(), {.files = true});
  for (int round = 0; round < 2; ++round) {
    for (const auto* text : {&small_text, &large_text, &small_text}) {
      auto decoded = decodeInventory(*text);
      ASSERT_TRUE(decoded) << decoded.error().message;
      EXPECT_EQ(encodeInventory(*decoded, {.files = true}), *text);
    }
    EXPECT_FALSE(decodeInventory(large_text.substr(0, large_text.size() - 1)));
  }
}

TEST(FindingRecords, DetailIsTheReportsFindingAndDecodesBack) {
  const auto inventory = everything();
  model::Finding f;
  f.vulnerability_id = "CVE-2024-0001";
  f.aliases = {"RHSA-2024:1"};
  f.package_index = 1;
  f.package_name = "openssl";
  f.installed_version = "0:3.0.7-26.el9_3";
  f.fixed_version = "1:3.0.7-27.el9";
  f.status = model::AffectedStatus::Fixed;
  f.urgency = "important";
  f.severity = model::Severity::High;
  f.severity_source = "redhat-vex";
  f.score = 7.5;
  f.vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H";
  f.title = "openssl: a flaw";
  f.references = {"https://access.redhat.com/security/cve/CVE-2024-0001"};
  f.cwes = {"CWE-400"};
  f.data_sources = {"redhat-vex"};
  f.explanation = "0:3.0.7-26.el9_3 < 1:3.0.7-27.el9";
  f.remediation = "Upgrade openssl to 1:3.0.7-27.el9.";
  const auto record = toFindingRecord(f, inventory);
  EXPECT_EQ(record.vulnerability_id, f.vulnerability_id);
  EXPECT_EQ(record.package_name, "openssl");
  EXPECT_EQ(record.installed_version, f.installed_version);
  EXPECT_EQ(record.fixed_version, f.fixed_version);
  EXPECT_EQ(record.severity, model::Severity::High);
  const auto json = nlohmann::json::parse(record.detail_json);
  EXPECT_EQ(json["id"], "CVE-2024-0001");
  EXPECT_EQ(json["package"]["purl"], model::purl(inventory.packages[1], inventory.distro));
  EXPECT_EQ(json["package"]["location"]["layer"], "sha256:elsewhere");
  EXPECT_EQ(json["cvss"]["score"], 7.5);
  EXPECT_EQ(json["status"], "fixed");

  auto back = fromFindingRecord(record);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->vulnerability_id, f.vulnerability_id);
  EXPECT_EQ(back->aliases, f.aliases);
  EXPECT_EQ(back->package_index, f.package_index);
  EXPECT_EQ(back->package_name, f.package_name);
  EXPECT_EQ(back->installed_version, f.installed_version);
  EXPECT_EQ(back->fixed_version, f.fixed_version);
  EXPECT_EQ(back->status, f.status);
  EXPECT_EQ(back->urgency, f.urgency);
  EXPECT_EQ(back->severity, f.severity);
  EXPECT_EQ(back->severity_source, f.severity_source);
  EXPECT_EQ(back->score, f.score);
  EXPECT_EQ(back->vector, f.vector);
  EXPECT_EQ(back->title, f.title);
  EXPECT_EQ(back->references, f.references);
  EXPECT_EQ(back->cwes, f.cwes);
  EXPECT_EQ(back->data_sources, f.data_sources);
  EXPECT_EQ(back->explanation, f.explanation);
  EXPECT_EQ(back->remediation, f.remediation);

  for (const std::string bad :
       {"[]", "{", R"({"status":"maybe"})", R"({"aliases":"x"})", R"({"cvss":{"score":"high"}})",
        R"({"package_index":-1})", R"({"severity":"SEVERE"})"}) {
    store::FindingRecord corrupt = record;
    corrupt.detail_json = bad;
    auto decoded = fromFindingRecord(corrupt);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().code, core::ErrorCode::Input);
  }
}

}  // namespace
}  // namespace bulwark::pipeline::service
