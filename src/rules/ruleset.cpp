#include "rules/ruleset.h"

#include <algorithm>
#include <bit>
#include <iterator>
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

// A field's values as an output shows them, appended to `out`.
void appendValues(std::span<const std::string_view> values, const FieldRef& ref, std::string& out) {
  // An any-value list (proc.aname, evt.dir) prints its first value, as Falco prints one.
  const bool list = ref.list && (ref.row->flags & events::field_flag::kAnyValue) == 0;
  if (!list) {
    out += values.front();
    return;
  }
  out += '(';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    out += values[i];
  }
  out += ')';
}

std::string renderValues(std::span<const std::string_view> values, const FieldRef& ref) {
  std::string out;
  appendValues(values, ref, out);
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

// The fields each source's rules are indexed by.
struct IndexSpec {
  events::Source source;
  std::string_view field;
};
constexpr IndexSpec kIndexFields[] = {
    {events::Source::Syscall, "evt.type"},
    {events::Source::K8sAudit, "ka.verb"},
    {events::Source::K8sAudit, "ka.target.resource"},
};

// The values `field` must take for `node` to hold; nullopt when any value may do. `and` takes
// the tightest of its children, `or` the union (any when one child is unconstrained), and a
// `not` constrains nothing (its complement is not a finite set).
std::optional<std::set<std::string>> valuesFor(const Node& node, std::string_view field) {
  switch (node.kind) {
    case NodeKind::Check: {
      if (node.field.name != field || node.field.has_arg || !node.field.transformers.empty() ||
          !node.modifier.empty()) {
        return std::nullopt;
      }
      if ((node.op == "=" || node.op == "==") && node.value_kind == ValueKind::String) {
        return std::set<std::string>{node.values.front()};
      }
      if ((node.op == "in" || node.op == "intersects") && node.value_kind == ValueKind::List) {
        return std::set<std::string>(node.values.begin(), node.values.end());
      }
      return std::nullopt;
    }
    case NodeKind::And: {
      std::optional<std::set<std::string>> out;
      for (const auto& child : node.children) {
        auto values = valuesFor(*child, field);
        if (!values) continue;
        if (!out) {
          out = std::move(values);
          continue;
        }
        std::set<std::string> both;
        std::set_intersection(out->begin(), out->end(), values->begin(), values->end(),
                              std::inserter(both, both.begin()));
        out = std::move(both);
      }
      return out;
    }
    case NodeKind::Or: {
      std::set<std::string> out;
      for (const auto& child : node.children) {
        auto values = valuesFor(*child, field);
        if (!values) return std::nullopt;
        out.insert(values->begin(), values->end());
      }
      return out;
    }
    case NodeKind::Not:
    case NodeKind::Macro: return std::nullopt;
  }
  return std::nullopt;
}

void setBit(std::vector<std::uint64_t>& bits, std::size_t bit) {
  bits[bit / 64] |= std::uint64_t{1} << (bit % 64);
}

}  // namespace

Ruleset Ruleset::build(const std::vector<CompiledRule>& compiled, Priority min_priority,
                       LoadResult& result, const IntelRegistry* intel) {
  Ruleset set;
  if (intel != nullptr) set.intel_ = *intel;
  std::vector<const Node*> conditions;  // of the rules kept, in order
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
    auto filter = compileFilter(*rule.condition, *table, set.slots_, intel);
    if (!filter && !filter.error().unsupported_field.empty()) {
      result.messages.push_back(
          {false, "LOAD_UNSUPPORTED_FIELD", "rule", item.name, item.at,
           fmt::format("rule skipped: its condition uses {}, which no sensor of this build fills",
                       filter.error().unsupported_field)});
      continue;
    }
    if (!filter) {
      result.messages.push_back(
          {true, "LOAD_ERR_COMPILE_CONDITION", "rule", item.name, item.at, filter.error().message});
      continue;
    }
    Rule out;
    out.item = &item;
    out.source = source;
    out.filter = std::move(*filter);
    if (item.stateful.kind != StatefulKind::None) {
      auto stateful = StatefulRule::compile(item, rule.steps, source, *table, set.slots_, intel);
      if (!stateful) {
        result.messages.push_back({true, "LOAD_ERR_COMPILE_CONDITION", "rule", item.name, item.at,
                                   stateful.error().message});
        continue;
      }
      out.stateful = std::move(*stateful);
    }
    out.output = parseOutput(item.output, [table](std::string_view name) {
      return table->resolve(name, nullptr) != nullptr;
    });
    bool output_ok = true;
    if (const auto unknown = unknownOutputField(out.output); !unknown.empty()) {
      result.messages.push_back(
          {true, "LOAD_ERR_COMPILE_OUTPUT", "rule", item.name, item.at,
           fmt::format("unknown field '{}' in the output for source {}", unknown, item.source)});
      output_ok = false;
    }
    for (const auto& segment : out.output.segments) {
      if (!segment.is_field || !output_ok) continue;
      // A field no sensor fills prints <NA>, as any missing value does.
      auto ref = resolveField(segment.field, *table, set.slots_, /*allow_unsupported=*/true);
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
    conditions.push_back(rule.condition.get());
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
  set.buildIndex(conditions);
  // Falco's LOAD_NO_EVTTYPE: a syscall rule that names no event type runs on every event.
  for (const auto& index : set.index_) {
    if (index.source != events::Source::Syscall || index.field.row->name != "evt.type") continue;
    for (std::size_t i = 0; i < set.rules_.size(); ++i) {
      if (set.rules_[i].source != events::Source::Syscall ||
          (index.any[i / 64] & (std::uint64_t{1} << (i % 64))) == 0) {
        continue;
      }
      const RuleItem& item = *set.rules_[i].item;
      result.messages.push_back({false, "LOAD_NO_EVTTYPE", "rule", item.name, item.at,
                                 "the condition names no evt.type: the rule is evaluated for "
                                 "every event, which costs time on a busy host"});
    }
  }
  return set;
}

void Ruleset::buildIndex(const std::vector<const Node*>& conditions) {
  const std::size_t words = (rules_.size() + 63) / 64;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    auto& bits = by_source_[rules_[i].source];
    bits.resize(words);
    setBit(bits, i);
  }
  for (const auto& spec : kIndexFields) {
    const events::FieldTable* table = events::fieldTable(spec.source);
    if (table == nullptr || !by_source_.contains(spec.source)) continue;
    FieldExpr expr;
    expr.name = std::string(spec.field);
    auto ref = resolveField(expr, *table, slots_);
    if (!ref) continue;
    IndexField index;
    index.source = spec.source;
    index.field = std::move(*ref);
    index.any.resize(words);
    for (std::size_t i = 0; i < rules_.size(); ++i) {
      if (rules_[i].source != spec.source) continue;
      const auto values = valuesFor(*conditions[i], spec.field);
      if (!values) {
        setBit(index.any, i);
        continue;
      }
      ++index.constrained;
      for (const auto& value : *values) {
        auto& bits = index.by_value[value];
        bits.resize(words);
        setBit(bits, i);
      }
    }
    for (auto& [value, bits] : index.by_value) {
      for (std::size_t w = 0; w < words; ++w) bits[w] |= index.any[w];
    }
    index_.push_back(std::move(index));
  }
}

std::map<std::string, std::size_t> Ruleset::indexedRules() const {
  std::map<std::string, std::size_t> out;
  for (const auto& index : index_) out[std::string(index.field.row->name)] = index.constrained;
  return out;
}

std::vector<const Rule*> Ruleset::rulesOutside(events::Source source, std::string_view field,
                                               const std::set<std::string>& values) const {
  std::vector<const Rule*> out;
  for (const auto& index : index_) {
    if (index.source != source || index.field.row->name != field) continue;
    Bits reachable = index.any;
    for (const auto& value : values) {
      const auto found = index.by_value.find(value);
      if (found == index.by_value.end()) continue;
      for (std::size_t w = 0; w < reachable.size(); ++w) reachable[w] |= found->second[w];
    }
    for (std::size_t i = 0; i < rules_.size(); ++i) {
      if (rules_[i].source == source && (reachable[i / 64] & (std::uint64_t{1} << (i % 64))) == 0) {
        out.push_back(&rules_[i]);
      }
    }
  }
  return out;
}

void Ruleset::match(const events::Event& event, EvalContext& context, bool first_match,
                    const std::function<void(const Rule&)>& on_match, bool use_index,
                    std::uint64_t* evaluated) const {
  context.reset(event, slots_);
  const auto source = by_source_.find(event.source);
  if (source == by_source_.end()) return;
  thread_local Bits candidates;
  candidates = source->second;
  if (use_index) {
    for (const auto& index : index_) {
      if (index.source != event.source) continue;
      const auto values = context.values(index.field);
      if (values.size() > 1) continue;  // not a scalar: no restriction
      const Bits* allowed = &index.any;
      if (values.size() == 1) {
        const auto found = index.by_value.find(values.front());
        if (found != index.by_value.end()) allowed = &found->second;
      }
      for (std::size_t w = 0; w < candidates.size(); ++w) candidates[w] &= (*allowed)[w];
    }
  }
  thread_local std::vector<const Rule*> stateful;
  stateful.clear();
  bool matched = false;
  for (std::size_t w = 0; w < candidates.size(); ++w) {
    for (std::uint64_t bits = candidates[w]; bits != 0; bits &= bits - 1) {
      const Rule& rule = rules_[w * 64 + static_cast<std::size_t>(std::countr_zero(bits))];
      if (rule.stateful) {
        stateful.push_back(&rule);
        continue;
      }
      if (matched) continue;  // first_match: only stateful rules are left to feed
      if (evaluated != nullptr) ++*evaluated;
      if (!rule.filter->eval(context)) continue;
      on_match(rule);
      matched = first_match;
    }
  }
  for (const Rule* rule : stateful) {
    if (evaluated != nullptr) ++*evaluated;
    if (!rule->stateful->observe(context) || matched) continue;
    on_match(*rule);
    matched = first_match;
  }
}

std::vector<std::string> Ruleset::setStateDir(const std::string& dir) const {
  std::vector<std::string> problems;
  for (const auto& rule : rules_) {
    if (!rule.stateful) continue;
    if (auto problem = rule.stateful->setStateDir(dir); !problem.empty()) {
      problems.push_back(std::move(problem));
    }
  }
  return problems;
}

std::vector<std::string> Ruleset::flushState() const {
  std::vector<std::string> problems;
  for (const auto& rule : rules_) {
    if (!rule.stateful) continue;
    if (auto problem = rule.stateful->flush(); !problem.empty()) {
      problems.push_back(std::move(problem));
    }
  }
  return problems;
}

std::vector<std::pair<const Rule*, StatefulStats>> Ruleset::statefulStats() const {
  std::vector<std::pair<const Rule*, StatefulStats>> out;
  for (const auto& rule : rules_) {
    if (rule.stateful) out.emplace_back(&rule, rule.stateful->stats());
  }
  return out;
}

void Ruleset::setStateLimits(std::size_t max_keys, std::size_t max_pairs) const {
  for (const auto& rule : rules_) {
    if (rule.stateful) rule.stateful->setLimits(max_keys, max_pairs);
  }
}

std::string Ruleset::render(const Rule& rule, EvalContext& context) {
  std::string out;
  out.reserve(256);
  render(rule, context, out);
  return out;
}

void Ruleset::render(const Rule& rule, EvalContext& context, std::string& out) {
  // renderOutput asks for the field segments in order, once each: the n-th call is the n-th
  // output field.
  std::size_t next = 0;
  renderOutput(
      rule.output,
      [&](const FieldExpr& /*field*/, std::string& text) {
        if (next >= rule.output_fields.size()) return false;
        const FieldRef& ref = rule.output_fields[next++];
        const auto values = context.values(ref);
        if (values.empty()) return false;
        appendValues(values, ref, text);
        return true;
      },
      out);
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
                     values.empty() ? std::nullopt : std::optional(renderValues(values, ref)));
  }
  return out;
}

}  // namespace bulwark::rules
