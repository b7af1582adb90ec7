#include "catalog/golang/gomod_cataloger.h"

#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <utility>

#include <fmt/format.h>

#include "core/text.h"

namespace bulwark::catalog {

namespace {

struct Line {
  std::vector<std::string> tokens;
  bool indirect = false;  // a "// indirect" comment
};

// Splits a go.mod line into tokens ("quoted" and `raw` strings unquoted) and its comment.
std::optional<Line> tokenize(std::string_view text) {
  Line line;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      const auto comment = core::trim(text.substr(i + 2));
      line.indirect = comment == "indirect" || comment.starts_with("indirect;");
      break;
    } else if (c == '"' || c == '`') {
      std::string token;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == c) {
          closed = true;
          ++i;
          break;
        }
        if (c == '"' && text[i] == '\\' && i + 1 < text.size()) ++i;
        token.push_back(text[i++]);
      }
      if (!closed) return std::nullopt;
      line.tokens.push_back(std::move(token));
    } else {
      const std::size_t start = i;
      while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\r' &&
             !(text[i] == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
        ++i;
      }
      line.tokens.emplace_back(text.substr(start, i - start));
    }
  }
  return line;
}

struct Replace {
  std::string old_path;
  std::string old_version;  // empty: every version
  std::string new_path;
  std::string new_version;  // empty: a local directory
};

bool isVersion(std::string_view token) { return token.starts_with("v"); }

}  // namespace

bool GoMod::before117() const {
  if (go_version.empty()) return true;  // no go directive: the go command assumes 1.16
  const auto parts = core::split(go_version, '.');
  const auto major = core::parseUnsigned(parts[0]);
  const auto minor =
      parts.size() > 1 ? core::parseUnsigned(parts[1]) : std::optional<std::uint64_t>{0};
  if (!major || !minor) return false;
  return *major < 1 || (*major == 1 && *minor < 17);
}

GoMod parseGoMod(std::string_view content, std::string_view path, core::Diagnostics& diagnostics) {
  GoMod out;
  struct Require {
    std::string path;
    std::string version;
    bool indirect = false;
  };
  std::vector<Require> requires_list;
  std::vector<Replace> replaces;
  std::string block;  // the verb of the "verb (" block we are in
  auto malformed = [&](std::size_t number, std::string_view detail) {
    diagnostics.add("golang.malformed-gomod", fmt::format("{}:{}", path, number),
                    std::string(detail));
  };
  auto entry = [&](std::string_view verb, std::span<const std::string> args, bool indirect,
                   std::size_t number) {
    if (verb == "require") {
      if (args.size() != 2) return malformed(number, "require needs a module path and version");
      requires_list.push_back({args[0], args[1], indirect});
    } else if (verb == "replace") {
      const auto arrow = std::find(args.begin(), args.end(), "=>");
      const auto left = static_cast<std::size_t>(arrow - args.begin());
      const std::size_t right = args.size() - left - (arrow == args.end() ? 0 : 1);
      if (arrow == args.end() || left < 1 || left > 2 || right < 1 || right > 2) {
        return malformed(number, "replace needs 'old [version] => new [version]'");
      }
      Replace replace;
      replace.old_path = args[0];
      if (left == 2) replace.old_version = args[1];
      replace.new_path = args[left + 1];
      if (right == 2) replace.new_version = args[left + 2];
      replaces.push_back(std::move(replace));
    }
    // exclude, retract, godebug, tool, ignore: not inventory
  };
  core::forEachLine(content, [&](std::string_view text, std::size_t number) {
    auto line = tokenize(text);
    if (!line) return malformed(number, "unterminated quoted string");
    const auto& tokens = line->tokens;
    if (tokens.empty()) return;
    if (!block.empty()) {
      if (tokens.size() == 1 && tokens[0] == ")") {
        block.clear();
        return;
      }
      return entry(block, tokens, line->indirect, number);
    }
    const std::string& verb = tokens[0];
    if (tokens.size() == 2 && tokens[1] == "(") {
      block = verb;
      return;
    }
    if (verb == "module") {
      if (tokens.size() == 2) out.module = tokens[1];
      return;
    }
    if (verb == "go") {
      if (tokens.size() == 2) out.go_version = tokens[1];
      return;
    }
    entry(verb, std::span<const std::string>(tokens).subspan(1), line->indirect, number);
  });
  const bool skip_indirect = out.before117();
  std::map<std::string, model::Package, std::less<>> packages;
  for (auto& require : requires_list) {
    if (skip_indirect && require.indirect) continue;
    model::Package package;
    package.type = model::PackageType::Go;
    package.name = require.path;
    package.version = require.version;
    package.location.path = std::string(path);
    packages.insert_or_assign(require.path, std::move(package));
  }
  for (const auto& replace : replaces) {
    const auto old = packages.find(replace.old_path);
    if (old == packages.end()) continue;
    if (!replace.old_version.empty() && old->second.version != replace.old_version) continue;
    model::Package package = std::move(old->second);
    packages.erase(old);
    if (replace.new_version.empty() || !isVersion(replace.new_version)) continue;  // local dir
    package.name = replace.new_path;
    package.version = replace.new_version;
    packages.insert_or_assign(replace.new_path, std::move(package));
  }
  for (auto& [name, package] : packages) out.dependencies.push_back(std::move(package));
  return out;
}

std::vector<model::Package> parseGoSum(std::string_view content, std::string_view path,
                                       core::Diagnostics& diagnostics) {
  std::map<std::string, std::string, std::less<>> versions;  // the last listed version wins
  core::forEachLine(content, [&](std::string_view text, std::size_t number) {
    if (core::trim(text).empty()) return;
    auto fields = tokenize(text);
    if (!fields || fields->tokens.size() < 2) {
      diagnostics.add("golang.malformed-gosum", fmt::format("{}:{}", path, number),
                      "line is not 'module version hash'");
      return;
    }
    std::string_view version = fields->tokens[1];
    if (version.ends_with("/go.mod")) version.remove_suffix(7);
    versions.insert_or_assign(fields->tokens[0], std::string(version));
  });
  std::vector<model::Package> out;
  for (auto& [name, version] : versions) {
    model::Package package;
    package.type = model::PackageType::Go;
    package.name = name;
    package.version = std::move(version);
    package.location.path = std::string(path);
    out.push_back(std::move(package));
  }
  return out;
}

std::vector<model::Package> goModPackages(std::string_view go_mod, std::string_view go_mod_path,
                                          std::optional<std::string_view> go_sum,
                                          std::string_view go_sum_path,
                                          core::Diagnostics& diagnostics) {
  GoMod mod = parseGoMod(go_mod, go_mod_path, diagnostics);
  if (!go_sum || !mod.before117()) return std::move(mod.dependencies);
  std::set<std::string, std::less<>> names;
  for (const auto& package : mod.dependencies) names.insert(package.name);
  for (auto& package : parseGoSum(*go_sum, go_sum_path, diagnostics)) {
    if (package.name == mod.module || names.contains(package.name)) continue;
    package.location.path = std::string(go_mod_path);  // reported under go.mod, as Trivy does
    mod.dependencies.push_back(std::move(package));
  }
  return std::move(mod.dependencies);
}

namespace {

constexpr std::string_view kModPattern = "**/go.mod";
constexpr std::string_view kSumPattern = "**/go.sum";

// go.mod and go.sum files inside the module cache ($GOPATH/pkg/mod) belong to the downloaded
// dependencies, not to a project: they would list the dependencies' own requirements.
bool inModuleCache(std::string_view path) {
  return path.starts_with("pkg/mod/") || path.find("/pkg/mod/") != std::string_view::npos;
}

std::string sibling(std::string_view path, std::string_view name) {
  return fmt::format("{}{}", path.substr(0, path.rfind('/') + 1), name);
}

class GoModCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "gomod"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override { return {}; }
  std::vector<std::string_view> projectPatterns() const override {
    return {kModPattern, kSumPattern};
  }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    auto regular = [&](const std::string& path) -> const image::FileEntry* {
      const image::FileEntry* entry = fs.find(path);
      return entry != nullptr && entry->type == image::FileType::Regular ? entry : nullptr;
    };
    for (const auto& [path, entry] : fs.glob(kModPattern)) {
      if (inModuleCache(path)) continue;
      const std::string sum_path = sibling(path, "go.sum");
      const image::FileEntry* sum = regular(sum_path);
      auto found = goModPackages(
          entry->content, path,
          sum != nullptr ? std::optional<std::string_view>(sum->content) : std::nullopt, sum_path,
          diagnostics);
      for (auto& package : found) {
        package.location.layer_digest = entry->layer_digest;
        packages.push_back(std::move(package));
      }
    }
    for (const auto& [path, entry] : fs.glob(kSumPattern)) {
      if (inModuleCache(path)) continue;
      if (regular(sibling(path, "go.mod")) != nullptr) continue;
      for (auto& package : parseGoSum(entry->content, path, diagnostics)) {
        package.location.layer_digest = entry->layer_digest;
        packages.push_back(std::move(package));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> makeGoModCataloger() { return std::make_unique<GoModCataloger>(); }

}  // namespace bulwark::catalog
