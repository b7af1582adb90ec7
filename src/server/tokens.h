// API tokens: random secrets shown once, stored as hex SHA-256 (store::Token::secret_hash).
// A secret is "bwk_" + base64url (no padding) of 32 random bytes from RAND_bytes; its hash is the
// SHA-256 of the whole string. `bulwark token create` and POST /api/v1/tokens both call
// createToken(); the server authenticates with authenticateToken().
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/store.h"

namespace bulwark::server {

inline constexpr std::string_view kTokenPrefix = "bwk_";

struct CreatedToken {
  store::Token token;  // as stored
  std::string secret;  // "bwk_…": shown once, never stored or logged
};

// A fresh secret ("bwk_" + 43 base64url characters). Internal error when RAND_bytes fails.
core::Result<std::string> generateTokenSecret();
// Hex SHA-256 of the secret, as stored in Token::secret_hash.
std::string hashTokenSecret(std::string_view secret);

// Creates and stores a token. Input error: empty or over-long name (> 200 bytes), an expiry not
// after now.
core::Result<CreatedToken> createToken(store::Store& store, std::string_view name, store::Role role,
                                       std::optional<store::Millis> expires_at);

// The active token with this secret: nullopt when unknown, revoked or expired at `now`, or when
// the text cannot be a secret. Errors: the store failed.
core::Result<std::optional<store::Token>> authenticateToken(store::Store& store,
                                                            std::string_view secret,
                                                            store::Millis now);

}  // namespace bulwark::server
