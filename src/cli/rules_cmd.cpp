// bulwark rules validate FILE|DIR… — load Falco-compatible rule files and report every error
// and warning with file:line:column, as `falco -V` does, in one run.
// bulwark rules fields — the field tables rules can use, per event source.
// bulwark rules list [FILE|DIR…] — the rules a load gives (default: the built-ins), with their
// ids, priorities, MITRE ATT&CK tags and references.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/service_options.h"
#include "events/field.h"
#include "pipeline/detect.h"

namespace bulwark::cli {

namespace {

struct RulesArgs {
  std::vector<std::string> paths;
  std::string format = "text";
  bool strict = false;
  std::string source;  // rules fields: one source; empty: all
};

int runValidate(const RulesArgs& args) {
  const auto loaded = pipeline::loadRules(args.paths, rules::Priority::Debug);
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const auto& message : loaded->result.messages) ++(message.error ? errors : warnings);
  if (args.format == "json") {
    nlohmann::ordered_json out;
    out["files"] = args.paths;
    out["rules"] = loaded->source.rules.size();
    out["compiled"] = loaded->ruleset.rules().size();
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    for (const auto& message : loaded->result.messages) {
      messages.push_back({{"severity", message.error ? "error" : "warning"},
                          {"code", message.code},
                          {"item_type", message.item_type},
                          {"item_name", message.item_name},
                          {"file", message.at.file},
                          {"line", message.at.line},
                          {"column", message.at.column},
                          {"message", message.text}});
    }
    out["messages"] = std::move(messages);
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    for (const auto& message : loaded->result.messages) {
      std::printf("%s\n", rules::toString(message).c_str());
    }
    std::printf("%zu rule(s) read, %zu compiled; %zu error(s), %zu warning(s)\n",
                loaded->source.rules.size(), loaded->ruleset.rules().size(), errors, warnings);
    for (const auto& [field, count] : loaded->ruleset.indexedRules()) {
      std::printf("index: %zu rule(s) run only for the %s values they name\n", count,
                  field.c_str());
    }
  }
  if (errors != 0) return kExitInput;
  return args.strict && warnings != 0 ? kExitPolicy : kExitOk;
}

std::string flagsText(const events::FieldRow& row) {
  namespace flag = events::field_flag;
  std::vector<std::string> parts;
  if ((row.flags & flag::kList) != 0) parts.emplace_back("list");
  if ((row.flags & flag::kArgIndex) != 0) parts.emplace_back("[index]");
  if ((row.flags & flag::kArgKey) != 0) {
    parts.emplace_back((row.flags & flag::kArgRequired) != 0 ? "[key] required" : "[key]");
  }
  if ((row.flags & flag::kArgDot) != 0) parts.emplace_back(".name");
  if ((row.flags & flag::kAnyValue) != 0) parts.emplace_back("any value");
  if ((row.flags & flag::kDeprecated) != 0) parts.emplace_back("deprecated");
  if ((row.flags & flag::kUnsupported) != 0) parts.emplace_back("not filled yet");
  return fmt::format("{}", fmt::join(parts, ", "));
}

int runFields(const RulesArgs& args) {
  std::vector<const events::FieldTable*> tables;
  for (const auto source : {events::Source::Syscall, events::Source::K8sAudit}) {
    if (!args.source.empty() && args.source != events::toString(source)) continue;
    if (const auto* table = events::fieldTable(source)) tables.push_back(table);
  }
  events::Source known{};
  if (!args.source.empty() && !events::parseSource(args.source, known)) {
    return failWith(fmt::format("--source: unknown source '{}' (syscall, k8s_audit)", args.source));
  }
  if (!args.source.empty() && tables.empty()) {
    return failWith(fmt::format("--source {}: this build has no {} event source yet", args.source,
                                args.source));
  }
  if (args.format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto* table : tables) {
      for (const auto& row : table->rows) {
        out.push_back({{"source", events::toString(table->source)},
                       {"name", row.name},
                       {"type", events::toString(row.type)},
                       {"flags", flagsText(row)},
                       {"path", row.path},
                       {"description", row.desc}});
      }
    }
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  for (const auto* table : tables) {
    if (args.format == "markdown") {
      std::printf("### Source `%s`\n\n| field | type | flags | description |\n|---|---|---|---|\n",
                  std::string(events::toString(table->source)).c_str());
      for (const auto& row : table->rows) {
        std::printf("| `%.*s` | %s | %s | %.*s |\n", static_cast<int>(row.name.size()),
                    row.name.data(), std::string(events::toString(row.type)).c_str(),
                    flagsText(row).c_str(), static_cast<int>(row.desc.size()), row.desc.data());
      }
      std::printf("\n");
      continue;
    }
    std::printf("Source %s:\n", std::string(events::toString(table->source)).c_str());
    for (const auto& row : table->rows) {
      const std::string flags = flagsText(row);
      std::printf("  %-52.*s %-8s %s%s%.*s\n", static_cast<int>(row.name.size()), row.name.data(),
                  std::string(events::toString(row.type)).c_str(), flags.c_str(),
                  flags.empty() ? "" : "; ", static_cast<int>(row.desc.size()), row.desc.data());
    }
  }
  return kExitOk;
}

// The tags of one kind, comma-separated: MITRE tactics (mitre_*) and techniques (T1234).
std::string tagsOf(const rules::RuleItem& rule, bool tactics) {
  std::vector<std::string> out;
  for (const auto& tag : rule.tags) {
    const bool technique = tag.size() > 1 && tag[0] == 'T' && std::isdigit(tag[1]) != 0;
    if (tactics && tag.starts_with("mitre_")) out.push_back(tag.substr(6));
    if (!tactics && technique) out.push_back(tag);
  }
  return fmt::format("{}", fmt::join(out, ", "));
}

int runList(const RulesArgs& args) {
  const auto loaded = pipeline::loadRules(args.paths, rules::Priority::Debug);
  if (!loaded->result.ok()) {
    for (const auto& message : loaded->result.messages) {
      if (message.error) std::fprintf(stderr, "%s\n", rules::toString(message).c_str());
    }
    std::fprintf(stderr,
                 "bulwark: rules list: the rules have errors (`bulwark rules validate` lists "
                 "them)\n");
    return kExitInput;
  }
  const auto& items = loaded->source.rules;
  if (args.format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& rule : items) {
      nlohmann::ordered_json row;
      if (!rule.id.empty()) row["id"] = rule.id;
      row["rule"] = rule.name;
      row["priority"] = rules::toString(rule.priority);
      row["source"] = rule.source;
      row["enabled"] = rule.enabled;
      row["tags"] = rule.tags;
      if (!rule.remediation.empty()) row["remediation"] = rule.remediation;
      if (!rule.references.empty()) row["references"] = rule.references;
      row["desc"] = rule.desc;
      out.push_back(std::move(row));
    }
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kExitOk;
  }
  if (args.format == "markdown") {
    // By id, for the docs; rules without one keep their load order, after.
    std::vector<const rules::RuleItem*> sorted;
    sorted.reserve(items.size());
    for (const auto& rule : items) sorted.push_back(&rule);
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
      return !a->id.empty() && (b->id.empty() || a->id < b->id);
    });
    std::printf(
        "| id | rule | priority | source | tactics | techniques | catalogue alert |\n"
        "|---|---|---|---|---|---|---|\n");
    for (const auto* item : sorted) {
      const rules::RuleItem& rule = *item;
      std::vector<std::string> alerts;
      for (const auto& ref : rule.references) {
        if (ref.starts_with("azure:")) alerts.push_back(ref.substr(6));
      }
      std::printf("| %s | %s | %s | %s | %s | %s | %s |\n", rule.id.c_str(), rule.name.c_str(),
                  std::string(rules::toString(rule.priority)).c_str(), rule.source.c_str(),
                  tagsOf(rule, true).c_str(), tagsOf(rule, false).c_str(),
                  fmt::format("{}", fmt::join(alerts, ", ")).c_str());
    }
    return kExitOk;
  }
  for (const auto& rule : items) {
    std::printf("%-10s %-13s %-9s %s%s\n", rule.id.empty() ? "-" : rule.id.c_str(),
                std::string(rules::toString(rule.priority)).c_str(), rule.source.c_str(),
                rule.name.c_str(), rule.enabled ? "" : " (disabled)");
  }
  std::printf("%zu rule(s)\n", items.size());
  return kExitOk;
}

}  // namespace

void addRulesCommand(CLI::App& root, Action& action) {
  auto args = std::make_shared<RulesArgs>();
  auto* command = root.add_subcommand("rules", "Falco-compatible detection rules");
  command->require_subcommand(1);

  auto* validate = command->add_subcommand(
      "validate", "Load rule files and report every error and warning (file:line:column)");
  validate->add_option("paths", args->paths, "Rule files or directories, loaded in order")
      ->required();
  validate->add_option("--format", args->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  validate->add_flag("--strict", args->strict, "Exit 1 when there are warnings");
  validate->callback([args, &action] { action = [args] { return runValidate(*args); }; });

  auto* fields = command->add_subcommand("fields", "Print the fields rules can use");
  fields->add_option("--source", args->source, "syscall or k8s_audit; default: every source");
  fields->add_option("--format", args->format, "text, json or markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  fields->callback([args, &action] { action = [args] { return runFields(*args); }; });

  auto* list = command->add_subcommand(
      "list", "List the rules a load gives: id, priority, source, MITRE tags (default: built-ins)");
  list->add_option("paths", args->paths,
                   "Rule files or directories, loaded in order (`builtin`: bulwark's own)");
  list->add_option("--format", args->format, "text, json or markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  list->callback([args, &action] { action = [args] { return runList(*args); }; });
}

}  // namespace bulwark::cli
