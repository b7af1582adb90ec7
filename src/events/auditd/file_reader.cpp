// The auditd log reader (file_reader.h).
#include "events/auditd/file_reader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

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

void LogReader::finish(core::Diagnostics& diagnostics) {
  if (!partial_.empty() && !skipping_) line(partial_, diagnostics);
  partial_.clear();
  skipping_ = false;
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
  if (text.find_first_not_of(" \t\r") == std::string_view::npos) return;
  auto record = parseLine(text);
  if (!record) {
    ++stats_.bad_records;
    diagnostics.add("auditd.malformed", fmt::format("{}:{}", name_, stats_.lines),
                    record.error().message);
    return;
  }
  ++stats_.records;
  coalescer_.push(std::move(*record));
}

void LogReader::oversize(core::Diagnostics& diagnostics) {
  ++stats_.lines;
  ++stats_.oversize_lines;
  diagnostics.add("auditd.oversize", fmt::format("{}:{}", name_, stats_.lines),
                  fmt::format("line over {} bytes skipped", kMaxLineBytes));
}

core::Result<LogReaderStats> readLogFile(const std::string& path,
                                         const AuditEventCallback& on_event,
                                         core::Diagnostics& diagnostics, CoalescerOptions options) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) {
    const int error = errno;
    return core::fail(error == ENOENT ? core::ErrorCode::NotFound : core::ErrorCode::Io, "{}: {}",
                      path, std::strerror(error));
  }
  LogReader reader(path, on_event, options);
  std::vector<char> block(std::size_t{256} << 10);
  while (true) {
    const std::size_t got = std::fread(block.data(), 1, block.size(), file.get());
    if (got > 0) reader.feed(std::string_view(block.data(), got), diagnostics);
    if (got < block.size()) {
      if (std::ferror(file.get()) != 0) {
        return core::fail(core::ErrorCode::Io, "{}: read error", path);
      }
      break;
    }
  }
  reader.finish(diagnostics);
  return reader.stats();
}

}  // namespace bulwark::events::auditd
