// The scheme registry: schemes.def expanded into a table.
#include "version/scheme.h"

#include <array>

namespace bulwark::version {
namespace {

constexpr std::array kSchemes = {
#define BULWARK_SCHEME(enum_name, name, compare_fn, valid_fn) \
  SchemeInfo{Scheme::enum_name, name, compare_fn, valid_fn},
#include "version/schemes.def"
#undef BULWARK_SCHEME
};

constexpr bool inEnumOrder() {
  for (std::size_t i = 0; i < kSchemes.size(); ++i) {
    if (static_cast<std::size_t>(kSchemes[i].scheme) != i) return false;
  }
  return true;
}
static_assert(inEnumOrder(), "schemeInfo() indexes kSchemes by enum value");

}  // namespace

std::span<const SchemeInfo> allSchemes() noexcept { return kSchemes; }

const SchemeInfo* findScheme(std::string_view name) noexcept {
  for (const SchemeInfo& info : kSchemes) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

const SchemeInfo& schemeInfo(Scheme scheme) noexcept {
  // kSchemes is in enum order: schemes.def generates both.
  return kSchemes[static_cast<std::size_t>(scheme)];
}

}  // namespace bulwark::version
