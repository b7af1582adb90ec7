// Fuzzes the VEX parser (OpenVEX, CycloneDX and CSAF VEX JSON, match/vex.h) and statement
// selection over what it accepts, for a Debian package in an image target and a RHEL rpm (CSAF
// platforms by CPE).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "match/vex.h"

namespace {

using bulwark::match::Subject;

Subject debianSubject() {
  static const bulwark::model::Target kTarget = [] {
    bulwark::model::Target target;
    target.manifest_digest = "sha256:1111";
    target.repo_tags = {"registry.invalid/debian-mini:1"};
    return target;
  }();
  Subject subject;
  subject.vulnerability_id = "CVE-2024-2961";
  subject.aliases = {"DSA-5692-1"};
  subject.package_name = "libc6";
  subject.full_version = "1:2.36-9+deb12u4";
  subject.purl_text = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&epoch=1";
  subject.purl = *bulwark::model::parsePurl(subject.purl_text);
  subject.distro_codename = "bookworm";
  subject.target = &kTarget;
  return subject;
}

Subject rpmSubject() {
  Subject subject;
  subject.vulnerability_id = "CVE-2024-2961";
  subject.package_name = "openssl";
  subject.full_version = "1:3.0.7-24.el9";
  subject.purl_text = "pkg:rpm/redhat/openssl@3.0.7-24.el9?arch=x86_64&distro=rhel-9.2&epoch=1";
  subject.purl = *bulwark::model::parsePurl(subject.purl_text);
  return subject;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::match;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto document = parseVex(input, "fuzz.json");
  if (!document) return 0;
  static const Subject kDebian = debianSubject();
  static const Subject kRpm = rpmSubject();
  static volatile std::size_t sink = 0;
  for (const Subject* subject : {&kDebian, &kRpm}) {
    const VexStatement* statement = decidingStatement(*document, *subject);
    sink = sink + (statement != nullptr ? statement->index : 0);
  }
  return 0;
}
