#include "events/field.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace bulwark::events {

namespace k8s_audit {
const FieldTable& fieldTable();  // k8s_audit/fields.cpp
}

std::string_view toString(FieldType type) {
  switch (type) {
    case FieldType::Str: return "string";
    case FieldType::UInt64: return "uint64";
    case FieldType::Int64: return "int64";
    case FieldType::AbsTime: return "abstime";
  }
  return "unknown";
}

const FieldRow* FieldTable::find(std::string_view name) const {
  const auto it =
      std::lower_bound(rows.begin(), rows.end(), name,
                       [](const FieldRow& row, std::string_view key) { return row.name < key; });
  return it != rows.end() && it->name == name ? &*it : nullptr;
}

const FieldRow* FieldTable::longestPrefix(std::string_view text) const {
  // A name ends before a character that cannot continue it: `ka.verb)` or `ka.verb[`, but
  // `ka.verbose` is not `ka.verb`.
  const auto name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
  };
  const FieldRow* best = nullptr;
  for (const FieldRow& row : rows) {
    if (!text.starts_with(row.name)) continue;
    const bool ends = text.size() == row.name.size() || !name_char(text[row.name.size()]) ||
                      (text[row.name.size()] == '.' && (text.size() == row.name.size() + 1 ||
                                                        !name_char(text[row.name.size() + 1])));
    if (ends && (best == nullptr || row.name.size() > best->name.size())) best = &row;
  }
  return best;
}

const FieldTable* fieldTable(Source source) {
  switch (source) {
    case Source::K8sAudit: return &k8s_audit::fieldTable();
    case Source::Syscall: return nullptr;  // the host sources come with issue 7's R3
  }
  return nullptr;
}

std::string checkFieldArg(const FieldRow& row, FieldArg& arg) {
  using namespace field_flag;
  if (!arg.present) {
    if ((row.flags & kArgRequired) != 0) {
      return fmt::format("field '{}' requires an argument", row.name);
    }
    return {};
  }
  if ((row.flags & (kArgIndex | kArgKey)) == 0) {
    return fmt::format("field '{}' takes no argument", row.name);
  }
  if ((row.flags & kArgIndex) != 0) {
    std::int64_t index = 0;
    const char* end = arg.text.data() + arg.text.size();
    const auto [ptr, ec] = std::from_chars(arg.text.data(), end, index);
    if (ec != std::errc() || ptr != end || index < 0) {
      return fmt::format("the argument of field '{}' must be an index (a number ≥ 0), not '{}'",
                         row.name, arg.text);
    }
    arg.index = index;
    return {};
  }
  if (arg.text.empty()) return fmt::format("field '{}' requires a non-empty argument", row.name);
  return {};
}

}  // namespace bulwark::events
