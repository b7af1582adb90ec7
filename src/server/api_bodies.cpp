#include "server/api_bodies.h"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace bulwark::server {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxUrlBytes = 2048;
constexpr std::size_t kMaxTextBytes = 4096;
constexpr std::int64_t kMaxPollSeconds = std::int64_t{30} * 24 * 3600;

bool isLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool isAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A JSON object, or an Input error. Nesting deeper than kMaxJsonDepth is refused.
core::Result<Json> parseObject(std::string_view body) {
  Json value;
  try {
    value = Json::parse(
        body.begin(), body.end(),
        [](int depth, Json::parse_event_t, Json&) {
          if (depth > kMaxJsonDepth) throw std::length_error("nesting too deep");
          return true;
        },
        false);
  } catch (const std::exception&) {
    return core::fail(core::ErrorCode::Input, "the body nests deeper than {} levels",
                      kMaxJsonDepth);
  }
  if (value.is_discarded()) return core::fail(core::ErrorCode::Input, "the body is not JSON");
  if (!value.is_object()) return core::fail(core::ErrorCode::Input, "the body is not an object");
  return value;
}

// A string member ("" when absent); Input error for another type or over `max` bytes.
core::Result<std::string> stringField(const Json& object, const char* key, std::size_t max) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) return core::fail(core::ErrorCode::Input, "'{}' must be a string", key);
  const auto& text = it->get_ref<const std::string&>();
  if (text.size() > max) {
    return core::fail(core::ErrorCode::Input, "'{}' is longer than {} bytes", key, max);
  }
  return text;
}

core::Result<std::optional<std::int64_t>> intField(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::int64_t>{};
  if (!it->is_number_integer()) {
    return core::fail(core::ErrorCode::Input, "'{}' must be an integer", key);
  }
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > INT64_MAX) {
    return core::fail(core::ErrorCode::Input, "'{}' is out of range", key);
  }
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

core::Result<bool> boolField(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return false;
  if (!it->is_boolean()) return core::fail(core::ErrorCode::Input, "'{}' must be a boolean", key);
  return it->get<bool>();
}

#define BULWARK_TRY_ASSIGN(lhs, expr)                           \
  do {                                                          \
    auto try_result = (expr);                                   \
    if (!try_result) return tl::unexpected(try_result.error()); \
    (lhs) = std::move(*try_result);                             \
  } while (0)

}  // namespace

bool validDigest(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256:";
  return text.size() == kPrefix.size() + 64 && text.substr(0, kPrefix.size()) == kPrefix &&
         std::all_of(text.begin() + kPrefix.size(), text.end(), isLowerHex);
}

bool validRegistryName(std::string_view text) {
  return !text.empty() && text.size() <= 100 && std::all_of(text.begin(), text.end(), [](char c) {
    return isAlnum(c) || c == '.' || c == '_' || c == '-';
  });
}

bool validRepository(std::string_view text) {
  if (text.empty() || text.size() > 255 || text.front() == '/' || text.back() == '/') return false;
  if (text.find("//") != std::string_view::npos) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
           c == '/';
  });
}

bool validTag(std::string_view text) {
  if (text.empty() || text.size() > 128 || text.front() == '.' || text.front() == '-') {
    return false;
  }
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return isAlnum(c) || c == '_' || c == '.' || c == '-'; });
}

core::Result<TokenRequestBody> parseTokenRequest(std::string_view body, store::Millis now) {
  Json object;
  BULWARK_TRY_ASSIGN(object, parseObject(body));
  TokenRequestBody out;
  BULWARK_TRY_ASSIGN(out.name, stringField(object, "name", kMaxNameBytes));
  if (out.name.empty()) return core::fail(core::ErrorCode::Input, "'name' is required");
  std::string role;
  BULWARK_TRY_ASSIGN(role, stringField(object, "role", kMaxNameBytes));
  if (role.empty()) return core::fail(core::ErrorCode::Input, "'role' is required");
  auto parsed_role = store::parseRole(role);
  if (!parsed_role) {
    return core::fail(core::ErrorCode::Input, "'role' must be admin, reader or ingest");
  }
  out.role = *parsed_role;
  std::optional<std::int64_t> expires_at;
  std::optional<std::int64_t> expires_in_s;
  BULWARK_TRY_ASSIGN(expires_at, intField(object, "expires_at"));
  BULWARK_TRY_ASSIGN(expires_in_s, intField(object, "expires_in_s"));
  if (expires_at && expires_in_s) {
    return core::fail(core::ErrorCode::Input, "give 'expires_at' or 'expires_in_s', not both");
  }
  if (expires_in_s) {
    if (*expires_in_s <= 0 || *expires_in_s > std::int64_t{100} * 365 * 24 * 3600) {
      return core::fail(core::ErrorCode::Input, "'expires_in_s' must be 1 s to 100 years");
    }
    expires_at = now + *expires_in_s * 1000;
  }
  if (expires_at && *expires_at <= now) {
    return core::fail(core::ErrorCode::Input, "'expires_at' must be in the future");
  }
  out.expires_at = expires_at;
  return out;
}

core::Result<RegistryRequestBody> parseRegistryRequest(std::string_view body) {
  Json object;
  BULWARK_TRY_ASSIGN(object, parseObject(body));
  RegistryRequestBody out;
  store::Registry& registry = out.registry;
  BULWARK_TRY_ASSIGN(registry.name, stringField(object, "name", kMaxNameBytes));
  if (!validRegistryName(registry.name)) {
    return core::fail(core::ErrorCode::Input,
                      "'name' must be 1 to 100 letters, digits, '.', '_' or '-'");
  }
  BULWARK_TRY_ASSIGN(registry.url, stringField(object, "url", kMaxUrlBytes));
  const std::string_view url = registry.url;
  const bool http = url.substr(0, 7) == "http://" && url.size() > 7;
  const bool https = url.substr(0, 8) == "https://" && url.size() > 8;
  if (!http && !https) {
    return core::fail(core::ErrorCode::Input, "'url' must be http://host[:port] or https://…");
  }
  if (std::any_of(url.begin(), url.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; })) {
    return core::fail(core::ErrorCode::Input, "'url' contains spaces or control characters");
  }
  BULWARK_TRY_ASSIGN(registry.username, stringField(object, "username", kMaxTextBytes));
  BULWARK_TRY_ASSIGN(out.password, stringField(object, "password", kMaxTextBytes));
  BULWARK_TRY_ASSIGN(registry.insecure, boolField(object, "insecure"));
  BULWARK_TRY_ASSIGN(registry.ca_file, stringField(object, "ca_file", kMaxTextBytes));
  std::optional<std::int64_t> poll;
  BULWARK_TRY_ASSIGN(poll, intField(object, "poll_interval_s"));
  if (poll && (*poll < 0 || *poll > kMaxPollSeconds)) {
    return core::fail(core::ErrorCode::Input, "'poll_interval_s' must be 0 to {}", kMaxPollSeconds);
  }
  registry.poll_interval_s = poll.value_or(0);
  return out;
}

core::Result<ScanRequestBody> parseScanRequest(std::string_view body) {
  Json object;
  BULWARK_TRY_ASSIGN(object, parseObject(body));
  ScanRequestBody out;
  BULWARK_TRY_ASSIGN(out.registry, stringField(object, "registry", kMaxNameBytes));
  BULWARK_TRY_ASSIGN(out.repository, stringField(object, "repository", kMaxTextBytes));
  BULWARK_TRY_ASSIGN(out.tag, stringField(object, "tag", kMaxTextBytes));
  BULWARK_TRY_ASSIGN(out.digest, stringField(object, "digest", kMaxTextBytes));
  BULWARK_TRY_ASSIGN(out.platform, stringField(object, "platform", kMaxNameBytes));
  if (!validRegistryName(out.registry)) {
    return core::fail(core::ErrorCode::Input, "'registry' must name a registry");
  }
  if (!validRepository(out.repository)) {
    return core::fail(core::ErrorCode::Input, "'repository' is not a repository name");
  }
  if (out.tag.empty() && out.digest.empty()) {
    return core::fail(core::ErrorCode::Input, "give a 'tag' or a 'digest'");
  }
  if (!out.tag.empty() && !validTag(out.tag)) {
    return core::fail(core::ErrorCode::Input, "'tag' is not a tag");
  }
  if (!out.digest.empty() && !validDigest(out.digest)) {
    return core::fail(core::ErrorCode::Input, "'digest' must be sha256: and 64 hex digits");
  }
  return out;
}

}  // namespace bulwark::server
