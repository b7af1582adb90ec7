// Composer / Packagist versions: composer/semver's VersionParser::normalize() and Comparator
// (version_compare() on the normalized forms), as composer.lock, vendor/composer/installed.json
// and Packagist/GHSA advisories use them. src/version/composer.cpp explains the rules.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace bulwark::version {

// Normalizes both versions as VersionParser::normalize() does ("v1.2" -> "1.2.0.0",
// "1.0-b2" -> "1.0.0.0-beta2", "1.x-dev" -> "1.9999999.9999999.9999999-dev", "master" ->
// "dev-master") and compares them as Comparator::lessThan/equalTo/greaterThan do (PHP's
// version_compare(); dev- branches are older than every numbered version). Total: two distinct
// dev- branches (which Composer calls incomparable) compare by name, byte-wise; strings
// normalize() refuses are older than every valid version and compare byte-wise among
// themselves. No allocation.
int compareComposer(std::string_view a, std::string_view b) noexcept;

// Whether VersionParser::normalize() accepts `v` (it throws UnexpectedValueException
// otherwise). On failure `problem`, when given, receives a short static description.
bool validComposer(std::string_view v, std::string_view* problem = nullptr) noexcept;

// VersionParser::normalize(): the normalized string, or ErrorCode::Input when Composer would
// throw.
core::Result<std::string> normalizeComposer(std::string_view v);

}  // namespace bulwark::version
