// The wire formats of the syslog and CEF sinks, apart from their sockets so that tests check
// them byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/sinks/sink.h"
#include "rules/loader.h"

namespace bulwark::pipeline::sinks {

// RFC 5424 severity of a Falco priority: Emergency 0 … Debug 7 (the same order).
int syslogSeverity(rules::Priority priority);

// MSGID: the rule name with spaces as '_', other bytes outside PRINTUSASCII as '_', at most 32
// bytes; "-" when empty.
std::string syslogMsgId(std::string_view rule);

// One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME bulwark PROCID MSGID - MSG`. TIMESTAMP is
// the event's time in UTC with microseconds (the format allows six fraction digits); empty
// HOSTNAME and PROCID are "-". MSG is sent as is (UTF-8, no BOM: receivers differ on it).
std::string formatSyslog(rules::Priority priority, int facility, std::int64_t ts_ns,
                         std::string_view hostname, std::string_view procid, std::string_view msgid,
                         std::string_view msg);

// RFC 6587 §3.4.1 octet counting: `LEN SP MSG`.
std::string octetFrame(std::string_view msg);

// CEF severity (0-10) of a Falco priority.
int cefSeverity(rules::Priority priority);
// CEF header field escaping: '\' and '|' get a backslash; CR and LF become spaces (a header
// cannot hold them).
std::string cefEscapeHeader(std::string_view text);
// CEF extension value escaping: '\' and '=' get a backslash, LF is `\n`, CR is `\r`.
std::string cefEscapeValue(std::string_view text);

// `CEF:0|bulwark|bulwark|VERSION|ID|NAME|SEVERITY|EXT` with EXT `rt=<ms> dhost=<host>
// msg=<output> cs1Label=tags cs1=<tags, comma separated>` and, where the alert's fields have
// them, `suser` (user.name, ka.user.name), `sproc` (proc.name), `shost` (fd.sip.name,
// fd.rip.name) and `cnt` (evt.count).
std::string formatCef(const SinkAlert& alert, std::string_view version);

}  // namespace bulwark::pipeline::sinks
