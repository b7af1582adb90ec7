// Maven version ordering: org.apache.maven.artifact.versioning.ComparableVersion, exactly as
// shipped in Maven 3.8.7 (Debian 12's maven-artifact jar). See maven.cpp for the algorithm.
#pragma once

#include <string_view>

namespace bulwark::version {

// ComparableVersion(a).compareTo(ComparableVersion(b)) as -1/0/+1. Every byte string is a
// Maven version to ComparableVersion (there is no invalid input), so this is the real answer
// for any pair. ASCII letters compare case-insensitively; other bytes compare as raw bytes.
int compareMaven(std::string_view a, std::string_view b) noexcept;

// Whether `v` is a version Maven would accept in a POM: not empty, no ASCII control character
// or blank, none of DefaultModelValidator's ILLEGAL_VERSION_CHARS `\ / : " < > | ? *`, and no
// unresolved `${` expression. (ComparableVersion itself accepts every string; compareMaven
// orders invalid versions the same way.) On failure `problem`, when given, receives a short
// static description.
bool validMaven(std::string_view v, std::string_view* problem = nullptr) noexcept;

}  // namespace bulwark::version
