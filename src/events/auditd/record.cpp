// The record parser (record.h): header, key=value extraction with go-libaudit's rules, then
// decoding and interpretation in place. Every value is a span of the record's one buffer.
#include "events/auditd/record.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <string>
#include <utility>

namespace bulwark::events::auditd {

namespace {

using core::ErrorCode;
using core::fail;

struct NumberName {
  std::uint32_t number;
  std::string_view name;
};

constexpr NumberName kRecordTypes[] = {
#define BULWARK_AUDIT_RECORD_TYPE(number, name) {number, name},
#include "events/auditd/record_types.def"
#undef BULWARK_AUDIT_RECORD_TYPE
};

constexpr NumberName kSyscallsX8664[] = {
#define BULWARK_SYSCALL(number, name) {number, name},
#include "events/auditd/syscalls_x86_64.def"
#undef BULWARK_SYSCALL
};

constexpr NumberName kSyscallsI386[] = {
#define BULWARK_SYSCALL(number, name) {number, name},
#include "events/auditd/syscalls_i386.def"
#undef BULWARK_SYSCALL
};

constexpr NumberName kSyscallsAarch64[] = {
#define BULWARK_SYSCALL(number, name) {number, name},
#include "events/auditd/syscalls_aarch64.def"
#undef BULWARK_SYSCALL
};

constexpr NumberName kErrnos[] = {
#define BULWARK_ERRNO(number, name) {number, name},
#include "events/auditd/errnos.def"
#undef BULWARK_ERRNO
};

// AUDIT_ARCH_* of linux/audit.h (EM_* plus the 64-bit and little-endian flags), named as
// go-libaudit names them.
constexpr NumberName kArches[] = {
    {0x00000002, "sparc"},   {0x00000008, "mips"},        {0x00000014, "ppc"},
    {0x00000016, "s390"},    {0x00000028, "armeb"},       {0x40000003, "i386"},
    {0x40000008, "mipsel"},  {0x40000028, "arm"},         {0x400000f3, "riscv32"},
    {0x80000008, "mips64"},  {0x80000015, "ppc64"},       {0x80000016, "s390x"},
    {0x8000002b, "sparc64"}, {0xc0000008, "mips64el"},    {0xc0000015, "ppc64le"},
    {0xc0000032, "ia64"},    {0xc000003e, "x86_64"},      {0xc00000b7, "aarch64"},
    {0xc00000f3, "riscv64"}, {0xc0000102, "loongarch64"}, {0xc0009026, "alpha"},
};

constexpr std::array<std::string_view, 32> kSignals = {
    "",          "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS",
};

constexpr std::uint32_t kArchX8664 = 0xc000003e;
constexpr std::uint32_t kArchI386 = 0x40000003;
constexpr std::uint32_t kArchAarch64 = 0xc00000b7;

// The tables are generated sorted by number.
template <std::size_t N>
std::string_view byNumber(const NumberName (&table)[N], std::uint32_t number) {
  const auto* it = std::lower_bound(
      std::begin(table), std::end(table), number,
      [](const NumberName& entry, std::uint32_t value) { return entry.number < value; });
  return it != std::end(table) && it->number == number ? it->name : std::string_view{};
}

bool isKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Go's regexp \s: [\t\n\f\r ].
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isHex(std::string_view text) {
  if (text.empty() || text.size() % 2 != 0) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return hexValue(c) >= 0; });
}

template <class T>
bool parseNumber(std::string_view text, T& out, int base = 10) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && end == text.data() + text.size();
}

// strings.Trim(v, `'" `).
std::string_view trimQuotesAndSpace(std::string_view value) {
  const auto strip = [](char c) { return c == '\'' || c == '"' || c == ' '; };
  while (!value.empty() && strip(value.front())) value.remove_prefix(1);
  while (!value.empty() && strip(value.back())) value.remove_suffix(1);
  return value;
}

// Where a value quoted with `quote` at text[start] ends, as the regex '(?:\\'|[^'])*'
// matches it: at the first unescaped quote after it, or, when there is none, at the last
// escaped one (backtracking gives its \ to [^']); npos when neither exists. A quote is escaped
// when a backslash precedes it, wherever the scan started, so one forward scan per text serves
// every start (starts only grow): no quadratic time on a line of unterminated quotes.
class QuoteFinder {
 public:
  QuoteFinder(std::string_view text, char quote) : text_(text), quote_(quote) {}

  std::size_t close(std::size_t start) {
    if (!scanned_ || (next_ != std::string_view::npos && next_ <= start)) {
      next_ = std::string_view::npos;
      for (std::size_t i = start + 1; i < text_.size(); ++i) {
        if (text_[i] == quote_ && text_[i - 1] != '\\') {
          next_ = i;
          break;
        }
      }
      scanned_ = true;
    }
    if (next_ != std::string_view::npos) return next_;
    if (!last_done_) {
      for (std::size_t i = text_.size(); i-- > 1;) {
        if (text_[i] == quote_ && text_[i - 1] == '\\') {
          last_escaped_ = i;
          break;
        }
      }
      last_done_ = true;
    }
    return last_escaped_ != std::string_view::npos && last_escaped_ > start + 1
               ? last_escaped_
               : std::string_view::npos;
  }

 private:
  std::string_view text_;
  char quote_;
  std::size_t next_ = std::string_view::npos;
  std::size_t last_escaped_ = std::string_view::npos;
  bool scanned_ = false;
  bool last_done_ = false;
};

void appendIpv4(std::string& out, const unsigned char* bytes) {
  for (int i = 0; i < 4; ++i) {
    if (i > 0) out += '.';
    out += std::to_string(bytes[i]);
  }
}

// As Go's net.IP.String: IPv4-mapped addresses dotted, otherwise RFC 5952.
void appendIpv6(std::string& out, const unsigned char* bytes) {
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes, kMapped, sizeof kMapped) == 0) {
    appendIpv4(out, bytes + 12);
    return;
  }
  std::array<unsigned, 8> words{};
  for (std::size_t i = 0; i < 8; ++i) words[i] = (bytes[2 * i] << 8U) | bytes[2 * i + 1];
  int best = -1;
  int best_len = 0;
  for (int i = 0; i < 8;) {
    if (words[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && words[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best = -1;
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (i > 0 && i != best + best_len) out += ':';
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned digit = (words[i] >> shift) & 0xfU;
      if (digit != 0 || started || shift == 0) {
        out += kDigits[digit];
        started = true;
      }
    }
  }
}

void hexDecodeTo(std::string_view hex, std::string& out) {
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>((hexValue(hex[i]) << 4) | hexValue(hex[i + 1]));
  }
}

// Keys whose values the kernel (audit_log_untrustedstring) or libaudit
// (audit_encode_nv_string) hex-encodes when they hold spaces, quotes or control characters.
bool isEncodedKey(std::string_view key) {
  return key == "exe" || key == "comm" || key == "ocomm" || key == "cwd" || key == "name" ||
         key == "path" || key == "proctitle" || key == "cmd" || key == "acct";
}

// a<n> or a<n>[i] of EXECVE.
bool isExecveArg(std::string_view key) {
  if (key.size() < 2 || key[0] != 'a') return false;
  std::size_t i = 1;
  while (i < key.size() && key[i] >= '0' && key[i] <= '9') ++i;
  if (i == 1) return false;
  if (i == key.size()) return true;
  if (key[i] != '[' || key.back() != ']' || i + 2 >= key.size()) return false;
  for (std::size_t j = i + 1; j + 1 < key.size(); ++j) {
    if (key[j] < '0' || key[j] > '9') return false;
  }
  return true;
}

}  // namespace

std::string_view recordTypeName(std::uint32_t type) { return byNumber(kRecordTypes, type); }

std::optional<std::uint32_t> recordTypeNumber(std::string_view name) {
  static const std::vector<NumberName> kByName = [] {
    std::vector<NumberName> sorted(std::begin(kRecordTypes), std::end(kRecordTypes));
    std::sort(sorted.begin(), sorted.end(),
              [](const NumberName& a, const NumberName& b) { return a.name < b.name; });
    return sorted;
  }();
  const auto it = std::lower_bound(
      kByName.begin(), kByName.end(), name,
      [](const NumberName& entry, std::string_view value) { return entry.name < value; });
  if (it != kByName.end() && it->name == name) return it->number;
  constexpr std::string_view kUnknown = "UNKNOWN[";
  if (name.size() > kUnknown.size() + 1 && name.substr(0, kUnknown.size()) == kUnknown &&
      name.back() == ']') {
    std::uint32_t number = 0;
    if (parseNumber(name.substr(kUnknown.size(), name.size() - kUnknown.size() - 1), number)) {
      return number;
    }
  }
  return std::nullopt;
}

std::string_view archName(std::uint32_t arch) { return byNumber(kArches, arch); }

std::string_view syscallName(std::uint32_t arch, std::uint32_t number) {
  switch (arch) {
    case kArchX8664: return byNumber(kSyscallsX8664, number);
    case kArchI386: return byNumber(kSyscallsI386, number);
    case kArchAarch64: return byNumber(kSyscallsAarch64, number);
    default: return {};
  }
}

std::string_view errnoName(std::uint32_t number) { return byNumber(kErrnos, number); }

std::string_view signalName(std::uint32_t number) {
  return number < kSignals.size() ? kSignals[number] : std::string_view{};
}

std::optional<std::string_view> Record::get(std::string_view key) const {
  for (const auto& f : fields_) {
    if (view(f.key) == key) return view(f.value);
  }
  return std::nullopt;
}

std::optional<std::string_view> Record::raw(std::string_view key) const {
  for (const auto& f : fields_) {
    if (view(f.key) == key) return view(f.raw);
  }
  return std::nullopt;
}

// Builds one Record. `input` is the text the spans of key=value pairs point into and `base`
// where that text starts in record.text_: the caller's line itself (base 0) or a normalised
// copy appended to text_ (so text_ may grow while `input` stays valid).
class RecordParser {
 public:
  explicit RecordParser(Record& record) : r_(record) {}

  // parseLine after the framing: the line, where node= ends, the type name, and the message
  // from "audit(" on.
  static core::Result<Record> start(std::string_view line, std::size_t node_end,
                                    std::size_t name_start, std::size_t name_end,
                                    std::string_view message, std::size_t message_start);
  static core::Result<Record> netlink(std::uint32_t type, std::string_view message);
  static core::Result<Record> build(Record record, std::string_view message,
                                    std::size_t message_offset);

  void parseData(std::string_view data, std::size_t base) {
    input_ = data;
    base_ = base;
    // One allocation each for the fields and their flags: at most one per '=', plus the
    // SELinux context parts that replace subj and obj.
    const auto pairs = static_cast<std::size_t>(std::count(data.begin(), data.end(), '='));
    r_.fields_.reserve(std::min(pairs, kMaxFields) + 8);
    meta_.reserve(r_.fields_.capacity());
    extract(data);
    enrich();
  }

  // Appends text to the buffer and returns its span.
  Record::Span append(std::string_view text) {
    const Record::Span span{static_cast<std::uint32_t>(r_.text_.size()),
                            static_cast<std::uint32_t>(text.size())};
    r_.text_.append(text);
    return span;
  }

 private:
  struct Meta {
    bool quoted = false;
  };

  Record::Span spanOf(std::string_view part) const {
    return {
        static_cast<std::uint32_t>(base_ + static_cast<std::size_t>(part.data() - input_.data())),
        static_cast<std::uint32_t>(part.size())};
  }

  // go-libaudit's kvRegex ([a-z0-9_-]+)=((?:[^"'\s]+)|'(?:\\'|[^'])*'|"(?:\\"|[^"])*") over
  // the text, leftmost first, each match consumed.
  void extract(std::string_view text) {
    QuoteFinder double_quotes(text, '"');
    QuoteFinder single_quotes(text, '\'');
    std::size_t i = 0;
    while (i < text.size()) {
      if (!isKeyChar(text[i])) {
        ++i;
        continue;
      }
      std::size_t key_end = i;
      while (key_end < text.size() && isKeyChar(text[key_end])) ++key_end;
      // EXECVE's chunked arguments: a1[0]=...
      if (key_end + 2 < text.size() && text[key_end] == '[' &&
          std::isdigit(static_cast<unsigned char>(text[key_end + 1])) != 0) {
        std::size_t close = key_end + 1;
        while (close < text.size() && std::isdigit(static_cast<unsigned char>(text[close])) != 0) {
          ++close;
        }
        if (close < text.size() && text[close] == ']') key_end = close + 1;
      }
      if (key_end >= text.size() || text[key_end] != '=') {
        i = key_end;  // no shorter key in this run can be followed by '='
        continue;
      }
      const std::size_t value_start = key_end + 1;
      std::size_t value_end = value_start;
      bool quoted = false;
      if (value_start < text.size()) {
        const char c = text[value_start];
        if (c == '"' || c == '\'') {
          const std::size_t close = (c == '"' ? double_quotes : single_quotes).close(value_start);
          if (close != std::string_view::npos) {
            value_end = close + 1;
            quoted = true;
          }
        } else {
          while (value_end < text.size() && !isSpace(text[value_end]) && text[value_end] != '"' &&
                 text[value_end] != '\'') {
            ++value_end;
          }
        }
      }
      if (value_end == value_start) {
        i = key_end + 1;  // "key=" followed by nothing a value can be
        continue;
      }
      add(text.substr(i, key_end - i), text.substr(value_start, value_end - value_start), quoted);
      i = value_end;
    }
  }

  void add(std::string_view key, std::string_view token, bool quoted) {
    const std::string_view value = trimQuotesAndSpace(token);
    if (value.empty() || value == "?" || value == "?," || value == "(null)") return;
    if (key == "msg") {
      if (depth_ < 4) {
        ++depth_;
        extract(value);
        --depth_;
      }
      return;
    }
    for (std::size_t f = 0; f < r_.fields_.size(); ++f) {
      if (r_.view(r_.fields_[f].key) == key) {
        r_.fields_[f].value = r_.fields_[f].raw = spanOf(value);
        meta_[f].quoted = quoted;
        return;
      }
    }
    if (r_.fields_.size() >= kMaxFields) {
      ++r_.dropped_fields_;
      return;
    }
    const auto value_span = spanOf(value);
    r_.fields_.push_back({spanOf(key), value_span, value_span});
    meta_.push_back({quoted});
  }

  [[nodiscard]] int find(std::string_view key) const {
    for (std::size_t f = 0; f < r_.fields_.size(); ++f) {
      if (r_.view(r_.fields_[f].key) == key) return static_cast<int>(f);
    }
    return -1;
  }

  void setValue(std::size_t f, std::string_view value) { r_.fields_[f].value = append(value); }

  void removeField(std::size_t f) {
    r_.fields_.erase(r_.fields_.begin() + static_cast<std::ptrdiff_t>(f));
    meta_.erase(meta_.begin() + static_cast<std::ptrdiff_t>(f));
  }

  void insertField(std::size_t at, Record::Span key, Record::Span value) {
    r_.fields_.insert(r_.fields_.begin() + static_cast<std::ptrdiff_t>(at), {key, value, value});
    meta_.insert(meta_.begin() + static_cast<std::ptrdiff_t>(at), Meta{});
  }

  // Decodes an unquoted hex value in place; true when it did.
  bool hexDecode(std::size_t f) {
    const std::string_view raw = r_.view(r_.fields_[f].raw);
    if (meta_[f].quoted || !isHex(raw)) return false;
    scratch_.clear();
    hexDecodeTo(raw, scratch_);
    setValue(f, scratch_);
    return true;
  }

  void hexDecodeKey(std::string_view key) {
    const int f = find(key);
    if (f >= 0) hexDecode(static_cast<std::size_t>(f));
  }

  void unsetId(std::string_view key) {
    const int f = find(key);
    if (f >= 0 && r_.view(r_.fields_[f].value) == "4294967295") {
      setValue(static_cast<std::size_t>(f), "unset");
    }
  }

  // subj=user:role:domain:level:category (SplitN 5) → subj_user ... in place of subj.
  void selinuxContext(std::string_view key) {
    const int found = find(key);
    if (found < 0) return;
    const auto f = static_cast<std::size_t>(found);
    static constexpr std::array<std::string_view, 5> kParts = {"_user", "_role", "_domain",
                                                               "_level", "_category"};
    const Record::Span context = r_.fields_[f].value;
    removeField(f);
    std::size_t at = f;
    std::uint32_t start = 0;
    for (std::size_t part = 0; part < kParts.size(); ++part) {
      const std::string_view rest = r_.view(context).substr(start);
      std::size_t length = rest.size();
      if (part + 1 < kParts.size()) length = std::min(rest.find(':'), rest.size());
      const Record::Span key_span = append(key);
      r_.text_.append(kParts[part]);
      const Record::Span full_key{key_span.offset,
                                  static_cast<std::uint32_t>(key.size() + kParts[part].size())};
      insertField(at++, full_key, {context.offset + start, static_cast<std::uint32_t>(length)});
      if (length == rest.size()) break;
      start += static_cast<std::uint32_t>(length + 1);
    }
  }

  void result() {
    int f = find("success");
    if (f < 0) f = find("res");
    if (f < 0) return;
    std::string lower(r_.view(r_.fields_[f].value));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const bool success = lower == "yes" || lower == "1" || lower.starts_with("suc");
    r_.fields_[f].key = append("result");
    setValue(static_cast<std::size_t>(f), success ? "success" : "fail");
  }

  void exitCode() {
    const int f = find("exit");
    if (f < 0) return;
    std::int64_t code = 0;
    if (!parseNumber(r_.view(r_.fields_[f].raw), code) || code >= 0 || code < -4095) return;
    const std::string_view name = errnoName(static_cast<std::uint32_t>(-code));
    if (!name.empty()) setValue(static_cast<std::size_t>(f), name);
  }

  // key → tags: split on \x01 (several -k of one rule, hex-encoded), each without a "name="
  // prefix (auditctl's "key=net", "ARCH=x86_64" of an arch-filtered rule), "(null)" dropped.
  void ruleKey() {
    const int found = find("key");
    if (found < 0) return;
    const auto f = static_cast<std::size_t>(found);
    Record::Span keys = r_.fields_[f].raw;
    if (!meta_[f].quoted && isHex(r_.view(keys))) {
      scratch_.clear();
      hexDecodeTo(r_.view(keys), scratch_);
      keys = append(scratch_);
    }
    std::uint32_t start = 0;
    while (start <= keys.size) {
      const std::string_view rest = r_.view(keys).substr(start);
      const std::size_t length = std::min(rest.find('\x01'), rest.size());
      std::string_view tag = rest.substr(0, length);
      const std::size_t equals = tag.find('=');
      if (equals != std::string_view::npos) tag.remove_prefix(equals + 1);
      if (!tag.empty() && tag != "(null)") {
        r_.tags_.push_back({keys.offset + start + static_cast<std::uint32_t>(length - tag.size()),
                            static_cast<std::uint32_t>(tag.size())});
      }
      start += static_cast<std::uint32_t>(length + 1);
    }
    removeField(f);
  }

  void archAndSyscall() {
    const int a = find("arch");
    std::uint32_t arch = 0;
    if (a >= 0 && parseNumber(r_.view(r_.fields_[a].raw), arch, 16)) {
      const std::string_view name = archName(arch);
      if (!name.empty()) setValue(static_cast<std::size_t>(a), name);
    }
    const int s = find("syscall");
    std::uint32_t number = 0;
    if (s >= 0 && a >= 0 && parseNumber(r_.view(r_.fields_[s].raw), number)) {
      const std::string_view name = syscallName(arch, number);
      if (!name.empty()) setValue(static_cast<std::size_t>(s), name);
    }
  }

  void signal() {
    const int f = find("sig");
    std::uint32_t number = 0;
    if (f >= 0 && parseNumber(r_.view(r_.fields_[f].raw), number)) {
      const std::string_view name = signalName(number);
      if (!name.empty()) setValue(static_cast<std::size_t>(f), name);
    }
  }

  // saddr (hex struct sockaddr) → family, then addr and port (inet, inet6) or path (unix);
  // other families keep saddr beside the family number, as go-libaudit does.
  void sockaddr() {
    const int found = find("saddr");
    if (found < 0) return;
    const auto f = static_cast<std::size_t>(found);
    const std::string_view hex = r_.view(r_.fields_[f].raw);
    if (hex.size() < 4 || !isHex(hex.substr(0, 4))) return;
    const unsigned family = static_cast<unsigned>(hexValue(hex[2]) << 12 | hexValue(hex[3]) << 8 |
                                                  hexValue(hex[0]) << 4 | hexValue(hex[1]));
    scratch_.clear();
    unsigned port = 0;
    const auto decode_port = [&] {
      for (std::size_t i = 4; i < 8; ++i)
        port = port << 4U | static_cast<unsigned>(hexValue(hex[i]));
    };
    std::string_view family_name;
    if (family == 1) {  // AF_UNIX
      if (hex.size() % 2 != 0 || !isHex(hex.substr(4))) return;
      std::string path;
      hexDecodeTo(hex.substr(4), path);
      if (!path.empty() && path[0] == '\0') {  // abstract socket
        const std::size_t end = path.find('\0', 1);
        scratch_ = "@" + path.substr(1, end == std::string::npos ? std::string::npos : end - 1);
      } else {
        scratch_ = path.substr(0, path.find('\0'));
      }
      family_name = "unix";
    } else if (family == 2 && hex.size() >= 16 && isHex(hex.substr(0, 16))) {  // AF_INET
      decode_port();
      std::string bytes;
      hexDecodeTo(hex.substr(8, 8), bytes);
      appendIpv4(scratch_, reinterpret_cast<const unsigned char*>(bytes.data()));
      family_name = "ipv4";
    } else if (family == 10 && hex.size() >= 48 && isHex(hex.substr(0, 48))) {  // AF_INET6
      decode_port();
      std::string bytes;
      hexDecodeTo(hex.substr(16, 32), bytes);
      appendIpv6(scratch_, reinterpret_cast<const unsigned char*>(bytes.data()));
      family_name = "ipv6";
    } else if (family == 2 || family == 10) {
      return;  // too short: left as it is
    }
    const Record::Span family_key = append("family");
    if (family_name.empty()) {
      family_name = family == 16 ? "netlink" : std::string_view{};
      const Record::Span value =
          family_name.empty() ? append(std::to_string(family)) : append(family_name);
      insertField(f, family_key, value);  // saddr stays, after it
      return;
    }
    const Record::Span family_value = append(family_name);
    r_.fields_[f] = {family_key, family_value, family_value};
    meta_[f] = {};
    if (family == 1) {
      const Record::Span value = append(scratch_);
      insertField(f + 1, append("path"), value);
    } else {
      const Record::Span addr = append(scratch_);
      insertField(f + 1, append("addr"), addr);
      const Record::Span port_value = append(std::to_string(port));
      insertField(f + 2, append("port"), port_value);
    }
  }

  void enrich() {
    unsetId("auid");
    unsetId("old-auid");
    unsetId("ses");
    selinuxContext("subj");
    result();
    exitCode();
    ruleKey();
    const std::uint32_t type = r_.type_;
    for (std::size_t f = 0; f < r_.fields_.size(); ++f) {
      const std::string_view key = r_.view(r_.fields_[f].key);
      if (isEncodedKey(key) || (type == record_type::kExecve && isExecveArg(key)) ||
          ((type == record_type::kTty || type == record_type::kUserTty) && key == "data")) {
        hexDecode(f);
      }
    }
    switch (type) {
      case record_type::kSeccomp:
        signal();
        archAndSyscall();
        break;
      case record_type::kSyscall: archAndSyscall(); break;
      case record_type::kSockaddr: sockaddr(); break;
      case record_type::kProctitle: {
        const int f = find("proctitle");
        if (f >= 0) {
          const Record::Span span = r_.fields_[f].value;
          std::size_t size = span.size;
          while (size > 0 && r_.text_[span.offset + size - 1] == '\0') --size;
          for (std::size_t i = 0; i < size; ++i) {
            if (r_.text_[span.offset + i] == '\0') r_.text_[span.offset + i] = ' ';
          }
          r_.fields_[f].value.size = static_cast<std::uint32_t>(size);
        }
        break;
      }
      case record_type::kPath: selinuxContext("obj"); break;
      default: break;
    }
  }

  Record& r_;
  std::string_view input_;
  std::size_t base_ = 0;
  std::vector<Meta> meta_;  // beside r_.fields_
  std::string scratch_;
  int depth_ = 0;
};

namespace {

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string_view trimSpace(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// The SELinux AVC prefix `avc:  denied  { read write } for  ` → `seresult=denied
// seperms=read,write ` (go-libaudit's selinuxAVCMessageRegex); false when absent (AppArmor).
bool normalizeAvc(std::string_view data, std::string& out) {
  const std::size_t avc = data.find("avc:");
  if (avc == std::string_view::npos) return false;
  std::size_t i = avc + 4;
  const std::size_t spaces = i;
  while (i < data.size() && isSpace(data[i])) ++i;
  if (i == spaces) return false;
  const std::size_t word = i;
  while (i < data.size() &&
         (std::isalnum(static_cast<unsigned char>(data[i])) != 0 || data[i] == '_')) {
    ++i;
  }
  if (i == word) return false;
  const std::string_view result = data.substr(word, i - word);
  const std::size_t before_brace = i;
  while (i < data.size() && isSpace(data[i])) ++i;
  if (i == before_brace || i >= data.size() || data[i] != '{') return false;
  const std::size_t close = data.find('}', i);
  if (close == std::string_view::npos) return false;
  const std::string_view perms = data.substr(i + 1, close - i - 1);
  i = close + 1;
  const std::size_t after_brace = i;
  while (i < data.size() && isSpace(data[i])) ++i;
  if (i == after_brace || data.substr(i, 3) != "for") return false;
  i += 3;
  const std::size_t after_for = i;
  while (i < data.size() && isSpace(data[i])) ++i;
  if (i == after_for) return false;
  out = "seresult=";
  out.append(result);
  out.append(" seperms=");
  bool first = true;
  std::size_t p = 0;
  while (p < perms.size()) {
    while (p < perms.size() && isSpace(perms[p])) ++p;
    const std::size_t start = p;
    while (p < perms.size() && !isSpace(perms[p])) ++p;
    if (p > start) {
      if (!first) out += ',';
      out.append(perms.substr(start, p - start));
      first = false;
    }
  }
  out += ' ';
  out.append(data.substr(i));
  return true;
}

// strings.Replace(text, from, to, n).
void replaceFirst(std::string& text, std::string_view from, std::string_view to, int n) {
  std::size_t at = 0;
  for (int done = 0; done < n; ++done) {
    at = text.find(from, at);
    if (at == std::string::npos) return;
    text.replace(at, from.size(), to);
    at += to.size();
  }
}

// Record-specific text that the key=value rules cannot read as it is.
bool normalize(std::uint32_t type, std::string_view data, std::string& out) {
  switch (type) {
    case record_type::kAvc: return normalizeAvc(data, out);
    case record_type::kLogin:
      out = data;
      replaceFirst(out, "old ", "old_", 2);
      replaceFirst(out, "new ", "new_", 2);
      return out != data;
    case 1104:  // CRED_DISP
    case 1105:  // USER_START
    case 1106:  // USER_END
      out = data;
      replaceFirst(out, " (hostname=", " hostname=", 2);
      while (!out.empty() && (out.back() == ')' || out.back() == '\'')) out.pop_back();
      return out != data;
    default: return false;
  }
}

// `message` from "audit(" on: the timestamp and serial, and where the data starts in it.
core::Status parseHeader(std::string_view message, std::int64_t& ts_ns, std::uint32_t& serial,
                         std::size_t& data_start) {
  constexpr std::string_view kAudit = "audit(";
  if (!startsWith(message, kAudit)) return fail(ErrorCode::Input, "no msg=audit(...) header");
  const std::size_t close = message.find(')');
  if (close == std::string_view::npos) return fail(ErrorCode::Input, "unterminated audit(...)");
  const std::string_view stamp = message.substr(kAudit.size(), close - kAudit.size());
  const std::size_t colon = stamp.find(':');
  const std::size_t dot = stamp.find('.');
  if (colon == std::string_view::npos || dot == std::string_view::npos || dot > colon) {
    return fail(ErrorCode::Input, "audit(...) is not SEC.MSEC:SERIAL");
  }
  std::int64_t sec = 0;
  std::uint32_t msec = 0;
  if (!parseNumber(stamp.substr(0, dot), sec) || sec < 0 || sec > (std::int64_t{1} << 33) ||
      dot + 1 == colon || colon - dot - 1 > 3 ||
      !parseNumber(stamp.substr(dot + 1, colon - dot - 1), msec)) {
    return fail(ErrorCode::Input, "bad timestamp in audit(...)");
  }
  if (!parseNumber(stamp.substr(colon + 1), serial)) {
    return fail(ErrorCode::Input, "bad serial in audit(...)");
  }
  ts_ns = sec * 1'000'000'000 + std::int64_t{msec} * 1'000'000;
  data_start = close + 1;
  if (data_start < message.size() && message[data_start] == ':') ++data_start;
  return {};
}

}  // namespace

// `message` is the caller's text from "audit(" on, copied at text_[message_offset]; the
// key=value spans are taken from the caller's text (stable while text_ grows).
core::Result<Record> RecordParser::build(Record record, std::string_view message,
                                         std::size_t message_offset) {
  std::size_t data_start = 0;
  auto header = parseHeader(message, record.ts_ns_, record.serial_, data_start);
  if (!header) return tl::unexpected(header.error());
  record.message_ = {static_cast<std::uint32_t>(message_offset),
                     static_cast<std::uint32_t>(message.size())};
  std::string_view data = message.substr(data_start);
  // auditd's ENRICHED format appends \x1d and the numbers translated (AUID="root"
  // SYSCALL=execve); they are not the kernel's pairs and are kept apart.
  const std::size_t separator = data.find('\x1d');
  if (separator != std::string_view::npos) {
    record.enrichment_ = {static_cast<std::uint32_t>(message_offset + data_start + separator + 1),
                          static_cast<std::uint32_t>(data.size() - separator - 1)};
    data = data.substr(0, separator);
  }
  RecordParser parser(record);
  std::string normalized;
  if (normalize(record.type_, data, normalized)) {
    const std::size_t base = record.text_.size();
    record.text_.append(normalized);
    parser.parseData(normalized, base);
  } else {
    parser.parseData(data, message_offset + data_start);
  }
  return record;
}

core::Result<Record> parseLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.size() > kMaxRecordBytes) {
    return fail(ErrorCode::Limit, "record of {} bytes is over the {} byte limit", line.size(),
                kMaxRecordBytes);
  }
  std::size_t at = 0;
  std::size_t node_end = 0;
  if (startsWith(line, "node=")) {
    node_end = std::min(line.find(' '), line.size());
    at = node_end;
    while (at < line.size() && line[at] == ' ') ++at;
  }
  if (!startsWith(line.substr(at), "type=")) return fail(ErrorCode::Input, "no type= at the start");
  const std::size_t name_start = at + 5;
  std::size_t name_end = name_start;
  while (name_end < line.size() && !isSpace(line[name_end])) ++name_end;
  if (name_end == name_start) return fail(ErrorCode::Input, "empty type=");
  const std::size_t msg = line.find("msg=", name_end);
  if (msg == std::string_view::npos) return fail(ErrorCode::Input, "no msg=audit(...) header");
  std::size_t message_start = msg + 4;
  while (message_start < line.size() && isSpace(line[message_start])) ++message_start;
  const std::string_view message = trimSpace(line.substr(message_start));
  return RecordParser::start(line, node_end, name_start, name_end, message, message_start);
}

core::Result<Record> RecordParser::start(std::string_view line, std::size_t node_end,
                                         std::size_t name_start, std::size_t name_end,
                                         std::string_view message, std::size_t message_start) {
  Record record;
  record.text_.reserve(line.size() + line.size() / 2 + 64);
  record.text_.assign(line);
  if (node_end > 5) record.node_ = {5, static_cast<std::uint32_t>(node_end - 5)};
  record.type_name_ = {static_cast<std::uint32_t>(name_start),
                       static_cast<std::uint32_t>(name_end - name_start)};
  record.type_ = recordTypeNumber(line.substr(name_start, name_end - name_start)).value_or(0);
  return build(std::move(record), message, message_start);
}

core::Result<Record> parseNetlink(std::uint32_t type, std::string_view payload) {
  if (payload.size() > kMaxRecordBytes) {
    return fail(ErrorCode::Limit, "record of {} bytes is over the {} byte limit", payload.size(),
                kMaxRecordBytes);
  }
  // The kernel ends some payloads with NUL or '\n'.
  while (!payload.empty() && (payload.back() == '\0' || payload.back() == '\n')) {
    payload.remove_suffix(1);
  }
  return RecordParser::netlink(type, trimSpace(payload));
}

core::Result<Record> RecordParser::netlink(std::uint32_t type, std::string_view message) {
  Record record;
  record.text_.reserve(message.size() + message.size() / 2 + 64);
  record.text_.assign(message);
  record.type_ = type;
  RecordParser names(record);
  const std::string_view known = recordTypeName(type);
  record.type_name_ =
      names.append(known.empty() ? "UNKNOWN[" + std::to_string(type) + "]" : std::string(known));
  return build(std::move(record), message, 0);
}

}  // namespace bulwark::events::auditd
