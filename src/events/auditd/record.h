// One Linux audit record (docs/dev/runtime-design.md §2.5), as auditd writes it to its log
//   [node=NODE ]type=TYPE msg=audit(SEC.MSEC:SERIAL): key=value ...
// or as the kernel sends it over netlink (the numeric type in nlmsg_type, the payload
// `audit(SEC.MSEC:SERIAL): key=value ...`).
//
// Values are decoded and interpreted the way go-libaudit's auparse does, so that its goldens
// are our specification (tests/unit/events/auditd_record_test.cpp):
//  - key=value pairs: keys [a-z0-9_-]+, values bare, "double-quoted" or 'single-quoted'; text
//    that is not a pair is skipped; values "", "?", "?," and "(null)" are dropped; a key seen
//    again replaces the earlier value; a nested user-space msg='k=v ...' is flattened into the
//    record;
//  - hex: the kernel hex-encodes untrusted strings and leaves them unquoted; an unquoted value
//    of even length, all hex digits, of one of the keys that carry such strings (exe comm ocomm
//    cwd name path proctitle cmd acct; data of TTY/USER_TTY; a<n> and a<n>[i] of EXECVE; key)
//    is decoded; PROCTITLE's NUL separators become spaces;
//  - interpretations: auid, old-auid, ses 4294967295 → "unset"; success/res → result
//    (success|fail); subj (and obj of PATH) → subj_user/_role/_domain/_level/_category; exit
//    < 0 → errno name (EACCES); arch → x86_64, aarch64, i386...; syscall number → name for that
//    arch; sig of SECCOMP → SIGSYS...; SOCKADDR saddr → family plus addr/port (inet, inet6) or
//    path (unix); key → tags (split on \x01, "name=" prefixes and "(null)" dropped), removed
//    from the fields. Each field keeps its text as written too (raw()): the syscall number,
//    the hex arch, the negative exit.
//  - record-specific text: SELinux AVC `avc: denied { read } for` → seresult, seperms; LOGIN
//    `old auid=` → old_auid; CRED_DISP/USER_START/USER_END `(hostname=?, ...)` unwrapped.
//
// A Record owns one buffer (the line, then every decoded value) and refers to its parts by
// offset, so it can be moved freely; views it returns live as long as the Record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace bulwark::events::auditd {

// Record type numbers this code refers to (record_types.def has them all).
namespace record_type {
inline constexpr std::uint32_t kLogin = 1006;
inline constexpr std::uint32_t kFirstUserMsg = 1100;
inline constexpr std::uint32_t kUserLogin = 1112;
inline constexpr std::uint32_t kUserCmd = 1123;
inline constexpr std::uint32_t kUserTty = 1124;
inline constexpr std::uint32_t kLastUserMsg = 1199;
inline constexpr std::uint32_t kFirstDaemon = 1200;
inline constexpr std::uint32_t kLastDaemon = 1299;
inline constexpr std::uint32_t kSyscall = 1300;
inline constexpr std::uint32_t kPath = 1302;
inline constexpr std::uint32_t kSockaddr = 1306;
inline constexpr std::uint32_t kCwd = 1307;
inline constexpr std::uint32_t kExecve = 1309;
inline constexpr std::uint32_t kTty = 1319;
inline constexpr std::uint32_t kEoe = 1320;
inline constexpr std::uint32_t kSeccomp = 1326;
inline constexpr std::uint32_t kProctitle = 1327;
inline constexpr std::uint32_t kAvc = 1400;
inline constexpr std::uint32_t kFirstUserMsg2 = 2100;
inline constexpr std::uint32_t kLastUserMsg2 = 2999;
}  // namespace record_type

// "SYSCALL" for 1300; empty for a number without a name.
std::string_view recordTypeName(std::uint32_t type);
// 1300 for "SYSCALL", 1329 for "UNKNOWN[1329]"; nullopt for a name we do not know.
std::optional<std::uint32_t> recordTypeNumber(std::string_view name);

// Interpretation tables, also for the lead's field mapping: "x86_64" for 0xc000003e; the
// syscall name for a number on that arch ("execve" for 59 on x86_64); "EACCES" for 13;
// "SIGSYS" for 31. Empty when unknown.
std::string_view archName(std::uint32_t arch);
std::string_view syscallName(std::uint32_t arch, std::uint32_t number);
std::string_view errnoName(std::uint32_t number);
std::string_view signalName(std::uint32_t number);

// A record longer than this is refused (the file reader's line cap is lower).
inline constexpr std::size_t kMaxRecordBytes = std::size_t{1} << 20;
// Key=value pairs kept per record; more are counted in Record::droppedFields().
inline constexpr std::size_t kMaxFields = 1024;

struct FieldView {
  std::string_view key;
  std::string_view value;  // decoded and interpreted
  std::string_view raw;    // as written, quotes removed
};

class Record {
 public:
  [[nodiscard]] std::uint32_t type() const { return type_; }  // 0 when the name is unknown
  // The name as written ("SYSCALL", "UNKNOWN[1329]"), or from the table for netlink records.
  [[nodiscard]] std::string_view typeName() const { return view(type_name_); }
  [[nodiscard]] std::int64_t timestampNs() const { return ts_ns_; }
  [[nodiscard]] std::uint32_t serial() const { return serial_; }
  [[nodiscard]] std::string_view node() const { return view(node_); }
  // From "audit(" to the end of the record: go-libaudit's raw_msg.
  [[nodiscard]] std::string_view message() const { return view(message_); }
  // What auditd's ENRICHED log format appends after \x1d (`AUID="root" UID="root"`), not
  // parsed into the fields; empty in the RAW format and on netlink.
  [[nodiscard]] std::string_view enrichment() const { return view(enrichment_); }

  [[nodiscard]] std::size_t size() const { return fields_.size(); }
  [[nodiscard]] FieldView field(std::size_t i) const {
    const auto& f = fields_[i];
    return {view(f.key), view(f.value), view(f.raw)};
  }
  [[nodiscard]] std::optional<std::string_view> get(std::string_view key) const;
  [[nodiscard]] std::optional<std::string_view> raw(std::string_view key) const;
  // The audit rule keys (`key=` of SYSCALL and CONFIG_CHANGE), in order.
  [[nodiscard]] std::size_t tagCount() const { return tags_.size(); }
  [[nodiscard]] std::string_view tag(std::size_t i) const { return view(tags_[i]); }
  [[nodiscard]] std::size_t droppedFields() const { return dropped_fields_; }

 private:
  friend class RecordParser;
  struct Span {
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
  };
  struct Field {
    Span key;
    Span value;
    Span raw;
  };
  [[nodiscard]] std::string_view view(Span span) const {
    return std::string_view(text_).substr(span.offset, span.size);
  }

  std::string text_;  // the record, then the decoded values and derived keys
  std::vector<Field> fields_;
  std::vector<Span> tags_;
  Span type_name_;
  Span node_;
  Span message_;
  Span enrichment_;
  std::int64_t ts_ns_ = 0;
  std::uint32_t type_ = 0;
  std::uint32_t serial_ = 0;
  std::size_t dropped_fields_ = 0;
};

// Parses one log line (without its '\n'; a trailing '\r' is ignored). Errors (code Input or
// Limit) say what is wrong: no type=, no msg=audit(...), a bad timestamp or serial.
core::Result<Record> parseLine(std::string_view line);
// A netlink payload with its nlmsg_type.
core::Result<Record> parseNetlink(std::uint32_t type, std::string_view payload);

}  // namespace bulwark::events::auditd
