#include "events/k8s_audit/file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include <fmt/format.h>

namespace bulwark::events::k8s_audit {

namespace {

using simdjson::dom::element;

constexpr std::string_view kMalformed = "k8s-audit.malformed";
constexpr std::string_view kOversize = "k8s-audit.oversize";
constexpr std::string_view kNoTimestamp = "k8s-audit.no-timestamp";
// This source's names in the tail's errors and diagnostics (events/tail.h).
constexpr TailNames kTailNames{"k8s audit file", "k8s-audit"};

bool isBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

std::string_view kindOf(element root) {
  std::string_view kind;
  if (root.type() != simdjson::dom::element_type::OBJECT ||
      root.get_object().at_key("kind").get_string().get(kind) != simdjson::SUCCESS) {
    return {};
  }
  return kind;
}

// The auditID of a dropped event, for its diagnostic, when it has one.
std::string auditIdOf(element value) {
  std::string_view id;
  if (value.type() != simdjson::dom::element_type::OBJECT ||
      value.get_object().at_key("auditID").get_string().get(id) != simdjson::SUCCESS) {
    return {};
  }
  // Bounded: the text comes from the input.
  return fmt::format(" (auditID {})", id.substr(0, 64));
}

// Closes the descriptor on every path out of FileSource::run.
struct FdGuard {
  explicit FdGuard(int descriptor) : fd(descriptor) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
  int fd = -1;
};

bool stopped(const std::atomic<bool>* stop) {
  return stop != nullptr && stop->load(std::memory_order_relaxed);
}

// The decoder as the tail's sink: it frames lines in place in the tail's buffer.
class DecoderSink final : public LineSink {
 public:
  DecoderSink(LineDecoder& decoder, const EventCallback& on_event)
      : decoder_(decoder), on_event_(on_event) {}

  std::size_t feed(std::string_view data, bool at_end, core::Diagnostics& diagnostics) override {
    return decoder_.feed(data, at_end, on_event_, diagnostics).consumed;
  }
  void startFile() override { decoder_.startFile(); }
  void skipToNextLine() override { decoder_.skipToNextLine(); }

 private:
  LineDecoder& decoder_;
  const EventCallback& on_event_;
};

}  // namespace

LineDecoder::LineDecoder(std::string name) : name_(std::move(name)) {}

std::string LineDecoder::where(std::uint64_t line) const {
  return fmt::format("{}:{}", name_, line);
}

void LineDecoder::deliver(element root, std::size_t size, bool is_line, std::uint64_t line,
                          const EventCallback& on_event, core::Diagnostics& diagnostics) {
  // A line is capped at kMaxEventBytes unless it holds several events (an EventList or an
  // array, capped at kMaxBodyBytes by the framing); then each event is measured on its own.
  const bool large = size > kMaxEventBytes;
  if (large && is_line && root.type() != simdjson::dom::element_type::ARRAY &&
      kindOf(root) != "EventList") {
    ++stats_.bad_lines;
    diagnostics.add(std::string(kOversize), where(line),
                    fmt::format("line of {} bytes is over the {}-byte event limit; skipped", size,
                                kMaxEventBytes));
    return;
  }
  events_.clear();
  dropped_.clear();
  if (auto status = collectEvents(root, events_, dropped_, large); !status) {
    ++stats_.bad_lines;
    diagnostics.add(std::string(kMalformed), where(line), status.error().message);
    return;
  }
  for (const DroppedEvent& drop : dropped_) {
    ++stats_.skipped_events;
    if (drop.reason == DropReason::Oversize) {
      diagnostics.add(std::string(kOversize), where(line),
                      fmt::format("event{} is over the {}-byte event limit; skipped",
                                  auditIdOf(drop.value), kMaxEventBytes));
    } else {
      diagnostics.add(std::string(kNoTimestamp), where(line),
                      fmt::format("event{} has no valid stageTimestamp (RFC 3339); skipped",
                                  auditIdOf(drop.value)));
    }
  }
  for (const AuditEvent& audit : events_) {
    ++stats_.events;
    on_event(Event{Source::K8sAudit, audit.ts_ns, next_num_++, &audit});
  }
}

LineDecoder::FeedResult LineDecoder::feed(std::string_view data, bool at_end,
                                          const EventCallback& on_event,
                                          core::Diagnostics& diagnostics) {
  FeedResult result;
  std::size_t pos = 0;
  while (pos < data.size()) {
    const char* start = data.data() + pos;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', data.size() - pos));
    if (skipping_) {
      pos = newline != nullptr ? static_cast<std::size_t>(newline - data.data()) + 1 : data.size();
      skipping_ = newline == nullptr;
      continue;
    }
    const std::size_t length =
        newline != nullptr ? static_cast<std::size_t>(newline - start) : data.size() - pos;
    if (newline == nullptr && !at_end) {
      // An incomplete line: wait for the rest, unless it is already over every cap.
      if (length > kMaxBodyBytes) {
        check_first_line_ = false;
        ++line_;
        ++stats_.lines;
        ++stats_.bad_lines;
        diagnostics.add(std::string(kOversize), where(line_),
                        fmt::format("line over the {}-byte limit; skipped", kMaxBodyBytes));
        skipping_ = true;
        pos = data.size();
      }
      break;
    }
    std::string_view text(start, length);
    const std::size_t next = pos + length + (newline != nullptr ? 1 : 0);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (line_ == 0 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
    if (isBlank(text)) {
      ++line_;
      ++stats_.lines;
      pos = next;
      continue;
    }
    if (text.size() > kMaxBodyBytes) {
      check_first_line_ = false;
      ++line_;
      ++stats_.lines;
      ++stats_.bad_lines;
      diagnostics.add(std::string(kOversize), where(line_),
                      fmt::format("line of {} bytes is over the {}-byte limit; skipped",
                                  text.size(), kMaxBodyBytes));
      pos = next;
      continue;
    }
    // The bytes after the line (the next lines, or the caller's padding) are readable, so
    // simdjson parses in place.
    element root;
    const auto error =
        parser_.parse(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), false)
            .get(root);
    if (error != simdjson::SUCCESS && check_first_line_) {
      result.first_line_not_json = true;
      result.consumed = pos;
      return result;
    }
    check_first_line_ = false;
    ++line_;
    ++stats_.lines;
    if (error != simdjson::SUCCESS) {
      ++stats_.bad_lines;
      diagnostics.add(std::string(kMalformed), where(line_),
                      fmt::format("not valid JSON: {}", simdjson::error_message(error)));
    } else {
      deliver(root, text.size(), true, line_, on_event, diagnostics);
    }
    pos = next;
  }
  result.consumed = pos;
  return result;
}

bool LineDecoder::decodeDocuments(const simdjson::padded_string& text,
                                  const EventCallback& on_event, core::Diagnostics& diagnostics) {
  simdjson::dom::document_stream stream;
  // One batch as large as the text, so that a document may be as large as the file.
  if (parser_.parse_many(text.data(), text.size(), std::max<std::size_t>(text.size(), 1024))
          .get(stream) != simdjson::SUCCESS) {
    return false;
  }
  const std::string_view all(text.data(), text.size());
  std::size_t counted_to = 0;  // newlines before this offset are counted in `line`
  std::uint64_t line = 1;
  bool first = true;
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    const std::size_t at = std::min(it.current_index(), all.size());
    line +=
        static_cast<std::uint64_t>(std::count(all.begin() + static_cast<std::ptrdiff_t>(counted_to),
                                              all.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    counted_to = at;
    element root;
    const auto error = (*it).get(root);
    if (first) {
      // Only an object or array valid to its end and spread over lines means "documents"
      // (source() is exact for those two).
      if (error != simdjson::SUCCESS || at >= all.size() || (all[at] != '{' && all[at] != '[') ||
          it.source().find('\n') == std::string_view::npos) {
        return false;
      }
      first = false;
    }
    if (error != simdjson::SUCCESS) {
      ++stats_.bad_lines;
      diagnostics.add(std::string(kMalformed), where(line),
                      fmt::format("not valid JSON: {}; the rest of the file is not read",
                                  simdjson::error_message(error)));
      break;
    }
    deliver(root, text.size(), false, line, on_event, diagnostics);
  }
  if (first) return false;  // no document at all
  stats_.lines = static_cast<std::uint64_t>(std::count(all.begin(), all.end(), '\n')) +
                 (!all.empty() && all.back() != '\n' ? 1 : 0);
  return true;
}

void LineDecoder::startFile() {
  line_ = 0;
  skipping_ = false;
}

FileSource::FileSource(std::string path, FollowOptions follow)
    : path_(std::move(path)), follow_(std::move(follow)) {}

core::Status FileSource::run(const EventCallback& on_event, core::Diagnostics& diagnostics,
                             const std::atomic<bool>* stop) {
  LineDecoder decoder(path_);
  if (follow_.follow) {
    decoder.setFallbackCheck(false);
    DecoderSink sink(decoder, on_event);
    FileTail tail(path_, follow_, kTailNames, kMaxBodyBytes, simdjson::SIMDJSON_PADDING);
    auto status = tail.run(sink, diagnostics, stop);
    stats_ = decoder.stats();
    stats_.rotations = tail.stats().rotations;
    stats_.truncations = tail.stats().truncations;
    return status;
  }

  // Read once: as lines, or as whole documents when the first line is not JSON.
  FdGuard guard(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (guard.fd < 0) {
    return tl::unexpected(tailError(kTailNames.file, path_, "cannot open", errno));
  }
  struct stat info {};
  if (::fstat(guard.fd, &info) != 0) {
    return tl::unexpected(tailError(kTailNames.file, path_, "cannot stat", errno));
  }
  if (S_ISDIR(info.st_mode)) {
    return tl::unexpected(tailError(kTailNames.file, path_, "cannot read", EISDIR));
  }
  const bool regular = S_ISREG(info.st_mode);
  const auto file_size = static_cast<std::size_t>(info.st_size);

  decoder.setFallbackCheck(regular && file_size <= kMaxDocumentFileBytes);
  LineBuffer buffer(kMaxBodyBytes, simdjson::SIMDJSON_PADDING);
  std::optional<ReadAhead> ahead;  // destroyed before guard closes the descriptor
  if (regular) ahead.emplace(guard.fd);
  bool at_end = false;
  while (true) {
    if (!at_end) {
      const ssize_t n = ahead ? buffer.fill(*ahead) : buffer.fill(guard.fd);
      if (n < 0) return tl::unexpected(tailError(kTailNames.file, path_, "cannot read", errno));
      at_end = !buffer.full();
    }
    const auto fed = decoder.feed(buffer.view(), at_end, on_event, diagnostics);
    if (fed.first_line_not_json) {
      // Perhaps a pretty-printed file (kubectl output, a saved EventList): read it whole.
      decoder.setFallbackCheck(false);
      simdjson::padded_string whole(file_size);
      const ssize_t n = ::pread(guard.fd, whole.data(), file_size, 0);
      if (n < 0) return tl::unexpected(tailError(kTailNames.file, path_, "cannot read", errno));
      if (static_cast<std::size_t>(n) == file_size &&
          decoder.decodeDocuments(whole, on_event, diagnostics)) {
        break;
      }
    }
    buffer.consume(fed.consumed);
    if (fed.first_line_not_json) continue;  // the same bytes again, as lines
    if (at_end || stopped(stop)) break;
    if (buffer.full()) buffer.grow();
  }
  stats_ = decoder.stats();
  return {};
}

}  // namespace bulwark::events::k8s_audit
