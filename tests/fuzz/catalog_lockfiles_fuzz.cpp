// Fuzzes the small lockfile and metadata parsers of src/catalog/{ruby,php,rust,dotnet,golang}.
// The first byte picks the parser (modulo the number of parsers); the rest is the file. For the
// Cargo.lock + Cargo.toml and go.mod + go.sum pairs the two files are separated by the first NUL
// byte.
#include <cstdint>
#include <string_view>

#include "catalog/dotnet/dotnet_cataloger.h"
#include "catalog/golang/gomod_cataloger.h"
#include "catalog/php/composer_cataloger.h"
#include "catalog/ruby/ruby_cataloger.h"
#include "catalog/rust/cargo_cataloger.h"

namespace {

using bulwark::core::Diagnostics;
namespace catalog = bulwark::catalog;

void touch(const std::vector<bulwark::model::Package>& packages) {
  for (const auto& package : packages) (void)package.fullVersion();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  Diagnostics diagnostics;
  switch (data[0] % 11) {
    case 0:
      if (const auto package = catalog::parseGemspec(text, "fuzz.gemspec", diagnostics)) {
        (void)package->fullVersion();
      }
      break;
    case 1: touch(catalog::parseGemfileLock(text, "Gemfile.lock", diagnostics)); break;
    case 2: touch(catalog::parseComposerLock(text, "composer.lock", diagnostics)); break;
    case 3: touch(catalog::parseComposerInstalled(text, "installed.json", diagnostics)); break;
    case 4: touch(catalog::parseCargoLock(text, "Cargo.lock", diagnostics)); break;
    case 5: {
      const auto split = text.find('\0');
      const std::string_view lock = text.substr(0, split);
      const std::string_view manifest =
          split == std::string_view::npos ? std::string_view{} : text.substr(split + 1);
      touch(catalog::parseCargoLock(lock, "Cargo.lock", diagnostics, manifest));
      break;
    }
    case 6: touch(catalog::parseDotnetDeps(text, "app.deps.json", diagnostics)); break;
    case 7: touch(catalog::parseNugetLock(text, "packages.lock.json", diagnostics)); break;
    case 8: (void)catalog::parseGoMod(text, "go.mod", diagnostics).before117(); break;
    case 9: touch(catalog::parseGoSum(text, "go.sum", diagnostics)); break;
    case 10: {
      const auto split = text.find('\0');
      const std::string_view mod = text.substr(0, split);
      const auto sum = split == std::string_view::npos
                           ? std::nullopt
                           : std::optional<std::string_view>(text.substr(split + 1));
      touch(catalog::goModPackages(mod, "go.mod", sum, "go.sum", diagnostics));
      break;
    }
    default: break;
  }
  return 0;
}
