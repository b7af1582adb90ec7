// Version comparison schemes: how each packaging ecosystem orders its version strings.
//
// Every comparator takes two version strings and returns -1, 0 or +1 (a < b, a == b, a > b).
// Comparators are total: any pair of byte strings, valid or not, gets a deterministic answer
// that is antisymmetric (cmp(a, b) == -cmp(b, a)). They allocate nothing and run in time
// linear in the input, so the matcher can call them on millions of pairs.
//
// Whether a string is a well-formed version of its scheme is a separate question, answered by
// the valid* functions, so that callers can report bad versions (as core::Diagnostics) and
// still compare them the way the native tool would.
//
// The list of schemes is schemes.def (one line per scheme); docs/dev/version-schemes.md says
// how to add one.
#pragma once

#include <span>
#include <string_view>

// The language ecosystems' schemes, one header each (with their range/specifier parsers).
#include "version/cargo.h"
#include "version/composer.h"
#include "version/gem.h"
#include "version/golang.h"
#include "version/maven.h"
#include "version/npm.h"
#include "version/nuget.h"
#include "version/pep440.h"
#include "version/semver.h"

namespace bulwark::version {

// --- dpkg (Debian, Ubuntu): `[epoch:]upstream[-revision]`, dpkg's verrevcmp ordering --------
int compareDpkg(std::string_view a, std::string_view b) noexcept;
// dpkg's parseversion() rules; warnings (e.g. "does not start with digit") count as invalid.
// On failure `problem`, when given, receives a short static description.
bool validDpkg(std::string_view v, std::string_view* problem = nullptr) noexcept;

// --- rpm (RHEL, Fedora, SUSE, ...): full `[epoch:]version[-release]` strings ----------------
// Epochs compare numerically (missing = 0), then versions and releases with rpmvercmp; when
// only one side has a release, that side is newer (rpm's rpmverCmp / Python labelCompare).
int compareRpm(std::string_view a, std::string_view b) noexcept;
// Plain rpmvercmp() on one version or release string (no epoch/release splitting).
int compareRpmSegment(std::string_view a, std::string_view b) noexcept;
bool validRpm(std::string_view v, std::string_view* problem = nullptr) noexcept;

// --- apk (Alpine, Wolfi): `digits{.digits}[letter]{_suffix[N]}[~hash][-rN]` ------------------
int compareApk(std::string_view a, std::string_view b) noexcept;
// apk-tools' apk_version_validate().
bool validApk(std::string_view v, std::string_view* problem = nullptr) noexcept;

// --- the registry ----------------------------------------------------------------------------
enum class Scheme {
#define BULWARK_SCHEME(enum_name, name, compare_fn, valid_fn) enum_name,
#include "version/schemes.def"
#undef BULWARK_SCHEME
};

using CompareFn = int (*)(std::string_view, std::string_view) noexcept;
using ValidFn = bool (*)(std::string_view, std::string_view*) noexcept;

struct SchemeInfo {
  Scheme scheme;
  std::string_view name;
  CompareFn compare;
  ValidFn valid;
};

// Every scheme, in schemes.def order.
std::span<const SchemeInfo> allSchemes() noexcept;
// The scheme called `name` (exact, lower case), or nullptr.
const SchemeInfo* findScheme(std::string_view name) noexcept;
const SchemeInfo& schemeInfo(Scheme scheme) noexcept;

}  // namespace bulwark::version
