// Go modules of a source tree, read as Trivy reads them:
// - go.mod: the `require` lines (single and blocks) are the dependencies; the `module` itself is
//   not one; `replace` directives swap a required module for another module at a version (a
//   left-hand version must match the required one) or drop it when the replacement is a local
//   directory. Before Go 1.17 go.mod does not list every indirect dependency, so its
//   `// indirect` lines are skipped and the modules of the go.sum beside it are added instead.
// - go.sum alone (no go.mod beside it): each module path once, at its last listed version.
// Versions are kept as written ("v2.7.1+incompatible"). Files inside the module cache
// (".../pkg/mod/...") are the dependencies' own and are not read.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

std::unique_ptr<Cataloger> makeGoModCataloger();

struct GoMod {
  std::string module;                        // the main module's path
  std::string go_version;                    // the `go` directive ("1.17"), empty when absent
  std::vector<model::Package> dependencies;  // the required modules, after replace directives
  [[nodiscard]] bool before117() const;      // a go directive below 1.17, or none
};

GoMod parseGoMod(std::string_view content, std::string_view path, core::Diagnostics& diagnostics);

std::vector<model::Package> parseGoSum(std::string_view content, std::string_view path,
                                       core::Diagnostics& diagnostics);

// go.mod with the optional go.sum beside it (`go_sum` nullopt when there is none), merged as
// described above.
std::vector<model::Package> goModPackages(std::string_view go_mod, std::string_view go_mod_path,
                                          std::optional<std::string_view> go_sum,
                                          std::string_view go_sum_path,
                                          core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog
