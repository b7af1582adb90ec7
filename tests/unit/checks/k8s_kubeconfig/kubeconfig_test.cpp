// Kubeconfig reading as kubectl does it (docs/dev/k8s-design.md §1.4): credentials of every
// supported kind, relative paths, $KUBECONFIG merging, context errors that list the contexts,
// exec credential plugins (run for real: small shell scripts written here), and the kinds of
// credential that are refused. No secret may ever appear in an error message.
#include "checks/k8s/collect/kubeconfig.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "core/secret_box.h"
#include "testdata.h"

namespace {

namespace fs = std::filesystem;
using bulwark::checks::k8s::collect::ClientConfig;
using bulwark::checks::k8s::collect::KubeconfigOptions;
using bulwark::checks::k8s::collect::loadKubeconfig;
using bulwark::checks::k8s::collect::resolveKubeconfigText;
using bulwark::core::ErrorCode;

const fs::path kFixtures = bulwark::testing::fixtures() / "k8s" / "kubeconfig";

// Sets (or unsets) an environment variable for the scope, restoring the old value.
class EnvGuard {
 public:
  EnvGuard(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  EnvGuard(const EnvGuard&) = delete;
  EnvGuard& operator=(const EnvGuard&) = delete;
  ~EnvGuard() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

class Kubeconfig : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("bulwark-kubeconfig-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text, bool executable = false) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    if (executable) ::chmod(path.c_str(), 0755);
    return path;
  }

  // A kubeconfig with one cluster, one context "test" (current) and the given user body
  // (YAML lines indented by four spaces).
  static std::string withUser(const std::string& user_body,
                              const std::string& server = "https://127.0.0.1:6443") {
    return "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
           "clusters:\n- name: c\n  cluster:\n    server: " +
           server +
           "\ncontexts:\n- name: test\n  context:\n    cluster: c\n    user: u\n"
           "users:\n- name: u\n  user:\n" +
           user_body;
  }

  // An exec user running `script` (written into the temp directory).
  std::string execUser(const std::string& script, const std::string& extra = {}) {
    const fs::path path = write("plugin.sh", "#!/bin/sh\n" + script, true);
    return withUser(
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
        "      command: " +
        path.string() + "\n      interactiveMode: Never\n" + extra);
  }

  bulwark::core::Result<ClientConfig> resolve(const std::string& text,
                                              KubeconfigOptions options = {}) {
    return resolveKubeconfigText(text, dir_.string(), options, true);
  }

  fs::path dir_;
};

TEST_F(Kubeconfig, BearerToken) {
  const auto config = resolve(withUser("    token: fixture-token-1\n") + "preferences: {}\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->context, "test");
  EXPECT_EQ(config->cluster, "c");
  EXPECT_EQ(config->user, "u");
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
  EXPECT_EQ(config->token, "fixture-token-1");
  EXPECT_EQ(config->auth_kind, "token");
  EXPECT_TRUE(config->ca_pem.empty());
  EXPECT_TRUE(config->warnings.empty());
}

TEST_F(Kubeconfig, FilesRelativeToTheKubeconfig) {
  KubeconfigOptions options;
  options.path = (kFixtures / "files" / "config").string();
  const auto config = loadKubeconfig(options);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->namespace_, "shop");
  EXPECT_EQ(config->tls_server_name, "kubernetes.default");
  EXPECT_EQ(config->ca_file, (kFixtures / "files" / "certs/ca.pem").string());
  EXPECT_TRUE(config->ca_pem.starts_with("-----BEGIN CERTIFICATE-----\nZml4dHVyZSBDQ"));
  EXPECT_TRUE(config->client_cert_pem.starts_with("-----BEGIN CERTIFICATE-----\nZml4dHVyZSBjbG"));
  EXPECT_EQ(config->client_key_pem, "fixture client key (not a key)\n");
  EXPECT_EQ(config->token, "fixture-file-token");  // trimmed, as client-go trims it
  EXPECT_EQ(config->auth_kind, "client-certificate");

  options.context = "token-file-only";
  const auto token_only = loadKubeconfig(options);
  ASSERT_TRUE(token_only) << token_only.error().message;
  EXPECT_EQ(token_only->auth_kind, "token-file");
  EXPECT_EQ(token_only->token, "fixture-file-token");
  EXPECT_TRUE(token_only->client_key_pem.empty());
}

TEST_F(Kubeconfig, MissingReferencedFileNamesIt) {
  const auto config = resolve(withUser("    tokenFile: nowhere/token\n"));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::NotFound);
  EXPECT_NE(config.error().message.find((dir_ / "nowhere/token").string()), std::string::npos)
      << config.error().message;
}

TEST_F(Kubeconfig, InlineData) {
  const std::string ca =
      "-----BEGIN CERTIFICATE-----\nQ0EgZml4dHVyZQ==\n-----END CERTIFICATE-----\n";
  const std::string cert = "client certificate fixture";
  const std::string key = "client key fixture";
  std::string ca64 = bulwark::core::base64Encode(ca);
  ca64.insert(20, "\n      ");  // wrapped base64, as Go's decoder accepts it
  const std::string text =
      "current-context: test\nclusters:\n- name: c\n  cluster:\n    server: https://k8s.example\n"
      "    certificate-authority-data: |\n      " +
      ca64 +
      "\ncontexts:\n- name: test\n  context: {cluster: c, user: u}\n"
      "users:\n- name: u\n  user:\n    client-certificate-data: " +
      bulwark::core::base64Encode(cert) +
      "\n    client-key-data: " + bulwark::core::base64Encode(key) + "\n";
  const auto config = resolve(text);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->ca_pem, ca);
  EXPECT_EQ(config->client_cert_pem, cert);
  EXPECT_EQ(config->client_key_pem, key);
  EXPECT_EQ(config->auth_kind, "client-certificate");
  EXPECT_TRUE(config->ca_file.empty());
}

TEST_F(Kubeconfig, KubeconfigVariableMergesFirstDefinitionWins) {
  const std::string a = (kFixtures / "merge" / "a.yaml").string();
  const std::string b = (kFixtures / "merge" / "b.yaml").string();
  const EnvGuard env("KUBECONFIG", a + ":" + (dir_ / "absent.yaml").string() + "::" + b);
  const auto config = loadKubeconfig({});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->context, "alpha");  // a.yaml's current-context
  EXPECT_EQ(config->server, "https://alpha.example:6443");
  EXPECT_EQ(config->token, "alpha-token");

  KubeconfigOptions options;
  options.context = "beta";  // only in b.yaml, with a user both define
  const auto beta = loadKubeconfig(options);
  ASSERT_TRUE(beta) << beta.error().message;
  EXPECT_EQ(beta->server, "https://beta-only.example:6443");
  EXPECT_EQ(beta->token, "alpha-token");

  options.context = "beta-shared";  // b.yaml's context on the cluster a.yaml defined first
  const auto shared = loadKubeconfig(options);
  ASSERT_TRUE(shared) << shared.error().message;
  EXPECT_EQ(shared->server, "https://alpha.example:6443");
  EXPECT_EQ(shared->token, "beta-token");
}

TEST_F(Kubeconfig, NoKubeconfigFileAtAll) {
  const EnvGuard env("KUBECONFIG", (dir_ / "a").string() + ":" + (dir_ / "b").string());
  const auto config = loadKubeconfig({});
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::NotFound);

  KubeconfigOptions options;
  options.path = (dir_ / "missing").string();
  const auto given = loadKubeconfig(options);
  ASSERT_FALSE(given);
  EXPECT_NE(given.error().message.find("does not exist"), std::string::npos);
}

TEST_F(Kubeconfig, HomeKubeConfigWhenNothingElse) {
  fs::create_directories(dir_ / ".kube");
  write(".kube/config", withUser("    token: home-token\n"));
  const EnvGuard no_variable("KUBECONFIG", std::nullopt);
  const EnvGuard home("HOME", dir_.string());
  const auto config = loadKubeconfig({});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->token, "home-token");
}

TEST_F(Kubeconfig, ContextErrorsListTheContexts) {
  KubeconfigOptions options;
  options.path = (kFixtures / "merge" / "b.yaml").string();
  options.context = "gamma";
  const auto unknown = loadKubeconfig(options);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::Usage);
  EXPECT_NE(unknown.error().message.find("\"gamma\""), std::string::npos);
  EXPECT_NE(unknown.error().message.find("known contexts: beta, beta-shared"), std::string::npos)
      << unknown.error().message;

  std::string text = withUser("    token: x\n");
  text.replace(text.find("current-context: test\n"), 22, "");
  const auto none = resolve(text);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::Usage);
  EXPECT_NE(none.error().message.find("current-context"), std::string::npos);
  EXPECT_NE(none.error().message.find("known contexts: test"), std::string::npos);

  const auto empty = resolve("");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("defines no context"), std::string::npos);
}

TEST_F(Kubeconfig, BrokenReferencesAndShapes) {
  std::string text = withUser("    token: x\n");
  text.replace(text.find("cluster: c\n    user"), 10, "cluster: other\n");
  const auto no_cluster = resolve(text);
  ASSERT_FALSE(no_cluster);
  EXPECT_NE(no_cluster.error().message.find("cluster \"other\""), std::string::npos);

  const auto duplicate = resolve(withUser("    token: x\n") + "- name: u\n  user: {}\n");
  ASSERT_FALSE(duplicate);
  EXPECT_NE(duplicate.error().message.find("defined twice"), std::string::npos);

  const auto wrong_type = resolve(withUser("    token: [a, b]\n"));
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(wrong_type.error().message.find("token is a list, not a string"), std::string::npos)
      << wrong_type.error().message;

  const auto not_yaml = resolve("clusters: [\n");
  ASSERT_FALSE(not_yaml);
  EXPECT_EQ(not_yaml.error().code, ErrorCode::Input);

  const auto list = resolve("- a\n- b\n");
  ASSERT_FALSE(list);
  EXPECT_NE(list.error().message.find("a list"), std::string::npos);
}

TEST_F(Kubeconfig, ServerSchemes) {
  for (const std::string server : {"http://127.0.0.1:8080", "http://localhost", "http://[::1]:1",
                                   "https://10.1.2.3:6443/", "HTTPS://k8s.example"}) {
    const auto config = resolve(withUser("    token: x\n", server));
    ASSERT_TRUE(config) << server << ": " << config.error().message;
    EXPECT_FALSE(config->server.ends_with('/')) << config->server;
  }
  for (const std::string server :
       {"http://10.0.0.1:8080", "http://k8s.example", "http://127.0.0.1.example.com",
        "ftp://k8s.example", "http://user@10.0.0.1"}) {
    const auto config = resolve(withUser("    token: x\n", server));
    ASSERT_FALSE(config) << server;
    EXPECT_EQ(config.error().code, ErrorCode::Input);
  }
  const auto upper = resolve(withUser("    token: x\n", "HTTPS://k8s.example/"));
  ASSERT_TRUE(upper);
  EXPECT_EQ(upper->server, "https://k8s.example");
  const auto bare = resolve(withUser("    token: x\n", "k8s.example:6443"));
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->server, "https://k8s.example:6443");
}

TEST_F(Kubeconfig, InsecureSkipVerifyIsAWarning) {
  std::string text = withUser("    token: x\n");
  text.insert(text.find("contexts:"), "    insecure-skip-tls-verify: true\n");
  const auto config = resolve(text);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->insecure_skip_tls_verify);
  ASSERT_EQ(config->warnings.size(), 1U);
  EXPECT_NE(config->warnings[0].find("insecure-skip-tls-verify"), std::string::npos);
}

TEST_F(Kubeconfig, BasicAuthAndAuthProviderRefused) {
  const auto basic = resolve(withUser("    username: admin\n    password: hunter2-secret\n"));
  ASSERT_FALSE(basic);
  EXPECT_EQ(basic.error().code, ErrorCode::Auth);
  EXPECT_NE(basic.error().message.find("basic authentication was removed in Kubernetes 1.19"),
            std::string::npos);
  EXPECT_EQ(basic.error().message.find("hunter2"), std::string::npos);

  const auto provider = resolve(
      withUser("    auth-provider:\n      name: oidc\n      config: {id-token: secret-id}\n"));
  ASSERT_FALSE(provider);
  EXPECT_NE(provider.error().message.find("legacy auth-provider; use an exec credential plugin"),
            std::string::npos)
      << provider.error().message;
}

TEST_F(Kubeconfig, ExecPluginToken) {
  // The plugin checks what kubectl passes it: KUBERNETES_EXEC_INFO, the env list, the args.
  const std::string script =
      "case \"$KUBERNETES_EXEC_INFO\" in\n"
      "  *'\"kind\":\"ExecCredential\"'*'\"interactive\":false'*) ;;\n"
      "  *) echo \"bad exec info: $KUBERNETES_EXEC_INFO\" >&2; exit 3;;\n"
      "esac\n"
      "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
      "\"status\":{\"token\":\"exec-%s-%s\"}}' \"$FIXTURE_VAR\" \"$1\"\n";
  const auto config = resolve(execUser(script,
                                       "      args: [first]\n      env:\n"
                                       "      - {name: FIXTURE_VAR, value: from-env}\n"));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->token, "exec-from-env-first");
  EXPECT_EQ(config->auth_kind, "exec:" + (dir_ / "plugin.sh").string());
}

TEST_F(Kubeconfig, ExecPluginRelativeCommandAndCertificate) {
  write("cred.sh",
        "#!/bin/sh\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\","
        "\"kind\":\"ExecCredential\",\"status\":{\"clientCertificateData\":\"CERT PEM\","
        "\"clientKeyData\":\"KEY PEM\"}}'\n",
        true);
  const auto config =
      resolve(withUser("    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
                       "      command: ./cred.sh\n"));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->client_cert_pem, "CERT PEM");
  EXPECT_EQ(config->client_key_pem, "KEY PEM");
  EXPECT_TRUE(config->token.empty());
}

TEST_F(Kubeconfig, ExecPluginTimeoutKillsIt) {
  KubeconfigOptions options;
  options.exec_timeout = std::chrono::milliseconds(300);
  // A child of the shell holds the pipes open too: the whole group must go.
  const auto config = resolve(execUser("sleep 30\necho '{}'\n"), options);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::Auth);
  EXPECT_NE(config.error().message.find("did not finish within 300 ms"), std::string::npos)
      << config.error().message;
}

TEST_F(Kubeconfig, ExecPluginFailures) {
  const auto failed =
      resolve(execUser("echo 'error: no credentials for you' >&2\n"
                       "echo 'second line' >&2\nexit 4\n"));
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("exited with status 4: error: no credentials for you"),
            std::string::npos)
      << failed.error().message;
  EXPECT_EQ(failed.error().message.find("second line"), std::string::npos);

  const auto not_json = resolve(execUser("echo 'token=leaked-exec-secret'\n"));
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().message.find("leaked-exec-secret"), std::string::npos)
      << not_json.error().message;

  const auto wrong_version = resolve(execUser(
      "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
      "\"status\":{\"token\":\"t\"}}'\n"));
  ASSERT_FALSE(wrong_version);
  EXPECT_NE(wrong_version.error().message.find("apiVersion"), std::string::npos);

  const auto empty = resolve(execUser(
      "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
      "\"status\":{}}'\n"));
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("neither a token nor"), std::string::npos);

  KubeconfigOptions small;
  small.max_exec_output_bytes = 1000;
  const auto chatty = resolve(execUser("yes '{}' | head -c 100000\n"), small);
  ASSERT_FALSE(chatty);
  EXPECT_EQ(chatty.error().code, ErrorCode::Limit);

  const auto missing = resolve(withUser(
      "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
      "      command: bulwark-no-such-plugin\n      installHint: install it from the fixture\n"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("install it from the fixture"), std::string::npos)
      << missing.error().message;
}

TEST_F(Kubeconfig, ExecPluginSettingsRefused) {
  const auto always =
      resolve(withUser("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                       "      command: /bin/true\n      interactiveMode: Always\n"));
  ASSERT_FALSE(always);
  EXPECT_NE(always.error().message.find("interactiveMode Always"), std::string::npos);

  const auto alpha =
      resolve(withUser("    exec:\n      apiVersion: client.authentication.k8s.io/v1alpha1\n      "
                       "command: /bin/true\n"));
  ASSERT_FALSE(alpha);
  EXPECT_NE(alpha.error().message.find("v1alpha1"), std::string::npos);
}

TEST_F(Kubeconfig, PureResolutionReadsNothingAndRunsNothing) {
  const fs::path marker = dir_ / "ran";
  const std::string text = execUser("touch " + marker.string() + "\n");
  const auto config = resolveKubeconfigText(text, dir_.string(), {}, false);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->auth_kind, "exec:" + (dir_ / "plugin.sh").string());
  EXPECT_TRUE(config->token.empty());
  EXPECT_FALSE(fs::exists(marker));

  KubeconfigOptions options;
  options.path = (kFixtures / "files" / "config").string();
  const auto files = resolveKubeconfigText(bulwark::testing::readFile(options.path),
                                           (kFixtures / "files").string(), {}, false);
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(files->ca_file, (kFixtures / "files" / "certs/ca.pem").string());
  EXPECT_EQ(files->token_file, (kFixtures / "files" / "token").string());
  EXPECT_TRUE(files->ca_pem.empty());
  EXPECT_TRUE(files->token.empty());
}

TEST_F(Kubeconfig, OversizeFileRefused) {
  std::string big = withUser("    token: x\n");
  big += "# " + std::string((std::size_t{1} << 20), 'x') + "\n";
  KubeconfigOptions options;
  options.path = write("big", big).string();
  const auto config = loadKubeconfig(options);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::Limit);
  const auto text = resolve(big);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, ErrorCode::Limit);
}

TEST_F(Kubeconfig, SecretsNeverInErrorMessages) {
  const std::string secret = "s3cr3t-Fixture-Value";
  const std::string secret64 = bulwark::core::base64Encode(secret);
  const std::string cases[] = {
      withUser("    token: " + secret + "\n    client-certificate: c.pem\n"),
      withUser("    token: " + secret + "\n    client-key-data: " + secret +
               "!!\n"
               "    client-certificate-data: " +
               secret64 + "\n"),
      withUser("    client-key-data: " + secret + "\n"),
      withUser("    token: \"" + secret + "\n"),                  // unclosed quote: a YAML error
      withUser("    token: " + secret + "\n    token: again\n"),  // duplicate key
      withUser("    token: " + secret + "\n", "http://10.0.0.1"),
      withUser("    token: " + secret + "\n    password: " + secret + "\n"),
      withUser("    tokenFile: " + secret + "\n"),  // the path is shown, it is no secret
      execUser("echo '{\"kind\":\"ExecCredential\",\"apiVersion\":"
               "\"client.authentication.k8s.io/v1\",\"status\":{\"token\":5,\"clientKeyData\":\"" +
               secret + "\"}}'\n"),
      execUser("echo '{\"kind\":\"ExecCredential\",\"apiVersion\":"
               "\"client.authentication.k8s.io/v1\",\"status\":{\"clientKeyData\":\"" +
               secret + "\"}}'\n"),
      execUser("echo '{\"kind\":\"ExecCredential\",\"apiVersion\":"
               "\"client.authentication.k8s.io/v1\",\"status\":{\"token\":\"" +
               secret + "'\n"),
  };
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    const auto config = resolve(cases[i]);
    ASSERT_FALSE(config) << "case " << i;
    const std::string& message = config.error().message;
    if (i == 7) {
      EXPECT_NE(message.find("tokenFile"), std::string::npos) << message;
      continue;
    }
    EXPECT_EQ(message.find(secret), std::string::npos) << "case " << i << ": " << message;
    EXPECT_EQ(message.find(secret64), std::string::npos) << "case " << i << ": " << message;
  }
}

TEST_F(Kubeconfig, WipeSecretsZeroesThem) {
  auto config = resolve(withUser("    token: wipe-me\n"));
  ASSERT_TRUE(config);
  config->client_key_pem = "key";
  config->wipeSecrets();
  EXPECT_TRUE(config->token.empty());
  EXPECT_TRUE(config->client_key_pem.empty());
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
}

}  // namespace
