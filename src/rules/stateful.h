// Stateful rules (docs/dev/runtime-design.md §3.8): `sequence` (steps in order by the same key
// within a window), `count` (N events, or N distinct values of a field, by key within a window)
// and `first_seen` (key → value pairs learned for a period, then a new pair fires). Windows and
// learning run on event time (Event::ts_ns), so replays and tests give the same alerts as live
// runs. State is bounded: at most kMaxStateKeys keys per rule (least recently used evicted, and
// counted) and kMaxBaselinePairs learned pairs per first_seen rule, which persist as JSON in
// `<state dir>/baselines/<rule id or name>.json`.
//
// One StatefulRule per stateful rule of a Ruleset; observe() is called from every source thread
// (each with its own EvalContext): the steps are evaluated outside the rule's lock, the state is
// updated under it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <tl/expected.hpp>

#include "events/field.h"
#include "rules/compiler.h"
#include "rules/loader.h"

namespace bulwark::rules {

inline constexpr std::size_t kMaxStateKeys = 65536;
inline constexpr std::size_t kMaxBaselinePairs = 100000;
// A baseline file larger than this is not read (100 000 pairs of long names fit well below).
inline constexpr std::uintmax_t kMaxBaselineFileBytes = std::uintmax_t{64} << 20;
// Ancestors walked to relate a process to an earlier step's (deeper trees are not related).
inline constexpr int kMaxTreeDepth = 64;

struct StatefulStats {
  std::size_t keys = 0;             // sequence/count: keys with state; first_seen: keys learned
  std::uint64_t evictions = 0;      // keys dropped to stay within the bound
  std::size_t baseline_pairs = 0;   // first_seen: pairs learned
  std::uint64_t pairs_dropped = 0;  // first_seen: new pairs not stored (the bound was reached)
  std::uint64_t fired = 0;
};

class StatefulRule {
 public:
  // Resolves the rule's key and value fields and compiles its steps (`steps`: the loader's
  // compiled step conditions, in order) against the source's field table.
  static tl::expected<std::unique_ptr<StatefulRule>, CompileError> compile(
      const RuleItem& item, const std::vector<std::unique_ptr<Node>>& steps, events::Source source,
      const events::FieldTable& table, FieldSlots& slots, const IntelRegistry* intel);

  StatefulRule(const StatefulRule&) = delete;
  StatefulRule& operator=(const StatefulRule&) = delete;
  ~StatefulRule();

  // Feeds the event `context` was reset to; true when the rule fires on it. A sequence that
  // fires leaves its earlier steps' events in context.related() (every other call empties it).
  bool observe(EvalContext& context);

  // Test hook: a smaller key bound (the default is kMaxStateKeys) and pair bound.
  void setLimits(std::size_t max_keys, std::size_t max_pairs);

  // first_seen: where the baseline persists (`<dir>/baselines/<id or name>.json`); the file,
  // when there is one, is read now. Empty: nothing persists. Returns a problem with the file
  // (the rule then starts with what it could read), or "".
  std::string setStateDir(const std::filesystem::path& dir);
  // Writes the baseline when it changed since the last write; returns a problem, or "".
  std::string flush();

  [[nodiscard]] StatefulStats stats() const;
  [[nodiscard]] const RuleItem& item() const { return *item_; }

 private:
  explicit StatefulRule(const RuleItem& item) : item_(&item) {}

  // sequence/count state of one key, in an LRU list.
  struct KeyState {
    std::string key;
    // sequence: the last step matched (0-based) and when the first one was.
    std::size_t step = 0;
    std::int64_t start_ns = 0;
    std::vector<RelatedEvent> related;  // the event of each step matched so far
    // count: the times of the last `threshold` events, or each distinct value's last time;
    // after firing, silent until `silent_until_ns`.
    std::list<std::int64_t> times;
    std::map<std::string, std::int64_t, std::less<>> distinct;
    std::int64_t silent_until_ns = 0;
  };
  using Lru = std::list<KeyState>;

  struct Baseline {
    std::int64_t since_ns = 0;  // the key's learning started (event time)
    std::set<std::string, std::less<>> values;
  };

  // What one event contributes, computed outside the lock.
  struct Observation {
    std::int64_t now = 0;         // event time
    std::vector<bool> matched;    // per step
    std::vector<std::string> at;  // keys whose state the event continues (process tree: its
                                  // own process and each ancestor's)
    std::string own;              // the key the event's state is kept under
    std::string value;            // count: the distinct value; first_seen: the value
    RelatedEvent self;            // sequence: the event as a later alert shows it
  };

  static std::string joined(EvalContext& context, const std::vector<FieldRef>& fields);
  KeyState* find(const std::string& key);
  KeyState& insert(std::string key);
  void erase(KeyState* state);
  // On firing, `fired` gets the earlier steps' events.
  bool observeSequence(const Observation& seen, std::vector<RelatedEvent>& fired);
  bool observeCount(const Observation& seen);
  bool observeFirstSeen(const Observation& seen);
  [[nodiscard]] std::filesystem::path baselineFile() const;
  std::string flushLocked();

  const RuleItem* item_;
  events::Source source_{};
  std::vector<std::unique_ptr<Filter>> steps_;
  std::vector<FieldRef> by_;  // StateBy::Fields, or container.id for StateBy::Container
  std::vector<FieldRef> distinct_;
  std::vector<FieldRef> key_;
  std::vector<FieldRef> value_;
  std::vector<FieldRef> related_;  // sequence: what each step's event is shown with

  mutable std::mutex mutex_;
  Lru lru_;  // most recently used first
  std::unordered_map<std::string, Lru::iterator> keys_;
  std::map<std::string, Baseline, std::less<>> baseline_;
  std::size_t pairs_ = 0;
  std::size_t max_keys_ = kMaxStateKeys;
  std::size_t max_pairs_ = kMaxBaselinePairs;
  StatefulStats stats_;
  std::filesystem::path state_dir_;
  bool dirty_ = false;
  std::chrono::steady_clock::time_point last_flush_{};
};

}  // namespace bulwark::rules
