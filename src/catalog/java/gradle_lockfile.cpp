// gradle.lockfile (Gradle's dependency locking, `gradle dependencies --write-locks`): one line per
// resolved module, "group:artifact:version=configuration,configuration", comments with '#', and
// a final "empty=…" line naming configurations without dependencies. Every module is a package
// (Gradle records the whole resolved graph, so most are indirect and none is marked direct, as in
// Trivy). A module locked only by test configurations (testCompileClasspath,
// testRuntimeClasspath, …) is a development dependency.
#include <fmt/format.h>

#include "catalog/java/java_archive_cataloger.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

// Gradle's test source set configurations start with "test" (testImplementation,
// testRuntimeClasspath); so do those of other test suites by convention (testFixtures…).
bool onlyTestConfigurations(std::string_view configurations) {
  bool any = false;
  for (auto configuration : core::split(configurations, ',')) {
    configuration = core::trim(configuration);
    if (configuration.empty()) continue;
    if (!configuration.starts_with("test")) return false;
    any = true;
  }
  return any;
}

}  // namespace

std::vector<model::Package> parseGradleLockfile(std::string_view content, std::string_view path,
                                                core::Diagnostics& diagnostics) {
  std::vector<model::Package> packages;
  core::forEachLine(content, [&](std::string_view line, std::size_t line_number) {
    line = core::trim(line);
    if (line.empty() || line.starts_with('#') || line.starts_with("empty=")) return;
    const auto equals = line.find('=');
    const std::string_view module = line.substr(0, equals);
    const std::string_view configurations =
        equals == std::string_view::npos ? std::string_view() : line.substr(equals + 1);
    const auto parts = core::split(module, ':');
    if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
      diagnostics.add("java.malformed-gradle-lockfile", fmt::format("{}:{}", path, line_number),
                      fmt::format("expected group:artifact:version=configurations, got '{}'",
                                  core::printable(line.substr(0, 120))));
      return;
    }
    model::Package package;
    package.type = model::PackageType::Maven;
    package.name = fmt::format("{}:{}", parts[0], parts[1]);
    package.version = std::string(parts[2]);
    package.location.path = std::string(path);
    package.development = onlyTestConfigurations(configurations);
    packages.push_back(std::move(package));
  });
  return packages;
}

}  // namespace bulwark::catalog
