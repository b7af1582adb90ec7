// Falco lists: named sets of values substituted into conditions as text before they are parsed
// (docs/dev/runtime-design.md §3.2; ../shared/reference/falco-rule-language.md §1.2). Text, not
// tokens, because rule files depend on what text substitution does: a list name used bare
// (`proc.name=cat_binaries`) expands too, an empty list takes a neighbouring comma with it, and a
// later list's name inside an earlier list's items is expanded by the later list's pass.
// Every output byte remembers the condition byte it came from, so a parse error in the
// substituted text points into the condition as written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark::rules {

struct ListDef {
  std::string name;
  std::vector<std::string> items;  // as written in the file
};

struct FlatList {
  std::string name;
  std::vector<std::string> items;  // earlier lists expanded; items with a blank double-quoted
};

// Flattens `lists` (declaration order, one entry per name, a redefinition already merged in
// place): an item naming a list declared *earlier* is replaced by that list's flattened items;
// any other item (a later list's name included) stays as written.
std::vector<FlatList> flattenLists(const std::vector<ListDef>& lists);

struct Substituted {
  std::string text;
  std::vector<std::uint32_t> origin;  // per byte of `text`: its offset in the condition
  std::vector<std::string> used;      // names of the lists that were substituted, in order

  // The condition offset of output offset `offset` (the end maps to the condition's end).
  [[nodiscard]] std::size_t originOf(std::size_t offset, std::size_t condition_size) const;
};

// Substitutes every list in `lists` (in order) into `condition`. A name matches where it is
// preceded by the start or one of ` \t\n\r(),=` and followed by the end or one of them; the
// blanks around it are replaced by one blank on each side, the items are joined with ", ", and
// an empty list also removes the comma before it (else the one after it). The result is
// bounded: substitution stops growing the text past `max_bytes` (`truncated` set).
Substituted substituteLists(std::string_view condition, const std::vector<FlatList>& lists,
                            std::size_t max_bytes, bool& truncated);

}  // namespace bulwark::rules
