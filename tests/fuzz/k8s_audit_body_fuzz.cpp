// Fuzzes the k8s audit decoders (src/events/k8s_audit/): the same bytes as a webhook body
// (parseAuditBody), as JSON lines through the line framing (LineDecoder::feed, whole and in
// chunks), as a file of documents (decodeDocuments) and as a timestamp; every field of the
// k8s_audit table is extracted from each decoded event, with and without arguments. Nothing may
// crash or recurse without bound; feeding in chunks must give what one feed gives; events are
// numbered from 1 without gaps; every event has a parsed stageTimestamp.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/diagnostic.h"
#include "events/field.h"
#include "events/k8s_audit/audit_event.h"
#include "events/k8s_audit/file_source.h"

namespace {

namespace ka = bulwark::events::k8s_audit;

struct Outcome {
  std::vector<std::int64_t> times;
  std::size_t diagnostics = 0;
  ka::FileSourceStats stats;
};

ka::EventCallback collector(Outcome& outcome) {
  return [&outcome](const bulwark::events::Event& event) {
    if (event.num != outcome.times.size() + 1 || event.payload == nullptr) std::abort();
    const auto* audit = static_cast<const ka::AuditEvent*>(event.payload);
    if (audit->ts_ns != event.ts_ns) std::abort();
    outcome.times.push_back(event.ts_ns);
  };
}

// The text as JSON lines, fed `chunk` bytes at a time (0 = all at once) from a buffer with
// simdjson's padding after the pending bytes, as FileSource keeps it.
Outcome feedLines(std::string_view text, std::size_t chunk) {
  Outcome outcome;
  ka::LineDecoder decoder("fuzz");
  decoder.setFallbackCheck(false);
  bulwark::core::Diagnostics diagnostics;
  const auto on_event = collector(outcome);
  if (chunk == 0) chunk = text.size() + 1;
  std::string pending;
  std::size_t at = 0;
  do {
    pending.append(text.substr(at, chunk));
    at += chunk;
    const bool at_end = at >= text.size();
    std::string buffer = pending;
    buffer.append(simdjson::SIMDJSON_PADDING, '\0');
    const auto fed = decoder.feed(std::string_view(buffer.data(), pending.size()), at_end, on_event,
                                  diagnostics);
    if (fed.consumed > pending.size() || fed.first_line_not_json) std::abort();
    pending.erase(0, fed.consumed);
    if (at_end && !pending.empty()) std::abort();
  } while (at < text.size());
  outcome.diagnostics = diagnostics.size();
  outcome.stats = decoder.stats();
  if (outcome.stats.events != outcome.times.size()) std::abort();
  return outcome;
}

// Every field of the table, on an event from untrusted bytes: no crash, no value views that
// point nowhere (each is read), list indexes past the end give nothing.
void extractAll(const ka::AuditEvent& audit) {
  namespace flag = bulwark::events::field_flag;
  bulwark::events::Event event;
  event.payload = &audit;
  event.ts_ns = audit.ts_ns;
  const auto* table = bulwark::events::fieldTable(bulwark::events::Source::K8sAudit);
  bulwark::events::Values values;
  for (const auto& row : table->rows) {
    std::vector<bulwark::events::FieldArg> args;
    if ((row.flags & flag::kArgRequired) == 0) args.push_back({});
    if ((row.flags & flag::kArgIndex) != 0) {
      args.push_back({"0", true, 0});
      args.push_back({"1000000", true, 1000000});
    }
    if ((row.flags & flag::kArgKey) != 0) {
      for (const char* key : {"/", "/a/0", "/stage", "x", "/~2", "command", "/etc*"}) {
        args.push_back({key, true, -1});
      }
    }
    for (const auto& arg : args) {
      values.clear();
      row.extract(event, row, arg, values);
      std::size_t bytes = 0;
      for (const auto value : values.items()) {
        for (const char c : value) bytes += static_cast<unsigned char>(c) == 0xff ? 1 : 0;
      }
      if ((arg.index >= 1000000) && !values.empty() && row.name != "ka.req.service.ports") {
        std::abort();
      }
      (void)bytes;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  static simdjson::dom::parser parser;
  std::vector<ka::AuditEvent> events;
  std::size_t skipped = 0;
  const auto body = ka::parseAuditBody(text, parser, events, skipped);
  if (!body && body.error().message.empty()) std::abort();
  if (!body && !events.empty()) std::abort();
  for (const auto& event : events) {
    std::string_view stamp;
    std::int64_t ns = 0;
    if (event.root["stageTimestamp"].get_string().get(stamp) != simdjson::SUCCESS ||
        !ka::parseTimestamp(stamp, ns) || ns != event.ts_ns) {
      std::abort();
    }
    extractAll(event);
  }

  const Outcome whole = feedLines(text, 0);
  const Outcome chunked = feedLines(text, 1 + (size > 0 ? data[0] % 64 : 0));
  if (whole.times != chunked.times || whole.diagnostics != chunked.diagnostics ||
      whole.stats.lines != chunked.stats.lines ||
      whole.stats.bad_lines != chunked.stats.bad_lines ||
      whole.stats.skipped_events != chunked.stats.skipped_events) {
    std::abort();
  }

  Outcome documents;
  ka::LineDecoder decoder("fuzz");
  bulwark::core::Diagnostics diagnostics;
  const simdjson::padded_string padded(text);
  if (!decoder.decodeDocuments(padded, collector(documents), diagnostics) &&
      (diagnostics.size() != 0 || !documents.times.empty())) {
    std::abort();
  }

  std::int64_t ns = 0;
  (void)ka::parseTimestamp(text, ns);
  return 0;
}
