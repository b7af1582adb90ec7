// Authenticated encryption of small secrets at rest (registry passwords in the store).
//
// AES-256-GCM through OpenSSL EVP with a 32-byte key, a random 96-bit nonce per seal and a
// 128-bit tag. The sealed form is text, safe for any database column:
//   "v1:" + base64(nonce[12] | ciphertext | tag[16])
// The version prefix is also the additional authenticated data, so a future format cannot be
// confused with this one. open() fails with ErrorCode::Auth when the key is wrong or the text
// was altered, with ErrorCode::Input when it is not a sealed secret at all.
//
// Keys travel as base64 text (config value, environment variable, key file). Without a key in
// the config, the service uses loadOrCreateKeyFile(): a file holding one base64 key, created
// with mode 0600 on first use; a key file readable by group or others is refused.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace bulwark::core {

inline constexpr std::size_t kSecretKeyBytes = 32;
// Secrets are passwords and tokens: anything larger is a mistake.
inline constexpr std::size_t kMaxSecretBytes = 64U << 10;

class SecretBox {
 public:
  // Exactly kSecretKeyBytes bytes (ErrorCode::Input otherwise).
  static Result<SecretBox> fromKey(std::string_view key_bytes);
  // Base64 of 32 bytes (surrounding white space ignored).
  static Result<SecretBox> fromKeyText(std::string_view key_text);
  // A new random key as base64 text.
  static Result<std::string> generateKeyText();

  ~SecretBox();
  SecretBox(const SecretBox& other) = default;
  SecretBox& operator=(const SecretBox& other) = default;

  [[nodiscard]] Result<std::string> seal(std::string_view plaintext) const;
  [[nodiscard]] Result<std::string> open(std::string_view sealed) const;

 private:
  SecretBox() = default;
  std::array<unsigned char, kSecretKeyBytes> key_{};
};

// Reads the key in `path`, or creates the file (and its parent directories, 0700) with a new
// random key and mode 0600 when it does not exist.
Result<SecretBox> loadOrCreateKeyFile(const std::string& path);

// Standard base64 with padding (RFC 4648 §4), used for keys and sealed secrets.
std::string base64Encode(std::string_view bytes);
// nullopt-like failure as ErrorCode::Input on characters outside the alphabet or bad padding.
Result<std::string> base64Decode(std::string_view text);

}  // namespace bulwark::core
