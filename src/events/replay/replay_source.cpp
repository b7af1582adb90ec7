#include "events/replay/replay_source.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "events/k8s_audit/audit_event.h"

namespace bulwark::events::replay {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr std::size_t kMaxArgs = 256;
constexpr std::size_t kMaxAncestors = 64;
constexpr std::size_t kMaxListItems = 4096;

// What went wrong in a line, for the diagnostic; empty: nothing.
struct Problem {
  std::string text;
  void set(std::string message) {
    if (text.empty()) text = std::move(message);
  }
};

// Copies out of the simdjson_result first: a range-for over `x.get_array().value_unsafe()`
// would iterate a reference into a temporary that is gone.
simdjson::dom::array arrayOf(element value) { return value.get_array().value_unsafe(); }
object objectOf(element value) { return value.get_object().value_unsafe(); }

std::optional<element> member(const object& parent, std::string_view key) {
  auto found = parent.at_key(key);
  if (found.error() != simdjson::SUCCESS) return std::nullopt;
  if (found.value_unsafe().type() == element_type::NULL_VALUE) return std::nullopt;
  return found.value_unsafe();
}

void readString(const object& parent, std::string_view key, std::string& out, Problem& problem) {
  const auto value = member(parent, key);
  if (!value) return;
  if (value->type() != element_type::STRING) {
    problem.set(fmt::format("'{}' must be a string", key));
    return;
  }
  out.assign(value->get_string().value_unsafe());
}

template <class Int>
void readInt(const object& parent, std::string_view key, Int& out, Problem& problem) {
  const auto value = member(parent, key);
  if (!value) return;
  std::int64_t number = 0;
  if (value->type() == element_type::INT64) {
    number = value->get_int64().value_unsafe();
  } else if (value->type() == element_type::UINT64 &&
             value->get_uint64().value_unsafe() <= static_cast<std::uint64_t>(INT64_MAX)) {
    number = static_cast<std::int64_t>(value->get_uint64().value_unsafe());
  } else {
    problem.set(fmt::format("'{}' must be an integer", key));
    return;
  }
  bool fits = true;
  if constexpr (std::is_signed_v<Int>) {
    fits = number >= std::numeric_limits<Int>::min() && number <= std::numeric_limits<Int>::max();
  } else {
    fits = number >= 0 &&
           static_cast<std::uint64_t>(number) <= std::uint64_t{std::numeric_limits<Int>::max()};
  }
  if (!fits) {
    problem.set(fmt::format("'{}' is out of range", key));
    return;
  }
  out = static_cast<Int>(number);
}

template <class Int>
void readOptionalInt(const object& parent, std::string_view key, std::optional<Int>& out,
                     Problem& problem) {
  if (!member(parent, key)) return;
  Int value{};
  Problem local;
  readInt(parent, key, value, local);
  if (!local.text.empty()) {
    problem.set(std::move(local.text));
    return;
  }
  out = value;
}

void readBool(const object& parent, std::string_view key, bool& out, Problem& problem) {
  const auto value = member(parent, key);
  if (!value) return;
  if (value->type() != element_type::BOOL) {
    problem.set(fmt::format("'{}' must be true or false", key));
    return;
  }
  out = value->get_bool().value_unsafe();
}

void readOptionalBool(const object& parent, std::string_view key, std::optional<bool>& out,
                      Problem& problem) {
  if (!member(parent, key)) return;
  bool value = false;
  readBool(parent, key, value, problem);
  out = value;
}

void readStrings(const object& parent, std::string_view key, std::vector<std::string>& out,
                 Problem& problem) {
  const auto value = member(parent, key);
  if (!value) return;
  if (value->type() != element_type::ARRAY) {
    problem.set(fmt::format("'{}' must be a list of strings", key));
    return;
  }
  for (const element item : arrayOf(*value)) {
    if (item.type() != element_type::STRING || out.size() >= kMaxListItems) {
      problem.set(fmt::format("'{}' must be a list of at most {} strings", key, kMaxListItems));
      return;
    }
    out.emplace_back(item.get_string().value_unsafe());
  }
}

// A capability set: the kernel's bits as a number, or a list of names (CAP_SYS_ADMIN).
void readCaps(const object& parent, std::string_view key, std::optional<std::uint64_t>& out,
              Problem& problem) {
  const auto value = member(parent, key);
  if (!value) return;
  if (value->type() == element_type::INT64 || value->type() == element_type::UINT64) {
    out = value->type() == element_type::INT64
              ? static_cast<std::uint64_t>(value->get_int64().value_unsafe())
              : value->get_uint64().value_unsafe();
    return;
  }
  if (value->type() != element_type::ARRAY) {
    problem.set(fmt::format("'{}' must be a number or a list of capability names", key));
    return;
  }
  std::uint64_t bits = 0;
  for (const element item : arrayOf(*value)) {
    if (item.type() != element_type::STRING) {
      problem.set(fmt::format("'{}' must list capability names", key));
      return;
    }
    bool known = false;
    for (std::uint64_t bit = 0; bit < 64; ++bit) {
      if (host::capabilityNames(std::uint64_t{1} << bit) == item.get_string().value_unsafe()) {
        bits |= std::uint64_t{1} << bit;
        known = true;
        break;
      }
    }
    if (!known) {
      problem.set(fmt::format("'{}': unknown capability '{}'", key,
                              std::string_view(item.get_string().value_unsafe())));
      return;
    }
  }
  out = bits;
}

bool readTime(element value, std::int64_t& out) {
  if (value.type() == element_type::INT64) {
    out = value.get_int64().value_unsafe();
    return out >= 0;
  }
  if (value.type() == element_type::UINT64) return false;
  if (value.type() == element_type::STRING) {
    return k8s_audit::parseTimestamp(value.get_string().value_unsafe(), out);
  }
  return false;
}

void readTimeMember(const object& parent, std::string_view key, std::int64_t& out,
                    Problem& problem) {
  const auto value = member(parent, key);
  if (!value) return;
  if (!readTime(*value, out)) problem.set(fmt::format("'{}' must be a time", key));
}

std::shared_ptr<host::Process> readProcess(const object& in, Problem& problem) {
  auto out = std::make_shared<host::Process>();
  readInt(in, "pid", out->pid, problem);
  readInt(in, "tid", out->tid, problem);
  readInt(in, "ppid", out->ppid, problem);
  readInt(in, "vpid", out->vpid, problem);
  readInt(in, "sid", out->sid, problem);
  readInt(in, "vpgid", out->vpgid, problem);
  readString(in, "name", out->name, problem);
  readString(in, "exe", out->exe, problem);
  readString(in, "exepath", out->exepath, problem);
  readStrings(in, "args", out->args, problem);
  readBool(in, "args_unknown", out->args_unknown, problem);
  readString(in, "cwd", out->cwd, problem);
  readOptionalInt(in, "tty", out->tty, problem);
  if (const auto env = member(in, "env")) {
    if (env->type() == element_type::OBJECT) {
      for (const auto field : objectOf(*env)) {
        if (field.value.type() != element_type::STRING || out->env.size() >= kMaxListItems) {
          problem.set("'env' values must be strings");
          break;
        }
        out->env.emplace_back(field.key, field.value.get_string().value_unsafe());
      }
    } else {
      std::vector<std::string> pairs;
      readStrings(in, "env", pairs, problem);
      for (const auto& pair : pairs) {
        const std::size_t equals = pair.find('=');
        out->env.emplace_back(pair.substr(0, equals),
                              equals == std::string::npos ? "" : pair.substr(equals + 1));
      }
    }
  }
  readOptionalInt(in, "uid", out->uid, problem);
  readOptionalInt(in, "gid", out->gid, problem);
  readOptionalInt(in, "loginuid", out->loginuid, problem);
  if (out->loginuid == 4294967295) out->loginuid = -1;  // the kernel's "unset"
  readString(in, "user", out->user_name, problem);
  readString(in, "homedir", out->user_homedir, problem);
  readString(in, "shell", out->user_shell, problem);
  readString(in, "loginname", out->login_name, problem);
  readString(in, "group", out->group_name, problem);
  readCaps(in, "cap_effective", out->cap_effective, problem);
  readCaps(in, "cap_permitted", out->cap_permitted, problem);
  readCaps(in, "cap_inheritable", out->cap_inheritable, problem);
  readTimeMember(in, "start_ts", out->start_ns, problem);
  readOptionalBool(in, "exe_upper_layer", out->exe_upper_layer, problem);
  readOptionalBool(in, "exe_from_memfd", out->exe_from_memfd, problem);
  readOptionalBool(in, "exe_writable", out->exe_writable, problem);
  readString(in, "stdin_type", out->stdin_type, problem);
  readString(in, "stdout_type", out->stdout_type, problem);
  readString(in, "stderr_type", out->stderr_type, problem);
  return out;
}

void readFd(const object& in, host::Fd& out, Problem& problem) {
  std::string type;
  readString(in, "type", type, problem);
  if (!type.empty() && !host::parseFdType(type, out.type)) {
    problem.set(fmt::format("unknown fd type '{}'", type));
  }
  readOptionalInt(in, "num", out.num, problem);
  readString(in, "name", out.name, problem);
  readString(in, "nameraw", out.nameraw, problem);
  readString(in, "l4proto", out.l4proto, problem);
  readString(in, "cip", out.cip, problem);
  readString(in, "sip", out.sip, problem);
  readOptionalInt(in, "cport", out.cport, problem);
  readOptionalInt(in, "sport", out.sport, problem);
  readOptionalBool(in, "is_server", out.is_server, problem);
  readOptionalBool(in, "connected", out.connected, problem);
  // Falco's name of a socket: client:port->server:port.
  if (out.name.empty() && (out.type == host::Fd::Type::Ipv4 || out.type == host::Fd::Type::Ipv6) &&
      !out.cip.empty() && !out.sip.empty()) {
    out.name =
        fmt::format("{}:{}->{}:{}", out.cip, out.cport.value_or(0), out.sip, out.sport.value_or(0));
  }
}

std::shared_ptr<host::Container> readContainer(const object& in, Problem& problem) {
  auto out = std::make_shared<host::Container>();
  readString(in, "id", out->id, problem);
  if (out->id.empty()) problem.set("a container needs an 'id'");
  readString(in, "name", out->name, problem);
  readString(in, "type", out->type, problem);
  readString(in, "image", out->image, problem);
  readString(in, "image_digest", out->image_digest, problem);
  readString(in, "image_id", out->image_id, problem);
  readBool(in, "privileged", out->privileged, problem);
  readBool(in, "host_pid", out->host_pid, problem);
  readBool(in, "host_network", out->host_network, problem);
  readBool(in, "host_ipc", out->host_ipc, problem);
  readString(in, "ip", out->ip, problem);
  readTimeMember(in, "start_ts", out->start_ns, problem);
  if (const auto mounts = member(in, "mounts")) {
    if (mounts->type() != element_type::ARRAY) {
      problem.set("'mounts' must be a list");
    } else {
      for (const element item : arrayOf(*mounts)) {
        if (item.type() != element_type::OBJECT || out->mounts.size() >= kMaxListItems) {
          problem.set("'mounts' must be a list of objects");
          break;
        }
        const object mount_in = objectOf(item);
        host::Mount mount;
        readString(mount_in, "source", mount.source, problem);
        readString(mount_in, "destination", mount.destination, problem);
        readString(mount_in, "mode", mount.mode, problem);
        readBool(mount_in, "rw", mount.rw, problem);
        readString(mount_in, "propagation", mount.propagation, problem);
        out->mounts.push_back(std::move(mount));
      }
    }
  }
  if (const auto k8s = member(in, "k8s"); k8s && k8s->type() == element_type::OBJECT) {
    const object k8s_in = objectOf(*k8s);
    readString(k8s_in, "namespace", out->k8s_namespace, problem);
    readString(k8s_in, "pod_name", out->k8s_pod_name, problem);
    readString(k8s_in, "pod_uid", out->k8s_pod_uid, problem);
    if (const auto labels = member(k8s_in, "labels");
        labels && labels->type() == element_type::OBJECT) {
      for (const auto field : objectOf(*labels)) {
        if (field.value.type() != element_type::STRING) {
          problem.set("'labels' values must be strings");
          break;
        }
        out->k8s_pod_labels.emplace(std::string(field.key),
                                    std::string(field.value.get_string().value_unsafe()));
      }
    }
  }
  return out;
}

core::Result<void> decodeElement(element root, host::HostEvent& out, std::int64_t& ts_ns) {
  out = host::HostEvent{};
  if (root.type() != element_type::OBJECT) {
    return core::fail(core::ErrorCode::Input, "not a bulwark.events/v1 object");
  }
  const object in = objectOf(root);
  Problem problem;
  std::int64_t version = 0;
  readInt(in, "v", version, problem);
  if (version != 1) {
    return core::fail(core::ErrorCode::Input, "not a bulwark.events/v1 object (\"v\":1 missing)");
  }
  readString(in, "type", out.type, problem);
  if (out.type.empty()) problem.set("'type' is missing");
  const auto ts = member(in, "ts");
  if (!ts || !readTime(*ts, ts_ns)) problem.set("'ts' is missing or not a time");
  readOptionalInt(in, "res", out.res, problem);
  readString(in, "hostname", out.hostname, problem);
  if (const auto args = member(in, "args")) {
    if (args->type() != element_type::OBJECT) {
      problem.set("'args' must be an object");
    } else {
      for (const auto field : objectOf(*args)) {
        if (out.args.size() >= kMaxArgs) {
          problem.set(fmt::format("more than {} args", kMaxArgs));
          break;
        }
        std::string value;
        if (field.value.type() == element_type::STRING) {
          value.assign(field.value.get_string().value_unsafe());
        } else if (field.value.type() == element_type::INT64) {
          value = std::to_string(field.value.get_int64().value_unsafe());
        } else if (field.value.type() == element_type::UINT64) {
          value = std::to_string(field.value.get_uint64().value_unsafe());
        } else {
          problem.set("'args' values must be strings or integers");
          break;
        }
        out.args.emplace_back(std::string(field.key), std::move(value));
      }
    }
  }
  if (const auto proc = member(in, "proc")) {
    if (proc->type() != element_type::OBJECT) {
      problem.set("'proc' must be an object");
    } else {
      auto process = readProcess(objectOf(*proc), problem);
      // Ancestors, parent first: chained from the oldest down.
      if (const auto ancestors = member(in, "ancestors")) {
        if (ancestors->type() != element_type::ARRAY) {
          problem.set("'ancestors' must be a list");
        } else {
          std::vector<std::shared_ptr<host::Process>> chain;
          for (const element item : arrayOf(*ancestors)) {
            if (item.type() != element_type::OBJECT || chain.size() >= kMaxAncestors) {
              problem.set(fmt::format("'ancestors' must be at most {} objects", kMaxAncestors));
              break;
            }
            chain.push_back(readProcess(objectOf(item), problem));
          }
          for (std::size_t i = chain.size(); i-- > 1;) chain[i - 1]->parent = chain[i];
          if (!chain.empty()) {
            if (process->ppid == 0) process->ppid = chain.front()->pid;
            process->parent = chain.front();
          }
        }
      }
      out.process = std::move(process);
    }
  }
  if (const auto fd = member(in, "fd")) {
    if (fd->type() != element_type::OBJECT) {
      problem.set("'fd' must be an object");
    } else {
      readFd(objectOf(*fd), out.fd, problem);
    }
  }
  if (const auto container = member(in, "container")) {
    if (container->type() != element_type::OBJECT) {
      problem.set("'container' must be an object");
    } else {
      out.container = readContainer(objectOf(*container), problem);
    }
  }
  if (!problem.text.empty()) return core::fail(core::ErrorCode::Input, problem.text);
  return {};
}

nlohmann::ordered_json processJson(const host::Process& process) {
  nlohmann::ordered_json out;
  const auto put_int = [&](const char* key, std::int64_t value) {
    if (value != 0) out[key] = value;
  };
  const auto put_text = [&](const char* key, const std::string& value) {
    if (!value.empty()) out[key] = value;
  };
  put_int("pid", process.pid);
  put_int("tid", process.tid);
  put_int("ppid", process.ppid);
  put_int("vpid", process.vpid);
  put_int("sid", process.sid);
  put_int("vpgid", process.vpgid);
  put_text("name", process.name);
  put_text("exe", process.exe);
  put_text("exepath", process.exepath);
  if (!process.args.empty()) out["args"] = process.args;
  if (process.args_unknown) out["args_unknown"] = true;
  put_text("cwd", process.cwd);
  if (process.tty) out["tty"] = *process.tty;
  if (!process.env.empty()) {
    std::vector<std::string> env;
    env.reserve(process.env.size());
    for (const auto& [name, value] : process.env) env.push_back(name + "=" + value);
    out["env"] = env;
  }
  if (process.uid) out["uid"] = *process.uid;
  if (process.gid) out["gid"] = *process.gid;
  if (process.loginuid) out["loginuid"] = *process.loginuid;
  put_text("user", process.user_name);
  put_text("homedir", process.user_homedir);
  put_text("shell", process.user_shell);
  put_text("loginname", process.login_name);
  put_text("group", process.group_name);
  if (process.cap_effective) out["cap_effective"] = *process.cap_effective;
  if (process.cap_permitted) out["cap_permitted"] = *process.cap_permitted;
  if (process.cap_inheritable) out["cap_inheritable"] = *process.cap_inheritable;
  put_int("start_ts", process.start_ns);
  if (process.exe_upper_layer) out["exe_upper_layer"] = *process.exe_upper_layer;
  if (process.exe_from_memfd) out["exe_from_memfd"] = *process.exe_from_memfd;
  if (process.exe_writable) out["exe_writable"] = *process.exe_writable;
  put_text("stdin_type", process.stdin_type);
  put_text("stdout_type", process.stdout_type);
  put_text("stderr_type", process.stderr_type);
  return out;
}

}  // namespace

core::Result<void> decodeLine(std::string_view line, host::HostEvent& out, std::int64_t& ts_ns) {
  if (line.size() > kMaxLineBytes) {
    return core::fail(core::ErrorCode::Limit, "line over {} bytes", kMaxLineBytes);
  }
  thread_local simdjson::dom::parser parser;
  auto root = parser.parse(line.data(), line.size(), true);
  if (root.error() != simdjson::SUCCESS) {
    return core::fail(core::ErrorCode::Input, "not JSON: {}",
                      simdjson::error_message(root.error()));
  }
  return decodeElement(root.value_unsafe(), out, ts_ns);
}

std::string encodeLine(const host::HostEvent& event, std::int64_t ts_ns) {
  nlohmann::ordered_json out;
  out["v"] = 1;
  out["type"] = event.type;
  out["ts"] = ts_ns;
  if (event.res) out["res"] = *event.res;
  if (!event.hostname.empty()) out["hostname"] = event.hostname;
  if (!event.args.empty()) {
    nlohmann::ordered_json args = nlohmann::ordered_json::object();
    for (const auto& [name, value] : event.args) args[name] = value;
    out["args"] = std::move(args);
  }
  if (event.process) {
    out["proc"] = processJson(*event.process);
    nlohmann::ordered_json ancestors = nlohmann::ordered_json::array();
    std::size_t depth = 0;
    for (const host::Process* parent = event.process->parent.get();
         parent != nullptr && depth < kMaxAncestors; parent = parent->parent.get(), ++depth) {
      ancestors.push_back(processJson(*parent));
    }
    if (!ancestors.empty()) out["ancestors"] = std::move(ancestors);
  }
  const host::Fd& fd = event.fd;
  if (fd.type != host::Fd::Type::None) {
    nlohmann::ordered_json out_fd;
    out_fd["type"] = std::string(host::toString(fd.type));
    if (fd.num) out_fd["num"] = *fd.num;
    if (!fd.name.empty()) out_fd["name"] = fd.name;
    if (!fd.nameraw.empty()) out_fd["nameraw"] = fd.nameraw;
    if (!fd.l4proto.empty()) out_fd["l4proto"] = fd.l4proto;
    if (!fd.cip.empty()) out_fd["cip"] = fd.cip;
    if (fd.cport) out_fd["cport"] = *fd.cport;
    if (!fd.sip.empty()) out_fd["sip"] = fd.sip;
    if (fd.sport) out_fd["sport"] = *fd.sport;
    if (fd.is_server) out_fd["is_server"] = *fd.is_server;
    if (fd.connected) out_fd["connected"] = *fd.connected;
    out["fd"] = std::move(out_fd);
  }
  if (const host::Container* container = event.container.get()) {
    nlohmann::ordered_json c;
    c["id"] = container->id;
    if (!container->name.empty()) c["name"] = container->name;
    if (!container->type.empty()) c["type"] = container->type;
    if (!container->image.empty()) c["image"] = container->image;
    if (!container->image_digest.empty()) c["image_digest"] = container->image_digest;
    if (!container->image_id.empty()) c["image_id"] = container->image_id;
    c["privileged"] = container->privileged;
    c["host_pid"] = container->host_pid;
    c["host_network"] = container->host_network;
    c["host_ipc"] = container->host_ipc;
    if (!container->ip.empty()) c["ip"] = container->ip;
    if (container->start_ns != 0) c["start_ts"] = container->start_ns;
    if (!container->mounts.empty()) {
      nlohmann::ordered_json mounts = nlohmann::ordered_json::array();
      for (const auto& mount : container->mounts) {
        mounts.push_back({{"source", mount.source},
                          {"destination", mount.destination},
                          {"mode", mount.mode},
                          {"rw", mount.rw},
                          {"propagation", mount.propagation}});
      }
      c["mounts"] = std::move(mounts);
    }
    if (!container->k8s_namespace.empty() || !container->k8s_pod_name.empty()) {
      nlohmann::ordered_json k8s;
      k8s["namespace"] = container->k8s_namespace;
      k8s["pod_name"] = container->k8s_pod_name;
      if (!container->k8s_pod_uid.empty()) k8s["pod_uid"] = container->k8s_pod_uid;
      if (!container->k8s_pod_labels.empty()) {
        nlohmann::ordered_json labels = nlohmann::ordered_json::object();
        for (const auto& [key, value] : container->k8s_pod_labels) labels[key] = value;
        k8s["labels"] = std::move(labels);
      }
      c["k8s"] = std::move(k8s);
    }
    out["container"] = std::move(c);
  }
  return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

core::Result<void> ReplaySource::run(const std::function<void(const Event&)>& on_event,
                                     core::Diagnostics& diagnostics,
                                     const std::atomic<bool>* stop) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(path_.c_str(), "rb"),
                                                          &std::fclose);
  if (!file) {
    return core::fail(errno == ENOENT ? core::ErrorCode::NotFound : core::ErrorCode::Io,
                      "cannot open {}: {}", path_, std::strerror(errno));
  }
  std::string pending;  // an incomplete line carried over to the next block
  std::vector<char> block(std::size_t{1} << 20);
  bool skipping = false;  // inside a line over kMaxLineBytes, up to its '\n'
  host::HostEvent host_event;
  std::uint64_t num = 0;
  const auto handle_line = [&](std::string_view line) {
    ++stats_.lines;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') return;  // blank, or a comment
    std::int64_t ts_ns = 0;
    auto decoded = decodeLine(line, host_event, ts_ns);
    if (!decoded) {
      ++stats_.bad_lines;
      diagnostics.add("events.bad-line", fmt::format("{}:{}", path_, stats_.lines),
                      decoded.error().message);
      return;
    }
    ++stats_.events;
    Event event;
    event.source = Source::Syscall;
    event.ts_ns = ts_ns;
    event.num = ++num;
    event.payload = &host_event;
    on_event(event);
  };
  for (;;) {
    if (stop != nullptr && stop->load()) return {};
    const std::size_t got = std::fread(block.data(), 1, block.size(), file.get());
    if (got == 0) {
      if (std::ferror(file.get()) != 0) {
        return core::fail(core::ErrorCode::Io, "cannot read {}: {}", path_, std::strerror(errno));
      }
      break;
    }
    std::string_view data(block.data(), got);
    while (!data.empty()) {
      const std::size_t newline = data.find('\n');
      const std::string_view piece = data.substr(0, newline);
      if (skipping) {
        if (newline != std::string_view::npos) skipping = false;
      } else if (pending.size() + piece.size() > kMaxLineBytes) {
        ++stats_.lines;
        ++stats_.bad_lines;
        diagnostics.add("events.bad-line", fmt::format("{}:{}", path_, stats_.lines),
                        fmt::format("line over {} bytes, skipped", kMaxLineBytes));
        pending.clear();
        skipping = newline == std::string_view::npos;
      } else if (newline == std::string_view::npos) {
        pending.append(piece);
      } else if (pending.empty()) {
        handle_line(piece);
      } else {
        pending.append(piece);
        handle_line(pending);
        pending.clear();
      }
      if (newline == std::string_view::npos) break;
      data.remove_prefix(newline + 1);
      if (stop != nullptr && stop->load()) return {};
    }
  }
  if (!pending.empty() && !skipping) handle_line(pending);
  return {};
}

}  // namespace bulwark::events::replay
