#include "server/tokens.h"

#include <array>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/sha256.h"

namespace bulwark::server {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxSecretBytes = 256;

// base64url without padding (RFC 4648 §5) through OpenSSL's base64 encoder.
std::string base64Url(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(written > 0 ? static_cast<std::size_t>(written) : 0);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

}  // namespace

core::Result<std::string> generateTokenSecret() {
  std::array<unsigned char, kSecretBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return core::fail(core::ErrorCode::Internal, "token: RAND_bytes failed");
  }
  return std::string(kTokenPrefix) + base64Url(bytes.data(), bytes.size());
}

std::string hashTokenSecret(std::string_view secret) { return core::sha256Hex(secret); }

core::Result<CreatedToken> createToken(store::Store& store, std::string_view name, store::Role role,
                                       std::optional<store::Millis> expires_at) {
  if (name.empty() || name.size() > kMaxNameBytes) {
    return core::fail(core::ErrorCode::Input, "token name must be 1 to {} bytes", kMaxNameBytes);
  }
  if (expires_at && *expires_at <= store::nowMillis()) {
    return core::fail(core::ErrorCode::Input, "token expiry must be in the future");
  }
  auto secret = generateTokenSecret();
  if (!secret) return tl::unexpected(secret.error());
  auto token = store.createToken(name, role, hashTokenSecret(*secret), expires_at);
  if (!token) return tl::unexpected(token.error());
  return CreatedToken{std::move(*token), std::move(*secret)};
}

core::Result<std::optional<store::Token>> authenticateToken(store::Store& store,
                                                            std::string_view secret,
                                                            store::Millis now) {
  if (secret.size() <= kTokenPrefix.size() || secret.size() > kMaxSecretBytes ||
      secret.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
    return std::optional<store::Token>{};
  }
  auto token = store.findToken(hashTokenSecret(secret));
  if (!token) return tl::unexpected(token.error());
  if (!*token || (*token)->revoked || ((*token)->expires_at && *(*token)->expires_at <= now)) {
    return std::optional<store::Token>{};
  }
  return token;
}

}  // namespace bulwark::server
