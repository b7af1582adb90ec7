#include "rules/intel.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "rules/builtin.h"

namespace bulwark::rules {

namespace {

constexpr std::string_view kBuiltin = "builtin:";

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

// An address as 16 bytes (IPv4 mapped into ::ffff:0:0/96), or nothing.
std::optional<std::array<unsigned char, 16>> address(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  char buffer[65];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  std::array<unsigned char, 16> out{};
  in_addr v4{};
  if (::inet_pton(AF_INET, buffer, &v4) == 1) {
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  if (::inet_pton(AF_INET6, buffer, out.data()) == 1) return out;
  return std::nullopt;
}

std::string masked(std::array<unsigned char, 16> bytes, int prefix) {
  for (int bit = prefix; bit < 128; ++bit) {
    bytes[static_cast<std::size_t>(bit / 8)] &= static_cast<unsigned char>(~(0x80U >> (bit % 8)));
  }
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

bool isHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c); });
}

// The fields of one CSV line (quotes around a field removed; "" inside quotes is a quote).
std::vector<std::string> csvFields(std::string_view line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  for (auto& field : out) field = std::string(trim(field));
  return out;
}

core::Result<std::string> fileText(const std::string& file) {
  if (file.starts_with(kBuiltin)) {
    const std::string_view path = std::string_view(file).substr(kBuiltin.size());
    for (const auto& embedded : builtinRuleFiles()) {
      if (embedded.path == path) return std::string(embedded.content);
    }
    return core::fail(core::ErrorCode::NotFound, "{}: no such embedded file", file);
  }
  std::error_code error;
  const auto size = std::filesystem::file_size(file, error);
  if (error) return core::fail(core::ErrorCode::Io, "{}: {}", file, error.message());
  if (size > kMaxIntelFileBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: larger than {} bytes", file, kMaxIntelFileBytes);
  }
  std::ifstream in(file, std::ios::binary);
  std::string text(static_cast<std::size_t>(size), '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(size))) {
    return core::fail(core::ErrorCode::Io, "{}: cannot read the file", file);
  }
  return text;
}

std::pair<std::uintmax_t, std::int64_t> stampOf(const std::string& file) {
  if (file.starts_with(kBuiltin)) return {0, 0};
  std::error_code error;
  const auto size = std::filesystem::file_size(file, error);
  const auto time = std::filesystem::last_write_time(file, error);
  if (error) return {0, -1};
  return {size, static_cast<std::int64_t>(time.time_since_epoch().count())};
}

}  // namespace

bool parseIntelKind(std::string_view text, IntelKind& out) {
  static constexpr std::array<std::pair<std::string_view, IntelKind>, 4> kKinds = {{
      {"ip", IntelKind::Ip},
      {"domain", IntelKind::Domain},
      {"hash", IntelKind::Hash},
      {"string", IntelKind::String},
  }};
  for (const auto& [name, kind] : kKinds) {
    if (name == text) {
      out = kind;
      return true;
    }
  }
  return false;
}

std::string_view toString(IntelKind kind) {
  switch (kind) {
    case IntelKind::Ip: return "ip";
    case IntelKind::Domain: return "domain";
    case IntelKind::Hash: return "hash";
    case IntelKind::String: return "string";
  }
  return "string";
}

bool IntelSet::add(std::string_view entry) {
  entry = trim(entry);
  if (entry.empty() || size_ >= kMaxIntelEntries) return false;
  switch (kind_) {
    case IntelKind::Ip: {
      const std::size_t slash = entry.find('/');
      const auto bytes = address(entry.substr(0, slash));
      if (!bytes) return false;
      const bool v4 = entry.substr(0, slash).find(':') == std::string_view::npos;
      int prefix = 128;
      if (slash != std::string_view::npos) {
        const std::string_view digits = entry.substr(slash + 1);
        int bits = -1;
        const auto [end, error] =
            std::from_chars(digits.data(), digits.data() + digits.size(), bits);
        if (error != std::errc() || end != digits.data() + digits.size() || bits < 0 ||
            bits > (v4 ? 32 : 128)) {
          return false;
        }
        prefix = v4 ? bits + 96 : bits;
      }
      if (prefix == 128) {
        strings_.insert(masked(*bytes, 128));
      } else {
        auto found = std::find_if(networks_.begin(), networks_.end(),
                                  [prefix](const auto& entry) { return entry.first == prefix; });
        if (found == networks_.end()) {
          networks_.emplace_back(prefix, std::unordered_set<std::string>{});
          std::sort(networks_.begin(), networks_.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
          found = std::find_if(networks_.begin(), networks_.end(),
                               [prefix](const auto& entry) { return entry.first == prefix; });
        }
        found->second.insert(masked(*bytes, prefix));
      }
      break;
    }
    case IntelKind::Domain: {
      std::string domain = lowered(entry);
      if (domain.starts_with("*.")) domain.erase(0, 2);
      if (domain.starts_with('.')) domain.erase(0, 1);
      if (domain.ends_with('.')) domain.pop_back();
      if (domain.empty() || domain.find_first_of(" \t/:@") != std::string::npos) return false;
      strings_.insert(std::move(domain));
      break;
    }
    case IntelKind::Hash: {
      if ((entry.size() != 32 && entry.size() != 40 && entry.size() != 64) || !isHex(entry)) {
        return false;
      }
      strings_.insert(lowered(entry));
      break;
    }
    case IntelKind::String: strings_.insert(std::string(entry)); break;
  }
  ++size_;
  return true;
}

bool IntelSet::contains(std::string_view value) const {
  switch (kind_) {
    case IntelKind::Ip: {
      const auto bytes = address(value);
      if (!bytes) return false;
      if (!strings_.empty() && strings_.contains(masked(*bytes, 128))) return true;
      return std::any_of(networks_.begin(), networks_.end(), [&](const auto& entry) {
        return entry.second.contains(masked(*bytes, entry.first));
      });
    }
    case IntelKind::Domain: {
      std::string domain = lowered(value);
      if (domain.ends_with('.')) domain.pop_back();
      for (std::string_view rest = domain; !rest.empty();) {
        if (strings_.contains(std::string(rest))) return true;
        const std::size_t dot = rest.find('.');
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
      }
      return false;
    }
    case IntelKind::Hash: return strings_.contains(lowered(value));
    case IntelKind::String: return strings_.contains(std::string(value));
  }
  return false;
}

core::Result<std::size_t> readIntelText(std::string_view text, const IntelFormat& format,
                                        IntelSet& set, std::vector<IntelProblem>& problems,
                                        std::size_t max_problems) {
  std::size_t bad = 0;
  std::size_t line_number = 0;
  std::optional<std::size_t> column;  // 0-based, once known
  if (format.csv) {
    std::size_t number = 0;
    const auto [end, error] =
        std::from_chars(format.column.data(), format.column.data() + format.column.size(), number);
    if (error == std::errc() && end == format.column.data() + format.column.size() && number > 0) {
      column = number - 1;
    }
  }
  const auto problem = [&](std::string why) {
    ++bad;
    if (problems.size() < max_problems) problems.push_back({line_number, std::move(why)});
  };
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_number;
    if (line.empty()) continue;
    if (format.csv && !column) {
      // The header: the first line naming the column, "# " before it or not.
      std::string_view header = line;
      while (!header.empty() && (header.front() == '#' || header.front() == ' ')) {
        header.remove_prefix(1);
      }
      const auto fields = csvFields(header);
      const auto found = std::find(fields.begin(), fields.end(), format.column);
      if (found != fields.end()) column = static_cast<std::size_t>(found - fields.begin());
      continue;
    }
    if (line.front() == '#') continue;
    if (!format.csv) {
      if (!set.add(line)) {
        problem(fmt::format(
            "'{}' is not {} entry", line.substr(0, 80),
            set.kind() == IntelKind::Ip ? "an ip" : "a " + std::string(toString(set.kind()))));
      }
      continue;
    }
    const auto fields = csvFields(line);
    if (*column >= fields.size()) {
      problem(fmt::format("no column {}", *column + 1));
      continue;
    }
    if (!set.add(fields[*column])) {
      problem(fmt::format(
          "'{}' is not {} entry", fields[*column].substr(0, 80),
          set.kind() == IntelKind::Ip ? "an ip" : "a " + std::string(toString(set.kind()))));
    }
  }
  if (format.csv && !column) {
    return core::fail(core::ErrorCode::Input, "no CSV header names the column '{}'", format.column);
  }
  return bad;
}

IntelHandle::IntelHandle(IntelDef def) : def_(std::move(def)) {}

core::Result<IntelRead> readIntel(const IntelDef& def) {
  IntelRead out;
  out.set = std::make_shared<IntelSet>(def.kind);
  for (const auto& file : def.files) {
    out.stamps.push_back(stampOf(file));
    auto text = fileText(file);
    if (!text) return tl::unexpected(text.error());
    std::vector<IntelProblem> problems;
    auto bad = readIntelText(*text, def.format, *out.set, problems);
    if (!bad) return core::fail(bad.error().code, "{}: {}", file, bad.error().message);
    out.bad_lines += *bad;
    for (const auto& problem : problems) {
      out.problems.push_back(fmt::format("{}:{}: {}", file, problem.line, problem.text));
    }
  }
  return out;
}

core::Status setIntel(const IntelRegistry& registry, std::string_view name,
                      const std::vector<std::string>& values) {
  const auto found = registry.find(name);
  if (found == registry.end()) {
    return core::fail(core::ErrorCode::Usage, "intel set '{}': no rules file declares it", name);
  }
  const auto& handle = found->second;
  auto set = std::make_shared<IntelSet>(handle->def().kind);
  for (const auto& value : values) {
    if (!set->add(value)) {
      return core::fail(core::ErrorCode::Usage, "intel set '{}': '{}' is not {} {}", name, value,
                        handle->def().kind == IntelKind::Ip ? "an" : "a",
                        toString(handle->def().kind));
    }
  }
  handle->pin();
  handle->replace(std::move(set));
  return {};
}

void reloadChangedIntel(
    const IntelRegistry& registry,
    const std::function<void(const std::string& name, const std::string& message)>& on_message) {
  for (const auto& [name, handle] : registry) {
    const IntelDef& def = handle->def();
    if (!def.reload || handle->pinned()) continue;
    std::vector<std::pair<std::uintmax_t, std::int64_t>> now;
    for (const auto& file : def.files) now.push_back(stampOf(file));
    if (now == handle->stamps) continue;
    auto read = readIntel(def);
    if (!read) {
      // Keep the last good set; try again when the files change again.
      handle->stamps = std::move(now);
      on_message(name, read.error().message + " (the previous content stays in force)");
      continue;
    }
    handle->stamps = std::move(read->stamps);
    handle->replace(read->set);
    on_message(
        name, fmt::format("reloaded: {} entries{}", read->set->size(),
                          read->bad_lines == 0 ? std::string()
                                               : fmt::format(", {} bad line(s)", read->bad_lines)));
  }
}

}  // namespace bulwark::rules
