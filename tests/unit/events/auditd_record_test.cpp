// The audit record parser (src/events/auditd/record.h): every record of go-libaudit's auparse
// test logs gives exactly the record_type, sequence, @timestamp, raw_msg, data map and keys
// (tags) of its .golden file, which are our specification; then the edge cases: hex
// decoding, bad lines, huge values, a missing msg=audit(...), netlink payloads.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "events/auditd/record.h"
#include "testdata.h"

namespace {

namespace ad = bulwark::events::auditd;
using bulwark::core::ErrorCode;

constexpr std::string_view kAuparseDir = "runtime/elastic-go-libaudit/auparse/testdata";

// Go's time.Format(time.RFC3339Nano) in UTC: fraction without trailing zeros, none if zero.
std::string goTimestamp(std::int64_t ns) {
  const std::time_t sec = ns / 1'000'000'000;
  std::int64_t frac = ns % 1'000'000'000;
  std::tm tm{};
  gmtime_r(&sec, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (frac != 0) {
    std::string digits = fmt::format("{:09d}", frac);
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out + "Z";
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::map<std::string, std::string> dataMap(const ad::Record& record) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < record.size(); ++i) {
    const auto field = record.field(i);
    out[std::string(field.key)] = std::string(field.value);
  }
  return out;
}

std::vector<std::string> tags(const ad::Record& record) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < record.tagCount(); ++i) out.emplace_back(record.tag(i));
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

ad::Record parseOk(std::string_view line) {
  auto record = ad::parseLine(line);
  EXPECT_TRUE(record.has_value()) << line << ": " << (record ? "" : record.error().message);
  return record ? std::move(*record) : ad::Record{};
}

std::string get(const ad::Record& record, std::string_view key) {
  const auto value = record.get(key);
  return value ? std::string(*value) : std::string("<absent>");
}

// Each of the 7 auparse logs against its golden: the number of records that agree on every
// compared part, and what differs otherwise.
class AuparseGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(AuparseGolden, RecordsEqualTheGolden) {
  BULWARK_REQUIRE_SHARED(kAuparseDir);
  const auto dir = bulwark::testing::sharedTestdata() / kAuparseDir;
  const std::string name = GetParam();
  const auto log = lines(bulwark::testing::readFile(dir / name));
  const auto golden = nlohmann::json::parse(bulwark::testing::readFile(dir / (name + ".golden")));
  ASSERT_EQ(log.size(), golden.size()) << name;
  std::size_t agree = 0;
  for (std::size_t i = 0; i < log.size(); ++i) {
    SCOPED_TRACE(fmt::format("{}:{}", name, i + 1));
    const auto& want = golden[i];
    auto record = ad::parseLine(log[i]);
    if (want.is_null()) {  // go-libaudit refuses the line
      EXPECT_FALSE(record.has_value());
      agree += record.has_value() ? 0 : 1;
      continue;
    }
    ASSERT_TRUE(record.has_value()) << record.error().message;
    bool same = true;
    const auto check = [&](bool ok) { same = same && ok; };
    check(lower(record->typeName()) == want["record_type"].get<std::string>());
    EXPECT_EQ(lower(record->typeName()), want["record_type"].get<std::string>());
    check(record->serial() == want["sequence"].get<std::uint64_t>());
    EXPECT_EQ(record->serial(), want["sequence"].get<std::uint64_t>());
    check(goTimestamp(record->timestampNs()) == want["@timestamp"].get<std::string>());
    EXPECT_EQ(goTimestamp(record->timestampNs()), want["@timestamp"].get<std::string>());
    check(record->message() == want["raw_msg"].get<std::string>());
    EXPECT_EQ(record->message(), want["raw_msg"].get<std::string>());
    const auto data = want["data"].get<std::map<std::string, std::string>>();
    check(dataMap(*record) == data);
    EXPECT_EQ(dataMap(*record), data);
    const auto keys = want.contains("keys") ? want["keys"].get<std::vector<std::string>>()
                                            : std::vector<std::string>{};
    check(tags(*record) == keys);
    EXPECT_EQ(tags(*record), keys);
    agree += same ? 1 : 0;
  }
  EXPECT_EQ(agree, log.size());
  std::printf("%s: %zu of %zu records agree with the golden\n", name.c_str(), agree, log.size());
}

INSTANTIATE_TEST_SUITE_P(
    Auparse, AuparseGolden,
    ::testing::Values("audit-rhel6.log", "audit-rhel7.log", "audit-ubuntu14.log",
                      "audit-ubuntu16.log", "audit-ubuntu17.log", "test2.log", "test3.log"),
    [](const auto& info) {
      std::string name = info.param;
      std::replace_if(
          name.begin(), name.end(),
          [](char c) { return std::isalnum(static_cast<unsigned char>(c)) == 0; }, '_');
      return name;
    });

TEST(AuditdRecord, HeaderParts) {
  const auto record = parseOk(
      "node=web-1 type=SYSCALL msg=audit(1700000000.007:42): arch=c00000b7 syscall=221 "
      "success=no exit=-2 pid=7\r");
  EXPECT_EQ(record.node(), "web-1");
  EXPECT_EQ(record.type(), 1300U);
  EXPECT_EQ(record.typeName(), "SYSCALL");
  EXPECT_EQ(record.serial(), 42U);
  EXPECT_EQ(record.timestampNs(), 1'700'000'000'007'000'000);
  EXPECT_EQ(get(record, "arch"), "aarch64");
  EXPECT_EQ(get(record, "syscall"), "execve");
  EXPECT_EQ(*record.raw("syscall"), "221");
  EXPECT_EQ(get(record, "exit"), "ENOENT");
  EXPECT_EQ(*record.raw("exit"), "-2");
  EXPECT_EQ(get(record, "result"), "fail");
  EXPECT_EQ(record.field(0).key, "arch");  // the order of the line
  EXPECT_EQ(record.message(),
            "audit(1700000000.007:42): arch=c00000b7 syscall=221 success=no exit=-2 pid=7");
}

TEST(AuditdRecord, EnrichedFormat) {
  const auto record = parseOk(
      "type=SOCKADDR msg=audit(1.000:1): saddr=020000357F0000350000000000000000"
      "\x1dSADDR={ saddr_fam=inet laddr=127.0.0.53 lport=53 }");
  EXPECT_EQ(get(record, "addr"), "127.0.0.53");
  EXPECT_EQ(get(record, "laddr"), "<absent>");
  EXPECT_EQ(record.enrichment(), "SADDR={ saddr_fam=inet laddr=127.0.0.53 lport=53 }");
  EXPECT_EQ(parseOk("type=EOE msg=audit(1.000:1): ").enrichment(), "");
}

TEST(AuditdRecord, UnknownTypesKeepTheirName) {
  const auto numbered = parseOk("type=UNKNOWN[1336] msg=audit(1.000:1): a=b");
  EXPECT_EQ(numbered.type(), 1336U);
  const auto named = parseOk("type=SOMETHING_NEW msg=audit(1.000:1): a=b");
  EXPECT_EQ(named.type(), 0U);
  EXPECT_EQ(named.typeName(), "SOMETHING_NEW");
  EXPECT_EQ(get(named, "a"), "b");
  EXPECT_EQ(ad::recordTypeNumber("EOE"), 1320U);
  EXPECT_EQ(ad::recordTypeName(1327), "PROCTITLE");
  EXPECT_EQ(ad::recordTypeName(1301), "");
}

TEST(AuditdRecord, HexDecoding) {
  const auto path = parseOk(
      "type=PATH msg=audit(1.000:1): item=0 name=2F746D702F612062 nametype=CAFE mode=0100644");
  EXPECT_EQ(get(path, "name"), "/tmp/a b");
  EXPECT_EQ(*path.raw("name"), "2F746D702F612062");
  EXPECT_EQ(get(path, "nametype"), "CAFE");  // not a key the kernel encodes
  // Quoted values are never hex; odd length or a non-hex digit is not hex.
  const auto quoted = parseOk(
      "type=SYSCALL msg=audit(1.000:1): comm=\"cafe\" exe=ABC cwd=2G2F arch=c000003e syscall=0");
  EXPECT_EQ(get(quoted, "comm"), "cafe");
  EXPECT_EQ(get(quoted, "exe"), "ABC");
  EXPECT_EQ(get(quoted, "cwd"), "2G2F");
  EXPECT_EQ(get(quoted, "syscall"), "read");
  // a<n> of SYSCALL are numbers; of EXECVE, arguments (also in chunks).
  const auto syscall = parseOk("type=SYSCALL msg=audit(1.000:1): a0=41 a1=7ffd");
  EXPECT_EQ(get(syscall, "a0"), "41");
  const auto execve = parseOk(
      "type=EXECVE msg=audit(1.000:1): argc=3 a0=\"ls\" a1=2D6C2061 a2_len=4 a2[0]=6162 "
      "a2[1]=\"cd\"");
  EXPECT_EQ(get(execve, "a1"), "-l a");
  EXPECT_EQ(get(execve, "a2[0]"), "ab");
  EXPECT_EQ(get(execve, "a2[1]"), "cd");
  EXPECT_EQ(get(execve, "a2_len"), "4");
  // PROCTITLE: NUL separators become spaces, a trailing NUL goes.
  const auto title = parseOk("type=PROCTITLE msg=audit(1.000:1): proctitle=6C73002D6C00");
  EXPECT_EQ(get(title, "proctitle"), "ls -l");
  // TTY data only in TTY records.
  const auto tty = parseOk("type=TTY msg=audit(1.000:1): data=6869");
  EXPECT_EQ(get(tty, "data"), "hi");
  const auto other = parseOk("type=USER_AVC msg=audit(1.000:1): data=6869");
  EXPECT_EQ(get(other, "data"), "6869");
}

TEST(AuditdRecord, Interpretations) {
  const auto login = parseOk(
      "type=USER_LOGIN msg=audit(1.000:1): pid=1 uid=0 auid=4294967295 ses=4294967295 "
      "subj=unconfined msg='op=login acct=\"bob\" exe=\"/usr/sbin/sshd\" hostname=? addr=? "
      "res=failed'");
  EXPECT_EQ(get(login, "auid"), "unset");
  EXPECT_EQ(get(login, "ses"), "unset");
  EXPECT_EQ(get(login, "subj_user"), "unconfined");
  EXPECT_EQ(get(login, "subj_role"), "<absent>");
  EXPECT_EQ(get(login, "acct"), "bob");
  EXPECT_EQ(get(login, "hostname"), "<absent>");  // "?" is dropped
  EXPECT_EQ(get(login, "result"), "fail");
  EXPECT_EQ(get(login, "msg"), "<absent>");

  const auto key =
      parseOk("type=SYSCALL msg=audit(1.000:1): arch=40000003 syscall=11 key=6578656301626F6F6D");
  EXPECT_EQ(get(key, "syscall"), "execve");
  ASSERT_EQ(key.tagCount(), 2U);
  EXPECT_EQ(key.tag(0), "exec");
  EXPECT_EQ(key.tag(1), "boom");
  EXPECT_EQ(get(key, "key"), "<absent>");

  // Unknown numbers stay numbers.
  const auto unknown = parseOk(
      "type=SYSCALL msg=audit(1.000:1): arch=deadbeef syscall=99999 exit=-4000 success=yes");
  EXPECT_EQ(get(unknown, "arch"), "deadbeef");
  EXPECT_EQ(get(unknown, "syscall"), "99999");
  EXPECT_EQ(get(unknown, "exit"), "-4000");
  EXPECT_EQ(get(unknown, "result"), "success");
}

TEST(AuditdRecord, Sockaddr) {
  const auto mapped = parseOk(
      "type=SOCKADDR msg=audit(1.000:1): "
      "saddr=0A0001BB0000000000000000000000000000FFFF7F0000010000000000");
  EXPECT_EQ(get(mapped, "family"), "ipv6");
  EXPECT_EQ(get(mapped, "addr"), "127.0.0.1");
  EXPECT_EQ(get(mapped, "port"), "443");
  const auto v6 = parseOk(
      "type=SOCKADDR msg=audit(1.000:1): "
      "saddr=0A0000350000000020010DB8000000000000000000000001000000000000");
  EXPECT_EQ(get(v6, "addr"), "2001:db8::1");
  const auto abstract = parseOk("type=SOCKADDR msg=audit(1.000:1): saddr=01000061626300");
  EXPECT_EQ(get(abstract, "family"), "unix");
  EXPECT_EQ(get(abstract, "path"), "@abc");
  const auto shortv4 = parseOk("type=SOCKADDR msg=audit(1.000:1): saddr=0200");
  EXPECT_EQ(get(shortv4, "saddr"), "0200");  // too short: left as it is
  EXPECT_EQ(get(shortv4, "family"), "<absent>");
}

TEST(AuditdRecord, BadLinesAreErrors) {
  for (const char* line : {
           "",
           "garbage",
           "type=SYSCALL",
           "type= msg=audit(1.000:1): a=b",
           "type=SYSCALL msg=?",
           "type=SYSCALL msg=audit(",
           "type=SYSCALL msg=audit(1.000)",
           "type=SYSCALL msg=audit(abc.000:1): a=b",
           "type=SYSCALL msg=audit(1.0000:1): a=b",
           "type=SYSCALL msg=audit(1.000:99999999999): a=b",
           "type=SYSCALL msg=audit(1.000:-1): a=b",
           "msg=audit(1.000:1): a=b",
           "node=x",
       }) {
    SCOPED_TRACE(line);
    const auto record = ad::parseLine(line);
    ASSERT_FALSE(record.has_value());
    EXPECT_EQ(record.error().code, ErrorCode::Input);
    EXPECT_FALSE(record.error().message.empty());
  }
}

TEST(AuditdRecord, HugeValues) {
  std::string big(60'000, 'A');
  const auto record = parseOk("type=EXECVE msg=audit(1.000:1): argc=1 a0=" + big);
  EXPECT_EQ(get(record, "a0").size(), 30'000U);  // all hex: decoded
  const std::string too_big =
      "type=EXECVE msg=audit(1.000:1): a0=\"" + std::string(ad::kMaxRecordBytes, 'x') + "\"";
  const auto refused = ad::parseLine(too_big);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::Limit);
  std::string many = "type=EXECVE msg=audit(1.000:1):";
  for (int i = 0; i < 3000; ++i) many += fmt::format(" a{}=\"x\"", i);
  const auto capped = parseOk(many);
  EXPECT_EQ(capped.size(), ad::kMaxFields);
  EXPECT_EQ(capped.droppedFields(), 3000U - ad::kMaxFields);
  // Quotes as go-libaudit's regex reads them: \" inside, or a last \" closing an unterminated
  // value; a quote closes at the next one (a=' a=' is a="a="), in linear time on a line of
  // them.
  const auto escaped = parseOk(R"(type=CWD msg=audit(1.000:1): a="x\"y" b="z\" c=1)");
  EXPECT_EQ(get(escaped, "a"), R"(x\"y)");
  EXPECT_EQ(get(escaped, "b"), R"(z\)");
  EXPECT_EQ(get(escaped, "c"), "1");
  std::string quotes = "type=CWD msg=audit(1.000:1):";
  for (int i = 0; i < 20'000; ++i) quotes += " a='";
  const auto many_quotes = parseOk(quotes);
  EXPECT_EQ(many_quotes.size(), 1U);
  EXPECT_EQ(get(many_quotes, "a"), "a=");
  // An unterminated quote is not a value; what follows still is.
  const auto open = parseOk("type=CWD msg=audit(1.000:1): cwd=\"/tmp b=c");
  EXPECT_EQ(get(open, "cwd"), "<absent>");
  EXPECT_EQ(get(open, "b"), "c");
}

TEST(AuditdRecord, Netlink) {
  auto record = ad::parseNetlink(1327, "audit(1700000000.500:9): proctitle=2F62696E2F7368");
  ASSERT_TRUE(record.has_value()) << record.error().message;
  EXPECT_EQ(record->typeName(), "PROCTITLE");
  EXPECT_EQ(record->serial(), 9U);
  EXPECT_EQ(get(*record, "proctitle"), "/bin/sh");
  auto unknown = ad::parseNetlink(1999, std::string_view("audit(1.000:1): x=1\0", 20));
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->typeName(), "UNKNOWN[1999]");
  EXPECT_EQ(get(*unknown, "x"), "1");
  EXPECT_FALSE(ad::parseNetlink(1300, "arch=c000003e").has_value());
}

TEST(AuditdRecord, Tables) {
  EXPECT_EQ(ad::archName(0xc000003e), "x86_64");
  EXPECT_EQ(ad::syscallName(0xc000003e, 59), "execve");
  EXPECT_EQ(ad::syscallName(0x40000003, 11), "execve");
  EXPECT_EQ(ad::syscallName(0xc00000b7, 221), "execve");
  EXPECT_EQ(ad::syscallName(0xc00000b7, 79), "newfstatat");
  EXPECT_EQ(ad::syscallName(0xc000003e, 435), "clone3");
  EXPECT_EQ(ad::errnoName(13), "EACCES");
  EXPECT_EQ(ad::signalName(31), "SIGSYS");
  EXPECT_EQ(ad::signalName(64), "");
}

}  // namespace
