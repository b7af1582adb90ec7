// Falco macros: named conditions referenced by a bare identifier and inlined into the
// conditions that use them, as parenthesised sub-trees (docs/dev/runtime-design.md §3.4). A
// macro may use any other macro of the load; a chain that comes back to itself is a loop, an
// identifier that names no macro is undefined — each reported once per macro, with the offset
// of the reference in that macro's condition.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "rules/parser.h"

namespace bulwark::rules {

// Macros inlined into macros can double a tree per level: an expanded condition is refused
// beyond this many nodes, and a chain of macros beyond this depth.
inline constexpr std::size_t kMaxExpandedNodes = 100'000;
inline constexpr std::size_t kMaxMacroChain = 1000;

// A deep copy.
std::unique_ptr<Node> clone(const Node& node);

struct MacroError {
  std::string macro;    // the macro whose condition has the problem
  std::string message;  // "Undefined macro 'foo' used in filter." / "reference loop in macro …"
  std::size_t offset = 0;  // in that macro's condition
};

class MacroTable {
 public:
  // Declaration order; a name given again replaces the earlier condition in place.
  void add(const std::string& name, std::unique_ptr<Node> condition);

  // Inlines macros into macros. Every macro with a problem is reported and left out of later
  // expansions (a rule using it reports "depends on invalid macro").
  std::vector<MacroError> resolve();

  // Inlines every macro reference of `root` (after resolve()); the first reference to an
  // undefined or invalid macro is the error, with its offset in `root`'s text.
  [[nodiscard]] tl::expected<void, ParseError> expand(std::unique_ptr<Node>& root);

  // Macros no condition referenced, in declaration order (Falco warns about them).
  [[nodiscard]] std::vector<std::string> unused() const;

 private:
  struct Entry {
    std::string name;
    std::unique_ptr<Node> condition;  // resolved after resolve()
    bool valid = true;
    std::size_t nodes = 0;  // of the resolved condition
    bool reported = false;  // an error names this macro already
  };
  enum class Mark { None, Visiting, Done };
  void resolveOne(std::size_t index, std::size_t depth, std::vector<Mark>& marks,
                  std::vector<MacroError>& errors);
  tl::expected<void, ParseError> inlineInto(std::unique_ptr<Node>& node, std::size_t& nodes);

  std::vector<Entry> entries_;
  std::map<std::string, std::size_t, std::less<>> by_name_;
  std::set<std::string, std::less<>> used_;
};

}  // namespace bulwark::rules
