// Accuracy golden tests on real data (issue 3, section 5).
//
// Each pairing lays a real package database from ../shared/testdata/scan/pkgdb out as a root
// filesystem in a temporary directory, imports the matching real distribution feeds from
// ../shared/testdata/scan/vulns into a temporary database with the built `bulwark db import`,
// runs `bulwark scan --format json`, and then
//   1. compares a compact sorted projection of the findings with a reviewed golden file
//      (golden/<pairing>.findings.json; BULWARK_UPDATE_GOLDEN=1 rewrites it);
//   2. cross-checks every finding, in both directions, against the feed's own statement read
//      here without bulwark's matcher: OVAL definitions evaluated with pugixml (criterion →
//      test → object/variable → state), Ubuntu CVE Tracker lines, Alpine secdb secfixes, the
//      Debian DSA/DLA lists; versions ordered by libapt-pkg (dpkg) and librpm (rpm); apk order,
//      which has no reference library here, by bulwark's own comparator (differential-tested
//      elsewhere);
//   3. checks the hand-reviewed cases of REVIEW.md by name.
// Each pairing is imported and scanned once per test run.
#include <apt-pkg/debversion.h>
#include <rpm/rpmver.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "testdata.h"
#include "version/scheme.h"

namespace {

namespace fs = std::filesystem;
using bulwark::testing::readFile;
using bulwark::testing::sharedTestdata;
using bulwark::testing::sourceDir;
using Json = nlohmann::json;

// --- running things --------------------------------------------------------------------------

struct CommandRun {
  int status = -1;
  std::string out;
};

CommandRun run(const std::string& command) {
  CommandRun result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string bulwarkBin() {
  const char* bin = std::getenv("BULWARK_BIN");
  return bin != nullptr ? std::string(bin) : (sourceDir() / "build/bin/bulwark").string();
}

// --- pairings --------------------------------------------------------------------------------

struct RootfsFile {
  std::string path;     // inside the root filesystem
  std::string shared;   // copied from sharedTestdata()/shared when not empty
  std::string content;  // written when `shared` is empty
};

struct Pairing {
  std::string name;
  std::vector<RootfsFile> files;
  std::vector<std::string> feeds;  // relative to sharedTestdata()
};

const std::string kBionicOval = "scan/vulns/ubuntu/oval/com.ubuntu.bionic.cve.oval.xml.bz2";
const std::string kUct = "scan/vulns/ubuntu/ubuntu-cve-tracker";
const std::string kBionicStatus = "scan/pkgdb/dpkg/trivy/valid/var/lib/dpkg/status";
const std::string kMarinerOval = "scan/vulns/mariner/oval/cbl-mariner-2.0-oval.xml";
const std::string kMarinerRpmdb = "scan/pkgdb/rpm/go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite";
const std::string kAlpineInstalled = "scan/pkgdb/apk/trivy/lib/apk/db/installed";
const std::string kAlpineSecdb = "scan/vulns/alpine-secdb/json/v3.4";
const std::string kJessieStatus =
    "scan/pkgdb/grype-match-coverage/image-debian-match-coverage/var/lib/dpkg/status";
const std::string kDsaList = "scan/vulns/debian/security-tracker/data/DSA/list";
const std::string kDlaList = "scan/vulns/debian/security-tracker/data/DLA/list";
const std::string kJessieOval = "scan/vulns/debian/oval/oval-definitions-jessie.xml";
const std::string kCentosRpmdb =
    "scan/pkgdb/grype-match-coverage/image-centos-match-coverage/var/lib/rpm/Packages";
const std::string kRhel8Oval = "scan/vulns/rhel/clair-v2/rhel-8.oval.xml";

const std::vector<Pairing>& pairings() {
  static const std::vector<Pairing> kAll = {
      {"ubuntu-18.04",
       {{"var/lib/dpkg/status", kBionicStatus, ""},
        // The fixture has no os-release; these are Ubuntu 18.04's own lines.
        {"etc/os-release", "",
         "NAME=\"Ubuntu\"\nVERSION=\"18.04.5 LTS (Bionic Beaver)\"\nID=ubuntu\n"
         "ID_LIKE=debian\nVERSION_ID=\"18.04\"\nVERSION_CODENAME=bionic\n"
         "UBUNTU_CODENAME=bionic\n"}},
       {kBionicOval, kUct}},
      // musl 1.1.14-r10, busybox 1.24.2-r9, openssl 1.0.2h-r1: the Alpine 3.4 package set.
      {"alpine-3.4",
       {{"lib/apk/db/installed", kAlpineInstalled, ""},
        {"etc/os-release", "",
         "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.4.6\n"
         "PRETTY_NAME=\"Alpine Linux v3.4\"\n"}},
       {kAlpineSecdb}},
      {"mariner-2.0",
       {{"var/lib/rpm/rpmdb.sqlite", kMarinerRpmdb, ""},
        {"etc/os-release", "scan/pkgdb/os-release/trivy/release/mariner-2.0", ""}},
       {kMarinerOval}},
      // One package, apt 1.8.2 (declared source apt-dev): newer than every jessie fix of apt,
      // so a naive name match would flag it and a correct one must not.
      {"debian-8",
       {{"var/lib/dpkg/status", kJessieStatus, ""},
        {"etc/os-release",
         "scan/pkgdb/grype-match-coverage/image-debian-match-coverage/usr/lib/os-release", ""}},
       {kDsaList, kDlaList, kJessieOval}},
      // The only rpmdb with a RHEL-family os-release holds one package (dive 0.9.2) that no
      // RHEL 8 definition names: a negative control for the RHEL OVAL path.
      {"centos-8",
       {{"var/lib/rpm/Packages", kCentosRpmdb, ""},
        {"etc/os-release",
         "scan/pkgdb/grype-match-coverage/image-centos-match-coverage/etc/os-release", ""}},
       {kRhel8Oval}},
  };
  return kAll;
}

const Pairing& pairing(const std::string& name) {
  for (const auto& p : pairings()) {
    if (p.name == name) return p;
  }
  throw std::runtime_error("no pairing " + name);
}

bool sharedPresent(const Pairing& p, std::string* missing) {
  for (const auto& f : p.files) {
    if (!f.shared.empty() && !fs::exists(sharedTestdata() / f.shared)) {
      *missing = f.shared;
      return false;
    }
  }
  for (const auto& feed : p.feeds) {
    if (!fs::exists(sharedTestdata() / feed)) {
      *missing = feed;
      return false;
    }
  }
  return true;
}

struct ScanResult {
  std::string error;  // empty on success
  Json report;
};

// Imports and scans once per pairing; the temporary root filesystem and database are removed
// before returning.
const ScanResult& scanOnce(const Pairing& p) {
  static std::map<std::string, ScanResult> cache;
  auto found = cache.find(p.name);
  if (found != cache.end()) return found->second;
  ScanResult& result = cache[p.name];
  char pattern[] = "/tmp/bulwark-real-feeds-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    result.error = "mkdtemp failed";
    return result;
  }
  const fs::path dir = pattern;
  const fs::path rootfs = dir / "rootfs";
  for (const auto& f : p.files) {
    const fs::path target = rootfs / f.path;
    fs::create_directories(target.parent_path());
    if (!f.shared.empty()) {
      fs::copy_file(sharedTestdata() / f.shared, target);
    } else {
      std::ofstream(target, std::ios::binary) << f.content;
    }
  }
  const std::string db = (dir / "bulwark.db").string();
  std::string import = bulwarkBin() + " -q db import --db " + quote(db);
  for (const auto& feed : p.feeds) import += " " + quote((sharedTestdata() / feed).string());
  const CommandRun imported = run(import + " 2>&1");
  const fs::path report = dir / "scan.json";
  const CommandRun scanned =
      run(bulwarkBin() + " -q scan " + quote(rootfs.string()) + " --db " + quote(db) +
          " --format json -o " + quote(report.string()) + " 2>&1");
  if (imported.status != 0) {
    result.error = "db import exited " + std::to_string(imported.status) + ": " + imported.out;
  } else if (scanned.status != 0) {
    result.error = "scan exited " + std::to_string(scanned.status) + ": " + scanned.out;
  } else {
    result.report = Json::parse(readFile(report), nullptr, false);
    if (result.report.is_discarded()) result.error = "scan output is not JSON";
  }
  fs::remove_all(dir);
  return result;
}

// --- the golden projection -------------------------------------------------------------------

std::string str(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string joined(const Json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (!out.empty()) out += ",";
    out += item.is_string() ? item.get<std::string>() : std::string();
  }
  return out;
}

struct Row {
  std::string package, id, installed, fixed, status, severity, source;
  auto key() const { return std::tie(package, id, installed, fixed, status, severity, source); }
  bool operator<(const Row& other) const { return key() < other.key(); }
};

std::vector<Row> project(const Json& report) {
  std::vector<Row> rows;
  const auto findings = report.find("findings");
  if (findings == report.end() || !findings->is_array()) return rows;
  for (const auto& f : *findings) {
    const auto package = f.find("package");
    const auto sources = f.find("data_sources");
    if (package == f.end() || sources == f.end()) {
      ADD_FAILURE() << "finding without package or data_sources: " << f.dump();
      continue;
    }
    rows.push_back({str(*package, "name"), str(f, "id"), str(*package, "installed_version"),
                    str(f, "fixed_version"), str(f, "status"), str(f, "severity"),
                    joined(*sources)});
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// One finding per line, so that a golden diff reads like a list of changed findings.
std::string renderGolden(const std::vector<Row>& rows) {
  std::string out = "[\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    Json line = Json::object();
    line["id"] = r.id;
    line["package"] = r.package;
    line["installed"] = r.installed;
    line["fixed"] = r.fixed;
    line["status"] = r.status;
    line["severity"] = r.severity;
    line["source"] = r.source;
    out += "  " + line.dump() + (i + 1 < rows.size() ? ",\n" : "\n");
  }
  return out + "]\n";
}

void checkGolden(const std::string& name, const std::vector<Row>& rows) {
  const fs::path golden =
      sourceDir() / "tests/accuracy/real_feeds/golden" / (name + ".findings.json");
  const std::string actual = renderGolden(rows);
  if (std::getenv("BULWARK_UPDATE_GOLDEN") != nullptr) {
    fs::create_directories(golden.parent_path());
    std::ofstream(golden, std::ios::binary) << actual;
    std::printf("rewrote %s\n", golden.c_str());
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing; run with BULWARK_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, readFile(golden)) << "findings differ from " << golden;
}

// --- independent reading of the inputs -------------------------------------------------------

int dpkgCompare(const std::string& a, const std::string& b) {
  const int r = debVS.CmpVersion(a, b);
  return r < 0 ? -1 : (r > 0 ? 1 : 0);
}

int rpmCompare(const std::string& a, const std::string& b) {
  rpmver x = rpmverParse(a.c_str());
  rpmver y = rpmverParse(b.c_str());
  const int r = x != nullptr && y != nullptr ? rpmverCmp(x, y) : a.compare(b);
  rpmverFree(x);
  rpmverFree(y);
  return r < 0 ? -1 : (r > 0 ? 1 : 0);
}

int apkCompare(const std::string& a, const std::string& b) {
  return bulwark::version::compareApk(a, b);
}

struct Installed {
  std::string name, version, source;
};

// dpkg status paragraphs with "install ok installed"; source defaults to the package name.
std::vector<Installed> readDpkgStatus(const std::string& text) {
  std::vector<Installed> out;
  std::istringstream in(text + "\n\n");
  std::string line;
  Installed current;
  std::string status;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (!current.name.empty() && status == "install ok installed") {
        if (current.source.empty()) current.source = current.name;
        out.push_back(current);
      }
      current = {};
      status.clear();
      continue;
    }
    const auto colon = line.find(':');
    if (line[0] == ' ' || colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    const std::string field = line.substr(0, colon);
    if (field == "Package") current.name = value;
    if (field == "Version") current.version = value;
    if (field == "Status") status = value;
    if (field == "Source") current.source = value.substr(0, value.find(' '));
  }
  return out;
}

// apk installed database: P (name), V (version), o (origin).
std::vector<Installed> readApkInstalled(const std::string& text) {
  std::vector<Installed> out;
  std::istringstream in(text + "\n\n");
  std::string line;
  Installed current;
  while (std::getline(in, line)) {
    if (line.empty()) {
      if (!current.name.empty() && !current.version.empty()) {
        if (current.source.empty()) current.source = current.name;
        out.push_back(current);
      }
      current = {};
      continue;
    }
    if (line.size() < 2 || line[1] != ':') continue;
    if (line[0] == 'P') current.name = line.substr(2);
    if (line[0] == 'V') current.version = line.substr(2);
    if (line[0] == 'o') current.source = line.substr(2);
  }
  return out;
}

// rpm's own reading of an rpmdb (rpm -qa), as name, epoch:version-release, source name.
std::vector<Installed> readRpmdb(const fs::path& file) {
  std::vector<Installed> out;
  char pattern[] = "/tmp/bulwark-real-feeds-rpm-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) return out;
  const fs::path dir = pattern;
  fs::copy_file(file, dir / file.filename());
  const CommandRun q = run("rpm --dbpath " + quote(dir.string()) +
                           " -qa --qf '%{NAME}|%{EPOCHNUM}:%{VERSION}-%{RELEASE}|%{SOURCERPM}\\n'"
                           " 2>/dev/null");
  fs::remove_all(dir);
  std::istringstream in(q.out);
  std::string line;
  static const std::regex kSrpm(R"((.+)-[^-]+-[^-]+\.src\.rpm)");
  while (std::getline(in, line)) {
    const auto a = line.find('|');
    const auto b = line.find('|', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    Installed p{line.substr(0, a), line.substr(a + 1, b - a - 1), ""};
    std::smatch m;
    const std::string srpm = line.substr(b + 1);
    p.source = std::regex_match(srpm, m, kSrpm) ? m[1].str() : p.name;
    out.push_back(p);
  }
  return out;
}

// --- an OVAL evaluator, independent of bulwark ----------------------------------------------

std::string localName(const pugi::xml_node& node) {
  const std::string name = node.name();
  const auto colon = name.find(':');
  return colon == std::string::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& node, const std::string& local) {
  for (auto c : node.children()) {
    if (localName(c) == local) return c;
  }
  return {};
}

// What a definition says about one installed package: affected, with the "less than" EVR of
// its state (empty: every version, no fix).
struct OvalStatement {
  std::string fixed;
  std::string comment;          // the criterion's comment, for messages
  bool not_applicable = false;  // Mariner: <patchable>Not Applicable</patchable>
};
using Verdicts = std::map<std::pair<std::string, std::string>, OvalStatement>;  // (CVE, pkg)

struct OvalEvaluation {
  Verdicts affected;
  std::set<std::string> unsupported;  // operations or shapes this evaluator cannot judge
};

// Evaluates every vulnerability definition for `installed`, where `lookup` gives the name the
// OVAL object is compared with (binary name, or source name for feeds that name sources) and
// `compare` is the distribution's version order. Criteria trees are flattened to their package
// criteria: in both feeds every definition is "platform AND (package criterion OR ...)".
OvalEvaluation evaluateOval(
    const pugi::xml_document& doc, const std::vector<Installed>& installed,
    const std::function<std::string(const Installed&)>& lookup,
    const std::function<int(const std::string&, const std::string&)>& compare) {
  std::map<std::string, pugi::xml_node> by_id;
  std::vector<pugi::xml_node> definitions;
  std::vector<pugi::xml_node> stack{doc.document_element()};
  while (!stack.empty()) {
    const pugi::xml_node node = stack.back();
    stack.pop_back();
    const std::string local = localName(node);
    if (local == "definition") {
      definitions.push_back(node);
      continue;
    }
    if (node.attribute("id") && (local.ends_with("_test") || local.ends_with("_object") ||
                                 local.ends_with("_state") || local.ends_with("_variable"))) {
      by_id[node.attribute("id").value()] = node;
      continue;
    }
    for (auto c : node.children()) {
      if (c.type() == pugi::node_element) stack.push_back(c);
    }
  }
  std::multimap<std::string, const Installed*> by_name;
  for (const auto& p : installed) by_name.emplace(lookup(p), &p);

  OvalEvaluation result;
  for (const auto& def : definitions) {
    if (std::string(def.attribute("class").value()) != "vulnerability") continue;
    std::vector<std::string> cves;
    for (auto ref : child(def, "metadata").children()) {
      if (localName(ref) == "reference" && std::string(ref.attribute("source").value()) == "CVE") {
        cves.push_back(ref.attribute("ref_id").value());
      }
    }
    const bool not_applicable =
        std::string(child(child(def, "metadata"), "patchable").text().get()) == "Not Applicable";
    std::vector<pugi::xml_node> criteria{child(def, "criteria")};
    while (!criteria.empty()) {
      const pugi::xml_node node = criteria.back();
      criteria.pop_back();
      for (auto c : node.children()) {
        const std::string local = localName(c);
        if (local == "criteria") criteria.push_back(c);
        if (local != "criterion") continue;
        const auto test = by_id.find(c.attribute("test_ref").value());
        if (test == by_id.end()) {
          result.unsupported.insert("missing test " + std::string(c.attribute("test_ref").value()));
          continue;
        }
        const auto object =
            by_id.find(child(test->second, "object").attribute("object_ref").value());
        if (object == by_id.end()) continue;
        std::vector<std::string> names;
        const pugi::xml_node name = child(object->second, "name");
        if (name.attribute("var_ref")) {
          const auto variable = by_id.find(name.attribute("var_ref").value());
          if (variable != by_id.end()) {
            for (auto v : variable->second.children()) {
              if (localName(v) == "value") names.emplace_back(v.text().get());
            }
          }
        } else {
          names.emplace_back(name.text().get());
        }
        std::string evr;
        std::string operation;
        const pugi::xml_node state_ref = child(test->second, "state");
        if (state_ref) {
          const auto state = by_id.find(state_ref.attribute("state_ref").value());
          if (state == by_id.end()) continue;
          const pugi::xml_node evr_node = child(state->second, "evr");
          operation = evr_node.attribute("operation").value();
          if (!evr_node || (operation != "less than" && operation != "less than or equal")) {
            result.unsupported.insert("state operation '" + operation + "'");
            continue;
          }
          evr = evr_node.text().get();
        }
        for (const auto& n : names) {
          auto [first, last] = by_name.equal_range(n);
          for (auto it = first; it != last; ++it) {
            const Installed& p = *it->second;
            const int order = evr.empty() ? -1 : compare(p.version, evr);
            if (order > 0 || (order == 0 && operation == "less than")) continue;
            // "less than X" is fixed in X; "less than or equal X" is affected up to X, unfixed.
            std::string fixed = operation != "less than" ? std::string()
                                : evr.starts_with("0:")  ? evr.substr(2)
                                                         : evr;
            for (const auto& cve : cves) {
              result.affected[{cve, p.name}] = {fixed, c.attribute("comment").value(),
                                                not_applicable};
            }
          }
        }
      }
    }
  }
  return result;
}

// Findings (CVE, package) whose data sources include `source`, with their fixed version.
std::map<std::pair<std::string, std::string>, Row> findingsFrom(const std::vector<Row>& rows,
                                                                const std::string& source) {
  std::map<std::pair<std::string, std::string>, Row> out;
  for (const auto& r : rows) {
    if (("," + r.source + ",").find("," + source + ",") != std::string::npos) {
      out[{r.id, r.package}] = r;
    }
  }
  return out;
}

const Row* findRow(const std::vector<Row>& rows, const std::string& id, const std::string& pkg) {
  for (const auto& r : rows) {
    if (r.id == id && r.package == pkg) return &r;
  }
  return nullptr;
}

// A pairing's findings, projected; `skipped` when its shared fixtures are absent.
struct Scan {
  bool skipped = false;
  std::string message;
  std::vector<Row> rows;
};

Scan scanRows(const std::string& name) {
  Scan scan;
  const Pairing& p = pairing(name);
  if (!sharedPresent(p, &scan.message)) {
    scan.skipped = true;
    scan.message = "shared testdata absent: " + scan.message;
    return scan;
  }
  const ScanResult& result = scanOnce(p);
  scan.message = result.error;
  if (result.error.empty()) scan.rows = project(result.report);
  return scan;
}

// --- golden ----------------------------------------------------------------------------------

class RealFeedsGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(RealFeedsGolden, MatchesReviewedFindings) {
  const Scan scan = scanRows(GetParam());
  if (scan.skipped) GTEST_SKIP() << scan.message;
  ASSERT_TRUE(scan.message.empty()) << scan.message;
  const std::vector<Row>& rows = scan.rows;
  checkGolden(GetParam(), rows);
  // Every finding names its package, version, status and data source.
  for (const auto& r : rows) {
    EXPECT_FALSE(r.package.empty() || r.installed.empty() || r.status.empty() || r.source.empty())
        << r.id;
  }
}

INSTANTIATE_TEST_SUITE_P(Pairings, RealFeedsGolden,
                         ::testing::Values("ubuntu-18.04", "alpine-3.4", "mariner-2.0", "debian-8",
                                           "centos-8"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace_if(
                               name.begin(), name.end(), [](char c) { return !std::isalnum(c); },
                               '_');
                           return name;
                         });

// --- Ubuntu 18.04 × bionic OVAL --------------------------------------------------------------

TEST(RealFeedsUbuntu, EveryOvalStatementAndOnlyThoseAreFindings) {
  const Scan scan = scanRows("ubuntu-18.04");
  if (scan.skipped) GTEST_SKIP() << scan.message;
  ASSERT_TRUE(scan.message.empty()) << scan.message;
  const std::vector<Row>& rows = scan.rows;
  if (run("command -v bzip2 >/dev/null 2>&1").status != 0) GTEST_SKIP() << "bzip2 not installed";
  const CommandRun xml = run("bzip2 -dc " + quote((sharedTestdata() / kBionicOval).string()));
  ASSERT_EQ(xml.status, 0) << "bzip2 -dc failed";
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_buffer(xml.out.data(), xml.out.size()));
  const auto installed = readDpkgStatus(readFile(sharedTestdata() / kBionicStatus));
  ASSERT_EQ(installed.size(), 90U);
  // dpkginfo objects name binary packages (a variable lists a source's binaries).
  const OvalEvaluation oval = evaluateOval(
      doc, installed, [](const Installed& p) { return p.name; }, dpkgCompare);
  EXPECT_TRUE(oval.unsupported.empty()) << *oval.unsupported.begin();
  const auto found = findingsFrom(rows, "ubuntu-oval");
  for (const auto& [key, statement] : oval.affected) {
    const auto it = found.find(key);
    if (it == found.end()) {
      ADD_FAILURE() << "missed: " << key.first << " " << key.second << " (" << statement.comment
                    << ")";
      continue;
    }
    // When the tracker also speaks, its (older) fixed version may be the one reported.
    if (it->second.source == "ubuntu-oval") {
      EXPECT_EQ(it->second.fixed, statement.fixed) << key.first << " " << key.second;
    }
  }
  for (const auto& [key, row] : found) {
    EXPECT_TRUE(oval.affected.contains(key))
        << "not in the OVAL: " << key.first << " " << key.second << " " << row.installed;
  }
  EXPECT_EQ(oval.affected.size(), found.size());
  EXPECT_GT(found.size(), 200U);
}

// --- Ubuntu 18.04 × Ubuntu CVE Tracker --------------------------------------------------------

struct UctStatement {
  std::string status, version;
};

// bionic_<src>: <status> [(<version>)] of every tracker file, by (CVE, source).
std::map<std::pair<std::string, std::string>, UctStatement> readUct(const fs::path& dir) {
  std::map<std::pair<std::string, std::string>, UctStatement> out;
  static const std::regex kLine(R"(^bionic_([^:\s]+):\s*([a-z-]+)\s*(?:\((.*)\))?\s*$)");
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string cve = entry.path().filename().string();
    std::istringstream in(readFile(entry.path()));
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::smatch m;
      if (std::regex_match(line, m, kLine)) out[{cve, m[1].str()}] = {m[2].str(), m[3].str()};
    }
  }
  return out;
}

TEST(RealFeedsUbuntu, EveryTrackerStatementAndOnlyThoseAreFindings) {
  const Scan scan = scanRows("ubuntu-18.04");
  if (scan.skipped) GTEST_SKIP() << scan.message;
  ASSERT_TRUE(scan.message.empty()) << scan.message;
  const std::vector<Row>& rows = scan.rows;
  const auto uct = readUct(sharedTestdata() / kUct);
  ASSERT_GT(uct.size(), 200U);
  const auto installed = readDpkgStatus(readFile(sharedTestdata() / kBionicStatus));
  std::map<std::pair<std::string, std::string>, UctStatement> expected;  // (CVE, binary)
  for (const auto& [key, statement] : uct) {
    for (const auto& p : installed) {
      if (p.source != key.second) continue;
      const std::string& s = statement.status;
      // released/not-affected with a version: affected below it; DNE, not-affected: never.
      bool affected = s == "needed" || s == "needs-triage" || s == "deferred" || s == "pending" ||
                      s == "ignored" || s == "active";
      if (s == "released" && !statement.version.empty()) {
        affected = dpkgCompare(p.version, statement.version) < 0;
      }
      if (affected) expected[{key.first, p.name}] = statement;
    }
  }
  const auto found = findingsFrom(rows, "ubuntu-cve-tracker");
  for (const auto& [key, statement] : expected) {
    EXPECT_TRUE(found.contains(key)) << "missed: " << key.first << " " << key.second << " ("
                                     << statement.status << " " << statement.version << ")";
  }
  for (const auto& [key, row] : found) {
    EXPECT_TRUE(expected.contains(key))
        << "not in the tracker: " << key.first << " " << key.second << " " << row.installed;
  }
  EXPECT_GT(found.size(), 100U);
}

// The cases of REVIEW.md, read by hand in the feeds.
TEST(RealFeedsUbuntu, HandReviewedCases) {
  const Scan scan = scanRows("ubuntu-18.04");
  if (scan.skipped) GTEST_SKIP() << scan.message;
  ASSERT_TRUE(scan.message.empty()) << scan.message;
  const std::vector<Row>& rows = scan.rows;
  struct Case {
    const char* id;
    const char* package;
    const char* fixed;  // nullptr: no finding expected
    const char* status;
  };
  const Case cases[] = {
      {"CVE-2019-5094", "e2fsprogs", "1.44.1-1ubuntu1.2", "fixed"},
      {"CVE-2019-5094", "libcom-err2", "1.44.1-1ubuntu1.2", "fixed"},
      {"CVE-2019-3462", "apt", "1.6.6ubuntu0.1", "fixed"},
      {"CVE-2019-18276", "bash", "", "affected"},
      {"CVE-2016-2781", "coreutils", "", "fix-deferred"},
      {"CVE-2017-2616", "fdisk", "2.31.1-0.4ubuntu3.3", "fixed"},
      // bsdutils is util-linux too, but its binary version has epoch 1 (1:2.31.1-...), which
      // is above the OVAL's 0:2.31.1-0.4ubuntu3.3: a name match would flag it, OVAL does not.
      {"CVE-2017-2616", "bsdutils", nullptr, nullptr},
      // gpgv is a binary of gnupg2, listed in the definition's variable of gnupg2 binaries.
      {"CVE-2018-1000858", "gpgv", "2.2.4-1ubuntu1.2", "fixed"},
      // A CVE about the kernel: no linux package is installed, nothing may be reported.
      {"CVE-2019-5108", "linux-libc-dev", nullptr, nullptr},
      {"CVE-2019-12900", "bzip2", "1.0.6-8.1ubuntu0.2", "fixed"},
  };
  for (const auto& c : cases) {
    const Row* row = findRow(rows, c.id, c.package);
    if (c.fixed == nullptr) {
      EXPECT_EQ(row, nullptr) << c.id << " " << c.package << " must not be reported";
      continue;
    }
    ASSERT_NE(row, nullptr) << c.id << " " << c.package << " must be reported";
    EXPECT_EQ(row->fixed, c.fixed) << c.id << " " << c.package;
    EXPECT_EQ(row->status, c.status) << c.id << " " << c.package;
  }
}

// --- Mariner 2.0 × Mariner OVAL ---------------------------------------------------------------

TEST(RealFeedsMariner, EveryOvalStatementAndOnlyThoseAreFindings) {
  const Scan scan = scanRows("mariner-2.0");
  if (scan.skipped) GTEST_SKIP() << scan.message;
  ASSERT_TRUE(scan.message.empty()) << scan.message;
  const std::vector<Row>& rows = scan.rows;
  if (run("command -v rpm >/dev/null 2>&1").status != 0) GTEST_SKIP() << "rpm not installed";
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file((sharedTestdata() / kMarinerOval).c_str()));
  const auto installed = readRpmdb(sharedTestdata() / kMarinerRpmdb);
  ASSERT_EQ(installed.size(), 129U);
  // The Mariner OVAL names source rpms (spec names): none of its 366 object names is a
  // binary-only name such as openssl-libs, and Trivy looks it up by source name.
  const OvalEvaluation oval = evaluateOval(
      doc, installed, [](const Installed& p) { return p.source; }, rpmCompare);
  EXPECT_TRUE(oval.unsupported.empty()) << *oval.unsupported.begin();
  std::map<std::string, std::string> source_of;
  for (const auto& p : installed) source_of[p.name] = p.source;
  const auto found = findingsFrom(rows, "mariner-oval");
  // Two known bulwark defects (REVIEW.md, "Mariner"): the lookup by binary name misses the
  // binaries whose name differs from their source rpm (false negatives), and definitions whose
  // <patchable> is "Not Applicable" ("This CVE either no longer is or was never applicable")
  // are reported as affected (false positives). Anything else is a failure; once the defects
  // are fixed these counts drop to zero and the golden is rewritten.
  int known_misses = 0;
  int known_false_positives = 0;
  std::map<std::string, int> missed_by_binary;
  int checked = 0;
  for (const auto& [key, statement] : oval.affected) {
    const auto it = found.find(key);
    if (statement.not_applicable) {
      if (it != found.end()) {
        std::printf("  known false positive (Not Applicable): %s %s\n", key.first.c_str(),
                    key.second.c_str());
        ++known_false_positives;
      }
      continue;
    }
    if (it == found.end()) {
      const bool binary_only = source_of[key.second] != key.second;
      EXPECT_TRUE(binary_only) << "missed: " << key.first << " " << key.second << " ("
                               << statement.comment << ")";
      known_misses += binary_only ? 1 : 0;
      ++missed_by_binary[key.second];
      continue;
    }
    ++checked;
    EXPECT_EQ(it->second.fixed, statement.fixed) << key.first << " " << key.second;
    EXPECT_EQ(it->second.status, statement.fixed.empty() ? "affected" : "fixed")
        << key.first << " " << key.second;
  }
  for (const auto& [key, row] : found) {
    EXPECT_TRUE(oval.affected.contains(key))
        << "not in the OVAL: " << key.first << " " << key.second << " " << row.installed;
  }
  std::printf(
      "mariner-2.0: %d findings agree with the OVAL; known defects: %d missed "
      "(binary-name lookup), %d reported although Not Applicable\n",
      checked, known_misses, known_false_positives);
  for (const auto& [binary, count] : missed_by_binary) {
    std::printf("  known miss: %d statements on %s (source rpm %s)\n", count, binary.c_str(),
                source_of[binary].c_str());
  }
  EXPECT_GT(checked, 200);
}

TEST(RealFeedsMariner, HandReviewedCases) {
  const Scan scan = scanRows("mariner-2.0");
  if (scan.skipped) GTEST_SKIP() << scan.message;
  ASSERT_TRUE(scan.message.empty()) << scan.message;
  const std::vector<Row>& rows = scan.rows;
  struct Case {
    const char* id;
    const char* package;
    const char* fixed;  // nullptr: no finding expected
    const char* status;
  };
  const Case cases[] = {
      {"CVE-2023-38545", "curl", "8.3.0-2.cm2", "fixed"},
      {"CVE-2023-38545", "curl-libs", "8.3.0-2.cm2", "fixed"},  // source rpm curl
      {"CVE-2022-0778", "openssl-libs", "1.1.1k-12.cm2", "fixed"},
      {"CVE-2018-25032", "zlib", "1.2.12-1.cm2", "fixed"},
      // <patchable>false</patchable>, "installed with version 3.9.14-8 or earlier": no fix yet.
      {"CVE-2007-4559", "python3", "", "affected"},
      {"CVE-2021-4217", "unzip", "", "affected"},
      // Fixed in 7.76.0-5, installed 7.76.0-6: a name match would flag it.
      {"CVE-2021-22924", "curl", nullptr, nullptr},
      // "earlier than 8.32-1" and 8.32-1.cm2 installed: the boundary is not affected.
      {"CVE-2016-2781", "coreutils", nullptr, nullptr},
      {"CVE-2023-51714", "qt5-qtbase", nullptr, nullptr},  // not installed
  };
  for (const auto& c : cases) {
    const Row* row = findRow(rows, c.id, c.package);
    if (c.fixed == nullptr) {
      EXPECT_EQ(row, nullptr) << c.id << " " << c.package << " must not be reported";
      continue;
    }
    ASSERT_NE(row, nullptr) << c.id << " " << c.package << " must be reported";
    EXPECT_EQ(row->fixed, c.fixed) << c.id << " " << c.package;
    EXPECT_EQ(row->status, c.status) << c.id << " " << c.package;
  }
}

// --- Alpine 3.4 × secdb v3.4 -------------------------------------------------------------------

TEST(RealFeedsAlpine, EverySecfixAndOnlyThoseAreFindings) {
  const Scan scan = scanRows("alpine-3.4");
  if (scan.skipped) GTEST_SKIP() << scan.message;
  ASSERT_TRUE(scan.message.empty()) << scan.message;
  const std::vector<Row>& rows = scan.rows;
  // (CVE, origin) → fixed version from v3.4 main and community.
  std::map<std::pair<std::string, std::string>, std::string> secfixes;
  for (const char* repo : {"main.json", "community.json"}) {
    const Json db = Json::parse(readFile(sharedTestdata() / kAlpineSecdb / repo));
    for (const auto& entry : db.at("packages")) {
      const Json& pkg = entry.at("pkg");
      const auto secfix_list = pkg.find("secfixes");
      if (secfix_list == pkg.end() || !secfix_list->is_object()) continue;
      for (const auto& [fixed, ids] : secfix_list->items()) {
        for (const auto& id : ids) {
          // An entry may carry several ids ("CVE-2016-1 CVE-2016-2"); take each CVE-like word.
          std::istringstream words(id.get<std::string>());
          std::string word;
          // An id listed under two versions (CVE-2017-3738: 1.0.2n-r0 and 1.0.2o-r0) was
          // first fixed in the lower one.
          while (words >> word) {
            auto& entry = secfixes[{word, pkg.at("name").get<std::string>()}];
            if (entry.empty() || apkCompare(fixed, entry) < 0) entry = fixed;
          }
        }
      }
    }
  }
  const auto installed = readApkInstalled(readFile(sharedTestdata() / kAlpineInstalled));
  std::map<std::pair<std::string, std::string>, std::string> expected;  // (CVE, pkg) → fixed
  for (const auto& [key, fixed] : secfixes) {
    for (const auto& p : installed) {
      if (p.source == key.second && apkCompare(p.version, fixed) < 0) {
        expected[{key.first, p.name}] = fixed;
      }
    }
  }
  std::map<std::pair<std::string, std::string>, Row> found;
  for (const auto& r : rows) found[{r.id, r.package}] = r;
  for (const auto& [key, fixed] : expected) {
    const auto it = found.find(key);
    if (it == found.end()) {
      ADD_FAILURE() << "missed: " << key.first << " " << key.second << " fixed in " << fixed;
      continue;
    }
    EXPECT_EQ(it->second.fixed, fixed) << key.first << " " << key.second;
  }
  for (const auto& [key, row] : found) {
    EXPECT_TRUE(expected.contains(key)) << "not in secdb v3.4: " << key.first << " " << key.second;
  }
  EXPECT_GT(found.size(), 40U);
  // The hand-reviewed cases of REVIEW.md.
  const Row* row = findRow(rows, "CVE-2016-6301", "busybox");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->fixed, "1.24.2-r12");
  EXPECT_EQ(row->status, "fixed");
  row = findRow(rows, "CVE-2017-3738", "libssl1.0");  // origin openssl, listed twice
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->fixed, "1.0.2n-r0");
  row = findRow(rows, "CVE-2016-8859", "musl-utils");  // origin musl
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->fixed, "1.1.14-r13");
  EXPECT_EQ(findRow(rows, "CVE-2016-2147", "busybox"), nullptr);  // fixed in 1.24.2-r0 < r9
  // sqlite-libs 3.26.0-r3 is from a later branch than 3.4: v3.4's sqlite fixes (3.13 era)
  // are older, so a name-only match flags it and a version match must not.
  for (const auto& r : rows) EXPECT_NE(r.package, "sqlite-libs") << r.id;
}

// --- Debian 8 × DSA/DLA lists and jessie OVAL -------------------------------------------------

TEST(RealFeedsDebian, AptIsNewerThanEveryJessieFix) {
  const Scan scan = scanRows("debian-8");
  if (scan.skipped) GTEST_SKIP() << scan.message;
  ASSERT_TRUE(scan.message.empty()) << scan.message;
  const std::vector<Row>& rows = scan.rows;
  // "[jessie] - apt <version>" lines of the tracker's lists: 1.8.2 is above each of them.
  int statements = 0;
  static const std::regex kLine(R"(^\s+\[jessie\] - apt ([^\s]+))");
  for (const auto& list : {kDsaList, kDlaList}) {
    std::istringstream in(readFile(sharedTestdata() / list));
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (!std::regex_search(line, m, kLine)) continue;
      ++statements;
      EXPECT_GT(dpkgCompare("1.8.2", m[1].str()), 0) << m[1].str();
    }
  }
  EXPECT_GE(statements, 3);  // DSA-3733-1, DLA-1637-1, DLA-2210-1
  EXPECT_TRUE(rows.empty()) << rows.front().id << " " << rows.front().package;
}

TEST(RealFeedsCentos, NoRhelDefinitionNamesDive) {
  const Scan scan = scanRows("centos-8");
  if (scan.skipped) GTEST_SKIP() << scan.message;
  ASSERT_TRUE(scan.message.empty()) << scan.message;
  const std::vector<Row>& rows = scan.rows;
  EXPECT_EQ(readFile(sharedTestdata() / kRhel8Oval).find(">dive<"), std::string::npos);
  EXPECT_TRUE(rows.empty());
}

}  // namespace
