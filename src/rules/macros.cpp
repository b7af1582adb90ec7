#include "rules/macros.h"

#include <fmt/format.h>

namespace bulwark::rules {

std::unique_ptr<Node> clone(const Node& node) {
  auto out = std::make_unique<Node>();
  out->kind = node.kind;
  out->offset = node.offset;
  out->field = node.field;
  out->op = node.op;
  out->modifier = node.modifier;
  out->value_kind = node.value_kind;
  out->values = node.values;
  out->quoted = node.quoted;
  out->value_field = node.value_field;
  out->value_is_val = node.value_is_val;
  out->identifier = node.identifier;
  out->children.reserve(node.children.size());
  for (const auto& child : node.children) out->children.push_back(clone(*child));
  return out;
}

void MacroTable::add(const std::string& name, std::unique_ptr<Node> condition) {
  const auto found = by_name_.find(name);
  if (found != by_name_.end()) {
    entries_[found->second].condition = std::move(condition);
    return;
  }
  by_name_.emplace(name, entries_.size());
  entries_.push_back({name, std::move(condition), true, 0, false});
}

namespace {

// Every Macro node under `node`, in written order.
void macroRefs(const Node& node, std::vector<const Node*>& out) {
  if (node.kind == NodeKind::Macro) {
    out.push_back(&node);
    return;
  }
  for (const auto& child : node.children) macroRefs(*child, out);
}

}  // namespace

void MacroTable::resolveOne(std::size_t index, std::size_t depth, std::vector<Mark>& marks,
                            std::vector<MacroError>& errors) {
  if (marks[index] == Mark::Done) return;
  Entry& entry = entries_[index];
  if (depth > kMaxMacroChain) {
    errors.push_back(
        {entry.name, fmt::format("macros nested more than {} deep", kMaxMacroChain), 0});
    entry.valid = false;
    entry.reported = true;
    marks[index] = Mark::Done;
    return;
  }
  marks[index] = Mark::Visiting;
  std::vector<const Node*> refs;
  if (entry.condition) macroRefs(*entry.condition, refs);
  for (const Node* ref : refs) {
    const auto found = by_name_.find(ref->identifier);
    if (found == by_name_.end()) {
      errors.push_back({entry.name,
                        fmt::format("Undefined macro '{}' used in filter.", ref->identifier),
                        ref->offset});
      entry.valid = false;
      break;
    }
    used_.insert(ref->identifier);
    if (marks[found->second] == Mark::Visiting) {
      // The loop is reported on the macro it comes back to (as Falco does); every macro on
      // it is invalid.
      Entry& start = entries_[found->second];
      errors.push_back(
          {start.name,
           fmt::format("reference loop in macro '{}' (back through '{}')", start.name, entry.name),
           0});
      start.reported = true;
      start.valid = false;
      entry.reported = true;
      entry.valid = false;
      break;
    }
    resolveOne(found->second, depth + 1, marks, errors);
    if (!entries_[found->second].valid) {
      if (!entry.reported) {
        errors.push_back({entry.name, fmt::format("depends on invalid macro '{}'", ref->identifier),
                          ref->offset});
      }
      entry.reported = true;
      entry.valid = false;
      break;
    }
  }
  if (entry.valid && entry.condition && !entry.reported) {
    // The macros it uses are resolved: inlining copies finished trees.
    std::size_t nodes = 0;
    if (auto inlined = inlineInto(entry.condition, nodes); !inlined) {
      errors.push_back({entry.name, inlined.error().message, inlined.error().offset});
      entry.valid = false;
    }
    entry.nodes = nodes;
  }
  marks[index] = Mark::Done;
}

std::vector<MacroError> MacroTable::resolve() {
  std::vector<MacroError> errors;
  std::vector<Mark> marks(entries_.size(), Mark::None);
  for (std::size_t i = 0; i < entries_.size(); ++i) resolveOne(i, 0, marks, errors);
  return errors;
}

tl::expected<void, ParseError> MacroTable::inlineInto(std::unique_ptr<Node>& node,
                                                      std::size_t& nodes) {
  if (node->kind == NodeKind::Macro) {
    const auto found = by_name_.find(node->identifier);
    if (found == by_name_.end()) {
      return tl::unexpected(ParseError{
          fmt::format("Undefined macro '{}' used in filter.", node->identifier), node->offset});
    }
    used_.insert(node->identifier);
    const Entry& entry = entries_[found->second];
    if (!entry.valid || !entry.condition) {
      return tl::unexpected(
          ParseError{fmt::format("depends on invalid macro '{}'", node->identifier), node->offset});
    }
    if (nodes + entry.nodes > kMaxExpandedNodes) {
      return tl::unexpected(
          ParseError{fmt::format("condition expands to more than {} nodes through macro '{}'",
                                 kMaxExpandedNodes, node->identifier),
                     node->offset});
    }
    nodes += entry.nodes;
    const std::size_t offset = node->offset;
    node = clone(*entry.condition);
    node->offset = offset;  // errors about the inlined tree point at the reference
    return {};
  }
  ++nodes;
  for (auto& child : node->children) {
    if (auto done = inlineInto(child, nodes); !done) return done;
  }
  return {};
}

tl::expected<void, ParseError> MacroTable::expand(std::unique_ptr<Node>& root) {
  std::size_t nodes = 0;
  return inlineInto(root, nodes);
}

std::vector<std::string> MacroTable::unused() const {
  std::vector<std::string> out;
  for (const auto& entry : entries_) {
    if (!used_.contains(entry.name)) out.push_back(entry.name);
  }
  return out;
}

}  // namespace bulwark::rules
