// Threat-intelligence sets (docs/dev/runtime-design.md §3.7): IP addresses and networks,
// domains, file hashes or plain strings read from feed files (text, one entry a line, or a CSV
// column), usable in conditions as `fd.sip in (c2_addresses)` or `ka.sourceips intersects
// (tor_exits)`. A set is immutable; a reload builds a new one and swaps it in atomically, so a
// rule evaluating on another thread sees the old set or the new one, never half of either.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result.h"

namespace bulwark::rules {

enum class IntelKind : std::uint8_t { Ip, Domain, Hash, String };
bool parseIntelKind(std::string_view text, IntelKind& out);
std::string_view toString(IntelKind kind);

inline constexpr std::size_t kMaxIntelFileBytes = 256U << 20;
inline constexpr std::size_t kMaxIntelEntries = 20'000'000;

class IntelSet {
 public:
  explicit IntelSet(IntelKind kind) : kind_(kind) {}

  // Adds one entry as a feed writes it (an address or CIDR, a domain, a hex digest, a string);
  // false when it is not one of the set's kind.
  bool add(std::string_view entry);
  // Whether `value` (a field's value) is in the set: an address inside one of its networks, a
  // domain equal to one or below one at a label boundary, a digest in any case.
  [[nodiscard]] bool contains(std::string_view value) const;

  [[nodiscard]] IntelKind kind() const { return kind_; }
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  IntelKind kind_;
  std::size_t size_ = 0;
  std::unordered_set<std::string> strings_;  // Domain, Hash, String; Ip: /32 and /128 keys
  // Ip networks: by prefix length (of the 128-bit v4-mapped form), longest first.
  std::vector<std::pair<int, std::unordered_set<std::string>>> networks_;
};

// How a feed file is read: text (one entry a line, `#` comments, blank lines skipped) or CSV
// (the entries of one column, by header name or 1-based number; `#` lines skipped, a header line
// may itself start with "# " as abuse.ch writes it).
struct IntelFormat {
  bool csv = false;
  std::string column;  // csv: a header name or a 1-based number
};

// A line that is not an entry: counted, and the first few are named (file:line: why).
struct IntelProblem {
  std::size_t line = 0;
  std::string text;
};

// Reads `text` (a whole file) into `set`; problems are appended (at most `max_problems` kept,
// every one counted in the returned number). An error only for a CSV column that is not there.
core::Result<std::size_t> readIntelText(std::string_view text, const IntelFormat& format,
                                        IntelSet& set, std::vector<IntelProblem>& problems,
                                        std::size_t max_problems = 20);

// A named set as rules files declare it, with the set now in force.
struct IntelDef {
  std::string name;
  IntelKind kind = IntelKind::String;
  std::vector<std::string> files;  // as opened: paths, or "builtin:rules/lists/…" (embedded)
  IntelFormat format;
  bool reload = true;
};

class IntelHandle {
 public:
  explicit IntelHandle(IntelDef def);
  [[nodiscard]] const IntelDef& def() const { return def_; }
  [[nodiscard]] std::shared_ptr<const IntelSet> current() const { return set_.load(); }
  void replace(std::shared_ptr<const IntelSet> set) { set_.store(std::move(set)); }
  // Set by setIntel: the content comes from the program (--set-intel, the agent's cluster
  // addresses), and the files are not read again.
  void pin() { pinned_ = true; }
  [[nodiscard]] bool pinned() const { return pinned_.load(); }
  // The files' (size, mtime) when last read, for reloads.
  std::vector<std::pair<std::uintmax_t, std::int64_t>> stamps;

 private:
  IntelDef def_;
  std::atomic<std::shared_ptr<const IntelSet>> set_;
  std::atomic<bool> pinned_{false};
};

// The sets of a load, by name.
using IntelRegistry = std::map<std::string, std::shared_ptr<IntelHandle>, std::less<>>;

// Reads every file of `def` into a new set. Problems carry "file:line: text".
struct IntelRead {
  std::shared_ptr<IntelSet> set;
  std::vector<std::string> problems;  // the first few, each "file:line: why"
  std::size_t bad_lines = 0;
  std::vector<std::pair<std::uintmax_t, std::int64_t>> stamps;
};
core::Result<IntelRead> readIntel(const IntelDef& def);

// Replaces the content of the set `name` with `values` (entries of its kind) and pins it:
// `bulwark detect --set-intel NAME=v,…`, and the agent's sets of cluster addresses. Usage error
// for a set no rules file declares or an entry that is not of the set's kind.
core::Status setIntel(const IntelRegistry& registry, std::string_view name,
                      const std::vector<std::string>& values);

// Rereads the sets whose files changed since they were read (reload: true, not pinned); a set
// whose files
// cannot be read keeps its last good content. `on_message` hears each reload and each problem.
void reloadChangedIntel(
    const IntelRegistry& registry,
    const std::function<void(const std::string& name, const std::string& message)>& on_message);

}  // namespace bulwark::rules
