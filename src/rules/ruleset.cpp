#include "rules/ruleset.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "events/field.h"

namespace bulwark::rules {

namespace {

// A field's name as written, with its argument: ka.uri.param[command].
std::string displayName(const FieldExpr& field) {
  return field.has_arg ? fmt::format("{}[{}]", field.name, field.arg) : field.name;
}

std::string renderValues(std::span<const std::string_view> values, bool list) {
  if (!list) return std::string(values.front());
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    out += values[i];
  }
  out += ')';
  return out;
}

// `%word.word` left as text by the output parser: a field that does not exist.
std::string unknownOutputField(const OutputTemplate& output) {
  for (const auto& segment : output.segments) {
    if (segment.is_field) continue;
    const std::string& text = segment.text;
    for (std::size_t at = text.find('%'); at != std::string::npos; at = text.find('%', at + 1)) {
      std::size_t end = at + 1;
      while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) != 0 ||
                                   text[end] == '_' || text[end] == '.')) {
        ++end;
      }
      std::string name = text.substr(at + 1, end - at - 1);
      if (name.find('.') != std::string::npos && std::isalpha(static_cast<unsigned char>(name[0])))
        return name;
    }
  }
  return {};
}

}  // namespace

Ruleset Ruleset::build(const std::vector<CompiledRule>& compiled, Priority min_priority,
                       LoadResult& result) {
  Ruleset set;
  std::map<std::string, std::pair<std::size_t, const RuleItem*>> skipped;  // source → count
  for (const auto& rule : compiled) {
    const RuleItem& item = *rule.item;
    if (static_cast<int>(item.priority) > static_cast<int>(min_priority)) continue;
    events::Source source{};
    const events::FieldTable* table =
        events::parseSource(item.source, source) ? events::fieldTable(source) : nullptr;
    if (table == nullptr) {
      auto& entry = skipped[item.source];
      if (entry.first++ == 0) entry.second = &item;
      continue;
    }
    auto filter = compileFilter(*rule.condition, *table, set.slots_);
    if (!filter) {
      result.messages.push_back(
          {true, "LOAD_ERR_COMPILE_CONDITION", "rule", item.name, item.at, filter.error().message});
      continue;
    }
    Rule out;
    out.item = &item;
    out.source = source;
    out.filter = std::move(*filter);
    out.output = parseOutput(
        item.output, [table](std::string_view name) { return table->find(name) != nullptr; });
    bool output_ok = true;
    if (const auto unknown = unknownOutputField(out.output); !unknown.empty()) {
      result.messages.push_back(
          {true, "LOAD_ERR_COMPILE_OUTPUT", "rule", item.name, item.at,
           fmt::format("unknown field '{}' in the output for source {}", unknown, item.source)});
      output_ok = false;
    }
    for (const auto& segment : out.output.segments) {
      if (!segment.is_field || !output_ok) continue;
      auto ref = resolveField(segment.field, *table, set.slots_);
      if (!ref) {
        result.messages.push_back(
            {true, "LOAD_ERR_COMPILE_OUTPUT", "rule", item.name, item.at, ref.error().message});
        output_ok = false;
        continue;
      }
      out.output_fields.push_back(std::move(*ref));
    }
    if (!output_ok) continue;
    set.rules_.push_back(std::move(out));
  }
  for (const auto& [source, entry] : skipped) {
    events::Source known{};
    const bool named = events::parseSource(source, known);
    result.messages.push_back(
        {false, "LOAD_UNKNOWN_SOURCE", "rule", entry.second->name, entry.second->at,
         named ? fmt::format("{} rule(s) of source {} skipped: this build has no {} event "
                             "source yet",
                             entry.first, source, source)
               : fmt::format("{} rule(s) of unknown source {} skipped", entry.first, source)});
  }
  return set;
}

void Ruleset::match(const events::Event& event, EvalContext& context, bool first_match,
                    const std::function<void(const Rule&)>& on_match) const {
  context.reset(event, slots_.size());
  for (const Rule& rule : rules_) {
    if (rule.source != event.source) continue;
    if (!rule.filter->eval(context)) continue;
    on_match(rule);
    if (first_match) return;
  }
}

std::string Ruleset::render(const Rule& rule, EvalContext& context) {
  std::size_t next = 0;
  std::map<const FieldExpr*, const FieldRef*> refs;
  for (const auto& segment : rule.output.segments) {
    if (segment.is_field && next < rule.output_fields.size()) {
      refs[&segment.field] = &rule.output_fields[next++];
    }
  }
  return renderOutput(rule.output, [&](const FieldExpr& field) -> std::optional<std::string> {
    const auto found = refs.find(&field);
    if (found == refs.end()) return std::nullopt;
    const auto values = context.values(*found->second);
    if (values.empty()) return std::nullopt;
    return renderValues(values, found->second->list);
  });
}

std::vector<std::pair<std::string, std::optional<std::string>>> Ruleset::outputFields(
    const Rule& rule, EvalContext& context) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  std::set<std::string> seen;
  std::size_t next = 0;
  for (const auto& segment : rule.output.segments) {
    if (!segment.is_field || next >= rule.output_fields.size()) continue;
    const FieldRef& ref = rule.output_fields[next++];
    std::string name = displayName(segment.field);
    for (const auto& transformer : segment.field.transformers) {
      name = fmt::format("{}({})", transformer, name);
    }
    if (!seen.insert(name).second) continue;
    const auto values = context.values(ref);
    out.emplace_back(std::move(name),
                     values.empty() ? std::nullopt : std::optional(renderValues(values, ref.list)));
  }
  return out;
}

}  // namespace bulwark::rules
