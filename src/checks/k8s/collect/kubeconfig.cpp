// Kubeconfig files as kubectl (client-go clientcmd) reads them (docs/dev/k8s-design.md §1.4):
// parse each file (the manifest YAML reader: go-yaml's YAML 1.1, bounded), merge them (the first
// definition of a name wins, current-context from the first file that sets one), pick the
// context, then read what it references and run its exec credential plugin.
//
// Secrets: tokens and keys are never quoted in an error (messages name fields and files, never
// values; JSON and YAML parse errors are reported by position only).
#include "checks/k8s/collect/kubeconfig.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checks/k8s/yaml_json.h"
#include "core/secret_box.h"
#include "core/text.h"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere

namespace bulwark::checks::k8s::collect {

namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxEntries = 1000;      // clusters, users, contexts (each)
constexpr std::size_t kMaxFiles = 100;         // paths in $KUBECONFIG
constexpr std::size_t kMaxStderrBytes = 4096;  // kept of an exec plugin's stderr
constexpr std::size_t kMaxHintBytes = 300;     // of an exec plugin's installHint
constexpr std::size_t kMaxReferencedBytes = std::size_t{1} << 20;  // CA, cert, key, token file
constexpr YamlLimits kYamlLimits{200'000, 64};

void wipe(std::string& text) {
  volatile char* bytes = text.data();
  for (std::size_t i = 0; i < text.size(); ++i) bytes[i] = 0;
  text.clear();
}

// Zeroes a string when it goes out of scope (file contents and plugin output holding secrets).
struct Wiped {
  std::string text;
  Wiped() = default;
  Wiped(const Wiped&) = delete;
  Wiped& operator=(const Wiped&) = delete;
  ~Wiped() { wipe(text); }
};

// One named entry of a kubeconfig: its body and the directory its relative paths resolve
// against (the directory of the file that defined it).
struct Entry {
  Json body;
  std::string dir;
  std::string file;  // for messages
};

struct Merged {
  std::map<std::string, Entry, std::less<>> clusters;
  std::map<std::string, Entry, std::less<>> users;
  std::map<std::string, Entry, std::less<>> contexts;
  std::string current_context;
};

std::string shown(std::string_view text) {
  return fmt::format("\"{}\"", core::printable(text.substr(0, 200)));
}

std::string fileName(std::string_view file) {
  return file.empty() ? std::string("kubeconfig") : std::string(file);
}

std::string typeName(const Json& value) {
  if (value.is_object()) return "a map";
  if (value.is_array()) return "a list";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_number()) return "a number";
  return "null";
}

// Reads the typed members of one map; the first type error is kept (naming the field, never
// its value).
class Fields {
 public:
  Fields(const Json& map, std::string where) : map_(map), where_(std::move(where)) {}

  std::string string(std::string_view key) {
    const Json* value = find(key);
    if (value == nullptr) return {};
    if (!value->is_string()) {
      fail(key, "a string", *value);
      return {};
    }
    return value->get<std::string>();
  }

  bool boolean(std::string_view key) {
    const Json* value = find(key);
    if (value == nullptr) return false;
    if (!value->is_boolean()) {
      fail(key, "a boolean", *value);
      return false;
    }
    return value->get<bool>();
  }

  const Json* object(std::string_view key) {
    const Json* value = find(key);
    if (value == nullptr) return nullptr;
    if (!value->is_object()) {
      fail(key, "a map", *value);
      return nullptr;
    }
    return value;
  }

  const Json* array(std::string_view key) {
    const Json* value = find(key);
    if (value == nullptr) return nullptr;
    if (!value->is_array()) {
      fail(key, "a list", *value);
      return nullptr;
    }
    return value;
  }

  [[nodiscard]] bool has(std::string_view key) const { return find(key) != nullptr; }
  [[nodiscard]] const std::string& where() const { return where_; }
  [[nodiscard]] std::optional<std::string> error() const { return error_; }

 private:
  // A member that is absent or null (`token:` with nothing after it) counts as absent.
  [[nodiscard]] const Json* find(std::string_view key) const {
    if (!map_.is_object()) return nullptr;
    const auto it = map_.find(key);
    return it == map_.end() || it->is_null() ? nullptr : &*it;
  }

  void fail(std::string_view key, std::string_view expected, const Json& value) {
    if (!error_) {
      error_ = fmt::format("{}.{} is {}, not {}", where_, key, typeName(value), expected);
    }
  }

  const Json& map_;
  std::string where_;
  std::optional<std::string> error_;
};

// Adds one list (clusters, users, contexts) of one file: names unique within the file, the
// first file to define a name keeps it.
core::Status mergeList(const Json& root, std::string_view list, std::string_view body_key,
                       std::string_view dir, std::string_view file,
                       std::map<std::string, Entry, std::less<>>& into) {
  const auto it = root.find(list);
  if (it == root.end() || it->is_null()) return {};
  if (!it->is_array()) {
    return core::fail(core::ErrorCode::Input, "{}: `{}` is {}, not a list", fileName(file), list,
                      typeName(*it));
  }
  if (it->size() > kMaxEntries) {
    return core::fail(core::ErrorCode::Limit, "{}: more than {} {}", fileName(file), kMaxEntries,
                      list);
  }
  std::map<std::string, bool, std::less<>> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& entry = (*it)[i];
    const std::string where = fmt::format("{}[{}]", list, i);
    if (!entry.is_object()) {
      return core::fail(core::ErrorCode::Input, "{}: {} is {}, not a map", fileName(file), where,
                        typeName(entry));
    }
    Fields fields(entry, where);
    std::string name = fields.string("name");
    const Json* body = fields.object(body_key);
    if (auto error = fields.error()) {
      return core::fail(core::ErrorCode::Input, "{}: {}", fileName(file), *error);
    }
    if (name.empty()) {
      return core::fail(core::ErrorCode::Input, "{}: {} has no name", fileName(file), where);
    }
    if (!seen.emplace(name, true).second) {
      return core::fail(core::ErrorCode::Input, "{}: {} {} is defined twice", fileName(file),
                        list.substr(0, list.size() - 1), shown(name));
    }
    if (into.size() >= kMaxEntries && into.find(name) == into.end()) {
      return core::fail(core::ErrorCode::Limit, "more than {} {} in the kubeconfig files",
                        kMaxEntries, list);
    }
    into.emplace(std::move(name), Entry{body != nullptr ? *body : Json::object(), std::string(dir),
                                        std::string(file)});
  }
  return {};
}

core::Status mergeText(std::string_view text, std::string_view dir, std::string_view file,
                       const KubeconfigOptions& options, Merged& merged) {
  if (text.size() > options.max_file_bytes) {
    return core::fail(core::ErrorCode::Limit, "{}: the file is {} bytes; the limit is {}",
                      fileName(file), text.size(), options.max_file_bytes);
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  auto yaml = [&]() -> tl::expected<YamlDocument, YamlError> {
    try {
      return yamlToJson(text, kYamlLimits);
    } catch (const std::exception&) {  // std::bad_alloc
      return tl::unexpected(YamlError{0, 0, "cannot be read"});
    }
  }();
  if (!yaml) {
    return core::fail(core::ErrorCode::Input, "{}:{}: not a kubeconfig: {}", fileName(file),
                      yaml.error().line, yaml.error().message);
  }
  const Json& root = yaml->value;
  if (root.is_null()) return {};  // an empty file is an empty config, as kubectl reads it
  if (!root.is_object()) {
    return core::fail(core::ErrorCode::Input, "{}: not a kubeconfig: the document is {}",
                      fileName(file), typeName(root));
  }
  Fields fields(root, "kubeconfig");
  const std::string current = fields.string("current-context");
  if (auto error = fields.error()) {
    return core::fail(core::ErrorCode::Input, "{}: {}", fileName(file), *error);
  }
  if (merged.current_context.empty()) merged.current_context = current;
  if (auto status = mergeList(root, "clusters", "cluster", dir, file, merged.clusters); !status) {
    return status;
  }
  if (auto status = mergeList(root, "users", "user", dir, file, merged.users); !status) {
    return status;
  }
  return mergeList(root, "contexts", "context", dir, file, merged.contexts);
}

std::string resolvePath(std::string_view path, std::string_view dir) {
  if (path.empty() || path.front() == '/' || dir.empty()) return std::string(path);
  return fmt::format("{}/{}", dir, path);
}

std::string knownContexts(const Merged& merged) {
  if (merged.contexts.empty()) return "the kubeconfig defines no context";
  std::string names;
  for (const auto& [name, entry] : merged.contexts) {
    if (!names.empty()) names += ", ";
    names += core::printable(name);
  }
  return fmt::format("known contexts: {}", names);
}

bool loopbackHost(std::string_view host) {
  const std::string lower = core::asciiLower(host);
  if (lower == "localhost" || lower == "::1" || lower == "[::1]") return true;
  // 127.0.0.0/8, dotted quad only.
  const auto parts = core::split(lower, '.');
  if (parts.size() != 4 || parts[0] != "127") return false;
  return std::all_of(parts.begin(), parts.end(), [](std::string_view part) {
    const auto value = core::parseUnsigned(part);
    return value && *value <= 255;
  });
}

// https:// anywhere, http:// only to a loopback host (tests); no scheme: https, as client-go
// does for a server with TLS settings. A trailing slash is dropped.
core::Result<std::string> checkServer(std::string server, std::string_view cluster) {
  if (server.empty()) {
    return core::fail(core::ErrorCode::Input, "cluster {} has no server", shown(cluster));
  }
  if (server.find("://") == std::string::npos) server = "https://" + server;
  const std::size_t scheme_end = server.find("://");
  const std::string scheme = core::asciiLower(std::string_view(server).substr(0, scheme_end));
  std::string_view authority = std::string_view(server).substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  if (host.starts_with('[')) {
    host =
        host.substr(0, host.find(']') == std::string_view::npos ? host.size() : host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty()) {
    return core::fail(core::ErrorCode::Input, "cluster {}: server {} has no host", shown(cluster),
                      shown(server));
  }
  if (scheme == "http") {
    if (!loopbackHost(host)) {
      return core::fail(core::ErrorCode::Input,
                        "cluster {}: server {} is plain http; only https is allowed (http only "
                        "to a loopback address)",
                        shown(cluster), shown(server));
    }
  } else if (scheme != "https") {
    return core::fail(core::ErrorCode::Input, "cluster {}: server {} is not an https URL",
                      shown(cluster), shown(server));
  }
  server.replace(0, scheme_end, scheme);  // "HTTPS://" → "https://": one spelling for the client
  while (server.ends_with('/') && server.size() > scheme_end + 3) server.pop_back();
  return server;
}

// Base64 as Go's encoding/json decodes []byte (line breaks ignored).
core::Result<std::string> decodeData(std::string_view text, std::string_view what) {
  std::string compact;
  compact.reserve(text.size());
  for (const char c : text) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') compact.push_back(c);
  }
  auto decoded = core::base64Decode(compact);
  wipe(compact);
  if (!decoded) return core::fail(core::ErrorCode::Input, "{} is not valid base64", what);
  return decoded;
}

core::Result<std::string> readReferenced(const std::string& path, std::string_view what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    return core::fail(error == ENOENT ? core::ErrorCode::NotFound : core::ErrorCode::Io,
                      "{} {}: {}", what, shown(path), std::strerror(error));
  }
  std::string text;
  char buffer[8192];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const int error = errno;
      ::close(fd);
      wipe(text);
      return core::fail(core::ErrorCode::Io, "{} {}: {}", what, shown(path), std::strerror(error));
    }
    if (got == 0) break;
    if (text.size() + static_cast<std::size_t>(got) > kMaxReferencedBytes) {
      ::close(fd);
      wipe(text);
      return core::fail(core::ErrorCode::Limit, "{} {} is larger than {} bytes", what, shown(path),
                        kMaxReferencedBytes);
    }
    text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  std::memset(buffer, 0, sizeof buffer);
  return text;
}

// The exec credential plugin of a user (client.authentication.k8s.io ExecConfig).
struct ExecPlugin {
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string api_version;
  std::string install_hint;
  bool provide_cluster_info = false;
};

core::Result<ExecPlugin> readExec(const Json& exec, std::string_view user, std::string_view dir) {
  Fields fields(exec, fmt::format("user {} exec", shown(user)));
  ExecPlugin plugin;
  plugin.command = fields.string("command");
  plugin.api_version = fields.string("apiVersion");
  plugin.install_hint = fields.string("installHint");
  plugin.provide_cluster_info = fields.boolean("provideClusterInfo");
  const std::string interactive = fields.string("interactiveMode");
  const Json* args = fields.array("args");
  const Json* env = fields.array("env");
  if (auto error = fields.error()) return core::fail(core::ErrorCode::Input, *error);
  const std::string where = fields.where();
  if (plugin.command.empty()) {
    return core::fail(core::ErrorCode::Input, "{}: no command", where);
  }
  if (plugin.api_version != "client.authentication.k8s.io/v1" &&
      plugin.api_version != "client.authentication.k8s.io/v1beta1") {
    return core::fail(core::ErrorCode::Input,
                      "{}: apiVersion {} is not supported (client.authentication.k8s.io/v1 or "
                      "v1beta1)",
                      where, shown(plugin.api_version));
  }
  if (interactive == "Always") {
    return core::fail(core::ErrorCode::Auth,
                      "{}: interactiveMode Always needs a terminal; bulwark runs plugins "
                      "non-interactively (use a plugin that can run with interactiveMode Never)",
                      where);
  }
  if (!interactive.empty() && interactive != "Never" && interactive != "IfAvailable") {
    return core::fail(core::ErrorCode::Input,
                      "{}: interactiveMode {} is not Never, IfAvailable "
                      "or Always",
                      where, shown(interactive));
  }
  if (args != nullptr) {
    for (std::size_t i = 0; i < args->size(); ++i) {
      if (!(*args)[i].is_string()) {
        return core::fail(core::ErrorCode::Input, "{}.args[{}] is not a string", where, i);
      }
      plugin.args.push_back((*args)[i].get<std::string>());
    }
  }
  if (env != nullptr) {
    for (std::size_t i = 0; i < env->size(); ++i) {
      Fields variable((*env)[i], fmt::format("{}.env[{}]", where, i));
      std::string name = variable.string("name");
      std::string value = variable.string("value");
      if (!(*env)[i].is_object()) {
        return core::fail(core::ErrorCode::Input, "{}.env[{}] is not a map", where, i);
      }
      if (auto error = variable.error()) return core::fail(core::ErrorCode::Input, *error);
      if (name.empty() || name.find('=') != std::string::npos) {
        return core::fail(core::ErrorCode::Input, "{}.env[{}] has no valid name", where, i);
      }
      plugin.env.emplace_back(std::move(name), std::move(value));
    }
  }
  // client-go: a command with a path separator is relative to the kubeconfig's directory; a
  // bare name is looked up in PATH.
  if (plugin.command.find('/') != std::string::npos) {
    plugin.command = resolvePath(plugin.command, dir);
  }
  return plugin;
}

struct Ran {
  int spawn_error = 0;
  bool timed_out = false;
  bool too_large = false;
  int exit_code = -1;
  int signal = 0;
  Wiped out;
  std::string err;
};

// Reads both pipes until they close, the deadline passes or stdout is too large.
void drain(int out_fd, int err_fd, std::chrono::steady_clock::time_point deadline,
           std::size_t max_out, Ran& ran) {
  char buffer[8192];
  bool out_open = true;
  bool err_open = true;
  while (out_open || err_open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ran.timed_out = true;
      break;
    }
    pollfd fds[2] = {{out_open ? out_fd : -1, POLLIN, 0}, {err_open ? err_fd : -1, POLLIN, 0}};
    const int ready = ::poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    if (ready == 0) {
      ran.timed_out = true;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        (i == 0 ? out_open : err_open) = false;
        continue;
      }
      const auto size = static_cast<std::size_t>(got);
      if (i == 0) {
        if (ran.out.text.size() + size > max_out) {
          ran.too_large = true;
          std::memset(buffer, 0, sizeof buffer);
          return;
        }
        ran.out.text.append(buffer, size);
      } else if (ran.err.size() < kMaxStderrBytes) {
        ran.err.append(buffer, std::min(size, kMaxStderrBytes - ran.err.size()));
      }
    }
  }
  std::memset(buffer, 0, sizeof buffer);
}

// Runs the plugin without a shell: its own process group (killed whole on a timeout), stdin
// /dev/null, the environment of bulwark plus the plugin's `env` and KUBERNETES_EXEC_INFO.
void runPlugin(const ExecPlugin& plugin, const std::string& exec_info,
               std::chrono::milliseconds timeout, std::size_t max_out, Ran& ran) {
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ran.spawn_error = errno;
    return;
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ran.spawn_error = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return;
  }
  std::vector<std::string> environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::string_view name = text.substr(0, text.find('='));
    const bool replaced = name == "KUBERNETES_EXEC_INFO" ||
                          std::any_of(plugin.env.begin(), plugin.env.end(),
                                      [&](const auto& variable) { return variable.first == name; });
    if (!replaced) environment.emplace_back(text);
  }
  for (const auto& [name, value] : plugin.env) environment.push_back(name + "=" + value);
  environment.push_back("KUBERNETES_EXEC_INFO=" + exec_info);
  std::vector<char*> envp;
  envp.reserve(environment.size() + 1);
  for (auto& variable : environment) envp.push_back(variable.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_text{plugin.command};
  argv_text.insert(argv_text.end(), plugin.args.begin(), plugin.args.end());
  std::vector<char*> argv;
  argv.reserve(argv_text.size() + 1);
  for (auto& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  pid_t pid = 0;
  const int spawned =
      ::posix_spawnp(&pid, argv[0], &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (spawned != 0) {
    ran.spawn_error = spawned;
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return;
  }
  drain(out_pipe[0], err_pipe[0], std::chrono::steady_clock::now() + timeout, max_out, ran);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  if (ran.timed_out || ran.too_large) {
    ::kill(-pid, SIGKILL);  // the group: a shell script's children too
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) ran.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) ran.signal = WTERMSIG(status);
}

std::string firstLine(std::string_view text) {
  text = core::trim(text);
  text = text.substr(0, text.find('\n'));
  if (text.ends_with('\r')) text.remove_suffix(1);
  return core::printable(text.substr(0, 200));
}

std::string execInfo(const ExecPlugin& plugin, const ClientConfig& config) {
  Json spec = Json::object();
  spec["interactive"] = false;
  if (plugin.provide_cluster_info) {
    Json cluster = Json::object();
    cluster["server"] = config.server;
    if (!config.ca_pem.empty()) {
      cluster["certificate-authority-data"] = core::base64Encode(config.ca_pem);
    }
    if (!config.tls_server_name.empty()) cluster["tls-server-name"] = config.tls_server_name;
    if (config.insecure_skip_tls_verify) cluster["insecure-skip-tls-verify"] = true;
    if (!config.proxy_url.empty()) cluster["proxy-url"] = config.proxy_url;
    spec["cluster"] = std::move(cluster);
  }
  Json info = Json::object();
  info["apiVersion"] = plugin.api_version;
  info["kind"] = "ExecCredential";
  info["spec"] = std::move(spec);
  return info.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Runs the plugin and takes its ExecCredential's status into `config`.
core::Status runExec(const ExecPlugin& plugin, const KubeconfigOptions& options,
                     ClientConfig& config) {
  const std::string name = shown(plugin.command);
  Ran ran;
  runPlugin(plugin, execInfo(plugin, config), options.exec_timeout, options.max_exec_output_bytes,
            ran);
  if (ran.spawn_error != 0) {
    std::string hint;
    if (!plugin.install_hint.empty()) {
      hint = fmt::format(" ({})",
                         firstLine(std::string_view(plugin.install_hint).substr(0, kMaxHintBytes)));
    }
    return core::fail(core::ErrorCode::Auth, "exec credential plugin {} could not be run: {}{}",
                      name, std::strerror(ran.spawn_error), hint);
  }
  if (ran.timed_out) {
    return core::fail(core::ErrorCode::Auth,
                      "exec credential plugin {} did not finish within {} ms; it was killed", name,
                      options.exec_timeout.count());
  }
  if (ran.too_large) {
    return core::fail(core::ErrorCode::Limit,
                      "exec credential plugin {} printed more than {} bytes; it was killed", name,
                      options.max_exec_output_bytes);
  }
  if (ran.exit_code != 0) {
    const std::string line = firstLine(ran.err);
    const std::string how = ran.signal != 0 ? fmt::format("was killed by signal {}", ran.signal)
                                            : fmt::format("exited with status {}", ran.exit_code);
    return core::fail(core::ErrorCode::Auth, "exec credential plugin {} {}{}{}", name, how,
                      line.empty() ? "" : ": ", line);
  }
  if (!core::jsonNestingWithin(ran.out.text, 32)) {
    return core::fail(core::ErrorCode::Auth,
                      "exec credential plugin {} printed JSON nested too deeply", name);
  }
  Json credential;
  try {
    credential = Json::parse(ran.out.text);
  } catch (const Json::parse_error& error) {  // its message may quote the output: not shown
    return core::fail(core::ErrorCode::Auth,
                      "exec credential plugin {} did not print an ExecCredential (not JSON at "
                      "byte {})",
                      name, error.byte);
  }
  struct WipeJson {
    Json& json;
    ~WipeJson() {
      if (!json.is_object()) return;
      if (auto status = json.find("status"); status != json.end() && status->is_object()) {
        for (auto& [key, value] : status->items()) {
          if (value.is_string()) wipe(value.get_ref<std::string&>());
        }
      }
    }
  } wipe_credential{credential};
  if (!credential.is_object()) {
    return core::fail(core::ErrorCode::Auth,
                      "exec credential plugin {} did not print an ExecCredential (not a map)",
                      name);
  }
  Fields fields(credential, "ExecCredential");
  const std::string kind = fields.string("kind");
  const std::string api_version = fields.string("apiVersion");
  const Json* status = fields.object("status");
  if (auto error = fields.error()) {
    return core::fail(core::ErrorCode::Auth, "exec credential plugin {}: {}", name, *error);
  }
  if (kind != "ExecCredential") {
    return core::fail(core::ErrorCode::Auth,
                      "exec credential plugin {} printed kind {}, not ExecCredential", name,
                      shown(kind));
  }
  if (api_version != plugin.api_version) {
    return core::fail(core::ErrorCode::Auth,
                      "exec credential plugin {} answered with apiVersion {}; the kubeconfig "
                      "asks for {}",
                      name, shown(api_version), shown(plugin.api_version));
  }
  if (status == nullptr) {
    return core::fail(core::ErrorCode::Auth, "exec credential plugin {} returned no status", name);
  }
  Fields values(*status, "ExecCredential.status");
  std::string token = values.string("token");
  std::string cert = values.string("clientCertificateData");
  std::string key = values.string("clientKeyData");
  if (auto error = values.error()) {
    wipe(token);
    wipe(key);
    return core::fail(core::ErrorCode::Auth, "exec credential plugin {}: {}", name, *error);
  }
  if (cert.empty() != key.empty()) {
    wipe(token);
    wipe(key);
    return core::fail(core::ErrorCode::Auth,
                      "exec credential plugin {} returned a client {} without a {}", name,
                      cert.empty() ? "key" : "certificate", cert.empty() ? "certificate" : "key");
  }
  if (token.empty() && cert.empty()) {
    return core::fail(core::ErrorCode::Auth,
                      "exec credential plugin {} returned neither a token nor a client "
                      "certificate",
                      name);
  }
  if (!token.empty()) {
    wipe(config.token);
    config.token = std::move(token);
  }
  if (!cert.empty()) {
    config.client_cert_pem = std::move(cert);
    wipe(config.client_key_pem);
    config.client_key_pem = std::move(key);
  }
  return {};
}

// The cluster part of the context.
core::Status resolveCluster(const Entry& entry, std::string_view name, bool read_files,
                            ClientConfig& config) {
  Fields fields(entry.body, fmt::format("cluster {}", shown(name)));
  std::string server = fields.string("server");
  const std::string ca_file = fields.string("certificate-authority");
  const std::string ca_data = fields.string("certificate-authority-data");
  config.insecure_skip_tls_verify = fields.boolean("insecure-skip-tls-verify");
  config.tls_server_name = fields.string("tls-server-name");
  config.proxy_url = fields.string("proxy-url");
  if (auto error = fields.error()) return core::fail(core::ErrorCode::Input, *error);
  auto checked = checkServer(std::move(server), name);
  if (!checked) return tl::unexpected(checked.error());
  config.server = std::move(*checked);
  if (!ca_file.empty() && !ca_data.empty()) {
    return core::fail(core::ErrorCode::Input,
                      "cluster {}: certificate-authority and certificate-authority-data are both "
                      "set; keep one",
                      shown(name));
  }
  if (config.insecure_skip_tls_verify && (!ca_file.empty() || !ca_data.empty())) {
    return core::fail(core::ErrorCode::Input,
                      "cluster {}: a certificate authority with insecure-skip-tls-verify is not "
                      "allowed (as kubectl refuses it)",
                      shown(name));
  }
  if (config.insecure_skip_tls_verify) {
    config.warnings.push_back(
        "insecure-skip-tls-verify is set: the API server's certificate is not checked");
  }
  if (!config.proxy_url.empty()) {
    const std::string lower = core::asciiLower(config.proxy_url);
    if (!lower.starts_with("http://") && !lower.starts_with("https://") &&
        !lower.starts_with("socks5://") && !lower.starts_with("socks5h://")) {
      return core::fail(core::ErrorCode::Input,
                        "cluster {}: proxy-url {} is not an http, https or socks5 URL", shown(name),
                        shown(config.proxy_url));
    }
  }
  if (!ca_data.empty()) {
    auto pem =
        decodeData(ca_data, fmt::format("cluster {}: certificate-authority-data", shown(name)));
    if (!pem) return tl::unexpected(pem.error());
    config.ca_pem = std::move(*pem);
  } else if (!ca_file.empty()) {
    config.ca_file = resolvePath(ca_file, entry.dir);
    if (read_files) {
      auto pem = readReferenced(config.ca_file,
                                fmt::format("cluster {}: certificate-authority", shown(name)));
      if (!pem) return tl::unexpected(pem.error());
      config.ca_pem = std::move(*pem);
    }
  }
  return {};
}

// The user part of the context: at most one of token/tokenFile, a client certificate, exec.
core::Status resolveUser(const Entry& entry, std::string_view name, bool read_files,
                         const KubeconfigOptions& options, ClientConfig& config) {
  Fields fields(entry.body, fmt::format("user {}", shown(name)));
  if (fields.has("username") || fields.has("password")) {
    return core::fail(core::ErrorCode::Auth,
                      "user {} uses username/password: basic authentication was removed in "
                      "Kubernetes 1.19; use a token, a client certificate or an exec plugin",
                      shown(name));
  }
  if (fields.has("auth-provider")) {
    return core::fail(core::ErrorCode::Auth,
                      "user {} uses a legacy auth-provider; use an exec credential plugin "
                      "instead (e.g. kubelogin, gke-gcloud-auth-plugin)",
                      shown(name));
  }
  std::string token = fields.string("token");
  const std::string token_file = fields.string("tokenFile");
  const std::string cert_file = fields.string("client-certificate");
  const std::string cert_data = fields.string("client-certificate-data");
  const std::string key_file = fields.string("client-key");
  std::string key_data = fields.string("client-key-data");
  const Json* exec = fields.object("exec");
  if (auto error = fields.error()) {
    wipe(token);
    wipe(key_data);
    return core::fail(core::ErrorCode::Input, *error);
  }
  const auto refuse = [&](std::string message) -> core::Status {
    wipe(token);
    wipe(key_data);
    return core::fail(core::ErrorCode::Input, "user {}: {}", shown(name), message);
  };
  if (!cert_file.empty() && !cert_data.empty()) {
    return refuse("client-certificate and client-certificate-data are both set; keep one");
  }
  if (!key_file.empty() && !key_data.empty()) {
    return refuse("client-key and client-key-data are both set; keep one");
  }
  const bool has_cert = !cert_file.empty() || !cert_data.empty();
  const bool has_key = !key_file.empty() || !key_data.empty();
  if (has_cert != has_key) {
    return refuse(has_cert ? "a client certificate without a client key"
                           : "a client key without a client certificate");
  }

  // Client certificate.
  if (!cert_data.empty()) {
    auto pem = decodeData(cert_data, fmt::format("user {}: client-certificate-data", shown(name)));
    if (!pem) return refuse("client-certificate-data is not valid base64");
    config.client_cert_pem = std::move(*pem);
  } else if (!cert_file.empty()) {
    config.client_cert_file = resolvePath(cert_file, entry.dir);
    if (read_files) {
      auto pem = readReferenced(config.client_cert_file,
                                fmt::format("user {}: client-certificate", shown(name)));
      if (!pem) {
        wipe(token);
        wipe(key_data);
        return tl::unexpected(pem.error());
      }
      config.client_cert_pem = std::move(*pem);
    }
  }
  if (!key_data.empty()) {
    auto pem = decodeData(key_data, fmt::format("user {}: client-key-data", shown(name)));
    if (!pem) return refuse("client-key-data is not valid base64");
    wipe(key_data);
    config.client_key_pem = std::move(*pem);
  } else if (!key_file.empty()) {
    config.client_key_file = resolvePath(key_file, entry.dir);
    if (read_files) {
      auto pem =
          readReferenced(config.client_key_file, fmt::format("user {}: client-key", shown(name)));
      if (!pem) {
        wipe(token);
        return tl::unexpected(pem.error());
      }
      config.client_key_pem = std::move(*pem);
    }
  }

  // Bearer token: tokenFile wins over token, as client-go re-reads the file.
  if (!token_file.empty()) {
    config.token_file = resolvePath(token_file, entry.dir);
    wipe(token);
    if (read_files) {
      auto text = readReferenced(config.token_file, fmt::format("user {}: tokenFile", shown(name)));
      if (!text) return tl::unexpected(text.error());
      config.token = std::string(core::trim(*text));
      wipe(*text);
      if (config.token.empty()) {
        return core::fail(core::ErrorCode::Auth, "user {}: tokenFile {} is empty", shown(name),
                          shown(config.token_file));
      }
    }
  } else {
    config.token = std::move(token);
  }

  if (has_cert)
    config.auth_kind = "client-certificate";
  else if (!token_file.empty())
    config.auth_kind = "token-file";
  else if (!config.token.empty())
    config.auth_kind = "token";
  else
    config.auth_kind = "none";

  if (exec != nullptr) {
    auto plugin = readExec(*exec, name, entry.dir);
    if (!plugin) return tl::unexpected(plugin.error());
    config.auth_kind = fmt::format("exec:{}", plugin->command);
    if (read_files) return runExec(*plugin, options, config);
  }
  return {};
}

core::Result<ClientConfig> resolve(const Merged& merged, const KubeconfigOptions& options,
                                   bool read_files) {
  const std::string& wanted = options.context.empty() ? merged.current_context : options.context;
  if (wanted.empty()) {
    return core::fail(core::ErrorCode::Usage,
                      "no context: the kubeconfig sets no current-context; give --context "
                      "({})",
                      knownContexts(merged));
  }
  const auto context = merged.contexts.find(wanted);
  if (context == merged.contexts.end()) {
    return core::fail(core::ErrorCode::Usage, "context {} is not in the kubeconfig ({})",
                      shown(wanted), knownContexts(merged));
  }
  ClientConfig config;
  config.context = wanted;
  Fields fields(context->second.body, fmt::format("context {}", shown(wanted)));
  config.cluster = fields.string("cluster");
  config.user = fields.string("user");
  config.namespace_ = fields.string("namespace");
  if (auto error = fields.error()) return core::fail(core::ErrorCode::Input, *error);
  if (config.cluster.empty()) {
    return core::fail(core::ErrorCode::Input, "context {} names no cluster", shown(wanted));
  }
  const auto cluster = merged.clusters.find(config.cluster);
  if (cluster == merged.clusters.end()) {
    return core::fail(core::ErrorCode::Input,
                      "context {} names cluster {}, which the kubeconfig does not define",
                      shown(wanted), shown(config.cluster));
  }
  if (auto status = resolveCluster(cluster->second, config.cluster, read_files, config); !status) {
    return tl::unexpected(status.error());
  }
  config.auth_kind = "none";
  if (!config.user.empty()) {
    const auto user = merged.users.find(config.user);
    if (user == merged.users.end()) {
      return core::fail(core::ErrorCode::Input,
                        "context {} names user {}, which the kubeconfig does not define",
                        shown(wanted), shown(config.user));
    }
    if (auto status = resolveUser(user->second, config.user, read_files, options, config);
        !status) {
      config.wipeSecrets();
      return tl::unexpected(status.error());
    }
  }
  return config;
}

std::string directoryOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Reads one kubeconfig file (bounded). nullopt-like NotFound when it does not exist.
core::Result<std::string> readKubeconfig(const std::string& path, std::size_t limit) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    return core::fail(error == ENOENT ? core::ErrorCode::NotFound : core::ErrorCode::Io,
                      "kubeconfig {}: {}", shown(path), std::strerror(error));
  }
  struct stat info {};
  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(fd);
    return core::fail(core::ErrorCode::Input, "kubeconfig {} is a directory", shown(path));
  }
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const int error = errno;
      ::close(fd);
      wipe(text);
      return core::fail(core::ErrorCode::Io, "kubeconfig {}: {}", shown(path),
                        std::strerror(error));
    }
    if (got == 0) break;
    if (text.size() + static_cast<std::size_t>(got) > limit) {
      ::close(fd);
      wipe(text);
      return core::fail(core::ErrorCode::Limit, "kubeconfig {} is larger than {} bytes",
                        shown(path), limit);
    }
    text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  std::memset(buffer, 0, sizeof buffer);
  return text;
}

}  // namespace

void ClientConfig::wipeSecrets() {
  wipe(token);
  wipe(client_key_pem);
  wipe(client_cert_pem);
}

core::Result<ClientConfig> resolveKubeconfigText(std::string_view text, std::string_view dir,
                                                 const KubeconfigOptions& options,
                                                 bool run_exec_plugins) {
  Merged merged;
  if (auto status = mergeText(text, dir, "", options, merged); !status) {
    return tl::unexpected(status.error());
  }
  return resolve(merged, options, run_exec_plugins);
}

core::Result<ClientConfig> loadKubeconfig(const KubeconfigOptions& options) {
  std::vector<std::string> paths;
  bool skip_missing = false;
  if (!options.path.empty()) {
    paths.push_back(options.path);
  } else if (const char* list = std::getenv("KUBECONFIG"); list != nullptr && *list != '\0') {
    skip_missing = true;  // client-go ignores the files of $KUBECONFIG that do not exist
    for (const auto part : core::split(list, ':')) {
      if (part.empty()) continue;
      if (std::find(paths.begin(), paths.end(), part) != paths.end()) continue;
      if (paths.size() >= kMaxFiles) {
        return core::fail(core::ErrorCode::Limit, "$KUBECONFIG names more than {} files",
                          kMaxFiles);
      }
      paths.emplace_back(part);
    }
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    paths.push_back(fmt::format("{}/.kube/config", home));
  } else {
    return core::fail(core::ErrorCode::Usage,
                      "no kubeconfig: give --kubeconfig (neither $KUBECONFIG nor $HOME is set)");
  }
  Merged merged;
  std::size_t read = 0;
  for (const auto& path : paths) {
    auto text = readKubeconfig(path, options.max_file_bytes);
    if (!text) {
      if (skip_missing && text.error().code == core::ErrorCode::NotFound) continue;
      if (text.error().code == core::ErrorCode::NotFound) {
        return core::fail(core::ErrorCode::NotFound,
                          "no kubeconfig: {} does not exist (give --kubeconfig)", shown(path));
      }
      return tl::unexpected(text.error());
    }
    ++read;
    Wiped owned;
    owned.text = std::move(*text);
    if (auto status = mergeText(owned.text, directoryOf(path), path, options, merged); !status) {
      return tl::unexpected(status.error());
    }
  }
  if (read == 0) {
    return core::fail(core::ErrorCode::NotFound,
                      "no kubeconfig: none of the files of $KUBECONFIG exists");
  }
  return resolve(merged, options, true);
}

}  // namespace bulwark::checks::k8s::collect
