// Fuzzes the ignore-file parser (.bulwarkignore.yaml, match/ignore.h) and the scope rules of the
// entries it accepts.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "match/ignore.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::match;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto file = parseIgnoreFile(input, "fuzz.yaml");
  if (!file) return 0;
  static const auto kToday = today();
  Subject subject;
  subject.vulnerability_id = "CVE-2024-2961";
  subject.aliases = {"DSA-5692-1"};
  subject.package_name = "libc6";
  subject.source_name = "glibc";
  subject.full_version = "2.36-9+deb12u4";
  subject.purl_text = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12";
  subject.purl = *bulwark::model::parsePurl(subject.purl_text);
  subject.path = "var/lib/dpkg/status";
  subject.distro_codename = "bookworm";
  std::size_t hits = 0;
  for (const auto& rule : file->rules) {
    hits += rule.covers(subject) ? 1 : 0;
    hits += rule.expiredOn(kToday) ? 1 : 0;
  }
  static volatile std::size_t sink = 0;
  sink = sink + hits;
  return 0;
}
