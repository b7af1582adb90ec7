// Field tables: the typed, documented fields rules read from events (docs/dev/runtime-design.md
// §1.2). One static table per source, one row per field, one extractor per row; `bulwark rules
// fields` and docs/rules.md print the same rows.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"

namespace bulwark::events {

// How values compare. k8s audit fields are all strings, as in Falco's k8saudit plugin; host
// fields have Falco's types: numbers compare as numbers, `Bool` as "true"/"false", and an `Ip`
// value (fd.sip) or an `IpNet` one (fd.snet) equals a literal address or lies in a CIDR literal.
enum class FieldType : std::uint8_t { Str, UInt64, Int64, AbsTime, RelTime, Bool, Ip, IpNet };
// "string", "uint64", "int64", "abstime", "reltime", "bool", "ipaddr", "ipnet"
std::string_view toString(FieldType type);

namespace field_flag {
inline constexpr std::uint32_t kList = 1U << 0;         // many values per event
inline constexpr std::uint32_t kArgIndex = 1U << 1;     // optional `[n]`: the n-th value only
inline constexpr std::uint32_t kArgKey = 1U << 2;       // `[key]`: a name or a JSON pointer
inline constexpr std::uint32_t kArgRequired = 1U << 3;  // the argument must be given
inline constexpr std::uint32_t kDeprecated = 1U << 4;   // still works; `rules validate` warns
inline constexpr std::uint32_t kArgDot = 1U << 5;  // the argument may follow a dot: evt.arg.flags
// A list (proc.aname: every ancestor) that holds under any operator, `in` included, when one
// of its values does: Falco's "any ancestor" and fd.ip's "either end".
inline constexpr std::uint32_t kAnyValue = 1U << 6;
// Falco has the field and this build fills it from no sensor yet: a rule that uses it is
// skipped with a warning (LOAD_UNSUPPORTED_FIELD), as Falco skips rules of a missing plugin.
inline constexpr std::uint32_t kUnsupported = 1U << 7;
}  // namespace field_flag

// A field's argument, checked once when a rule is compiled.
struct FieldArg {
  std::string text;  // as written between the brackets
  bool present = false;
  std::int64_t index = -1;  // kArgIndex fields: the index; -1 when absent
};

// What an extractor produced for one event. Views must stay valid until the event is done:
// borrow from the event's payload, or hand over an owned string with `own`.
class Values {
 public:
  void add(std::string_view borrowed) { items_.push_back(borrowed); }
  void own(std::string text) { items_.push_back(owned_.emplace_back(std::move(text))); }
  [[nodiscard]] std::span<const std::string_view> items() const { return items_; }
  [[nodiscard]] bool empty() const { return items_.empty(); }
  [[nodiscard]] std::size_t size() const { return items_.size(); }
  void clear() {
    items_.clear();
    owned_.clear();
  }

 private:
  std::vector<std::string_view> items_;
  std::deque<std::string> owned_;
};

struct FieldRow;

// Appends the field's values for `event` (none: the field is missing in this event).
using Extractor = void (*)(const Event& event, const FieldRow& row, const FieldArg& arg,
                           Values& out);

struct FieldRow {
  std::string_view name;  // Falco's spelling: "ka.req.pod.containers.image"
  FieldType type = FieldType::Str;
  std::uint32_t flags = 0;
  std::string_view desc;  // one sentence, ours
  Extractor extract = nullptr;
  // Where the value comes from, for extractors that read a path (k8s audit: the JSON keys
  // separated by blanks, "objectRef resource"); printed by `rules fields`.
  std::string_view path;
  std::vector<std::string_view> keys;  // `path` split at its blanks when the table is built
};

struct FieldTable {
  Source source = Source::K8sAudit;
  std::span<const FieldRow> rows;  // sorted by name

  [[nodiscard]] const FieldRow* find(std::string_view name) const;
  // find(), or a kArgDot row whose name and a dot begin `name`; `dot_arg` then gets the rest
  // (`evt.arg.flags` → the row evt.arg, "flags").
  [[nodiscard]] const FieldRow* resolve(std::string_view name, std::string* dot_arg) const;
  // The longest field name that `text` starts with and that ends where a name may end
  // (`ka.verb)` → ka.verb); null when none.
  [[nodiscard]] const FieldRow* longestPrefix(std::string_view text) const;
};

// The table of a source; null when this build has no event source of that kind yet.
const FieldTable* fieldTable(Source source);

// Checks `arg` against the row's flags; empty when fine, else why not ("ka.uri.param requires an
// argument", "index argument of ka.req.pod.containers.image must be a number").
std::string checkFieldArg(const FieldRow& row, FieldArg& arg);

}  // namespace bulwark::events
