#include "image/registry/credentials.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include "core/text.h"

extern char** environ;

namespace bulwark::image::registry {
namespace {

using Json = nlohmann::json;
constexpr auto kHelperTimeout = std::chrono::seconds(60);
constexpr std::string_view kNotFound = "credentials not found";

std::string stringField(const Json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

core::Result<std::string> decodeBase64(std::string_view text) {
  text = core::trim(text);
  if (text.size() % 4 != 0 || text.size() > (1U << 16)) {
    return core::fail(core::ErrorCode::Input, "malformed base64");
  }
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return core::fail(core::ErrorCode::Input, "malformed base64");
  std::size_t length = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --length;
  out.resize(length);
  return out;
}

// "https://host:5000/v1/" → "host:5000"
std::string hostOf(std::string_view key) {
  for (const std::string_view scheme : {"https://", "http://"}) {
    if (key.substr(0, scheme.size()) == scheme) key.remove_prefix(scheme.size());
  }
  return std::string(key.substr(0, key.find('/')));
}

bool isDockerHub(std::string_view domain) {
  return domain == "docker.io" || domain == "index.docker.io" || domain == "registry-1.docker.io";
}

bool keyMatches(std::string_view key, std::string_view domain) {
  const std::string host = hostOf(key);
  if (isDockerHub(domain)) return isDockerHub(host);
  return host == domain;
}

// Finds the entry of `object` (credHelpers or auths) for `domain`: the exact server address
// first, then any key whose host matches.
const Json* findEntry(const Json& object, std::string_view domain) {
  if (!object.is_object()) return nullptr;
  const std::string exact =
      isDockerHub(domain) ? std::string(kDockerHubConfigKey) : std::string(domain);
  if (const auto it = object.find(exact); it != object.end()) return &*it;
  for (const auto& [key, value] : object.items()) {
    if (keyMatches(key, domain)) return &value;
  }
  return nullptr;
}

core::Result<std::optional<Credentials>> fromHelper(const std::string& helper,
                                                    std::string_view domain,
                                                    const CredentialHelperRunner& runner) {
  const std::string server =
      isDockerHub(domain) ? std::string(kDockerHubConfigKey) : std::string(domain);
  auto output = runner(helper, server);
  if (!output) {
    if (output.error().code == core::ErrorCode::NotFound) return std::nullopt;
    return core::withContext(output.error(), "docker-credential-" + helper);
  }
  Json parsed = Json::parse(*output, nullptr, false);
  if (!parsed.is_object()) {
    return core::fail(core::ErrorCode::Auth, "docker-credential-{}: output is not a JSON object",
                      helper);
  }
  Credentials credentials;
  const std::string username = stringField(parsed, "Username");
  const std::string secret = stringField(parsed, "Secret");
  if (username == "<token>") {
    credentials.identity_token = secret;
  } else {
    credentials.username = username;
    credentials.password = secret;
  }
  if (credentials.empty()) return std::nullopt;
  return credentials;
}

core::Result<std::optional<Credentials>> fromAuthEntry(const Json& entry, std::string_view key) {
  if (!entry.is_object()) return std::nullopt;
  Credentials credentials;
  if (const std::string auth = stringField(entry, "auth"); !auth.empty()) {
    auto decoded = decodeBase64(auth);
    const auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      return core::fail(core::ErrorCode::Input,
                        "docker config: the \"auth\" of {} is not base64 of user:password",
                        core::printable(key));
    }
    credentials.username = decoded->substr(0, colon);
    credentials.password = decoded->substr(colon + 1);
  } else {
    credentials.username = stringField(entry, "username");
    credentials.password = stringField(entry, "password");
  }
  credentials.identity_token = stringField(entry, "identitytoken");
  if (credentials.empty()) return std::nullopt;
  return credentials;
}

// Writes the helper's input (a server address, far below the pipe buffer, so one write does not
// block) without letting a helper that already exited kill us with SIGPIPE.
void writeIgnoringSigpipe(int fd, std::string_view data) {
  sigset_t pipe_set;
  sigset_t old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  const bool was_pending = [&] {
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGPIPE) == 1;
  }();
  const ssize_t written = write(fd, data.data(), data.size());
  if (written < 0 && errno == EPIPE && !was_pending) {
    const timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
}

}  // namespace

std::filesystem::path dockerConfigPath() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir != nullptr && *dir != '\0') {
    return std::filesystem::path(dir) / "config.json";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : "") / ".docker" / "config.json";
}

core::Result<std::optional<Credentials>> credentialsFromDockerConfig(
    std::string_view config_json, std::string_view domain, const CredentialHelperRunner& runner) {
  const Json config = Json::parse(config_json, nullptr, false);
  if (!config.is_object()) {
    return core::fail(core::ErrorCode::Input, "docker config is not a JSON object");
  }
  if (const auto helpers = config.find("credHelpers"); helpers != config.end()) {
    if (const Json* helper = findEntry(*helpers, domain); helper && helper->is_string()) {
      auto found = fromHelper(helper->get<std::string>(), domain, runner);
      if (!found || *found) return found;
    }
  }
  if (const std::string store = stringField(config, "credsStore"); !store.empty()) {
    auto found = fromHelper(store, domain, runner);
    if (!found || *found) return found;
  }
  if (const auto auths = config.find("auths"); auths != config.end()) {
    if (const Json* entry = findEntry(*auths, domain)) return fromAuthEntry(*entry, domain);
  }
  return std::nullopt;
}

core::Result<std::optional<Credentials>> loadDockerCredentials(
    std::string_view domain, const CredentialHelperRunner& runner) {
  const auto path = dockerConfigPath();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return core::fail(core::ErrorCode::Io, "{}: {}", path.string(), ec.message());
  if (size > kMaxDockerConfigBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: larger than {} bytes", path.string(),
                      kMaxDockerConfigBytes);
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return core::fail(core::ErrorCode::Io, "{}: cannot read", path.string());
  auto found = credentialsFromDockerConfig(text.str(), domain, runner);
  if (!found) return core::withContext(found.error(), path.string());
  return found;
}

core::Result<std::string> runCredentialHelper(const std::string& helper, const std::string& input) {
  for (const char c : helper) {
    if (c == '/' || c == '\0') {
      return core::fail(core::ErrorCode::Input, "invalid credential helper name {}",
                        core::printable(helper));
    }
  }
  const std::string program = "docker-credential-" + helper;
  int in_pipe[2];
  int out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return core::fail(core::ErrorCode::Io, "pipe failed");
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    close(in_pipe[0]);
    close(in_pipe[1]);
    return core::fail(core::ErrorCode::Io, "pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  std::string arg0 = program;
  std::string arg1 = "get";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (spawned != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    return core::fail(core::ErrorCode::Auth, "cannot run {}: {}", program, std::strerror(spawned));
  }
  writeIgnoringSigpipe(in_pipe[1], input);
  close(in_pipe[1]);

  std::string output;
  bool too_long = false;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + kHelperTimeout;
  char buffer[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fd{out_pipe[0], POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t n = read(out_pipe[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (output.size() + static_cast<std::size_t>(n) > kMaxHelperOutputBytes) {
      too_long = true;
      break;
    }
    output.append(buffer, static_cast<std::size_t>(n));
  }
  close(out_pipe[0]);
  if (timed_out || too_long) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) return core::fail(core::ErrorCode::Auth, "{} timed out", program);
  if (too_long) return core::fail(core::ErrorCode::Limit, "{}: output too long", program);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // On failure helpers print an error message (never a secret) on stdout.
    const std::string message = core::printable(core::trim(output).substr(0, 200));
    if (message.find(kNotFound) != std::string::npos) {
      return core::fail(core::ErrorCode::NotFound, "{}: {}", program, message);
    }
    return core::fail(core::ErrorCode::Auth, "{} failed{}{}", program, message.empty() ? "" : ": ",
                      message);
  }
  return output;
}

core::Result<std::string> readPasswordFromStream(std::FILE* stream) {
  std::string password;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, stream)) > 0) {
    if (password.size() + n > (1U << 20)) {
      return core::fail(core::ErrorCode::Usage, "password on stdin is longer than 1 MiB");
    }
    password.append(buffer, n);
  }
  if (std::ferror(stream) != 0) return core::fail(core::ErrorCode::Io, "cannot read stdin");
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
    password.pop_back();
  }
  if (password.empty()) return core::fail(core::ErrorCode::Usage, "empty password on stdin");
  return password;
}

}  // namespace bulwark::image::registry
