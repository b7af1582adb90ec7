// Java archives (jar, war, ear, ...), read as Trivy's jar parser reads them offline:
// - every `pom.properties` member (any directory; groupId=, artifactId=, version= lines, the last
//   of each wins) is a package "groupId:artifactId" at that version — shaded ("fat") jars carry
//   one per bundled library, so they yield several;
// - when none of an archive's pom.properties is the archive's own (its artifactId and version
//   equal those of the file name, "log4j-core-2.14.1.jar"), the main section of
//   META-INF/MANIFEST.MF names it: groupId from Implementation-Vendor-Id, Bundle-SymbolicName
//   (up to its last '.'), Implementation-Vendor or Specification-Vendor; artifactId from
//   Implementation-Title, Specification-Title or Bundle-Name; version from
//   Implementation-Version, Specification-Version or Bundle-Version (all three needed);
// - nested archives (members ending in an archive extension: WEB-INF/lib/*.jar, BOOT-INF/lib,
//   lib/ of ears, META-INF/jars/...) are read the same way, from memory, never written to disk;
// - duplicates (same name and location, versions equal as Maven compares them) are dropped.
// Online, Trivy then asks its Java DB (Maven Central by SHA-1, groupId by artifactId); bulwark has
// no such database, so an archive with neither pom.properties nor a usable manifest yields nothing.
// Licenses are not read. Differences from Trivy: only META-INF/MANIFEST.MF is read (Trivy takes
// the last member named MANIFEST.MF anywhere), and nested archives are recognised by all the
// extensions below, case-insensitively (Trivy: .jar, .war, .ear).
//
// Location: location.path is the outer file for its own packages; a package of a nested archive
// carries the chain "app.war!/WEB-INF/lib/x.jar" (java's jar: URL spelling; Trivy joins with '/'
// instead, which is ambiguous with exploded directories named "x.war"). javaOuterArchivePath()
// returns the file part.
//
// Images stream their layers once, so archives are not kept whole: the "java-archive" Extractor
// reduces each archive to a summary while the layer passes, and the cataloger parses summaries.
// Summary format: a sequence of records, each one kind byte followed by its fields, each field a
// 4-byte little-endian length and that many bytes:
//   'P' archive, member, content   a pom.properties (only its groupId/artifactId/version lines)
//   'M' archive, content           META-INF/MANIFEST.MF (only the main-section attributes above,
//                                  unfolded, one "Name: value" per line)
//   'D' archive, kind, detail      a problem met while reading (becomes a diagnostic)
// `archive` is "" for the outer file, else the chain of member names inside it joined by "!/".
// Bounds (all hostile input stays within them): nesting depth kMaxJavaArchiveDepth, total bytes
// decompressed per outer file kMaxJavaDecompressedBytes, one nested archive at most
// kMaxJavaNestedArchiveBytes, entries kMaxJavaArchiveEntries, summary kMaxJavaSummaryBytes.
//
// pom.xml (project directories only, Cataloger::projectPatterns; Trivy reads it in `trivy fs`,
// not in images): the offline part of Trivy's pom parser — the project itself and its direct
// <dependencies> whose scope is empty, compile or runtime and that are not optional, with ${...}
// taken from <properties> and project.* (unknown ones become "" and a diagnostic, as in Trivy)
// and missing versions from <dependencyManagement>. Parent POMs are read from the scanned tree
// only, as Maven finds them first: <relativePath> (default ../pom.xml; a directory means its
// pom.xml; an empty one means none) from the child's directory, taken when its groupId and
// artifactId are the parent's, up to kMaxPomParentDepth parents and never a file twice. A child
// inherits groupId and version, properties (the nearest definition wins), dependencyManagement
// and dependencies. Trivy goes on to the local repository (~/.m2/repository) and Maven Central;
// bulwark does not: ~/.m2 belongs to the machine running the scan, not to the project scanned,
// so results would differ between machines. A parent not found is a "java.parent-not-found"
// diagnostic. Imported BOMs, modules and transitive dependencies are not read.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

std::unique_ptr<Cataloger> makeJavaArchiveCataloger();

inline constexpr std::string_view kJavaArchiveExtractor = "java-archive";
inline constexpr std::uint64_t kMaxJavaArchiveFileBytes = 512ULL << 20;
inline constexpr int kMaxJavaArchiveDepth = 4;
inline constexpr std::uint64_t kMaxJavaDecompressedBytes = 256ULL << 20;
inline constexpr std::uint64_t kMaxJavaNestedArchiveBytes = 64ULL << 20;
inline constexpr std::uint64_t kMaxJavaArchiveEntries = 500'000;
inline constexpr std::size_t kMaxJavaSummaryBytes = 4U << 20;

// Whether `path` names a Java archive: .jar .war .ear .par (Trivy) and .sar .jpi .hpi .kar
// (Syft's additions), case-insensitive.
bool isJavaArchiveName(std::string_view path) noexcept;
// The Extractor's `wants`: a regular file with an archive name, at most kMaxJavaArchiveFileBytes.
bool wantsJavaArchive(std::string_view path, std::uint32_t mode, std::uint64_t size) noexcept;
// The Extractor's `extract`: the summary of a whole archive (never throws; "" when there is
// nothing to say).
std::string summarizeJavaArchive(std::string_view path, std::string_view content);
// The packages a summary describes; `path` is the outer archive's path (relative to the root).
std::vector<model::Package> parseJavaArchiveSummary(std::string_view summary, std::string_view path,
                                                    core::Diagnostics& diagnostics);
// pom.xml: the project (first, its `depends` the direct dependencies) then those dependencies.
std::vector<model::Package> parsePomXml(std::string_view content, std::string_view path,
                                        core::Diagnostics& diagnostics);
// Another file of the scanned tree by its path (relative to the root, no leading '/'), or nullptr.
using PomLoader = std::function<const std::string*(std::string_view path)>;
inline constexpr int kMaxPomParentDepth = 16;
// pom.xml with its parents read through `load` (an empty loader reads none, as parsePomXml).
std::vector<model::Package> parsePomXmlWithParents(std::string_view content, std::string_view path,
                                                   const PomLoader& load,
                                                   core::Diagnostics& diagnostics);
// Every pom.xml of `fs` matching `pattern`, its parents looked up in `fs`.
void catalogPomFiles(const image::FsView& fs, std::string_view pattern,
                     std::vector<model::Package>& packages, core::Diagnostics& diagnostics);
// gradle.lockfile (project directories): every locked module; test-only ones are development
// dependencies (gradle_lockfile.cpp).
std::vector<model::Package> parseGradleLockfile(std::string_view content, std::string_view path,
                                                core::Diagnostics& diagnostics);
// build.sbt.lock (sbt-dependency-lock, project directories): every locked module; those neither
// compile nor runtime needs are development dependencies (sbt_lockfile.cpp).
std::vector<model::Package> parseSbtLockfile(std::string_view content, std::string_view path,
                                             core::Diagnostics& diagnostics);
// JSON lockfiles above this size are not parsed (a diagnostic says so).
inline constexpr std::size_t kMaxJavaLockfileBytes = std::size_t{64} << 20U;
// summarize + parse, for callers that hold a whole archive (tests, fuzzing).
std::vector<model::Package> parseJavaArchive(std::string_view content, std::string_view path,
                                             core::Diagnostics& diagnostics);
// "app.war" for "app.war!/WEB-INF/lib/x.jar" (the file an image or OS package owns).
std::string_view javaOuterArchivePath(std::string_view location_path) noexcept;

// Pieces of the above, exposed for tests.
struct JavaFileNameProperties {
  std::string artifact_id;
  std::string version;
};
// Trivy's file-name pattern ^([a-zA-Z0-9._-]*[^-*])-(\d\S*(?:-SNAPSHOT)?).jar$ over the base name;
// both fields empty when it does not match.
JavaFileNameProperties parseJavaFileName(std::string_view path);

}  // namespace bulwark::catalog
