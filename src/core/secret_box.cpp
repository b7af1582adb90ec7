#include "core/secret_box.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "core/text.h"

namespace bulwark::core {

namespace {

constexpr std::string_view kPrefix = "v1:";
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kMaxKeyFileBytes = 4096;

struct CipherDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter>;

const unsigned char* bytesOf(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

bool isBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// Wipes a string's bytes before it goes (keys read from files).
struct Wiped {
  std::string text;
  ~Wiped() { OPENSSL_cleanse(text.data(), text.size()); }
};

}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytesOf(bytes),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> base64Decode(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > (std::size_t{1} << 30)) {
    return fail(ErrorCode::Input, "malformed base64 (length {})", text.size());
  }
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  for (std::size_t i = 0; i + padding < text.size(); ++i) {
    if (!isBase64Char(text[i])) return fail(ErrorCode::Input, "malformed base64");
  }
  std::string out(text.size() / 4 * 3, '\0');
  if (text.empty()) return out;
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytesOf(text),
                                static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) {
    return fail(ErrorCode::Input, "malformed base64");
  }
  out.resize(out.size() - padding);
  return out;
}

SecretBox::~SecretBox() { OPENSSL_cleanse(key_.data(), key_.size()); }

Result<SecretBox> SecretBox::fromKey(std::string_view key_bytes) {
  if (key_bytes.size() != kSecretKeyBytes) {
    return fail(ErrorCode::Input, "a secret key must have {} bytes, not {}", kSecretKeyBytes,
                key_bytes.size());
  }
  SecretBox box;
  std::memcpy(box.key_.data(), key_bytes.data(), kSecretKeyBytes);
  return box;
}

Result<SecretBox> SecretBox::fromKeyText(std::string_view key_text) {
  auto decoded = base64Decode(trim(key_text));
  if (!decoded) {
    return fail(ErrorCode::Input,
                "the secret key is not base64 (make one with `openssl rand "
                "-base64 32`)");
  }
  Wiped key{std::move(*decoded)};
  return fromKey(key.text);
}

Result<std::string> SecretBox::generateKeyText() {
  std::array<unsigned char, kSecretKeyBytes> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return fail(ErrorCode::Internal, "the random number generator failed");
  }
  std::string text = base64Encode({reinterpret_cast<const char*>(key.data()), key.size()});
  OPENSSL_cleanse(key.data(), key.size());
  return text;
}

Result<std::string> SecretBox::seal(std::string_view plaintext) const {
  if (plaintext.size() > kMaxSecretBytes) {
    return fail(ErrorCode::Limit, "a secret is larger than {} bytes", kMaxSecretBytes);
  }
  std::string raw(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(raw.data());
  auto* cipher = nonce + kNonceBytes;
  if (RAND_bytes(nonce, static_cast<int>(kNonceBytes)) != 1) {
    return fail(ErrorCode::Internal, "the random number generator failed");
  }
  const CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  int final_n = 0;
  const bool ok =
      ctx != nullptr &&
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, bytesOf(kPrefix),
                        static_cast<int>(kPrefix.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), cipher, &n, bytesOf(plaintext),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), cipher + n, &final_n) == 1 &&
      static_cast<std::size_t>(n) + static_cast<std::size_t>(final_n) == plaintext.size() &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          cipher + plaintext.size()) == 1;
  if (!ok) return fail(ErrorCode::Internal, "AES-256-GCM encryption failed");
  return std::string(kPrefix) + base64Encode(raw);
}

Result<std::string> SecretBox::open(std::string_view sealed) const {
  if (sealed.substr(0, kPrefix.size()) != kPrefix) {
    return fail(ErrorCode::Input, "not a sealed secret (no \"{}\" prefix)", kPrefix);
  }
  if (sealed.size() > kPrefix.size() + 4 * ((kNonceBytes + kMaxSecretBytes + kTagBytes + 2) / 3)) {
    return fail(ErrorCode::Limit, "a sealed secret is too large");
  }
  auto raw = base64Decode(sealed.substr(kPrefix.size()));
  if (!raw) return fail(ErrorCode::Input, "a sealed secret is not valid base64");
  if (raw->size() < kNonceBytes + kTagBytes) {
    return fail(ErrorCode::Input, "a sealed secret is too short");
  }
  const auto* nonce = bytesOf(*raw);
  const auto* cipher = nonce + kNonceBytes;
  const std::size_t cipher_size = raw->size() - kNonceBytes - kTagBytes;
  std::string plain(cipher_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  std::array<unsigned char, kTagBytes> tag{};
  std::memcpy(tag.data(), cipher + cipher_size, kTagBytes);
  const CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  int final_n = 0;
  const bool setup =
      ctx != nullptr &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, bytesOf(kPrefix),
                        static_cast<int>(kPrefix.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), out, &n, cipher, static_cast<int>(cipher_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          tag.data()) == 1;
  if (!setup) return fail(ErrorCode::Internal, "AES-256-GCM decryption failed");
  if (EVP_DecryptFinal_ex(ctx.get(), out + n, &final_n) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return fail(ErrorCode::Auth,
                "a sealed secret does not open with this key (wrong key, or altered)");
  }
  return plain;
}

Result<SecretBox> loadOrCreateKeyFile(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return fail(ErrorCode::Usage, "empty key file path");
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
      struct stat info {};
      if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        return fail(ErrorCode::Io, "key file {}: not a regular file", path);
      }
      if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        ::close(fd);
        return fail(ErrorCode::Input,
                    "key file {} is accessible by group or others (mode {:o}); chmod 600 it", path,
                    info.st_mode & 0777U);
      }
      Wiped text;
      text.text.resize(kMaxKeyFileBytes);
      const ssize_t n = ::read(fd, text.text.data(), text.text.size());
      ::close(fd);
      if (n < 0) return fail(ErrorCode::Io, "key file {}: {}", path, std::strerror(errno));
      text.text.resize(static_cast<std::size_t>(n));
      auto box = SecretBox::fromKeyText(text.text);
      if (!box) return withContext(box.error(), "key file " + path);
      return box;
    }
    if (errno != ENOENT) return fail(ErrorCode::Io, "key file {}: {}", path, std::strerror(errno));
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      if (!fs::exists(parent, ec)) {
        fs::create_directories(parent, ec);
        if (ec) return fail(ErrorCode::Io, "cannot create {}: {}", parent.string(), ec.message());
        fs::permissions(parent, fs::perms::owner_all, ec);
      }
    }
    auto key = SecretBox::generateKeyText();
    if (!key) return tl::unexpected(key.error());
    Wiped text{*key + "\n"};
    OPENSSL_cleanse(key->data(), key->size());
    const int out =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (out < 0) {
      if (errno == EEXIST) continue;  // another process made it first: read theirs
      return fail(ErrorCode::Io, "cannot create key file {}: {}", path, std::strerror(errno));
    }
    const ssize_t written = ::write(out, text.text.data(), text.text.size());
    const bool synced = ::fsync(out) == 0;
    ::close(out);
    if (written != static_cast<ssize_t>(text.text.size()) || !synced) {
      ::unlink(path.c_str());
      return fail(ErrorCode::Io, "cannot write key file {}", path);
    }
  }
  return fail(ErrorCode::Io, "key file {}: created but unreadable", path);
}

}  // namespace bulwark::core
