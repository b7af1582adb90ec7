// Fuzzes the auditd decoders (src/events/auditd/): every line of the input as a log record
// (parseLine) and as a netlink payload (parseNetlink, the type from the first two bytes), and
// the whole input as a log through LogReader, at once and in chunks. Nothing may crash; every
// field, tag and helper of a record or event is read (views must point into live memory);
// feeding in chunks must give what one feed gives; every record framed is either coalesced or
// counted bad, and every coalesced record (but a lone EOE) is delivered exactly once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "events/auditd/coalesce.h"
#include "events/auditd/file_reader.h"
#include "events/auditd/record.h"

namespace {

namespace ad = bulwark::events::auditd;

std::size_t touch(std::string_view text) {
  std::size_t sum = 0;
  for (const char c : text) sum += static_cast<unsigned char>(c);
  return sum;
}

std::size_t touch(const ad::Record& record) {
  std::size_t sum = touch(record.typeName()) + touch(record.node()) + touch(record.message()) +
                    touch(record.enrichment());
  for (std::size_t i = 0; i < record.size(); ++i) {
    const auto field = record.field(i);
    if (field.key.empty()) std::abort();
    sum += touch(field.key) + touch(field.value) + touch(field.raw);
    if (!record.get(field.key)) std::abort();
  }
  for (std::size_t i = 0; i < record.tagCount(); ++i) {
    if (record.tag(i).empty()) std::abort();
    sum += touch(record.tag(i));
  }
  if (record.size() > ad::kMaxFields) std::abort();
  return sum;
}

struct Outcome {
  std::vector<std::uint32_t> serials;
  std::uint64_t records = 0;
  std::size_t diagnostics = 0;
  ad::LogReaderStats stats;
};

Outcome readLog(std::string_view text, std::size_t chunk) {
  Outcome outcome;
  bulwark::core::Diagnostics diagnostics;
  ad::LogReader reader("fuzz", [&](const ad::AuditEvent& event) {
    if (event.records.empty()) std::abort();
    outcome.serials.push_back(event.serial);
    outcome.records += event.records.size() + event.dropped_records;
    std::size_t sum = 0;
    for (const auto& record : event.records) {
      if (record.serial() != event.serial || record.timestampNs() != event.ts_ns) std::abort();
      sum += touch(record);
    }
    if (event.kind() == nullptr || event.primary() == nullptr) std::abort();
    for (const auto& arg : event.args()) sum += touch(arg);
    for (const auto tag : event.tags()) sum += touch(tag);
    if (auto pid = event.get("pid")) sum += touch(*pid);
    (void)sum;
  });
  if (chunk == 0) chunk = text.size() + 1;
  for (std::size_t at = 0; at < text.size(); at += chunk) {
    reader.feed(text.substr(at, chunk), diagnostics);
  }
  reader.finish(diagnostics);
  outcome.stats = reader.stats();
  outcome.diagnostics = diagnostics.size();
  const auto& stats = outcome.stats;
  if (stats.coalescer.records != stats.records ||
      outcome.records + stats.coalescer.lone_eoe != stats.records ||
      stats.coalescer.events != outcome.serials.size()) {
    std::abort();
  }
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    if (auto record = ad::parseLine(line)) {
      touch(*record);
    } else if (record.error().message.empty()) {
      std::abort();
    }
    const auto type = line.size() >= 2
                          ? static_cast<std::uint32_t>(static_cast<unsigned char>(line[0]) << 8 |
                                                       static_cast<unsigned char>(line[1])) +
                                1000
                          : 1300;
    if (auto record = ad::parseNetlink(type, line.size() >= 2 ? line.substr(2) : line)) {
      if (record->type() != type) std::abort();
      touch(*record);
    }
    at = end + 1;
  }

  const Outcome whole = readLog(text, 0);
  const Outcome chunked = readLog(text, 1 + (size > 0 ? data[0] % 97 : 0));
  if (whole.serials != chunked.serials || whole.diagnostics != chunked.diagnostics ||
      whole.stats.lines != chunked.stats.lines ||
      whole.stats.bad_records != chunked.stats.bad_records ||
      whole.stats.oversize_lines != chunked.stats.oversize_lines ||
      whole.stats.coalescer.lost != chunked.stats.coalescer.lost) {
    std::abort();
  }
  return 0;
}
