// The coalescer (coalesce.h): pending events in arrival order, serial gaps as ranges.
#include "events/auditd/coalesce.h"

#include <algorithm>
#include <utility>

namespace bulwark::events::auditd {

namespace {

constexpr std::size_t kRecentDelivered = 64;

bool isSecondary(std::uint32_t type) {
  switch (type) {
    case record_type::kEoe:
    case record_type::kProctitle:
    case record_type::kCwd:
    case record_type::kPath:
    case record_type::kExecve:
    case record_type::kSockaddr: return true;
    default: return false;
  }
}

// "a12" or "a12[3]" → 12 and the chunk (-1 for none); false otherwise.
bool argIndex(std::string_view key, std::size_t& index, long& chunk) {
  if (key.size() < 2 || key[0] != 'a') return false;
  std::size_t i = 1;
  index = 0;
  while (i < key.size() && key[i] >= '0' && key[i] <= '9') {
    if (index > 1'000'000) return false;
    index = index * 10 + static_cast<std::size_t>(key[i] - '0');
    ++i;
  }
  if (i == 1) return false;
  chunk = -1;
  if (i == key.size()) return true;
  if (key[i] != '[' || key.back() != ']' || i + 2 >= key.size()) return false;
  chunk = 0;
  for (std::size_t j = i + 1; j + 1 < key.size(); ++j) {
    if (key[j] < '0' || key[j] > '9' || chunk > 1'000'000) return false;
    chunk = chunk * 10 + (key[j] - '0');
  }
  return true;
}

}  // namespace

bool isStandaloneType(std::uint32_t type) {
  return type == 1005 || (type >= record_type::kFirstUserMsg && type <= record_type::kLastDaemon) ||
         (type >= record_type::kFirstUserMsg2 && type <= record_type::kLastUserMsg2);
}

const Record* AuditEvent::find(std::uint32_t type) const {
  for (const auto& record : records) {
    if (record.type() == type) return &record;
  }
  return nullptr;
}

const Record* AuditEvent::kind() const {
  if (records.empty()) return nullptr;
  for (const auto& record : records) {
    if (record.type() != record_type::kSyscall && !isSecondary(record.type())) return &record;
  }
  if (const Record* syscall = find(record_type::kSyscall)) return syscall;
  return &records.front();
}

const Record* AuditEvent::primary() const {
  if (const Record* syscall = find(record_type::kSyscall)) return syscall;
  return kind();
}

std::optional<std::string_view> AuditEvent::get(std::string_view key) const {
  const Record* first = primary();
  if (first == nullptr) return std::nullopt;
  if (auto value = first->get(key)) return value;
  for (const auto& record : records) {
    if (&record == first) continue;
    if (auto value = record.get(key)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> AuditEvent::args() const {
  const Record* execve = find(record_type::kExecve);
  if (execve == nullptr) return {};
  std::size_t argc = 0;
  if (const auto text = execve->get("argc")) {
    for (const char c : *text) {
      if (c < '0' || c > '9' || argc > 1'000'000) return {};
      argc = argc * 10 + static_cast<std::size_t>(c - '0');
    }
  }
  // An argument is either whole (a<n>) or in chunks (a<n>[i]) that the kernel writes in
  // order, possibly over several EXECVE records.
  std::vector<std::string> args(std::min<std::size_t>(argc, 1U << 16));
  for (const auto& record : records) {
    if (record.type() != record_type::kExecve) continue;
    for (std::size_t f = 0; f < record.size(); ++f) {
      const FieldView field = record.field(f);
      std::size_t index = 0;
      long chunk = -1;
      if (!argIndex(field.key, index, chunk) || index >= args.size()) continue;
      if (chunk < 0) {
        args[index] = std::string(field.value);
      } else {
        args[index].append(field.value);
      }
    }
  }
  return args;
}

std::vector<std::string_view> AuditEvent::tags() const {
  std::vector<std::string_view> out;
  for (const auto& record : records) {
    for (std::size_t t = 0; t < record.tagCount(); ++t) {
      if (std::find(out.begin(), out.end(), record.tag(t)) == out.end()) {
        out.push_back(record.tag(t));
      }
    }
  }
  return out;
}

Coalescer::Coalescer(AuditEventCallback on_event, CoalescerOptions options)
    : on_event_(std::move(on_event)), options_(options) {
  options_.max_in_flight = std::max<std::size_t>(options_.max_in_flight, 1);
  options_.max_gaps = std::max<std::size_t>(options_.max_gaps, 1);
}

void Coalescer::push(Record record) {
  ++stats_.records;
  const std::uint32_t serial = record.serial();
  const std::int64_t ts = record.timestampNs();
  const bool advanced = ts > newest_ns_;
  newest_ns_ = std::max(newest_ns_, ts);
  trackSerial(serial);

  auto it = std::find_if(pending_.rbegin(), pending_.rend(), [&](const Pending& pending) {
    return pending.event.serial == serial && pending.event.ts_ns == ts;
  });
  if (isStandaloneType(record.type()) && it == pending_.rend()) {
    AuditEvent event;
    event.serial = serial;
    event.ts_ns = ts;
    event.completion = Completion::Standalone;
    event.records.push_back(std::move(record));
    ++stats_.events;
    on_event_(event);
  } else if (it != pending_.rend()) {
    const auto index = static_cast<std::size_t>(std::distance(it, pending_.rend()) - 1);
    AuditEvent& event = pending_[index].event;
    pending_[index].last_record = stats_.records;
    const bool eoe = record.type() == record_type::kEoe;
    if (event.records.size() < kMaxRecordsPerEvent) {
      event.records.push_back(std::move(record));
    } else {
      ++event.dropped_records;
      ++stats_.dropped_records;
    }
    if (eoe) deliver(index, Completion::Eoe);
  } else {
    const bool late =
        std::find(recent_.begin(), recent_.end(), std::make_pair(serial, ts)) != recent_.end();
    if (late) ++stats_.late_records;
    if (record.type() == record_type::kEoe) {
      ++stats_.lone_eoe;  // says nothing on its own
    } else {
      AuditEvent event;
      event.serial = serial;
      event.ts_ns = ts;
      event.records.reserve(4);
      event.records.push_back(std::move(record));
      pending_.push_back({std::move(event), stats_.records});
      if (pending_.size() > options_.max_in_flight) deliver(0, Completion::Evicted);
    }
  }
  if (advanced || !pending_.empty()) expireEvents(newest_ns_, options_.min_records_after);
  if (advanced) expireGaps(newest_ns_);
}

void Coalescer::expire(std::int64_t now_ns) {
  expireEvents(now_ns, 0);
  expireGaps(now_ns);
}

void Coalescer::expireEvents(std::int64_t now_ns, std::size_t min_records_after) {
  for (std::size_t i = 0; i < pending_.size();) {
    if (now_ns - pending_[i].event.ts_ns >= options_.timeout_ns &&
        stats_.records - pending_[i].last_record >= min_records_after) {
      deliver(i, Completion::Timeout);
    } else {
      ++i;
    }
  }
}

void Coalescer::flush() {
  while (!pending_.empty()) deliver(0, Completion::Flushed);
  for (const auto& gap : gaps_) stats_.lost += gap.last - gap.first + 1;
  gaps_.clear();
}

void Coalescer::expirePending() {
  while (!pending_.empty()) deliver(0, Completion::Timeout);
}

void Coalescer::deliver(std::size_t index, Completion completion) {
  AuditEvent event = std::move(pending_[index].event);
  pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(index));
  event.completion = completion;
  if (completion == Completion::Evicted) ++stats_.incomplete;
  if (completion == Completion::Timeout) ++stats_.timed_out;
  if (completion == Completion::Flushed) ++stats_.flushed;
  recent_.emplace_back(event.serial, event.ts_ns);
  if (recent_.size() > kRecentDelivered) recent_.pop_front();
  ++stats_.events;
  on_event_(event);
}

void Coalescer::trackSerial(std::uint32_t serial) {
  if (!have_serial_) {
    highest_ = serial;
    have_serial_ = true;
    return;
  }
  const auto low = static_cast<std::uint32_t>(highest_);
  const std::uint32_t ahead = serial - low;  // modulo 2^32
  if (ahead == 0) return;
  if (ahead < (1U << 31) && ahead <= kResetWindow) {
    if (ahead > 1) {
      gaps_.push_back({highest_ + 1, highest_ + ahead - 1, newest_ns_});
      if (gaps_.size() > options_.max_gaps) {
        stats_.lost += gaps_.front().last - gaps_.front().first + 1;
        gaps_.pop_front();
      }
    }
    highest_ += ahead;
    return;
  }
  const std::uint32_t behind = low - serial;
  if (behind > kResetWindow) {  // far behind, or far ahead (more than a window lost at once)
    // A new counter: a later epoch so that old gaps never match it; they expire as usual.
    ++stats_.serial_resets;
    highest_ = (((highest_ >> 32U) + 2) << 32U) | serial;
    return;
  }
  const std::uint64_t unwrapped = highest_ - behind;
  // Gaps open above every earlier one (highest_ only grows, a reset moves to a later epoch)
  // and splits keep their place: the deque is sorted by serial.
  auto gap = std::upper_bound(gaps_.begin(), gaps_.end(), unwrapped,
                              [](std::uint64_t value, const Gap& g) { return value < g.first; });
  if (gap == gaps_.begin()) return;
  --gap;
  if (unwrapped > gap->last) return;  // seen before: more records of a pending event
  ++stats_.out_of_order;
  if (gap->first == gap->last) {
    gaps_.erase(gap);
  } else if (unwrapped == gap->first) {
    ++gap->first;
  } else if (unwrapped == gap->last) {
    --gap->last;
  } else {
    const Gap tail{unwrapped + 1, gap->last, gap->seen_ns};
    gap->last = unwrapped - 1;
    gaps_.insert(gap + 1, tail);
  }
}

void Coalescer::expireGaps(std::int64_t now_ns) {
  while (!gaps_.empty() && now_ns - gaps_.front().seen_ns >= options_.timeout_ns) {
    stats_.lost += gaps_.front().last - gaps_.front().first + 1;
    gaps_.pop_front();
  }
}

}  // namespace bulwark::events::auditd
