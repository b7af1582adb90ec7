// The secret scanner: every builtin rule on crafted positives and near-miss negatives, the
// fixture keys and client configs, allow rules, custom configs, redaction, binary and size
// limits, concurrency, the image config, and false positives on real text files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/text.h"
#include "secrets/rules.h"
#include "secrets/scanner.h"
#include "testdata.h"

namespace bulwark::secrets {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<const RuleSet> builtin() {
  static const auto rules = [] {
    auto loaded = loadRules("");
    EXPECT_TRUE(loaded.has_value()) << (loaded ? "" : loaded.error().message);
    return loaded ? *loaded : nullptr;
  }();
  return rules;
}

fs::path fixture(const std::string& name) { return testing::fixtures() / "secrets" / name; }

// Random token characters from a fixed seed: the tokens have real shapes but are not in the
// source text, so that this file itself holds no token.
class Tokens {
 public:
  std::string pick(std::string_view alphabet, std::size_t n) {
    std::string out;
    std::uniform_int_distribution<std::size_t> dist(0, alphabet.size() - 1);
    for (std::size_t i = 0; i < n; ++i) out.push_back(alphabet[dist(rng_)]);
    return out;
  }
  std::string alnum(std::size_t n) {
    return pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", n);
  }
  std::string base64(std::size_t n) {
    return pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", n);
  }
  std::string hex(std::size_t n) { return pick("0123456789abcdef", n); }
  std::string digits(std::size_t n) { return pick("0123456789", n); }

 private:
  std::mt19937 rng_{20240611};
};

// Asserts that no field of any finding holds `secret` in full.
void expectRedacted(const std::vector<model::SecretFinding>& findings, const std::string& secret) {
  for (const auto& f : findings) {
    for (const auto* field :
         {&f.rule_id, &f.category, &f.title, &f.path, &f.layer_digest, &f.match, &f.excerpt}) {
      EXPECT_EQ(field->find(secret), std::string::npos)
          << "secret in full in a finding of " << f.rule_id << ": " << *field;
    }
  }
}

std::set<std::string> ruleIds(const std::vector<model::SecretFinding>& findings) {
  std::set<std::string> out;
  for (const auto& f : findings) out.insert(f.rule_id);
  return out;
}

// Runs of 16 or more base64/token characters: key material and credential values.
std::vector<std::string> longTokens(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  const auto flush = [&] {
    if (current.size() >= 16) out.push_back(current);
    current.clear();
  };
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/' || c == '=' ||
        c == '_' || c == '-') {
      current.push_back(c);
    } else {
      flush();
    }
  }
  flush();
  return out;
}

struct Sample {
  std::string rule;    // the rule expected to fire ("" = none)
  std::string path;    // where the text is
  std::string text;    // the content
  std::string secret;  // what must not appear in full
  std::uint32_t line = 1;
};

std::vector<Sample> positives() {
  Tokens t;
  std::vector<Sample> out;
  const auto add = [&](std::string rule, std::string path, std::string before, std::string secret,
                       std::string after, std::uint32_t line = 1) {
    out.push_back({std::move(rule), std::move(path), before + secret + after, secret, line});
  };
  add("aws-access-key-id", "app/.env",
      "AWS_ACCESS_KEY_ID=", "AKIA" + t.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16), "\n");
  add("aws-access-key-id", "app/config.yaml",
      "# creds\nkey: ", "ASIA" + t.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16), "\n", 2);
  add("aws-secret-access-key", "root/.aws/credentials",
      "[default]\naws_secret_access_key = ", t.base64(40), "\n", 2);
  add("aws-secret-access-key", "app/settings.json", "{\"SecretAccessKey\": \"", t.base64(40),
      "\"}");
  add("gcp-api-key", "app/main.js", "const key = 'AIza",
      t.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 35), "';");
  add("azure-storage-connection-string", "app/appsettings.json",
      "\"Storage\": \"DefaultEndpointsProtocol=https;AccountName=bulwarkfixture;AccountKey=",
      t.base64(86) + "==", ";EndpointSuffix=core.windows.net\"");
  add("azure-storage-account-key", "app/.env", "AZURE_STORAGE_KEY=", t.base64(86) + "==", "\n");
  add("github-pat", "root/.git-credentials", "https://x:", "ghp_" + t.alnum(36), "@github.com\n");
  add("github-oauth-token", "app/token.txt", "token ", "gho_" + t.alnum(36), "\n");
  add("github-app-token", "app/ci.sh", "GH_TOKEN=", "ghs_" + t.alnum(36), "\n");
  add("github-app-token", "app/ci2.sh", "curl -H 'Authorization: token ", "ghu_" + t.alnum(36),
      "'\n");
  add("github-refresh-token", "app/gh.json", "{\"refresh\":\"", "ghr_" + t.alnum(76), "\"}");
  add("github-fine-grained-pat", "app/gh.env",
      "TOKEN=", "github_pat_" + t.alnum(22) + "_" + t.alnum(59), "\n");
  add("gitlab-pat", "app/.gitlab.env", "GITLAB=",
      "glpat-" + t.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 20),
      "\n");
  add("slack-token", "app/slack.py", "client = WebClient(token=\"",
      "xoxb-" + t.digits(12) + "-" + t.digits(13) + "-" + t.alnum(24), "\")\n");
  add("slack-app-token", "app/slack2.py", "APP = '",
      "xapp-1-A" + t.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10) + "-" + t.digits(13) + "-" +
          t.hex(64),
      "'\n");
  add("slack-webhook", "app/notify.sh", "curl -X POST https://hooks.slack.com/services/",
      "T" + t.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8) + "/B" +
          t.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8) + "/" + t.alnum(24),
      " -d @msg.json\n");
  add("stripe-secret-key", "app/pay.rb", "Stripe.api_key = \"", "sk_live_" + t.alnum(24), "\"\n");
  add("stripe-test-key", "app/pay_dev.rb", "Stripe.api_key = \"", "sk_test_" + t.alnum(24), "\"\n");
  add("jwt", "app/session.txt", "Authorization: Bearer ",
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6ImJ1bHdhcmsifQ." +
          t.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 43),
      "\n");
  add("url-password", "app/db.conf", "DATABASE_URL=postgres://app:", t.alnum(14),
      "@db.internal:5432/app\n");
  add("url-password", "etc/apt/auth.conf", "deb https://ci:", t.alnum(10),
      "@apt.internal/debian bookworm main\n");
  add("npm-auth-token", "app/.yarnrc", "//registry.npmjs.org/:_authToken=", "npm_" + t.alnum(36),
      "\n");
  add("npmrc-auth", "root/.npmrc", "registry=https://npm.internal/\n_auth=", t.base64(24) + "=",
      "\n", 2);
  add("pypirc-password", "root/.pypirc", "[pypi]\nusername = ci\npassword = ", t.alnum(18), "\n",
      3);
  add("pypi-token", "app/publish.sh", "TWINE_PASSWORD=",
      "pypi-AgEIcHlwaS5vcmc" +
          t.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 60),
      "\n");
  add("docker-config-auth", "root/.docker/config.json",
      "{\"auths\": {\"r.internal\": {\"auth\": \"", t.base64(32) + "==", "\"}}}");
  add("generic-env-secret", "app/Dockerfile",
      "FROM debian\nENV DB_PASSWORD=", t.alnum(8) + "7" + t.alnum(5), "\n", 2);
  add("generic-env-secret", "app/docker-compose.yml",
      "services:\n  db:\n    environment:\n      MYSQL_ROOT_PASSWORD: ", t.alnum(16), "\n", 4);
  add("generic-env-secret", "app/run.sh", "export SERVICE_API_KEY=\"", t.alnum(24), "\"\n");
  add("generic-password-literal", "app/settings.py", "DATABASES = {'default': {'PASSWORD': '",
      t.alnum(6) + "9" + t.alnum(6), "'}}\n");
  add("generic-password-literal", "app/conn.js", "const conn = connect({ user: 'app', password: \"",
      t.alnum(12) + "!", "\" });\n");
  return out;
}

TEST(SecretRules, BuiltinRulesLoadAndCoverEveryCategory) {
  const auto rules = builtin();
  ASSERT_TRUE(rules);
  std::set<std::string> categories;
  for (const auto& rule : rules->rules()) {
    categories.insert(rule.category);
    EXPECT_FALSE(rule.keywords.empty()) << rule.id << ": builtin rules need keywords";
    EXPECT_NE(rule.severity, model::Severity::Unknown) << rule.id;
    EXPECT_TRUE(rule.builtin) << rule.id;
  }
  for (const char* category : {"PrivateKey", "AWS", "GCP", "Azure", "GitHub", "GitLab", "Slack",
                               "Stripe", "JWT", "Password", "npm", "PyPI", "Docker", "Generic"}) {
    EXPECT_TRUE(categories.contains(category)) << category;
  }
  EXPECT_GT(rules->keywords().size(), 30U);
  EXPECT_NE(builtinRulesText().find("rules:"), std::string_view::npos);
}

TEST(SecretScan, EveryRuleFindsItsPositive) {
  const auto rules = builtin();
  ASSERT_TRUE(rules);
  std::set<std::string> covered;
  for (const auto& sample : positives()) {
    SCOPED_TRACE(sample.rule + " in " + sample.path);
    const auto findings = scanText(*rules, sample.path, sample.text);
    ASSERT_FALSE(findings.empty()) << sample.text;
    const auto it = std::find_if(findings.begin(), findings.end(),
                                 [&](const auto& f) { return f.rule_id == sample.rule; });
    ASSERT_NE(it, findings.end()) << "found only " << findings.front().rule_id;
    EXPECT_EQ(it->line, sample.line);
    EXPECT_EQ(it->path, sample.path);
    EXPECT_TRUE(it->layer_digest.empty());
    EXPECT_FALSE(it->title.empty());
    EXPECT_NE(it->match.find('*'), std::string::npos) << it->match;
    EXPECT_NE(it->excerpt.find('*'), std::string::npos) << it->excerpt;
    expectRedacted(findings, sample.secret);
    covered.insert(sample.rule);
  }
  // Every builtin rule but the two multi-line ones (fixture files below) has a positive here.
  for (const auto& rule : builtin()->rules()) {
    if (rule.id == "private-key" || rule.id == "gcp-service-account") continue;
    EXPECT_TRUE(covered.contains(rule.id)) << "no positive sample for " << rule.id;
  }
}

TEST(SecretScan, NearMissesAndPlaceholdersAreNotSecrets) {
  const auto rules = builtin();
  ASSERT_TRUE(rules);
  Tokens t;
  const std::vector<std::pair<std::string, std::string>> negatives = {
      {"app/.env", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"},  // AWS's documentation key
      {"app/.env", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"},
      {"app/a.txt", "AKIA" + t.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 15) + "\n"},  // too short
      {"app/a.txt", "Slovakia and Kazakhstan\n"},                               // keyword only
      {"app/a.txt", "ghp_" + t.alnum(30) + "\n"},
      {"app/a.txt", "prefixghp_" + t.alnum(36) + "\n"},
      {"app/a.txt", "xoxb-not-a-token\n"},
      {"app/a.txt", "sk_live_" + t.alnum(10) + "\n"},
      {"app/a.txt", "pk_live_" + t.alnum(24) + "\n"},  // publishable: public by design
      {"app/a.txt", "glpat-short\n"},
      {"app/a.txt", "token = eyJhbGciOiJIUzI1NiJ9\n"},
      {"app/db.py", "url = 'postgres://user:password@db/app'\n"},
      {"app/db.py", "url = 'postgres://user:${DB_PASSWORD}@db/app'\n"},
      {"app/db.py", "url = 'postgres://app:%s@db/app' % pw\n"},
      {"app/db.py", "url = 'https://app:" + t.alnum(12) + "@www.example.com/'\n"},
      {"app/db.py", "see http://localhost:8080/path and http://[::1]:80/\n"},
      {"app/login.py", "password = getpass.getpass()\n"},
      {"app/login.py", "password = os.environ['DB_PASSWORD']\n"},
      {"app/login.py", "# password = \"" + t.alnum(12) + "\"\n"},  // a comment line
      {"app/login.py", "password = \"changeme\"\n"},
      {"app/login.py", "password: \"your-password-here\"\n"},
      {"app/run.sh", "DB_PASSWORD=${DB_PASSWORD:-}\n"},
      {"app/run.sh", "export API_TOKEN=$(cat /run/secrets/token)\n"},
      {"app/run.sh", "DB_PASSWORD_FILE=/run/secrets/db_password\n"},
      {"app/const.pas", "  WN_BAD_PASSWORD     = ERROR_BAD_PASSWORD;\n"},
      {"app/keys.txt", "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"},
      {"app/keys.txt",
       "-----BEGIN RSA PRIVATE "
       "KEY-----\nXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n"},
      {"app/notes.txt", "[pypi]\npassword = " + t.alnum(12) + "\n"},  // not a .pypirc
      {"app/notes.txt", "_auth=" + t.base64(24) + "\n"},              // not an .npmrc
      {"app/config.json", "{\"auth\": \"" + t.base64(32) + "\"}"},    // not a docker config
  };
  for (const auto& [path, text] : negatives) {
    const auto findings = scanText(*rules, path, text);
    EXPECT_TRUE(findings.empty()) << path << ": " << text << " → "
                                  << (findings.empty() ? "" : findings.front().rule_id);
  }
}

TEST(SecretScan, FixtureKeysAndClientConfigs) {
  const auto rules = builtin();
  ASSERT_TRUE(rules);
  struct Case {
    std::string file;
    std::string as;
    std::string rule;  // "" = nothing expected
    std::uint32_t line;
  };
  const std::vector<Case> cases = {
      {"rsa_traditional.pem", "etc/ssl/private/server.key", "private-key", 1},
      {"pkcs8.pem", "app/key.pem", "private-key", 1},
      {"ec.pem", "app/ec.key", "private-key", 1},
      {"encrypted_pkcs8.pem", "app/enc.key", "private-key", 1},
      {"id_ed25519", "root/.ssh/id_ed25519", "private-key", 1},
      {"id_ed25519.pub", "root/.ssh/id_ed25519.pub", "", 0},
      {"cert_only.pem", "etc/ssl/certs/fixture.pem", "", 0},
      {"gcp-service-account.json", "app/sa.json", "gcp-service-account", 2},
      {"docker/config.json", "root/.docker/config.json", "docker-config-auth", 4},
      {"npmrc", "home/app/.npmrc", "npm-auth-token", 2},
      {"npmrc", "home/app/.npmrc", "npmrc-auth", 3},
      {"pypirc", "home/app/.pypirc", "pypirc-password", 7},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string content = testing::readFile(fixture(c.file));
    ASSERT_FALSE(content.empty()) << "fixture missing: " << fixture(c.file);
    const auto findings = scanText(*rules, c.as, content);
    if (c.rule.empty()) {
      EXPECT_TRUE(findings.empty()) << findings.front().rule_id;
      continue;
    }
    const auto it = std::find_if(findings.begin(), findings.end(),
                                 [&](const auto& f) { return f.rule_id == c.rule; });
    ASSERT_NE(it, findings.end());
    EXPECT_EQ(it->line, c.line);
    // No run of key material or config value (16+ characters) is stored in full.
    for (const auto& token : longTokens(content)) expectRedacted(findings, token);
  }
  // The PEM's first body line is the secret; the excerpt is the BEGIN line.
  const auto pem = scanText(*rules, "app/key.pem", testing::readFile(fixture("pkcs8.pem")));
  ASSERT_EQ(pem.size(), 1U);
  EXPECT_EQ(pem[0].excerpt, "-----BEGIN PRIVATE KEY-----");
  EXPECT_EQ(pem[0].match.substr(0, 4), "MIIE");
}

TEST(SecretScan, KeysDeepInsideLargeFilesAndLongLines) {
  const auto rules = builtin();
  ASSERT_TRUE(rules);
  std::string big;
  for (int i = 0; i < 20000; ++i)
    big += "filler line with nothing to see " + std::to_string(i) + "\n";
  big += testing::readFile(fixture("rsa_traditional.pem"));
  auto findings = scanText(*rules, "app/bundle.txt", big);
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings[0].line, 20001U);

  // A minified file: one line of 200 KB with a token in the middle.
  Tokens t;
  const std::string token = "ghp_" + t.alnum(36);
  std::string minified(100000, 'a');
  minified += ";var t=\"" + token + "\";";
  minified += std::string(100000, 'b');
  findings = scanText(*rules, "app/app.min.js", minified);
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings[0].rule_id, "github-pat");
  EXPECT_EQ(findings[0].line, 1U);
  EXPECT_LE(findings[0].excerpt.size(), 260U);
  expectRedacted(findings, token);
}

TEST(SecretRedaction, KeepsAFewLeadingCharacters) {
  EXPECT_EQ(redact("AKIAABCDEFGHIJKLMNOP"), "AKIA****************");
  EXPECT_EQ(redact("abcdefghijkl"), "ab**********");
  EXPECT_EQ(redact("short"), "*****");
  EXPECT_EQ(redact(std::string(300, 'z')), "zzzz" + std::string(32, '*'));
  EXPECT_EQ(redact(""), "");
}

TEST(SecretRedaction, EverySecretOnALineIsRedactedInEachExcerpt) {
  const auto rules = builtin();
  ASSERT_TRUE(rules);
  Tokens t;
  const std::string id = "AKIA" + t.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
  const std::string key = t.base64(40);
  const std::string text = "aws_access_key_id=" + id + " aws_secret_access_key=" + key + "\n";
  const auto findings = scanText(*rules, "app/creds", text);
  EXPECT_EQ(ruleIds(findings),
            (std::set<std::string>{"aws-access-key-id", "aws-secret-access-key"}));
  expectRedacted(findings, id);
  expectRedacted(findings, key);
  for (const auto& f : findings) {
    EXPECT_NE(f.excerpt.find("aws_access_key_id=AKIA****"), std::string::npos) << f.excerpt;
  }
}

TEST(SecretAllowRules, PathsAndExampleKeys) {
  const auto rules = builtin();
  ASSERT_TRUE(rules);
  Tokens t;
  const std::string text = "token ghp_" + t.alnum(36) + "\n";
  EXPECT_FALSE(scanText(*rules, "app/notes.txt", text).empty());
  for (const char* path :
       {"app/README.md", "usr/share/doc/pkg/README", "app/node_modules/x/test/a.js",
        "usr/lib/python3/dist-packages/x/tests/keys.py", "src/pkg/testdata/key",
        "go/src/crypto/x_test.go", "app/yarn.lock", "usr/lib/x86_64-linux-gnu/libfoo.so.1.2",
        "app/logo.png", "app/x.dist-info/METADATA"}) {
    EXPECT_TRUE(rules->pathAllowed(path)) << path;
    EXPECT_TRUE(scanText(*rules, path, text).empty()) << path;
  }
  EXPECT_FALSE(rules->pathAllowed("app/server.js"));
  EXPECT_FALSE(rules->pathAllowed("root/.ssh/id_rsa"));
  EXPECT_EQ(rules->allowedSecret("x", "AKIAIOSFODNN7EXAMPLE"), "well-known-examples");
  EXPECT_EQ(rules->allowedSecret("x", "AKIA" + t.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 16)), "");
}

TEST(SecretConfig, AddDisableAndRestrictRules) {
  Tokens t;
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "/bulwark-secret-config.yaml";
  {
    std::ofstream out(path);
    out << R"(rules:
  - id: internal-token
    category: Internal
    title: Internal service token
    severity: HIGH
    keywords: ["itk_"]
    regex: (?P<key>itk_)(?P<tok>[a-f0-9]{32})
    secret-group-name: tok
    path: \.conf$
disable-rules:
  - jwt
disable-allow-rules:
  - documentation
)";
  }
  auto loaded = loadRules(path);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  const auto& rules = **loaded;
  const std::string token = t.hex(32);
  auto findings = scanText(rules, "etc/app.conf", "key=itk_" + token + "\n");
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings[0].rule_id, "internal-token");
  EXPECT_EQ(findings[0].severity, model::Severity::High);
  EXPECT_EQ(findings[0].match, redact(token));
  expectRedacted(findings, token);
  EXPECT_TRUE(scanText(rules, "etc/app.txt", "key=itk_" + token + "\n").empty());  // path
  const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + t.alnum(43);
  EXPECT_TRUE(scanText(rules, "app/session", jwt + "\n").empty());
  EXPECT_FALSE(scanText(*builtin(), "app/session", jwt + "\n").empty());
  // The documentation allow rule is off: a README is read again.
  const std::string readme = "token ghp_" + t.alnum(36) + "\n";
  EXPECT_FALSE(scanText(rules, "app/README.md", readme).empty());
  EXPECT_TRUE(scanText(*builtin(), "app/README.md", readme).empty());
}

TEST(SecretConfig, EnableBuiltinRulesKeepsOnlyThose) {
  auto loaded = loadRulesFromText("enable-builtin-rules: [github-pat, private-key]\n", "cfg");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  std::set<std::string> ids;
  for (const auto& rule : (*loaded)->rules()) ids.insert(rule.id);
  EXPECT_EQ(ids, (std::set<std::string>{"github-pat", "private-key"}));
}

TEST(SecretConfig, AnOwnRuleReplacesTheBuiltinOfTheSameId) {
  auto loaded = loadRulesFromText(R"(rules:
  - id: jwt
    category: JWT
    title: Only our own tokens
    severity: LOW
    keywords: ["ourjwt."]
    regex: ourjwt\.(?P<secret>[a-z]{12})
)",
                                  "cfg");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  std::size_t count = 0;
  for (const auto& rule : (*loaded)->rules()) {
    if (rule.id == "jwt") {
      ++count;
      EXPECT_FALSE(rule.builtin);
      EXPECT_EQ(rule.severity, model::Severity::Low);
    }
  }
  EXPECT_EQ(count, 1U);
}

TEST(SecretConfig, EveryProblemIsReportedWithItsLine) {
  auto loaded = loadRulesFromText(R"(rules:
  - id: no-regex
    category: X
    title: X
    severity: HIGH
  - id: bad-regex
    category: X
    title: X
    severity: SEVERE
    regex: "(unclosed"
  - id: bad-group
    category: X
    title: X
    severity: LOW
    regex: abc
    secret-group-name: nope
    colour: red
allow-rules:
  - id: empty
)",
                                  "my.yaml");
  ASSERT_FALSE(loaded.has_value());
  const std::string& message = loaded.error().message;
  EXPECT_EQ(loaded.error().code, core::ErrorCode::Input);
  for (const char* expected :
       {"my.yaml:2: rule 'no-regex' needs a 'regex'", "severity must be", "does not compile",
        "no group named 'nope'", "unknown key 'colour'", "needs a 'path' or a 'regex'"}) {
    EXPECT_NE(message.find(expected), std::string::npos) << expected << "\n" << message;
  }
  EXPECT_FALSE(loadRulesFromText("rules: [", "broken.yaml").has_value());
  EXPECT_FALSE(loadRulesFromText("- a list\n", "list.yaml").has_value());
  EXPECT_FALSE(loadRules("/nonexistent/secret.yaml").has_value());
}

TEST(SecretScanner, BinaryContentAndBinaryPathsAreSkipped) {
  const auto rules = builtin();
  ASSERT_TRUE(rules);
  Scanner scanner(rules);
  EXPECT_EQ(scanner.name(), "secret");
  const image::ScannedFile so{"usr/lib/x86_64-linux-gnu/libssl.so.3", 0644, 100, "sha256:l1"};
  const image::ScannedFile text{"app/config.yaml", 0644, 100, "sha256:l1"};
  EXPECT_EQ(scanner.wants(so), image::ContentScanner::Want::Nothing);
  EXPECT_EQ(scanner.wants(text), image::ContentScanner::Want::Content);
  const std::string elf(
      "\x7f"
      "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
      16);
  EXPECT_FALSE(scanner.acceptsHead(text, elf));
  EXPECT_TRUE(scanner.acceptsHead(text, "key: value\n\xff\xfe invalid utf-8 is text\n"));
  EXPECT_TRUE(looksBinary(std::string("abc\0def", 7)));
  EXPECT_TRUE(looksBinary("\x01\x02\x03\x04\x05 abc"));
  EXPECT_FALSE(looksBinary("plain text\twith tabs\r\n\x1b[1mbold\x1b[0m\n"));
  Tokens t;
  std::string with_nul = "token ghp_" + t.alnum(36) + "\n";
  with_nul.push_back('\0');
  EXPECT_TRUE(scanText(*rules, "app/blob", with_nul).empty());
}

TEST(SecretScanner, FilesAboveTheSizeCapAreCountedNotScanned) {
  Tokens t;
  Scanner scanner(builtin(), ScannerOptions{64});
  EXPECT_EQ(scanner.maxFileBytes(), 64U);
  EXPECT_EQ(Scanner(builtin()).maxFileBytes(), kDefaultMaxFileBytes);
  core::Diagnostics diagnostics;
  const std::string content = std::string(100, ' ') + "ghp_" + t.alnum(36);
  scanner.scan({"app/big.txt", 0644, content.size(), "sha256:l1"}, content, diagnostics);
  EXPECT_TRUE(scanner.findings().empty());
  const auto sorted = diagnostics.sorted();
  ASSERT_EQ(sorted.size(), 1U);
  EXPECT_EQ(sorted[0].kind, "secret.file-too-large");
  EXPECT_EQ(sorted[0].where, "app/big.txt");
}

TEST(SecretScanner, ConcurrentScansAreCompleteSortedAndDeduplicated) {
  const auto rules = builtin();
  ASSERT_TRUE(rules);
  Scanner scanner(rules);
  core::Diagnostics diagnostics;
  constexpr int kThreads = 4;
  constexpr int kFiles = 150;
  std::vector<std::string> tokens;
  Tokens t;
  for (int i = 0; i < kThreads * kFiles; ++i) tokens.push_back("glpat-" + t.alnum(20));
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < kFiles; ++i) {
        const int n = th * kFiles + i;
        const std::string path = "app/f" + std::to_string(n) + ".env";
        const std::string content = "# file " + std::to_string(n) +
                                    "\nTOKEN=" + tokens[static_cast<std::size_t>(n)] + "\n" +
                                    std::string(static_cast<std::size_t>(n % 7) * 100, 'x');
        const std::string layer = n % 2 == 0 ? "sha256:aa" : "sha256:bb";
        scanner.scan({path, 0644, content.size(), layer}, content, diagnostics);
        // The same file seen twice (a layer walker may hand it again): one finding.
        if (n % 10 == 0) scanner.scan({path, 0644, content.size(), layer}, content, diagnostics);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto findings = scanner.findings();
  ASSERT_EQ(findings.size(), static_cast<std::size_t>(kThreads * kFiles));
  EXPECT_TRUE(std::is_sorted(findings.begin(), findings.end(), [](const auto& a, const auto& b) {
    return std::tie(a.path, a.layer_digest, a.line, a.rule_id) <
           std::tie(b.path, b.layer_digest, b.line, b.rule_id);
  }));
  for (const auto& f : findings) {
    EXPECT_EQ(f.rule_id, "gitlab-pat");
    EXPECT_EQ(f.line, 2U);
    EXPECT_FALSE(f.layer_digest.empty());
  }
  const auto again = scanner.findings();
  ASSERT_EQ(again.size(), findings.size());
  for (std::size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i].path, findings[i].path);
  EXPECT_EQ(diagnostics.size(), 0U);
  for (const auto& token : tokens) expectRedacted(findings, token);
}

TEST(SecretImageConfig, EnvLabelsAndHistory) {
  const auto rules = builtin();
  ASSERT_TRUE(rules);
  Tokens t;
  const std::string password = t.alnum(10) + "4" + t.alnum(5);
  const std::string aws = "AKIA" + t.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
  const std::string github = "ghp_" + t.alnum(36);
  model::ImageConfig config;
  config.present = true;
  config.env = {"PATH=/usr/local/bin:/usr/bin", "DB_PASSWORD=" + password, "LANG=C.UTF-8"};
  config.labels = {{"maintainer", "ops@bulwark.test"}, {"token", github}};
  config.history = {
      {"2024-01-01T00:00:00Z", "/bin/sh -c #(nop) ADD file:abc in /", "", false},
      {"2024-01-01T00:00:01Z",
       "RUN /bin/sh -c export AWS_ACCESS_KEY_ID=" + aws + " && aws s3 cp s3://b/x /x", "", false},
      {"2024-01-01T00:00:02Z", "/bin/sh -c #(nop)  ENV DB_PASSWORD=" + password, "", true},
  };
  const auto findings = scanImageConfig(*rules, config);
  ASSERT_EQ(findings.size(), 4U);
  EXPECT_EQ(findings[0].path, "config:Env");
  EXPECT_EQ(findings[0].line, 2U);
  EXPECT_EQ(findings[0].rule_id, "generic-env-secret");
  EXPECT_EQ(findings[1].path, "config:Labels");
  EXPECT_EQ(findings[1].line, 2U);
  EXPECT_EQ(findings[1].rule_id, "github-pat");
  EXPECT_EQ(findings[2].path, "history[1]");
  EXPECT_EQ(findings[2].rule_id, "aws-access-key-id");
  EXPECT_EQ(findings[3].path, "history[2]");
  EXPECT_EQ(findings[3].rule_id, "generic-env-secret");
  for (const auto& f : findings) EXPECT_TRUE(f.layer_digest.empty());
  expectRedacted(findings, password);
  expectRedacted(findings, aws);
  expectRedacted(findings, github);
  EXPECT_TRUE(scanImageConfig(*rules, model::ImageConfig{}).empty());
}

// Real text files on this machine, scanned under neutral paths (so that the path allow rules
// for documentation and tests do not hide what the regexes would do): the findings must be
// the few justified ones listed here.
TEST(SecretFalsePositives, RealTextFilesOnThisMachine) {
  const auto rules = builtin();
  ASSERT_TRUE(rules);
  // Justified: an example RSA key that libxmlsec1-dev ships under its examples/ folder.
  const std::vector<std::string> justified = {"libxmlsec1-dev/examples/rsakey.pem"};
  std::vector<fs::path> roots;
  for (const char* dir : {"/usr/share/doc", "/usr/lib/python3", "/usr/lib/python3.11"}) {
    if (fs::is_directory(dir)) roots.emplace_back(dir);
  }
  if (roots.empty()) GTEST_SKIP() << "no /usr/share/doc or /usr/lib/python3 on this machine";
  std::size_t files = 0;
  std::uint64_t bytes = 0;
  std::vector<model::SecretFinding> unexpected;
  for (const auto& root : roots) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
      if (it->file_size(ec) > kDefaultMaxFileBytes) continue;
      const std::string relative = fs::relative(it->path(), root).generic_string();
      const std::string path = "corpus/" + relative;
      if (rules->pathAllowed(path)) continue;
      const std::string content = testing::readFile(it->path());
      ++files;
      bytes += content.size();
      for (auto& f : scanText(*rules, path, content)) {
        const bool ok = std::any_of(justified.begin(), justified.end(),
                                    [&](const auto& j) { return relative == j; });
        if (!ok) unexpected.push_back(std::move(f));
      }
    }
  }
  std::cout << "[ info ] scanned " << files << " files, " << bytes / 1000000 << " MB\n";
  EXPECT_GT(files, 100U);
  for (const auto& f : unexpected) {
    ADD_FAILURE() << "false positive: " << f.path << ":" << f.line << " " << f.rule_id << " | "
                  << f.excerpt;
  }
}

}  // namespace
}  // namespace bulwark::secrets
