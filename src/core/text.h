// Small string helpers shared by the parsers of package databases and manifests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark::core {

std::string_view trim(std::string_view text);
std::vector<std::string_view> split(std::string_view text, char separator);

// Calls `line(view, line_number)` for each line; accepts \n and \r\n endings.
template <class Fn>
void forEachLine(std::string_view text, Fn&& line) {
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto end = text.find('\n');
    std::string_view current = text.substr(0, end);
    if (!current.empty() && current.back() == '\r') current.remove_suffix(1);
    line(current, number);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

// Shell-style glob on '/'-separated paths: '*' and '?' never cross '/', "**" matches any run
// of path segments (including none).
bool globMatch(std::string_view pattern, std::string_view path);

std::optional<std::uint64_t> parseUnsigned(std::string_view text);

// "90m", "72h", "7d", "2w" (or a plain number of seconds) → seconds; nullopt when malformed.
std::optional<std::int64_t> parseDurationSeconds(std::string_view text);

// "2026-11-22T08:46:16Z" (RFC 3339, UTC) → seconds since the epoch; nullopt when malformed.
std::optional<std::int64_t> parseUtcTimestamp(std::string_view text);

// ASCII lower case ("Content-Type" → "content-type"); other bytes unchanged.
std::string asciiLower(std::string_view text);

// Shell-style words: unquoted white space separates, single and double quotes group (and go),
// `escape` takes the next character literally except inside single quotes. Used for Dockerfile
// arguments (whose escape character a directive may change) and Go's -ldflags.
std::vector<std::string> shellWords(std::string_view text, char escape = '\\');

// Escapes control characters (so that an attacker-controlled name cannot forge output lines)
// and bytes that are not well-formed UTF-8, as \xNN; valid multi-byte characters stay.
std::string printable(std::string_view text);

// Whether the brackets ({ and [) of a JSON text nest at most `max_depth` deep, brackets inside
// strings skipped: checked before a recursive parser sees untrusted JSON.
bool jsonNestingWithin(std::string_view text, int max_depth);

}  // namespace bulwark::core
