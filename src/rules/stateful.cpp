#include "rules/stateful.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <limits>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "events/host/host_event.h"

namespace bulwark::rules {

namespace {

// Key parts are joined with a unit separator: field values do not hold it in practice, and a
// collision only merges two keys' state.
constexpr char kJoin = '\x1f';
constexpr auto kFlushEvery = std::chrono::minutes(1);

std::string processId(const events::host::Process& process) {
  return fmt::format("p{}:{}", process.pid, process.start_ns);
}

// A file name for the rule: its id, else its name, with anything but [A-Za-z0-9._-] as '_'.
std::string fileStem(const RuleItem& item) {
  std::string out = item.id.empty() ? item.name : item.id;
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && c != '.' && c != '_' && c != '-') c = '_';
  }
  if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');
  return out.substr(0, 200);
}

tl::expected<std::vector<FieldRef>, CompileError> resolveAll(const std::vector<std::string>& names,
                                                             const events::FieldTable& table,
                                                             FieldSlots& slots) {
  std::vector<FieldRef> out;
  for (const auto& name : names) {
    auto parsed = parseCondition(name + " exists");
    if (!parsed || (*parsed)->kind != NodeKind::Check) {
      return tl::unexpected(CompileError{fmt::format("'{}' is not a field", name)});
    }
    auto ref = resolveField((*parsed)->field, table, slots, /*allow_unsupported=*/true);
    if (!ref) return tl::unexpected(ref.error());
    out.push_back(std::move(*ref));
  }
  return out;
}

// Event times come from the events (an audit log's stageTimestamp: any int64): differences and
// window ends saturate instead of overflowing.
std::int64_t minus(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (!__builtin_sub_overflow(a, b, &out)) return out;
  return b > 0 ? std::numeric_limits<std::int64_t>::min()
               : std::numeric_limits<std::int64_t>::max();
}

std::int64_t plus(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (!__builtin_add_overflow(a, b, &out)) return out;
  return b > 0 ? std::numeric_limits<std::int64_t>::max()
               : std::numeric_limits<std::int64_t>::min();
}

// Appends a step's event to a sequence's related events, its values cut to what is left of
// kMaxRelatedBytes (the event's number and time stay).
void addRelated(std::vector<RelatedEvent>& related, const RelatedEvent& event) {
  std::size_t used = 0;
  for (const auto& earlier : related) {
    for (const auto& field : earlier.fields) used += field.second.size();
  }
  RelatedEvent& added = related.emplace_back(event);
  for (auto& field : added.fields) {
    const std::size_t left = kMaxRelatedBytes - std::min(used, kMaxRelatedBytes);
    if (field.second.size() > left) field.second.resize(left);
    used += field.second.size();
  }
}

// The fields that say what a sequence step's event was, per source.
std::vector<std::string> relatedFields(events::Source source) {
  if (source == events::Source::Syscall) return {"proc.cmdline"};
  if (source == events::Source::K8sAudit) return {"ka.verb", "ka.uri", "ka.user.name"};
  return {};
}

}  // namespace

tl::expected<std::unique_ptr<StatefulRule>, CompileError> StatefulRule::compile(
    const RuleItem& item, const std::vector<std::unique_ptr<Node>>& steps, events::Source source,
    const events::FieldTable& table, FieldSlots& slots, const IntelRegistry* intel) {
  const StatefulItem& spec = item.stateful;
  std::unique_ptr<StatefulRule> out(new StatefulRule(item));
  out->source_ = source;
  for (const auto& step : steps) {
    auto filter = compileFilter(*step, table, slots, intel);
    if (!filter) return tl::unexpected(filter.error());
    out->steps_.push_back(std::move(*filter));
  }
  if (spec.kind == StatefulKind::Sequence || spec.kind == StatefulKind::Count) {
    if (spec.by == StateBy::ProcessTree && source != events::Source::Syscall) {
      return tl::unexpected(CompileError{
          fmt::format("'by: process_tree' needs syscall events, not {}", item.source)});
    }
    std::vector<std::string> by = spec.by_fields;
    if (spec.by == StateBy::Container) by = {"container.id"};
    auto refs = resolveAll(by, table, slots);
    if (!refs) return tl::unexpected(refs.error());
    out->by_ = std::move(*refs);
  }
  if (spec.kind == StatefulKind::Sequence) {
    auto refs = resolveAll(relatedFields(source), table, slots);
    if (!refs) return tl::unexpected(refs.error());
    out->related_ = std::move(*refs);
  }
  if (!spec.distinct.empty()) {
    auto refs = resolveAll({spec.distinct}, table, slots);
    if (!refs) return tl::unexpected(refs.error());
    out->distinct_ = std::move(*refs);
  }
  if (spec.kind == StatefulKind::FirstSeen) {
    auto key = resolveAll(spec.key, table, slots);
    if (!key) return tl::unexpected(key.error());
    auto value = resolveAll(spec.value, table, slots);
    if (!value) return tl::unexpected(value.error());
    out->key_ = std::move(*key);
    out->value_ = std::move(*value);
  }
  out->last_flush_ = std::chrono::steady_clock::now();
  return out;
}

StatefulRule::~StatefulRule() {
  // The end of a run: the baseline learned since the last write is not lost.
  if (dirty_ && !state_dir_.empty()) flushLocked();
}

void StatefulRule::setLimits(std::size_t max_keys, std::size_t max_pairs) {
  const std::lock_guard lock(mutex_);
  max_keys_ = std::max<std::size_t>(max_keys, 1);
  max_pairs_ = max_pairs;
}

std::string StatefulRule::joined(EvalContext& context, const std::vector<FieldRef>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i != 0) out += kJoin;
    const auto values = context.values(fields[i]);
    for (std::size_t v = 0; v < values.size(); ++v) {
      if (v != 0) out += ',';
      out += values[v];
    }
  }
  return out;
}

StatefulRule::KeyState* StatefulRule::find(const std::string& key) {
  const auto found = keys_.find(key);
  if (found == keys_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, found->second);  // most recently used
  return &*found->second;
}

StatefulRule::KeyState& StatefulRule::insert(std::string key) {
  lru_.emplace_front();
  lru_.front().key = key;
  keys_.emplace(std::move(key), lru_.begin());
  while (lru_.size() > max_keys_) {
    keys_.erase(lru_.back().key);
    lru_.pop_back();
    ++stats_.evictions;
  }
  return lru_.front();
}

void StatefulRule::erase(KeyState* state) {
  const auto found = keys_.find(state->key);
  if (found == keys_.end()) return;
  lru_.erase(found->second);
  keys_.erase(found);
}

bool StatefulRule::observe(EvalContext& context) {
  const StatefulItem& spec = item_->stateful;
  if (!context.related().empty()) context.setRelated({});
  Observation seen;
  seen.matched.resize(steps_.size());
  bool any = false;
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    seen.matched[i] = steps_[i]->eval(context);
    any = any || seen.matched[i];
  }
  if (!any) return false;
  const events::Event& event = context.event();
  seen.now = event.ts_ns;
  if (spec.kind == StatefulKind::FirstSeen) {
    seen.own = joined(context, key_);
    seen.value = joined(context, value_);
  } else if (spec.by == StateBy::ProcessTree) {
    // The event continues the state of its process and of every ancestor; its own state is
    // kept under its parent, so that a sibling (the shell's next command) or a descendant of
    // the step's process continues it.
    const auto* host = static_cast<const events::host::HostEvent*>(event.payload);
    const events::host::Process* process = host != nullptr ? host->process.get() : nullptr;
    if (process == nullptr) return false;
    seen.own = process->parent ? processId(*process->parent) : processId(*process);
    int depth = 0;
    for (const auto* p = process; p != nullptr && depth < kMaxTreeDepth;
         p = p->parent.get(), ++depth) {
      seen.at.push_back(processId(*p));
    }
  } else {
    seen.own = joined(context, by_);
    seen.at = {seen.own};
  }
  if (spec.kind == StatefulKind::Count && !distinct_.empty()) {
    seen.value = joined(context, distinct_);
  }
  if (spec.kind == StatefulKind::Sequence) {
    seen.self.num = event.num;
    seen.self.ts_ns = event.ts_ns;
    for (const FieldRef& ref : related_) {
      const auto values = context.values(ref);
      if (values.empty()) continue;
      std::string value(values.front().substr(0, kMaxRelatedValueBytes));
      seen.self.fields.emplace_back(ref.row->name, std::move(value));
    }
  }
  std::vector<RelatedEvent> related;
  const std::lock_guard lock(mutex_);
  bool fired = false;
  switch (spec.kind) {
    case StatefulKind::Sequence:
      fired = observeSequence(seen, related);
      if (fired) context.setRelated(std::move(related));
      break;
    case StatefulKind::Count: fired = observeCount(seen); break;
    case StatefulKind::FirstSeen: fired = observeFirstSeen(seen); break;
    case StatefulKind::None: break;
  }
  if (fired) ++stats_.fired;
  return fired;
}

bool StatefulRule::observeSequence(const Observation& seen, std::vector<RelatedEvent>& fired) {
  const std::int64_t within = item_->stateful.within_ns;
  const auto live = [&](const KeyState& state) {
    return minus(seen.now, state.start_ns) <= within;
  };
  // The latest step this event completes, of the first key (nearest process) that waits for it.
  for (std::size_t step = steps_.size() - 1; step >= 1; --step) {
    if (!seen.matched[step]) continue;
    for (const auto& key : seen.at) {
      KeyState* state = find(key);
      if (state == nullptr) continue;
      if (!live(*state)) {
        erase(state);
        continue;
      }
      if (state->step != step - 1) continue;
      if (step + 1 == steps_.size()) {
        fired = std::move(state->related);
        erase(state);
        return true;
      }
      const std::int64_t start = state->start_ns;
      std::vector<RelatedEvent> related = std::move(state->related);
      if (key != seen.own) {
        erase(state);
        state = find(seen.own);
        if (state == nullptr) state = &insert(seen.own);
      }
      state->step = step;
      state->start_ns = start;
      state->related = std::move(related);
      addRelated(state->related, seen.self);
      return false;
    }
  }
  if (seen.matched[0]) {
    KeyState* state = find(seen.own);
    if (state == nullptr) state = &insert(seen.own);
    // A repeated first step restarts the window; progress past it is kept while it lives.
    if (state->step == 0 || !live(*state)) {
      state->step = 0;
      state->start_ns = seen.now;
      state->related = {seen.self};
    }
  }
  return false;
}

bool StatefulRule::observeCount(const Observation& seen) {
  const StatefulItem& spec = item_->stateful;
  KeyState* state = find(seen.own);
  if (state == nullptr) state = &insert(seen.own);
  if (seen.now < state->silent_until_ns) return false;
  const std::int64_t oldest = minus(seen.now, spec.within_ns);
  std::size_t count = 0;
  if (!distinct_.empty()) {
    state->distinct[seen.value] = seen.now;
    std::erase_if(state->distinct, [&](const auto& entry) { return entry.second < oldest; });
    count = state->distinct.size();
  } else {
    state->times.push_back(seen.now);
    while (!state->times.empty() &&
           (state->times.front() < oldest || state->times.size() > spec.threshold)) {
      state->times.pop_front();
    }
    count = state->times.size();
  }
  if (count < spec.threshold) return false;
  state->times.clear();
  state->distinct.clear();
  state->silent_until_ns = plus(seen.now, spec.within_ns);
  return true;
}

bool StatefulRule::observeFirstSeen(const Observation& seen) {
  const std::int64_t learn = item_->stateful.learn_ns;
  bool fired = false;
  auto found = baseline_.find(seen.own);
  if (found == baseline_.end()) {
    // A key seen for the first time starts its own learning period.
    if (pairs_ >= max_pairs_) {
      ++stats_.pairs_dropped;
      return false;
    }
    found = baseline_.emplace(seen.own, Baseline{seen.now, {}}).first;
  }
  Baseline& baseline = found->second;
  if (baseline.values.contains(seen.value)) return false;
  fired = minus(seen.now, baseline.since_ns) >= learn;
  if (pairs_ < max_pairs_) {
    baseline.values.insert(seen.value);
    ++pairs_;
    dirty_ = true;
  } else {
    ++stats_.pairs_dropped;
  }
  if (dirty_ && !state_dir_.empty() &&
      std::chrono::steady_clock::now() - last_flush_ >= kFlushEvery) {
    flushLocked();
  }
  return fired;
}

std::filesystem::path StatefulRule::baselineFile() const {
  return state_dir_ / "baselines" / (fileStem(*item_) + ".json");
}

std::string StatefulRule::setStateDir(const std::filesystem::path& dir) {
  const std::lock_guard lock(mutex_);
  state_dir_ = dir;
  if (dir.empty() || item_->stateful.kind != StatefulKind::FirstSeen) return {};
  const auto file = baselineFile();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return {};
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return fmt::format("{}: {}", file.string(), ec.message());
  if (size > kMaxBaselineFileBytes) {
    return fmt::format("{}: larger than {} bytes, not read", file.string(), kMaxBaselineFileBytes);
  }
  std::ifstream in(file, std::ios::binary);
  const nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_object()) {
    return fmt::format("{}: not a baseline file", file.string());
  }
  std::size_t skipped = 0;
  for (const auto& [key, entry] : doc["keys"].items()) {
    if (!entry.is_object() || !entry.contains("since") || !entry["since"].is_number_integer() ||
        !entry.contains("values") || !entry["values"].is_array()) {
      ++skipped;
      continue;
    }
    Baseline& baseline = baseline_[key];
    baseline.since_ns = entry["since"].get<std::int64_t>();
    for (const auto& value : entry["values"]) {
      if (!value.is_string() || pairs_ >= max_pairs_) {
        ++skipped;
        continue;
      }
      if (baseline.values.insert(value.get<std::string>()).second) ++pairs_;
    }
  }
  if (skipped != 0) {
    return fmt::format("{}: {} malformed or excess entries skipped", file.string(), skipped);
  }
  return {};
}

std::string StatefulRule::flush() {
  const std::lock_guard lock(mutex_);
  return flushLocked();
}

std::string StatefulRule::flushLocked() {
  last_flush_ = std::chrono::steady_clock::now();
  if (!dirty_ || state_dir_.empty()) return {};
  nlohmann::json keys = nlohmann::json::object();
  for (const auto& [key, baseline] : baseline_) {
    keys[key] = {{"since", baseline.since_ns}, {"values", baseline.values}};
  }
  const nlohmann::json doc = {{"version", 1},
                              {"rule", item_->name},
                              {"id", item_->id},
                              {"learn_ns", item_->stateful.learn_ns},
                              {"keys", std::move(keys)}};
  const auto file = baselineFile();
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) return fmt::format("{}: {}", file.parent_path().string(), ec.message());
  // Written aside and renamed, so that a crash mid-write leaves the previous baseline.
  const auto temp = std::filesystem::path(file.string() + ".tmp");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (!out) return fmt::format("{}: cannot write", temp.string());
  }
  std::filesystem::rename(temp, file, ec);
  if (ec) return fmt::format("{}: {}", file.string(), ec.message());
  dirty_ = false;
  return {};
}

StatefulStats StatefulRule::stats() const {
  const std::lock_guard lock(mutex_);
  StatefulStats out = stats_;
  out.keys = item_->stateful.kind == StatefulKind::FirstSeen ? baseline_.size() : lru_.size();
  out.baseline_pairs = pairs_;
  return out;
}

}  // namespace bulwark::rules
