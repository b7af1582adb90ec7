// The inventory: what is installed in one target, and where each package was found.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/diagnostic.h"

namespace bulwark::model {

// Package ecosystems: the OS package managers, then the language package registries.
enum class PackageType { Deb, Apk, Rpm, Python, Npm, Go, Maven, Gem, Cargo, NuGet, Composer };

// What each ecosystem is called in the vocabularies bulwark speaks.
struct EcosystemNames {
  PackageType type;
  std::string_view name;       // ours, in reports: "deb", "python", "npm", "go", "maven", ...
  std::string_view purl_type;  // package-url type: "deb", "pypi", "npm", "golang", "maven", ...
  std::string_view osv;        // OSV ecosystem of a registry ("PyPI", "crates.io"); "" for OS
  std::string_view scheme;     // version scheme (version/schemes.def): "dpkg", "pep440", ...
};

const EcosystemNames& ecosystemNames(PackageType type);
// The ecosystem whose purl type is `purl_type` (lower case), or nullptr.
const EcosystemNames* ecosystemForPurlType(std::string_view purl_type);
// The ecosystem whose OSV name is `osv` (exact), or nullptr.
const EcosystemNames* ecosystemForOsv(std::string_view osv);

std::string_view toString(PackageType type);
// Deb, Apk and Rpm: packages of the operating system, matched against its distribution's feeds.
bool isOsPackage(PackageType type);

// Where a package record was read: the layer that last wrote the database file and the path.
struct Location {
  std::string layer_digest;  // empty for a root filesystem
  // Inside the image root, without a leading '/'; a package inside a nested archive names the
  // chain with "!/" ("srv/app.war!/WEB-INF/lib/log4j-core-2.14.1.jar", a jar: URL's syntax).
  std::string path;

  friend bool operator==(const Location&, const Location&) = default;
};

// How a language package relates to the project whose lockfile lists it, where the lockfile (or
// the manifest beside it) tells: the project itself, a dependency it declares, or a dependency of
// a dependency. Unknown for OS packages and for files that do not say.
enum class Relationship { Unknown, Root, Direct, Indirect };

// "root", "direct", "indirect"; "" for Unknown.
std::string_view toString(Relationship relationship);

struct Package {
  PackageType type = PackageType::Deb;
  // The ecosystem's own spelling: npm "@scope/name", Go module path, Maven "group:artifact",
  // Composer "vendor/name" (what OSV records name).
  std::string name;
  std::optional<std::uint32_t> epoch;  // dpkg and rpm; absent when the database has none
  std::string version;  // without epoch; dpkg "upstream-revision", apk full; languages as published
  std::string release;  // rpm only
  std::string arch;
  std::string source_name;
  std::string source_version;         // dpkg: may carry its own epoch; rpm: "version-release"
  std::vector<std::string> licenses;  // as written by the package database
  std::string maintainer;             // dpkg Maintainer, apk maintainer
  std::string vendor;                 // rpm
  std::string modularity_label;       // rpm modular packages
  std::string origin;                 // apk origin (its source package)
  std::vector<std::string> depends;   // apk D: / dpkg Depends names
  // Files the package manager records as installed by this package (dpkg .list, apk, rpm),
  // relative to the root or absolute as the database writes them.
  std::vector<std::string> files;
  // Language packages: a dependency only development or tests need, as the lockfile says
  // (npm "dev", poetry groups, ...). Reports leave these out, as Trivy does by default.
  bool development = false;
  Relationship relationship = Relationship::Unknown;
  Location location;

  // The full version in the package manager's own syntax, as its comparator takes it:
  // dpkg "[epoch:]version", rpm "[epoch:]version-release", apk "version".
  [[nodiscard]] std::string fullVersion() const;
};

// Orders packages by (type, name, version, arch, location) for deterministic output.
bool packageLess(const Package& a, const Package& b);

// The operating system a target runs, from os-release and its older cousins.
struct Distro {
  std::string id;          // os-release ID: "debian", "ubuntu", "alpine", "rhel", ...
  std::string version_id;  // "12", "3.19.1", "8.9"
  std::string codename;    // VERSION_CODENAME: "bookworm"; Alpine: the branch its
                           // etc/apk/repositories names ("v3.16", "edge")
  std::string pretty_name;
  std::string id_like;
  std::string source;  // the file it was read from

  [[nodiscard]] bool known() const { return !id.empty(); }
};

struct LayerInfo {
  std::string digest;      // digest of the blob as stored (compressed)
  std::string diff_id;     // digest of the uncompressed tar, from the config
  std::uint64_t size = 0;  // compressed bytes
  std::string media_type;
  std::string created_by;  // from the config history, when it lines up
};

// An image config's runtime settings and build history (what `docker inspect` shows under
// Config, and `docker history`). Empty for a root filesystem.
struct HistoryEntry {
  std::string created;
  std::string created_by;  // "/bin/sh -c #(nop)  USER app", "RUN /bin/sh -c apt-get update"
  std::string comment;
  bool empty_layer = false;
};

struct ImageConfig {
  bool present = false;  // false for a root filesystem
  std::string user;
  std::vector<std::string> env;                             // "KEY=value", in order
  std::vector<std::pair<std::string, std::string>> labels;  // sorted by key
  std::vector<std::string> exposed_ports;                   // "22/tcp", sorted
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string working_dir;
  bool has_healthcheck = false;               // a Healthcheck other than NONE
  std::vector<std::string> healthcheck_test;  // ["CMD-SHELL", "curl -f http://localhost/"]
  std::vector<HistoryEntry> history;          // every entry, empty layers too
};

// What was scanned.
struct Target {
  std::string name;             // as the user wrote it
  std::string kind;             // "docker-archive", "oci", "oci-archive", "registry", "rootfs"
  std::string manifest_digest;  // empty for a root filesystem
  std::string config_digest;
  std::string created;  // image config "created", RFC 3339
  std::string os;
  std::string architecture;
  std::vector<std::string> repo_tags;
  std::vector<std::string> repo_digests;
  std::vector<LayerInfo> layers;
  ImageConfig config;  // not part of inventory reports; the config scanners read it
};

struct Inventory {
  Target target;
  Distro distro;
  std::vector<Package> packages;
  std::vector<core::Diagnostic> diagnostics;
};

}  // namespace bulwark::model
