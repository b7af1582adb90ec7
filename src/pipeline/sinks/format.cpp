#include "pipeline/sinks/format.h"

#include <ctime>

#include <fmt/format.h>

namespace bulwark::pipeline::sinks {

namespace {

constexpr std::size_t kMaxMsgId = 32;
constexpr std::size_t kMaxHostname = 255;
constexpr std::size_t kMaxProcId = 128;

// A header field of RFC 5424: PRINTUSASCII (33-126) only, at most `limit` bytes, "-" if empty.
std::string headerField(std::string_view text, std::size_t limit) {
  std::string out;
  for (const char c : text.substr(0, limit)) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(byte >= 33 && byte <= 126 ? c : '_');
  }
  return out.empty() ? "-" : out;
}

const std::string* fieldValue(const SinkAlert& alert, std::string_view name) {
  for (const auto& [key, value] : alert.fields) {
    if (key == name && value && !value->empty()) return &*value;
  }
  return nullptr;
}

}  // namespace

int syslogSeverity(rules::Priority priority) { return static_cast<int>(priority); }

std::string syslogMsgId(std::string_view rule) {
  std::string out;
  for (const char c : rule.substr(0, kMaxMsgId)) out.push_back(c == ' ' ? '_' : c);
  return headerField(out, kMaxMsgId);
}

std::string formatSyslog(rules::Priority priority, int facility, std::int64_t ts_ns,
                         std::string_view hostname, std::string_view procid, std::string_view msgid,
                         std::string_view msg) {
  const auto seconds = static_cast<std::time_t>(ts_ns / 1'000'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("<{}>1 {:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z {} bulwark {} {} - {}",
                     facility * 8 + syslogSeverity(priority), utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     (ts_ns % 1'000'000'000) / 1000, headerField(hostname, kMaxHostname),
                     headerField(procid, kMaxProcId), headerField(msgid, kMaxMsgId), msg);
}

std::string octetFrame(std::string_view msg) { return fmt::format("{} {}", msg.size(), msg); }

int cefSeverity(rules::Priority priority) {
  // Falco's eight priorities spread over CEF's 0-10 (ArcSight: 0-3 low, 4-6 medium, 7-8 high,
  // 9-10 very high).
  switch (priority) {
    case rules::Priority::Emergency: return 10;
    case rules::Priority::Alert: return 9;
    case rules::Priority::Critical: return 8;
    case rules::Priority::Error: return 7;
    case rules::Priority::Warning: return 6;
    case rules::Priority::Notice: return 4;
    case rules::Priority::Informational: return 3;
    case rules::Priority::Debug: return 0;
  }
  return 0;
}

std::string cefEscapeHeader(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\' || c == '|') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n' || c == '\r') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string cefEscapeValue(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\' || c == '=') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string formatCef(const SinkAlert& alert, std::string_view version) {
  std::string out = fmt::format(
      "CEF:0|bulwark|bulwark|{}|{}|{}|{}|rt={} dhost={} msg={}", cefEscapeHeader(version),
      cefEscapeHeader(alert.rule_id.empty() ? alert.rule : alert.rule_id),
      cefEscapeHeader(alert.rule), cefSeverity(alert.priority), alert.ts_ns / 1'000'000,
      cefEscapeValue(alert.hostname), cefEscapeValue(alert.output));
  std::string tags;
  for (const auto& tag : alert.tags) {
    if (!tags.empty()) tags.push_back(',');
    tags += tag;
  }
  out += " cs1Label=tags cs1=" + cefEscapeValue(tags);
  struct Extension {
    std::string_view key;
    std::string_view fields[2];
  };
  static constexpr Extension kExtensions[] = {
      {"suser", {"user.name", "ka.user.name"}},
      {"sproc", {"proc.name", ""}},
      {"shost", {"fd.sip.name", "fd.rip.name"}},
      {"cnt", {"evt.count", ""}},
  };
  for (const auto& extension : kExtensions) {
    for (const auto field : extension.fields) {
      if (field.empty()) continue;
      if (const std::string* value = fieldValue(alert, field)) {
        out += fmt::format(" {}={}", extension.key, cefEscapeValue(*value));
        break;
      }
    }
  }
  return out;
}

}  // namespace bulwark::pipeline::sinks
