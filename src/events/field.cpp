#include "events/field.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace bulwark::events {

namespace k8s_audit {
const FieldTable& fieldTable();  // k8s_audit/fields.cpp
}
namespace host {
const FieldTable& fieldTable();  // host/fields.cpp
}

std::string_view toString(FieldType type) {
  switch (type) {
    case FieldType::Str: return "string";
    case FieldType::UInt64: return "uint64";
    case FieldType::Int64: return "int64";
    case FieldType::AbsTime: return "abstime";
    case FieldType::RelTime: return "reltime";
    case FieldType::Bool: return "bool";
    case FieldType::Ip: return "ipaddr";
    case FieldType::IpNet: return "ipnet";
  }
  return "unknown";
}

const FieldRow* FieldTable::find(std::string_view name) const {
  const auto it =
      std::lower_bound(rows.begin(), rows.end(), name,
                       [](const FieldRow& row, std::string_view key) { return row.name < key; });
  return it != rows.end() && it->name == name ? &*it : nullptr;
}

const FieldRow* FieldTable::resolve(std::string_view name, std::string* dot_arg) const {
  if (const FieldRow* row = find(name)) return row;
  // The longest kArgDot name that, with a dot, begins `name`: there are few such rows.
  const FieldRow* best = nullptr;
  for (const FieldRow& row : rows) {
    if ((row.flags & field_flag::kArgDot) == 0 || name.size() <= row.name.size() + 1 ||
        !name.starts_with(row.name) || name[row.name.size()] != '.') {
      continue;
    }
    if (best == nullptr || row.name.size() > best->name.size()) best = &row;
  }
  if (best != nullptr && dot_arg != nullptr) dot_arg->assign(name.substr(best->name.size() + 1));
  return best;
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
    case Source::Syscall: return &host::fieldTable();
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
  if ((row.flags & (kArgIndex | kArgKey | kArgDot)) == 0) {
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
