// SecretBox: AES-256-GCM sealing of registry passwords, and the key file.
#include "core/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "support/process.h"

namespace bulwark::core {
namespace {

namespace fs = std::filesystem;

const std::string kKey(32, 'k');

SecretBox box(const std::string& key = kKey) {
  auto made = SecretBox::fromKey(key);
  EXPECT_TRUE(made) << made.error().message;
  return *made;
}

using bulwark::testing::TempDir;

TEST(Base64, RoundTripAndStrictDecoding) {
  for (const std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto decoded = base64Decode(base64Encode(text));
    ASSERT_TRUE(decoded) << text;
    EXPECT_EQ(*decoded, text);
  }
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_FALSE(base64Decode("Zm8"));   // length not a multiple of 4
  EXPECT_FALSE(base64Decode("Zm=8"));  // padding in the middle
  EXPECT_FALSE(base64Decode("Z==="));  // too much padding
  EXPECT_FALSE(base64Decode("Zm9v!mFy"));
  EXPECT_FALSE(base64Decode("Zm9v\nYmFy"));
}

TEST(SecretBox, RoundTrip) {
  const SecretBox secret = box();
  for (const std::string& plain :
       {std::string(), std::string("hunter2"), std::string("pässwörd with \0 nul", 20),
        std::string(kMaxSecretBytes, 'x')}) {
    auto sealed = secret.seal(plain);
    ASSERT_TRUE(sealed) << sealed.error().message;
    EXPECT_EQ(sealed->rfind("v1:", 0), 0U);
    EXPECT_EQ(sealed->find(plain.empty() ? "\x01" : plain), std::string::npos);
    auto opened = secret.open(*sealed);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(*opened, plain);
  }
  // A fresh nonce each time: the same secret never seals to the same text.
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) seen.insert(*secret.seal("same"));
  EXPECT_EQ(seen.size(), 50U);
  EXPECT_FALSE(secret.seal(std::string(kMaxSecretBytes + 1, 'x')));
}

TEST(SecretBox, TamperingIsDetected) {
  const SecretBox secret = box();
  const std::string sealed = *secret.seal("registry password");
  auto raw = base64Decode(sealed.substr(3));
  ASSERT_TRUE(raw);
  for (std::size_t i = 0; i < raw->size(); ++i) {  // every byte: nonce, ciphertext and tag
    std::string changed = *raw;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    auto opened = secret.open("v1:" + base64Encode(changed));
    ASSERT_FALSE(opened) << "byte " << i;
    EXPECT_EQ(opened.error().code, ErrorCode::Auth);
  }
  // Truncated or extended ciphertexts.
  auto shorter = secret.open("v1:" + base64Encode(raw->substr(0, raw->size() - 1)));
  ASSERT_FALSE(shorter);
  EXPECT_EQ(shorter.error().code, ErrorCode::Auth);
  auto longer = secret.open("v1:" + base64Encode(*raw + "x"));
  ASSERT_FALSE(longer);
  EXPECT_EQ(longer.error().code, ErrorCode::Auth);
}

TEST(SecretBox, WrongKeyIsAnAuthError) {
  const std::string sealed = *box().seal("hunter2");
  std::string other_key = kKey;
  other_key[31] = 'K';
  auto opened = box(other_key).open(sealed);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::Auth);
  EXPECT_EQ(opened.error().message.find("hunter2"), std::string::npos);
}

TEST(SecretBox, BadInput) {
  const SecretBox secret = box();
  for (const std::string text : {"", "v1:", "hunter2", "v2:AAAA", "v1:not base64!", "v1:AAAA",
                                 "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    auto opened = secret.open(text);
    ASSERT_FALSE(opened) << text;
    EXPECT_EQ(opened.error().code, ErrorCode::Input) << text << ": " << opened.error().message;
  }
  EXPECT_EQ(secret.open("v1:" + std::string(200000, 'A')).error().code, ErrorCode::Limit);
  EXPECT_FALSE(SecretBox::fromKey("short"));
  EXPECT_FALSE(SecretBox::fromKey(std::string(33, 'k')));
  EXPECT_FALSE(SecretBox::fromKeyText("not base64"));
  EXPECT_FALSE(SecretBox::fromKeyText(base64Encode(std::string(16, 'k'))));  // 128-bit key
}

TEST(SecretBox, KeyText) {
  auto text = SecretBox::generateKeyText();
  ASSERT_TRUE(text);
  EXPECT_EQ(text->size(), 44U);
  EXPECT_NE(*text, *SecretBox::generateKeyText());
  auto from_text = SecretBox::fromKeyText("  " + *text + "\n");
  ASSERT_TRUE(from_text) << from_text.error().message;
  auto again = SecretBox::fromKeyText(*text);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again->open(*from_text->seal("x")), "x");
  // The same key given as bytes and as text.
  EXPECT_EQ(*SecretBox::fromKeyText(base64Encode(kKey))->open(*box().seal("y")), "y");
}

TEST(SecretBox, KeyFileIsCreatedOnceWithMode0600) {
  TempDir dir("bulwark-secret");
  const std::string path = (dir.path() / "sub" / "secret.key").string();
  auto first = loadOrCreateKeyFile(path);
  ASSERT_TRUE(first) << first.error().message;
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777U, 0600U);
  const std::string sealed = *first->seal("kept across restarts");
  auto second = loadOrCreateKeyFile(path);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(*second->open(sealed), "kept across restarts");

  // A key file others can read is refused; so is garbage.
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  auto exposed = loadOrCreateKeyFile(path);
  ASSERT_FALSE(exposed);
  EXPECT_NE(exposed.error().message.find("chmod 600"), std::string::npos);
  const std::string garbage = (dir.path() / "garbage.key").string();
  std::ofstream(garbage) << "not a key\n";
  fs::permissions(garbage, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_FALSE(loadOrCreateKeyFile(garbage));
  EXPECT_FALSE(loadOrCreateKeyFile(dir.path().string()));  // a directory
  EXPECT_FALSE(loadOrCreateKeyFile(""));
}

}  // namespace
}  // namespace bulwark::core
