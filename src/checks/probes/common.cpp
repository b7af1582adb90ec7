#include "checks/probes/common.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace bulwark::checks::probes {

void forEachInstruction(
    const Resource& resource, bool final_only,
    const std::function<void(const Instruction&, const dockerfile::Variables&)>& fn) {
  if (resource.dockerfile == nullptr) return;
  const auto& file = *resource.dockerfile;
  std::set<const Instruction*> wanted;
  if (final_only) {
    for (const Instruction* instruction : file.finalChain()) wanted.insert(instruction);
  }
  std::map<int, dockerfile::Variables> by_stage;
  for (const auto& instruction : file.instructions) {
    dockerfile::Variables& vars = by_stage[instruction.stage];
    if (instruction.keyword == "FROM" && instruction.stage >= 0 && !file.stages.empty()) {
      const int base = file.stages[static_cast<std::size_t>(instruction.stage)].base_stage;
      if (base >= 0) vars = by_stage[base];
    }
    if (!final_only || wanted.count(&instruction) != 0) {
      fn(instruction, vars);
    }
    if (instruction.keyword == "ENV" || instruction.keyword == "ARG") {
      for (auto& [key, value] : dockerfile::keyValues(instruction, file.escape)) {
        bool unresolved = false;
        std::string expanded = dockerfile::expand(value, vars, unresolved, file.escape);
        if (instruction.keyword == "ARG" && value.empty() && vars.find(key) != nullptr) continue;
        vars.set(key, std::move(expanded));
      }
    }
  }
}

std::vector<RunCommands> runCommands(const Resource& resource) {
  std::vector<RunCommands> out;
  if (resource.dockerfile == nullptr) return out;
  for (const auto& instruction : resource.dockerfile->instructions) {
    if (instruction.keyword != "RUN") continue;
    RunCommands run;
    run.instruction = &instruction;
    run.script = instruction.script();
    run.commands = dockerfile::splitCommands(run.script);
    out.push_back(std::move(run));
  }
  return out;
}

std::string shorten(std::string_view text, std::size_t limit) {
  std::string out;
  for (const char c : text) {
    if (out.size() >= limit) {
      out += "…";
      break;
    }
    out += (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::string commandText(const SimpleCommand& command) {
  std::string out;
  const auto add = [&](const std::string& word) {
    if (!out.empty()) out += ' ';
    out += word;
  };
  for (const auto& w : command.assignments) add(w);
  for (const auto& w : command.wrappers) add(w);
  for (const auto& w : command.argv) add(w);
  return shorten(out);
}

std::string unversioned(std::string_view program) {
  while (!program.empty() &&
         (std::isdigit(static_cast<unsigned char>(program.back())) != 0 || program.back() == '.')) {
    program.remove_suffix(1);
  }
  return std::string(program);
}

std::vector<std::string> normalisedOptions(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word.size() < 2 || word[0] != '-') continue;
    if (word[1] == '-') {
      if (word.size() == 2) break;  // "--": operands follow
      out.push_back(word.substr(0, word.find('=')));
    } else {
      for (std::size_t k = 1; k < word.size(); ++k) {
        if (std::isalnum(static_cast<unsigned char>(word[k])) == 0) break;
        out.push_back(std::string("-") + word[k]);
      }
    }
  }
  return out;
}

bool finalOnly(const Params& params) { return params.string("stage", "all") == "final"; }

namespace {

// The family whose options and verbs a package manager shares: apt-get and aptitude are apt,
// yarn and pnpm npm, the yum/dnf/zypper line rpm.
std::string familyOf(std::string_view manager) {
  if (manager == "apt-get" || manager == "aptitude") return "apt";
  if (manager == "yarn" || manager == "pnpm") return "npm";
  if (manager == "yum" || manager == "dnf" || manager == "tdnf" || manager == "microdnf" ||
      manager == "zypper") {
    return "rpm";
  }
  return std::string(manager);
}

// Options that take a separate value, per manager.
const std::set<std::string, std::less<>>& valueOptions(std::string_view manager) {
  static const std::map<std::string, std::set<std::string, std::less<>>, std::less<>> kTable = {
      {"apt", {"-o", "-t", "-c", "--option", "--target-release", "--config-file"}},
      {"apk",
       {"-X", "--repository", "-t", "--virtual", "-p", "--root", "--keys-dir", "--arch",
        "--cache-dir", "--repositories-file"}},
      {"pip",
       {"-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-i",
        "--index-url",
        "--extra-index-url",
        "--trusted-host",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--src",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--cache-dir",
        "--log",
        "--proxy",
        "--retries",
        "--timeout",
        "--cert",
        "--client-cert",
        "--no-binary",
        "--only-binary",
        "--upgrade-strategy",
        "-C",
        "--config-settings",
        "--progress-bar",
        "--exists-action"}},
      {"npm", {"--prefix", "--registry", "--cache", "-w", "--workspace", "--tag", "--loglevel"}},
      {"gem",
       {"-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--source", "-s", "-P",
        "--trust-policy", "--platform"}},
      {"rpm",
       {"-c", "--config", "--installroot", "--releasever", "-x", "--exclude", "--enablerepo",
        "--disablerepo", "--setopt"}},
  };
  static const std::set<std::string, std::less<>> kNone;
  const std::string family = familyOf(manager);
  const auto it = kTable.find(family);
  return it == kTable.end() ? kNone : it->second;
}

std::string actionOf(std::string_view manager, std::string_view verb) {
  static const std::map<std::string, std::set<std::string, std::less<>>, std::less<>> kInstall = {
      {"apt", {"install", "upgrade", "dist-upgrade", "full-upgrade", "reinstall", "build-dep"}},
      {"apk", {"add", "upgrade", "fix"}},
      {"rpm",
       {"install", "update", "upgrade", "reinstall", "groupinstall", "localinstall", "in", "up",
        "dist-upgrade", "dup", "patch", "distro-sync"}},
      {"pip", {"install"}},
      {"npm", {"install", "i", "ci", "add", "update", "isntall", "in"}},
      {"gem", {"install", "update"}},
  };
  static const std::map<std::string, std::set<std::string, std::less<>>, std::less<>> kUpdate = {
      {"apt", {"update"}},
      {"apk", {"update"}},
      {"rpm", {"makecache", "refresh", "ref"}},
  };
  const std::string family = familyOf(manager);
  if (const auto it = kUpdate.find(family); it != kUpdate.end() && it->second.count(verb) != 0) {
    return "update";
  }
  if (const auto it = kInstall.find(family); it != kInstall.end() && it->second.count(verb) != 0) {
    return "install";
  }
  if ((manager == "yarn") && verb.empty()) return "install";
  return std::string(verb);
}

}  // namespace

std::optional<PackageCommand> packageCommand(const SimpleCommand& command) {
  static const std::set<std::string, std::less<>> kManagers = {
      "apt-get",  "apt",    "aptitude", "apk", "yum",  "dnf",  "tdnf",
      "microdnf", "zypper", "pip",      "npm", "yarn", "pnpm", "gem"};
  std::vector<std::string> argv = command.argv;
  if (argv.empty()) return std::nullopt;
  std::string manager = unversioned(command.program());
  if (manager == "python" && argv.size() >= 3 && argv[1] == "-m" && unversioned(argv[2]) == "pip") {
    argv.erase(argv.begin(), argv.begin() + 2);
    manager = "pip";
  }
  if (kManagers.count(manager) == 0) return std::nullopt;
  PackageCommand out;
  out.manager = manager;
  const auto& with_value = valueOptions(manager);
  bool verb_seen = false;
  bool operands_only = false;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (!operands_only && word == "--") {
      operands_only = true;
      continue;
    }
    if (!operands_only && word.size() > 1 && word[0] == '-') {
      out.options.push_back(word);
      if (word.find('=') == std::string::npos && with_value.count(word) != 0 &&
          i + 1 < argv.size()) {
        out.options.back() += "=" + argv[++i];
      }
      continue;
    }
    if (!verb_seen) {
      verb_seen = true;
      out.verb = word;
      continue;
    }
    out.packages.push_back(word);
  }
  out.action = actionOf(manager, out.verb);
  return out;
}

}  // namespace bulwark::checks::probes
