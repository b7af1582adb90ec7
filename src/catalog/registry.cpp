#include "catalog/registry.h"

#define BULWARK_CATALOGER(factory, header) /* header only */
#include "catalog/catalogers.def"
#undef BULWARK_CATALOGER

// Headers of every registered cataloger.
#include "catalog/apk/apk_cataloger.h"
#include "catalog/binary/binary_cataloger.h"
#include "catalog/dotnet/dotnet_cataloger.h"
#include "catalog/dpkg/dpkg_cataloger.h"
#include "catalog/golang/gomod_cataloger.h"
#include "catalog/java/java_archive_cataloger.h"
#include "catalog/npm/npm_cataloger.h"
#include "catalog/php/composer_cataloger.h"
#include "catalog/python/python_cataloger.h"
#include "catalog/ruby/ruby_cataloger.h"
#include "catalog/rust/cargo_cataloger.h"
#if __has_include("catalog/rpm/rpm_cataloger.h")
#include "catalog/rpm/rpm_cataloger.h"
#endif

namespace bulwark::catalog {

std::vector<std::unique_ptr<Cataloger>> allCatalogers() {
  std::vector<std::unique_ptr<Cataloger>> out;
#define BULWARK_CATALOGER(factory, header) out.push_back(factory());
#include "catalog/catalogers.def"
#undef BULWARK_CATALOGER
  return out;
}

}  // namespace bulwark::catalog
