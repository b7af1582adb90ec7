// NuGet version ordering: NuGet.Versioning's NuGetVersion with VersionComparer.Default.
// See nuget.cpp for the grammar and the ordering.
#pragma once

#include <string_view>

namespace bulwark::version {

// VersionComparer.Default.Compare(NuGetVersion.Parse(a), NuGetVersion.Parse(b)) as -1/0/+1:
// up to four numeric parts (missing = 0), then a release is newer than any pre-release, then
// pre-release labels dot by dot (numeric labels numerically and before other labels, other
// labels case-insensitively), a longer label list being newer; build metadata is ignored.
// Strings NuGetVersion.TryParse rejects (validNuget() false) sort before every valid version
// and among themselves byte by byte, so the order stays total and transitive.
int compareNuget(std::string_view a, std::string_view b) noexcept;

// NuGetVersion.TryParse(): after trimming blanks, `N[.N[.N[.N]]][-labels][+metadata]` with
// N a non-negative 32-bit integer (leading zeros allowed), labels and metadata dot-separated
// non-empty runs of [0-9A-Za-z-], and no leading zero in an all-digit label. A leading 'v' is
// not allowed. On failure `problem`, when given, receives a short static description.
bool validNuget(std::string_view v, std::string_view* problem = nullptr) noexcept;

}  // namespace bulwark::version
