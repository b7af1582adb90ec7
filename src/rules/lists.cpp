#include "rules/lists.h"

#include <algorithm>
#include <map>

namespace bulwark::rules {

namespace {

constexpr std::string_view kBlanks = " \t\n\r";
constexpr std::string_view kDelimiters = " \t\n\r(),=";

bool isBlank(char c) { return kBlanks.find(c) != std::string_view::npos; }
bool isDelimiter(char c) { return kDelimiters.find(c) != std::string_view::npos; }

std::string quoted(const std::string& item) {
  const bool blank = std::any_of(item.begin(), item.end(), isBlank);
  const bool already = item.size() >= 2 && (item.front() == '"' || item.front() == '\'') &&
                       item.back() == item.front();
  return blank && !already ? "\"" + item + "\"" : item;
}

}  // namespace

std::vector<FlatList> flattenLists(const std::vector<ListDef>& lists) {
  std::vector<FlatList> out;
  out.reserve(lists.size());
  std::map<std::string, std::size_t, std::less<>> earlier;  // name → index in `out`
  for (const auto& list : lists) {
    FlatList flat;
    flat.name = list.name;
    for (const auto& item : list.items) {
      const auto found = earlier.find(item);
      if (found != earlier.end()) {
        const auto& expanded = out[found->second].items;
        flat.items.insert(flat.items.end(), expanded.begin(), expanded.end());
      } else {
        flat.items.push_back(quoted(item));
      }
    }
    earlier.try_emplace(flat.name, out.size());
    out.push_back(std::move(flat));
  }
  return out;
}

std::size_t Substituted::originOf(std::size_t offset, std::size_t condition_size) const {
  if (offset < origin.size()) return origin[offset];
  return condition_size;
}

Substituted substituteLists(std::string_view condition, const std::vector<FlatList>& lists,
                            std::size_t max_bytes, bool& truncated) {
  Substituted out;
  out.text = std::string(condition);
  out.origin.resize(condition.size());
  for (std::size_t i = 0; i < condition.size(); ++i) out.origin[i] = static_cast<std::uint32_t>(i);
  truncated = false;
  for (const auto& list : lists) {
    if (list.name.empty()) continue;
    std::string joined;
    for (const auto& item : list.items) {
      if (!joined.empty()) joined += ", ";
      joined += item;
    }
    bool used = false;
    std::size_t from = 0;
    for (;;) {
      std::size_t start = out.text.find(list.name, from);
      if (start == std::string::npos) break;
      std::size_t end = start + list.name.size();
      const std::string& text = out.text;
      if (!((start == 0 || isDelimiter(text[start - 1])) &&
            (end >= text.size() || isDelimiter(text[end])))) {
        from = start + 1;
        continue;
      }
      const std::uint32_t at = out.origin[start];
      while (start > 0 && isBlank(text[start - 1])) --start;
      while (end < text.size() && isBlank(text[end])) ++end;
      if (joined.empty()) {
        if (start > 0 && text[start - 1] == ',') {
          --start;
        } else if (end < text.size() && text[end] == ',') {
          ++end;
        }
      }
      std::string replacement = (start > 0 ? " " : "") + joined + " ";
      if (text.size() - (end - start) + replacement.size() > max_bytes) {
        truncated = true;
        return out;
      }
      std::vector<std::uint32_t> origin;
      origin.reserve(text.size() - (end - start) + replacement.size());
      origin.insert(origin.end(), out.origin.begin(),
                    out.origin.begin() + static_cast<std::ptrdiff_t>(start));
      origin.insert(origin.end(), replacement.size(), at);
      origin.insert(origin.end(), out.origin.begin() + static_cast<std::ptrdiff_t>(end),
                    out.origin.end());
      out.text = text.substr(0, start) + replacement + text.substr(end);
      out.origin = std::move(origin);
      from = start + replacement.size();
      used = true;
    }
    if (used) out.used.push_back(list.name);
  }
  return out;
}

}  // namespace bulwark::rules
