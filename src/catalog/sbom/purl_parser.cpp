#include "catalog/sbom/purl_parser.h"

#include <algorithm>

namespace bulwark::catalog::sbom {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

// Decodes each '/'-separated segment of `path`, dropping empty ones and "." / "..".
std::optional<std::string> decodeSegments(std::string_view path) {
  std::string out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (segment.empty() || segment == "." || segment == "..") continue;
    auto decoded = percentDecode(segment);
    if (!decoded) return std::nullopt;
    if (!out.empty()) out.push_back('/');
    out += *decoded;
  }
  return out;
}

}  // namespace

std::string_view ParsedPurl::qualifier(std::string_view key) const {
  for (const auto& [k, v] : qualifiers) {
    if (k == key) return v;
  }
  return {};
}

std::optional<std::string> percentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hexValue(text[i + 1]);
    const int low = hexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>((high << 4) | low));
    i += 2;
  }
  return out;
}

std::optional<ParsedPurl> parsePurl(std::string_view text) {
  if (text.size() > kMaxPurlBytes || text.size() < 4) return std::nullopt;
  if (lower(text.substr(0, 4)) != "pkg:") return std::nullopt;
  std::string_view rest = text.substr(4);
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);  // "pkg://" is tolerated

  ParsedPurl purl;
  if (const auto hash = rest.rfind('#'); hash != std::string_view::npos) {
    auto subpath = decodeSegments(rest.substr(hash + 1));
    if (!subpath) return std::nullopt;
    purl.subpath = std::move(*subpath);
    rest = rest.substr(0, hash);
  }
  if (const auto question = rest.rfind('?'); question != std::string_view::npos) {
    std::string_view query = rest.substr(question + 1);
    rest = rest.substr(0, question);
    while (!query.empty()) {
      const auto amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      const auto equals = pair.find('=');
      if (equals == std::string_view::npos || equals == 0) continue;  // not key=value: ignored
      auto value = percentDecode(pair.substr(equals + 1));
      if (!value) return std::nullopt;
      if (value->empty()) continue;  // the spec: an empty value means "absent"
      purl.qualifiers.emplace_back(lower(pair.substr(0, equals)), std::move(*value));
    }
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  // The version follows the last '@' after the type (a scoped npm name's '@' is encoded).
  const auto type_end = rest.find('/');
  if (type_end == std::string_view::npos || type_end == 0) return std::nullopt;
  purl.type = lower(rest.substr(0, type_end));
  std::string_view path = rest.substr(type_end + 1);
  if (const auto at = path.rfind('@'); at != std::string_view::npos) {
    auto version = percentDecode(path.substr(at + 1));
    if (!version) return std::nullopt;
    purl.version = std::move(*version);
    path = path.substr(0, at);
  }
  const auto name_start = path.rfind('/');
  const std::string_view name =
      name_start == std::string_view::npos ? path : path.substr(name_start + 1);
  auto decoded_name = percentDecode(name);
  if (!decoded_name || decoded_name->empty()) return std::nullopt;
  purl.name = std::move(*decoded_name);
  if (name_start != std::string_view::npos) {
    auto ns = decodeSegments(path.substr(0, name_start));
    if (!ns) return std::nullopt;
    purl.namespace_ = std::move(*ns);
  }
  return purl;
}

}  // namespace bulwark::catalog::sbom
