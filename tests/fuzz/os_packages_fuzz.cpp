// Fuzzes the text package databases and release files: dpkg status, apk installed, os-release.
// The first byte picks the parser so that one corpus covers the three formats.
#include <cstdint>
#include <string_view>

#include "catalog/apk/apk_cataloger.h"
#include "catalog/dpkg/dpkg_cataloger.h"
#include "catalog/os/os_release.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  bulwark::core::Diagnostics diagnostics;
  switch (data[0] % 3) {
    case 0: (void)bulwark::catalog::parseDpkgStatus(text, "fuzz", diagnostics); break;
    case 1: (void)bulwark::catalog::parseApkInstalled(text, "fuzz", diagnostics); break;
    default: {
      (void)bulwark::catalog::parseOsRelease(text);
      bulwark::image::FsView view;
      bulwark::image::FileEntry entry;
      entry.content = std::string(text);
      view.put("etc/redhat-release", entry);
      view.put("etc/lsb-release", std::move(entry));
      (void)bulwark::catalog::detectDistro(view, diagnostics);
    }
  }
  return 0;
}
