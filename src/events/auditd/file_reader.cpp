// The auditd log reader (file_reader.h).
#include "events/auditd/file_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace bulwark::events::auditd {

LogReader::LogReader(std::string name, AuditEventCallback on_event, CoalescerOptions options)
    : name_(std::move(name)),
      coalescer_(std::move(on_event), options),
      max_in_flight_(options.max_in_flight) {}

void LogReader::feed(std::string_view data, core::Diagnostics& diagnostics) {
  while (!data.empty()) {
    const void* found = std::memchr(data.data(), '\n', data.size());
    if (found == nullptr) {
      if (skipping_) return;
      if (partial_.size() + data.size() > kMaxLineBytes) {
        oversize(diagnostics);
        partial_.clear();
        skipping_ = true;
        return;
      }
      partial_.append(data);
      return;
    }
    const auto end = static_cast<std::size_t>(static_cast<const char*>(found) - data.data());
    if (skipping_) {
      skipping_ = false;
      partial_.clear();
    } else if (!partial_.empty()) {
      if (partial_.size() + end > kMaxLineBytes) {
        oversize(diagnostics);
      } else {
        partial_.append(data.substr(0, end));
        line(partial_, diagnostics);
      }
      partial_.clear();
    } else if (end > kMaxLineBytes) {
      oversize(diagnostics);
    } else {
      line(data.substr(0, end), diagnostics);
    }
    data.remove_prefix(end + 1);
  }
}

void LogReader::endFile(core::Diagnostics& diagnostics) {
  if (!partial_.empty() && !skipping_) line(partial_, diagnostics);
  dropPartialLine();
}

void LogReader::skipToNextLine() {
  partial_.clear();
  skipping_ = true;
}

void LogReader::dropPartialLine() {
  partial_.clear();
  skipping_ = false;
}

void LogReader::finish(core::Diagnostics& diagnostics) {
  endFile(diagnostics);
  coalescer_.flush();
  const auto& stats = coalescer_.stats();
  if (stats.lost > 0) {
    diagnostics.add("auditd.lost", name_,
                    fmt::format("{} records lost (gaps in the serial numbers)", stats.lost));
  }
  if (stats.incomplete > 0) {
    diagnostics.add("auditd.incomplete", name_,
                    fmt::format("{} events delivered incomplete (over {} in flight)",
                                stats.incomplete, max_in_flight_));
  }
}

LogReaderStats LogReader::stats() const {
  LogReaderStats out = stats_;
  out.coalescer = coalescer_.stats();
  return out;
}

void LogReader::line(std::string_view text, core::Diagnostics& diagnostics) {
  ++stats_.lines;
  ++file_line_;
  if (text.find_first_not_of(" \t\r") == std::string_view::npos) return;
  auto record = parseLine(text);
  if (!record) {
    ++stats_.bad_records;
    diagnostics.add("auditd.malformed", fmt::format("{}:{}", name_, file_line_),
                    record.error().message);
    return;
  }
  ++stats_.records;
  coalescer_.push(std::move(*record));
}

void LogReader::oversize(core::Diagnostics& diagnostics) {
  ++stats_.lines;
  ++file_line_;
  ++stats_.oversize_lines;
  diagnostics.add("auditd.oversize", fmt::format("{}:{}", name_, file_line_),
                  fmt::format("line over {} bytes skipped", kMaxLineBytes));
}

namespace {

// The reader as the tail's sink: it takes every byte (it holds an incomplete line itself).
class ReaderSink final : public LineSink {
 public:
  ReaderSink(LogReader& reader, const LogFileOptions& options)
      : reader_(reader), options_(options) {}

  std::size_t feed(std::string_view data, bool at_end, core::Diagnostics& diagnostics) override {
    reader_.feed(data, diagnostics);
    if (at_end) reader_.endFile(diagnostics);
    return data.size();
  }
  void startFile() override { reader_.startFile(); }
  void skipToNextLine() override { reader_.skipToNextLine(); }
  void idle(std::chrono::steady_clock::duration quiet, core::Diagnostics& /*unused*/) override {
    if (reader_.inFlight() == 0) return;
    auto wait =
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.idle_flush);
    if (reader_.holdsPartialLine()) {
      wait = std::max(wait, std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::nanoseconds(options_.coalescer.timeout_ns)));
    }
    if (quiet >= wait) reader_.expirePending();
  }

 private:
  LogReader& reader_;
  const LogFileOptions& options_;
};

}  // namespace

core::Result<LogReaderStats> readLogFile(const std::string& path,
                                         const AuditEventCallback& on_event,
                                         core::Diagnostics& diagnostics, CoalescerOptions options) {
  LogFileOptions file;
  file.coalescer = options;
  return readLogFile(path, on_event, diagnostics, file);
}

core::Result<LogReaderStats> readLogFile(const std::string& path,
                                         const AuditEventCallback& on_event,
                                         core::Diagnostics& diagnostics,
                                         const LogFileOptions& options,
                                         const std::atomic<bool>* stop) {
  LogReader reader(path, on_event, options.coalescer);
  ReaderSink sink(reader, options);
  FileTail tail(path, options.follow, TailNames{"auditd log", "auditd"}, kMaxLineBytes);
  if (auto status = tail.run(sink, diagnostics, stop); !status) {
    return tl::unexpected(status.error());
  }
  // A follow run ends at the stop, in the middle of a record perhaps: that line is not one.
  if (options.follow.follow) reader.dropPartialLine();
  reader.finish(diagnostics);
  LogReaderStats stats = reader.stats();
  stats.rotations = tail.stats().rotations;
  stats.truncations = tail.stats().truncations;
  return stats;
}

}  // namespace bulwark::events::auditd
