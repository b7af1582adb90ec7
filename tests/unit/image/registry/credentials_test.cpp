#include "image/registry/credentials.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace bulwark::image::registry {
namespace {

struct Call {
  std::string helper;
  std::string input;
};

// A fake docker-credential-* that records its calls.
struct FakeHelpers {
  std::vector<Call> calls;
  std::string answer = R"({"ServerURL":"x","Username":"helper-user","Secret":"helper-secret"})";
  bool not_found = false;
  CredentialHelperRunner runner() {
    return
        [this](const std::string& helper, const std::string& input) -> core::Result<std::string> {
          calls.push_back({helper, input});
          if (not_found) return core::fail(core::ErrorCode::NotFound, "credentials not found");
          return answer;
        };
  }
};

TEST(Credentials, AuthFieldIsBase64UserColonPassword) {
  // base64("alice:s3cr:et") — the password may contain ':'.
  const std::string config =
      R"({"auths":{"registry.example.com":{"auth":"YWxpY2U6czNjcjpldA=="}}})";
  FakeHelpers helpers;
  auto got = credentialsFromDockerConfig(config, "registry.example.com", helpers.runner());
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->username, "alice");
  EXPECT_EQ((*got)->password, "s3cr:et");
  EXPECT_TRUE(helpers.calls.empty());
}

TEST(Credentials, UsernamePasswordFieldsAndIdentityToken) {
  const std::string config =
      R"({"auths":{"a.io":{"username":"u","password":"p"},"b.io":{"identitytoken":"tok"}}})";
  auto a = credentialsFromDockerConfig(config, "a.io");
  ASSERT_TRUE(a && a->has_value());
  EXPECT_EQ((*a)->username, "u");
  EXPECT_EQ((*a)->password, "p");
  auto b = credentialsFromDockerConfig(config, "b.io");
  ASSERT_TRUE(b && b->has_value());
  EXPECT_EQ((*b)->identity_token, "tok");
  auto none = credentialsFromDockerConfig(config, "c.io");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST(Credentials, KeyMatchingRules) {
  const std::string config = R"({"auths":{
      "https://index.docker.io/v1/":{"auth":"aHViOmh1Yg=="},
      "https://reg.example.com:5000/v2/":{"auth":"cmVnOnJlZw=="},
      "http://plain.example.com":{"auth":"cGxhaW46cGxhaW4="}}})";
  const auto user = [&](std::string_view domain) -> std::string {
    auto got = credentialsFromDockerConfig(config, domain);
    if (!got || !got->has_value()) return "";
    return (*got)->username;
  };
  EXPECT_EQ(user("docker.io"), "hub");
  EXPECT_EQ(user("index.docker.io"), "hub");
  EXPECT_EQ(user("registry-1.docker.io"), "hub");
  EXPECT_EQ(user("reg.example.com:5000"), "reg");
  EXPECT_EQ(user("reg.example.com"), "");  // the port is part of the key
  EXPECT_EQ(user("plain.example.com"), "plain");
  EXPECT_EQ(user("example.com"), "");
}

TEST(Credentials, HostOnlyKeyForDockerHub) {
  const std::string config = R"({"auths":{"docker.io":{"auth":"aHViOmh1Yg=="}}})";
  auto got = credentialsFromDockerConfig(config, "docker.io");
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->username, "hub");
}

TEST(Credentials, CredHelpersWinAndGetTheServerAddress) {
  const std::string config = R"({"credHelpers":{"gcr.io":"gcloud"},"credsStore":"desktop",
      "auths":{"gcr.io":{"auth":"YTpi"}}})";
  FakeHelpers helpers;
  auto got = credentialsFromDockerConfig(config, "gcr.io", helpers.runner());
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->username, "helper-user");
  EXPECT_EQ((*got)->password, "helper-secret");
  ASSERT_EQ(helpers.calls.size(), 1U);
  EXPECT_EQ(helpers.calls[0].helper, "gcloud");
  EXPECT_EQ(helpers.calls[0].input, "gcr.io");
}

TEST(Credentials, CredsStoreForDockerHubUsesTheIndexAddress) {
  const std::string config = R"({"credsStore":"pass"})";
  FakeHelpers helpers;
  helpers.answer = R"({"ServerURL":"x","Username":"<token>","Secret":"refresh"})";
  auto got = credentialsFromDockerConfig(config, "docker.io", helpers.runner());
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->identity_token, "refresh");
  EXPECT_TRUE((*got)->username.empty());
  ASSERT_EQ(helpers.calls.size(), 1U);
  EXPECT_EQ(helpers.calls[0].helper, "pass");
  EXPECT_EQ(helpers.calls[0].input, std::string(kDockerHubConfigKey));
}

TEST(Credentials, HelperNotFoundFallsBackToAuths) {
  const std::string config = R"({"credsStore":"pass","auths":{"a.io":{"auth":"YTpi"}}})";
  FakeHelpers helpers;
  helpers.not_found = true;
  auto got = credentialsFromDockerConfig(config, "a.io", helpers.runner());
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->username, "a");
  EXPECT_EQ((*got)->password, "b");
  auto none = credentialsFromDockerConfig(config, "other.io", helpers.runner());
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST(Credentials, MalformedConfigIsAnInputErrorWithoutSecrets) {
  EXPECT_EQ(credentialsFromDockerConfig("not json", "a.io").error().code, core::ErrorCode::Input);
  const std::string config = R"({"auths":{"a.io":{"auth":"c2VjcmV0LXdpdGhvdXQtY29sb24="}}})";
  auto got = credentialsFromDockerConfig(config, "a.io");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, core::ErrorCode::Input);
  EXPECT_EQ(got.error().message.find("secret"), std::string::npos) << got.error().message;
  EXPECT_FALSE(credentialsFromDockerConfig(R"({"auths":{"a.io":{"auth":"!!!"}}})", "a.io"));
  // Wrong types are ignored, not trusted.
  auto odd = credentialsFromDockerConfig(R"({"auths":{"a.io":{"auth":5}},"credsStore":1})", "a.io");
  ASSERT_TRUE(odd);
  EXPECT_FALSE(odd->has_value());
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/bulwark-cred-XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void writeFile(const std::filesystem::path& path, const std::string& text, bool executable) {
  std::ofstream(path) << text;
  if (executable) chmod(path.c_str(), 0755);
}

TEST(Credentials, DockerConfigEnvAndRealHelperProcess) {
  TempDir dir;
  writeFile(dir.path() / "config.json", R"({"credHelpers":{"r.io":"fake","bad.io":"fail"}})",
            false);
  // The helper echoes the server address it read from stdin as the user name.
  writeFile(dir.path() / "docker-credential-fake",
            "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nread server\n"
            "printf '{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"pw\"}' "
            "\"$server\" \"$server\"\n",
            true);
  writeFile(dir.path() / "docker-credential-fail",
            "#!/bin/sh\necho 'credentials not found in native keychain'\nexit 1\n", true);
  const std::string old_path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  const char* old_config = std::getenv("DOCKER_CONFIG");
  setenv("PATH", (dir.path().string() + ":" + old_path).c_str(), 1);
  setenv("DOCKER_CONFIG", dir.path().c_str(), 1);
  EXPECT_EQ(dockerConfigPath(), dir.path() / "config.json");
  auto got = loadDockerCredentials("r.io");
  auto missing = loadDockerCredentials("bad.io");
  setenv("PATH", old_path.c_str(), 1);
  if (old_config != nullptr) {
    setenv("DOCKER_CONFIG", old_config, 1);
  } else {
    unsetenv("DOCKER_CONFIG");
  }
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->username, "r.io");
  EXPECT_EQ((*got)->password, "pw");
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_FALSE(missing->has_value());
}

TEST(Credentials, MissingHelperIsAnAuthError) {
  auto got = runCredentialHelper("bulwark-no-such-helper-xyz", "a.io");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, core::ErrorCode::Auth);
  EXPECT_FALSE(runCredentialHelper("../evil", "a.io"));
}

TEST(Credentials, MissingConfigFileMeansNoCredentials) {
  TempDir dir;
  const char* old_config = std::getenv("DOCKER_CONFIG");
  const std::string saved = old_config != nullptr ? old_config : "";
  setenv("DOCKER_CONFIG", (dir.path() / "absent").c_str(), 1);
  auto got = loadDockerCredentials("a.io");
  if (old_config != nullptr) {
    setenv("DOCKER_CONFIG", saved.c_str(), 1);
  } else {
    unsetenv("DOCKER_CONFIG");
  }
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->has_value());
}

TEST(Credentials, PasswordStdinStripsTrailingNewlines) {
  std::FILE* in = std::tmpfile();
  ASSERT_NE(in, nullptr);
  std::fputs("pa ss\n\r\n", in);
  std::rewind(in);
  auto got = readPasswordFromStream(in);
  std::fclose(in);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, "pa ss");
  std::FILE* empty = std::tmpfile();
  EXPECT_FALSE(readPasswordFromStream(empty));
  std::fclose(empty);
}

}  // namespace
}  // namespace bulwark::image::registry
