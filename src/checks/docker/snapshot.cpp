// Reading and writing `bulwark.docker-snapshot/v1` (docs/dev/hardening-design.md §2.2).
//
// The reader trusts nothing: the whole text is bounded in size and nesting before it is parsed,
// every member is type-checked, and a bad member turns the fact that holds it into state
// `malformed` (with a diagnostic) instead of failing the read. Only input that is not a snapshot
// at all (not JSON, not an object, another schema, too large or too deep) is an error.
#include "checks/docker/snapshot.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "core/text.h"

namespace bulwark::checks::docker {

namespace {

using nlohmann::json;

// Deeper documents are refused before parsing: copying, comparing and dumping JSON recurse.
constexpr int kMaxDepth = 256;

constexpr std::string_view kMalformed = "docker-snapshot.malformed";
constexpr std::string_view kTruncated = "docker-snapshot.truncated";

class Reader {
 public:
  Reader(core::Diagnostics& diagnostics, const SnapshotLimits& limits)
      : diagnostics_(diagnostics), limits_(limits) {}

  void read(const json& root, Snapshot& out) {
    string(root, "collected_at", out.collected_at, "collected_at");
    string(root, "hostname", out.hostname, "hostname");
    if (const auto* collector = object(root, "collector", "collector")) {
      string(*collector, "version", out.collector_version, "collector.version");
      integer(*collector, "uid", out.collector_uid, "collector.uid");
    }
    if (const auto* engine = object(root, "engine", "engine")) readEngine(*engine, out.engine);
    if (const auto* host = object(root, "host", "host")) readHost(*host, out.host);
    if (const auto* list = array(root, "diagnostics", "diagnostics")) {
      for (const auto& item : *list) {
        if (!item.is_object()) {
          problem("diagnostics[]", "not an object");
          continue;
        }
        core::Diagnostic d;
        string(item, "kind", d.kind, "diagnostics[].kind");
        string(item, "where", d.where, "diagnostics[].where");
        string(item, "detail", d.detail, "diagnostics[].detail");
        out.diagnostics.push_back(std::move(d));
      }
    }
  }

 private:
  // --- diagnostics and typed members ---------------------------------------------------------

  void problem(std::string_view where, std::string_view detail) {
    diagnostics_.add(std::string(kMalformed), std::string(where), std::string(detail));
  }

  // A member, or nullptr when absent or null.
  static const json* member(const json& parent, std::string_view key) {
    if (!parent.is_object()) return nullptr;
    const auto it = parent.find(key);
    return it == parent.end() || it->is_null() ? nullptr : &*it;
  }

  const json* typed(const json& parent, std::string_view key, std::string_view where,
                    bool (json::*is)() const noexcept, std::string_view expected) {
    const auto* value = member(parent, key);
    if (value == nullptr) return nullptr;
    if (!(value->*is)()) {
      problem(where, fmt::format("{} instead of {}", value->type_name(), expected));
      bad_ = true;
      return nullptr;
    }
    return value;
  }

  const json* object(const json& parent, std::string_view key, std::string_view where) {
    return typed(parent, key, where, &json::is_object, "an object");
  }

  const json* array(const json& parent, std::string_view key, std::string_view where) {
    return typed(parent, key, where, &json::is_array, "an array");
  }

  void string(const json& parent, std::string_view key, std::string& out, std::string_view where) {
    if (const auto* value = typed(parent, key, where, &json::is_string, "a string")) {
      out = value->get<std::string>();
    }
  }

  void boolean(const json& parent, std::string_view key, bool& out, std::string_view where) {
    if (const auto* value = typed(parent, key, where, &json::is_boolean, "a boolean")) {
      out = value->get<bool>();
    }
  }

  template <class Int>
  void integer(const json& parent, std::string_view key, Int& out, std::string_view where) {
    const auto* value = typed(parent, key, where, &json::is_number_integer, "an integer");
    if (value == nullptr) return;
    const bool fits = value->is_number_unsigned()
                          ? value->get<std::uint64_t>() <=
                                static_cast<std::uint64_t>(std::numeric_limits<Int>::max())
                          : value->get<std::int64_t>() >=
                                    static_cast<std::int64_t>(std::numeric_limits<Int>::min()) &&
                                value->get<std::int64_t>() <=
                                    static_cast<std::int64_t>(std::numeric_limits<Int>::max());
    if (!fits) {
      problem(where, fmt::format("{} is out of range", value->dump()));
      bad_ = true;
      return;
    }
    out = value->is_number_unsigned() ? static_cast<Int>(value->get<std::uint64_t>())
                                      : static_cast<Int>(value->get<std::int64_t>());
  }

  void strings(const json& parent, std::string_view key, std::vector<std::string>& out,
               std::string_view where, std::size_t max) {
    const auto* list = array(parent, key, where);
    if (list == nullptr) return;
    for (const auto& item : *list) {
      if (!item.is_string()) {
        problem(where, fmt::format("an element is {}, not a string", item.type_name()));
        bad_ = true;
        continue;
      }
      if (out.size() >= max) {
        truncated(where, max);
        break;
      }
      out.push_back(item.get<std::string>());
    }
  }

  void truncated(std::string_view where, std::size_t max) {
    diagnostics_.add(std::string(kTruncated), std::string(where),
                     fmt::format("more than {} entries; the rest is ignored", max));
  }

  // --- facts ---------------------------------------------------------------------------------

  // The state of a fact section (`{"state": {...}, …}`); a section without one is malformed.
  FactState state(const json& section, const std::string& where) {
    FactState out;
    const auto* state = member(section, "state");
    if (state == nullptr || !state->is_object()) {
      out.status = FactStatus::Malformed;
      out.detail = state == nullptr ? "no state" : "state is not an object";
      problem(where + ".state", out.detail);
      return out;
    }
    const auto* status = member(*state, "status");
    if (status == nullptr || !status->is_string() ||
        !parseFactStatus(status->get_ref<const std::string&>(), out.status)) {
      out.status = FactStatus::Malformed;
      out.detail = status == nullptr ? "no status" : "unknown status " + status->dump();
      problem(where + ".state.status", out.detail);
      return out;
    }
    string(*state, "detail", out.detail, where + ".state.detail");
    string(*state, "source", out.source, where + ".state.source");
    return out;
  }

  // Runs `body` over the section of a fact whose state is ok; a type problem inside turns the
  // fact malformed. Absent section: not collected.
  template <class Body>
  FactState fact(const json& parent, std::string_view key, const std::string& where, Body&& body) {
    const auto* section = member(parent, key);
    if (section == nullptr) return {};
    if (!section->is_object()) {
      problem(where, fmt::format("{} instead of an object", section->type_name()));
      return {FactStatus::Malformed, "not an object", {}};
    }
    FactState out = state(*section, where);
    if (!out.ok()) return out;
    const bool outer_bad = std::exchange(bad_, false);
    body(*section);
    if (bad_) {
      out.status = FactStatus::Malformed;
      out.detail = "members of the wrong type (see diagnostics)";
    }
    bad_ = outer_bad;
    return out;
  }

  DocFact doc(const json& parent, std::string_view key, const std::string& where) {
    DocFact out;
    out.state = fact(parent, key, where, [&](const json& section) {
      if (const auto* doc = member(section, "doc")) out.doc = *doc;
    });
    if (!out.state.ok()) out.doc = nullptr;
    return out;
  }

  // `engine.info`/`engine.version` may be the docker CLI's own JSON, with or without the
  // {"state", "doc"} wrapper.
  DocFact cliDoc(const json& parent, std::string_view key, const std::string& where) {
    const auto* section = member(parent, key);
    if (section != nullptr && section->is_object() && !section->contains("state") &&
        !section->contains("doc")) {
      return {{FactStatus::Ok, {}, "docker CLI output"}, *section};
    }
    return doc(parent, key, where);
  }

  void dockerInfo(DocFact& info) {
    if (!info.state.ok() || !info.doc.is_object()) return;
    info.doc.erase("ClientInfo");
    const auto errors = info.doc.find("ServerErrors");
    if (errors == info.doc.end()) return;
    std::string text;
    if (errors->is_array()) {
      for (const auto& error : *errors) {
        if (!text.empty()) text += "; ";
        text += error.is_string() ? error.get<std::string>() : error.dump();
      }
    }
    if (!text.empty()) {
      diagnostics_.add("docker-info.server-errors", "engine.info",
                       "docker info reported server errors: " + text);
    }
    if (!info.doc.contains("ID")) {
      info.state.status = FactStatus::Malformed;
      info.state.detail = "docker info has server errors and no daemon information" +
                          (text.empty() ? std::string() : ": " + text);
      info.doc = nullptr;
    }
  }

  void dockerVersion(DocFact& version) {
    if (!version.state.ok() || !version.doc.is_object()) return;
    const auto server = version.doc.find("Server");
    const bool cli = server != version.doc.end() &&
                     (version.doc.contains("Client") || !version.doc.contains("Version"));
    if (!cli) return;
    if (server->is_object()) {
      json doc = std::move(*server);
      version.doc = std::move(doc);
      return;
    }
    problem("engine.version", "docker version output without a Server part");
    version.state = {FactStatus::Malformed, "docker version output without a Server part",
                     version.state.source};
    version.doc = nullptr;
  }

  // --- engine --------------------------------------------------------------------------------

  void readEngine(const json& engine, Snapshot::Engine& out) {
    string(engine, "endpoint", out.endpoint, "engine.endpoint");
    if (member(engine, "state") != nullptr) out.state = state(engine, "engine");
    out.version = cliDoc(engine, "version", "engine.version");
    dockerVersion(out.version);
    out.info = cliDoc(engine, "info", "engine.info");
    dockerInfo(out.info);
    out.networks = doc(engine, "networks", "engine.networks");
    out.plugins = doc(engine, "plugins", "engine.plugins");
    out.swarm = doc(engine, "swarm", "engine.swarm");
    out.nodes = doc(engine, "nodes", "engine.nodes");

    out.containers_state = fact(engine, "containers", "engine.containers", [&](const json& s) {
      const auto* items = array(s, "items", "engine.containers.items");
      if (items == nullptr) return;
      for (const auto& item : *items) {
        if (out.containers.size() >= limits_.max_containers) {
          truncated("engine.containers.items", limits_.max_containers);
          break;
        }
        if (auto container = readContainer(item)) out.containers.push_back(std::move(*container));
      }
    });
    std::stable_sort(out.containers.begin(), out.containers.end(),
                     [](const Container& a, const Container& b) {
                       return std::tie(a.name, a.id) < std::tie(b.name, b.id);
                     });

    out.images_state = fact(engine, "images", "engine.images", [&](const json& s) {
      const auto* items = array(s, "items", "engine.images.items");
      if (items == nullptr) return;
      for (const auto& item : *items) {
        if (out.images.size() >= limits_.max_images) {
          truncated("engine.images.items", limits_.max_images);
          break;
        }
        if (auto image = readImage(item)) out.images.push_back(std::move(*image));
      }
    });
    std::stable_sort(out.images.begin(), out.images.end(),
                     [](const Image& a, const Image& b) { return a.id < b.id; });
  }

  std::optional<Container> readContainer(const json& item) {
    const std::string where = "engine.containers.items[]";
    if (!item.is_object() || member(item, "id") == nullptr || !item["id"].is_string()) {
      problem(where, "not an object with a string id; skipped");
      return std::nullopt;
    }
    Container c;
    c.id = item["id"].get<std::string>();
    const std::string at = fmt::format("engine.containers[{}]", c.id);
    string(item, "name", c.name, at + ".name");
    if (c.name.starts_with('/')) c.name.erase(0, 1);
    c.summary = doc(item, "summary", at + ".summary");
    c.inspect = doc(item, "inspect", at + ".inspect");
    c.processes_state = fact(item, "processes", at + ".processes", [&](const json& s) {
      strings(s, "items", c.processes, at + ".processes.items", kMaxProcesses);
    });
    std::sort(c.processes.begin(), c.processes.end());
    c.execs_state = fact(item, "execs", at + ".execs", [&](const json& s) {
      if (const auto* items = array(s, "items", at + ".execs.items")) {
        for (const auto& exec : *items) {
          if (c.execs.size() >= kMaxProcesses) {
            truncated(at + ".execs.items", kMaxProcesses);
            break;
          }
          c.execs.push_back(exec);
        }
      }
    });
    if (!c.processes_state.ok()) c.processes.clear();
    if (!c.execs_state.ok()) c.execs.clear();
    return c;
  }

  std::optional<Image> readImage(const json& item) {
    const std::string where = "engine.images.items[]";
    if (!item.is_object() || member(item, "id") == nullptr || !item["id"].is_string()) {
      problem(where, "not an object with a string id; skipped");
      return std::nullopt;
    }
    Image image;
    image.id = item["id"].get<std::string>();
    const std::string at = fmt::format("engine.images[{}]", image.id);
    strings(item, "tags", image.tags, at + ".tags", limits_.max_images);
    image.inspect = doc(item, "inspect", at + ".inspect");
    image.history = doc(item, "history", at + ".history");
    return image;
  }

  // --- host ----------------------------------------------------------------------------------

  void readHost(const json& host, Snapshot::Host& out) {
    string(host, "root", out.root, "host.root");
    out.dockerd.state = fact(host, "dockerd", "host.dockerd", [&](const json& s) {
      integer(s, "pid", out.dockerd.pid, "host.dockerd.pid");
      integer(s, "uid", out.dockerd.uid, "host.dockerd.uid");
      string(s, "exe", out.dockerd.exe, "host.dockerd.exe");
      strings(s, "argv", out.dockerd.argv, "host.dockerd.argv", kMaxArgv);
    });
    if (const auto* daemon_json = object(host, "daemon_json", "host.daemon_json")) {
      string(*daemon_json, "path", out.daemon_json.path, "host.daemon_json.path");
    }
    {
      const auto doc_fact = doc(host, "daemon_json", "host.daemon_json");
      out.daemon_json.state = doc_fact.state;
      out.daemon_json.doc = doc_fact.doc;
    }
    readPaths(host, out);
    readFiles(host, out);
    out.docker_group.state = fact(host, "docker_group", "host.docker_group", [&](const json& s) {
      string(s, "name", out.docker_group.name, "host.docker_group.name");
      boolean(s, "exists", out.docker_group.exists, "host.docker_group.exists");
      strings(s, "members", out.docker_group.members, "host.docker_group.members",
              limits_.max_audit_rules);
    });
    out.audit.state = fact(host, "audit", "host.audit", [&](const json& s) {
      const auto* rules = array(s, "rules", "host.audit.rules");
      if (rules == nullptr) return;
      for (const auto& rule : *rules) {
        if (out.audit.rules.size() >= limits_.max_audit_rules) {
          truncated("host.audit.rules", limits_.max_audit_rules);
          break;
        }
        if (auto parsed = readAuditRule(rule)) out.audit.rules.push_back(std::move(*parsed));
      }
    });
    // An older shape kept the audit source beside the state.
    if (const auto* audit = member(host, "audit");
        audit != nullptr && audit->is_object() && out.audit.state.source.empty()) {
      const auto* source = member(*audit, "source");
      if (source != nullptr && source->is_string())
        out.audit.state.source = source->get<std::string>();
    }
    out.listening.state = fact(host, "listening", "host.listening", [&](const json& s) {
      const auto* sockets = array(s, "sockets", "host.listening.sockets");
      if (sockets == nullptr) return;
      for (const auto& item : *sockets) {
        if (out.listening.sockets.size() >= limits_.max_audit_rules) {
          truncated("host.listening.sockets", limits_.max_audit_rules);
          break;
        }
        if (!item.is_object()) {
          problem("host.listening.sockets[]", "not an object");
          bad_ = true;
          continue;
        }
        Socket socket;
        string(item, "proto", socket.proto, "host.listening.sockets[].proto");
        string(item, "address", socket.address, "host.listening.sockets[].address");
        integer(item, "port", socket.port, "host.listening.sockets[].port");
        out.listening.sockets.push_back(std::move(socket));
      }
    });
    out.mountinfo.state = fact(host, "mountinfo", "host.mountinfo", [&](const json& s) {
      const auto* mounts = array(s, "mounts", "host.mountinfo.mounts");
      if (mounts == nullptr) return;
      for (const auto& item : *mounts) {
        if (out.mountinfo.mounts.size() >= limits_.max_audit_rules) {
          truncated("host.mountinfo.mounts", limits_.max_audit_rules);
          break;
        }
        if (!item.is_array() || item.size() != 3 || !item[0].is_string() || !item[1].is_string() ||
            !item[2].is_string()) {
          problem("host.mountinfo.mounts[]", "not [point, fstype, source]");
          bad_ = true;
          continue;
        }
        out.mountinfo.mounts.push_back(
            {item[0].get<std::string>(), item[1].get<std::string>(), item[2].get<std::string>()});
      }
    });
    if (const auto* environment = object(host, "environment", "host.environment")) {
      for (const auto& [name, value] : environment->items()) {
        if (value.is_null()) {
          out.environment.emplace(name, std::nullopt);
        } else if (value.is_string()) {
          out.environment.emplace(name, value.get<std::string>());
        } else {
          problem("host.environment." + name, "neither a string nor null");
        }
      }
    }
  }

  void readPaths(const json& host, Snapshot::Host& out) {
    const auto* paths = object(host, "paths", "host.paths");
    if (paths == nullptr) return;
    for (const auto& [alias, list] : paths->items()) {
      if (out.paths.size() >= limits_.max_files) {
        truncated("host.paths", limits_.max_files);
        break;
      }
      std::vector<std::string> real;
      if (!list.is_array()) {
        problem("host.paths." + alias, "not an array of paths");
        continue;
      }
      strings(*paths, alias, real, "host.paths." + alias, limits_.max_files);
      out.paths.emplace(alias, std::move(real));
    }
  }

  void readFiles(const json& host, Snapshot::Host& out) {
    const auto* files = object(host, "files", "host.files");
    if (files == nullptr) return;
    for (const auto& [path, entry] : files->items()) {
      if (out.files.size() >= limits_.max_files) {
        truncated("host.files", limits_.max_files);
        break;
      }
      const std::string where = "host.files." + path;
      FileFact file;
      file.path = path;
      file.state = fact(*files, path, where, [&](const json& s) {
        string(s, "type", file.type, where + ".type");
        mode(s, file.mode, where + ".mode");
        integer(s, "uid", file.uid, where + ".uid");
        integer(s, "gid", file.gid, where + ".gid");
        string(s, "user", file.user, where + ".user");
        string(s, "group", file.group, where + ".group");
        string(s, "link_target", file.link_target, where + ".link_target");
      });
      if (entry.is_null()) {
        problem(where, "null instead of an object");
        file.state = {FactStatus::Malformed, "null", {}};
      }
      out.files.emplace(path, std::move(file));
    }
  }

  // "0755" (octal text, as the snapshot writes it) or a number.
  void mode(const json& section, std::uint32_t& out, const std::string& where) {
    const auto* value = member(section, "mode");
    if (value == nullptr) return;
    if (value->is_string()) {
      const auto& text = value->get_ref<const std::string&>();
      std::uint32_t mode = 0;
      const bool octal =
          !text.empty() && text.size() <= 6 &&
          std::all_of(text.begin(), text.end(), [&](char c) { return c >= '0' && c <= '7'; });
      if (octal) {
        for (const char c : text) mode = mode * 8 + static_cast<std::uint32_t>(c - '0');
      }
      if (octal && mode <= 07777) {
        out = mode;
        return;
      }
    } else if (value->is_number_unsigned() && value->get<std::uint64_t>() <= 07777) {
      out = static_cast<std::uint32_t>(value->get<std::uint64_t>());
      return;
    }
    problem(where, fmt::format("{} is not a file mode", value->dump()));
    bad_ = true;
  }

  std::optional<AuditRule> readAuditRule(const json& item) {
    const std::string where = "host.audit.rules[]";
    if (!item.is_object()) {
      problem(where, "not an object");
      bad_ = true;
      return std::nullopt;
    }
    AuditRule rule;
    std::string kind = "watch";
    string(item, "kind", kind, where + ".kind");
    if (kind == "syscall") {
      rule.kind = AuditRule::Kind::Syscall;
    } else if (kind != "watch") {
      problem(where + ".kind", "neither watch nor syscall: " + kind);
      bad_ = true;
      return std::nullopt;
    }
    string(item, "path", rule.path, where + ".path");
    boolean(item, "dir", rule.dir, where + ".dir");
    string(item, "perms", rule.perms, where + ".perms");
    string(item, "key", rule.key, where + ".key");
    string(item, "raw", rule.raw, where + ".raw");
    return rule;
  }

  // dockerd's command line is read with a 128 KiB cap, so at most 64 Ki words; the collector
  // reads at most 4 096 processes per container.
  static constexpr std::size_t kMaxArgv = 65'536;
  static constexpr std::size_t kMaxProcesses = 65'536;

  core::Diagnostics& diagnostics_;
  const SnapshotLimits& limits_;
  bool bad_ = false;  // a member of the fact being read had the wrong type
};

// --- writing ---------------------------------------------------------------------------------

json stateJson(const FactState& state) {
  json out = json::object();
  out["status"] = std::string(toString(state.status));
  if (!state.detail.empty()) out["detail"] = state.detail;
  if (!state.source.empty()) out["source"] = state.source;
  return out;
}

json docJson(const DocFact& fact) {
  return {{"state", stateJson(fact.state)}, {"doc", fact.state.ok() ? fact.doc : json(nullptr)}};
}

json stringsJson(std::vector<std::string> values, bool sorted = false) {
  if (sorted) std::sort(values.begin(), values.end());
  json out = json::array();
  for (auto& value : values) out.push_back(std::move(value));
  return out;
}

json engineJson(const Snapshot::Engine& engine) {
  json out = json::object();
  out["endpoint"] = engine.endpoint;
  out["state"] = stateJson(engine.state);
  out["version"] = docJson(engine.version);
  out["info"] = docJson(engine.info);
  out["networks"] = docJson(engine.networks);
  out["plugins"] = docJson(engine.plugins);
  out["swarm"] = docJson(engine.swarm);
  out["nodes"] = docJson(engine.nodes);

  std::vector<const Container*> containers;
  for (const auto& c : engine.containers) containers.push_back(&c);
  std::stable_sort(containers.begin(), containers.end(), [](const auto* a, const auto* b) {
    return std::tie(a->name, a->id) < std::tie(b->name, b->id);
  });
  json items = json::array();
  for (const auto* c : containers) {
    json execs = json::array();
    if (c->execs_state.ok()) {
      for (const auto& exec : c->execs) execs.push_back(exec);
    }
    items.push_back(
        {{"id", c->id},
         {"name", c->name},
         {"summary", docJson(c->summary)},
         {"inspect", docJson(c->inspect)},
         {"processes",
          {{"state", stateJson(c->processes_state)},
           {"items", c->processes_state.ok() ? stringsJson(c->processes, true) : json::array()}}},
         {"execs", {{"state", stateJson(c->execs_state)}, {"items", execs}}}});
  }
  out["containers"] = {{"state", stateJson(engine.containers_state)}, {"items", items}};

  std::vector<const Image*> images;
  for (const auto& image : engine.images) images.push_back(&image);
  std::stable_sort(images.begin(), images.end(),
                   [](const auto* a, const auto* b) { return a->id < b->id; });
  items = json::array();
  for (const auto* image : images) {
    items.push_back({{"id", image->id},
                     {"tags", stringsJson(image->tags)},
                     {"inspect", docJson(image->inspect)},
                     {"history", docJson(image->history)}});
  }
  out["images"] = {{"state", stateJson(engine.images_state)}, {"items", items}};
  return out;
}

json fileJson(const FileFact& file) {
  json out = {{"state", stateJson(file.state)}};
  if (!file.state.ok()) return out;
  out["type"] = file.type;
  out["mode"] = fmt::format("{:04o}", file.mode & 07777U);
  out["uid"] = file.uid;
  out["gid"] = file.gid;
  out["user"] = file.user;
  out["group"] = file.group;
  if (!file.link_target.empty()) out["link_target"] = file.link_target;
  return out;
}

json hostJson(const Snapshot::Host& host) {
  json out = json::object();
  out["root"] = host.root;
  const auto& dockerd = host.dockerd;
  out["dockerd"] = {{"state", stateJson(dockerd.state)},
                    {"pid", dockerd.pid},
                    {"uid", dockerd.uid},
                    {"exe", dockerd.exe},
                    {"argv", stringsJson(dockerd.argv)}};
  out["daemon_json"] = {
      {"path", host.daemon_json.path},
      {"state", stateJson(host.daemon_json.state)},
      {"doc", host.daemon_json.state.ok() ? host.daemon_json.doc : json(nullptr)}};
  json paths = json::object();
  for (const auto& [alias, real] : host.paths) paths[alias] = stringsJson(real);
  out["paths"] = std::move(paths);
  json files = json::object();
  for (const auto& [path, file] : host.files) files[path] = fileJson(file);
  out["files"] = std::move(files);
  out["docker_group"] = {{"state", stateJson(host.docker_group.state)},
                         {"name", host.docker_group.name},
                         {"exists", host.docker_group.exists},
                         {"members", stringsJson(host.docker_group.members)}};
  json rules = json::array();
  for (const auto& rule : host.audit.rules) {
    rules.push_back({{"kind", rule.kind == AuditRule::Kind::Watch ? "watch" : "syscall"},
                     {"path", rule.path},
                     {"dir", rule.dir},
                     {"perms", rule.perms},
                     {"key", rule.key},
                     {"raw", rule.raw}});
  }
  out["audit"] = {{"state", stateJson(host.audit.state)}, {"rules", std::move(rules)}};
  json sockets = json::array();
  for (const auto& socket : host.listening.sockets) {
    sockets.push_back(
        {{"proto", socket.proto}, {"address", socket.address}, {"port", socket.port}});
  }
  out["listening"] = {{"state", stateJson(host.listening.state)}, {"sockets", std::move(sockets)}};
  json mounts = json::array();
  for (const auto& mount : host.mountinfo.mounts) {
    mounts.push_back(json::array({mount.point, mount.fstype, mount.source}));
  }
  out["mountinfo"] = {{"state", stateJson(host.mountinfo.state)}, {"mounts", std::move(mounts)}};
  json environment = json::object();
  for (const auto& [name, value] : host.environment) {
    environment[name] = value ? json(*value) : json(nullptr);
  }
  out["environment"] = std::move(environment);
  return out;
}

}  // namespace

std::string_view toString(FactStatus status) {
  switch (status) {
    case FactStatus::Ok: return "ok";
    case FactStatus::Missing: return "missing";
    case FactStatus::PermissionDenied: return "permission-denied";
    case FactStatus::Unreachable: return "unreachable";
    case FactStatus::Timeout: return "timeout";
    case FactStatus::Malformed: return "malformed";
    case FactStatus::NotCollected: return "not-collected";
  }
  return "not-collected";
}

bool parseFactStatus(std::string_view text, FactStatus& status) {
  for (const auto candidate :
       {FactStatus::Ok, FactStatus::Missing, FactStatus::PermissionDenied, FactStatus::Unreachable,
        FactStatus::Timeout, FactStatus::Malformed, FactStatus::NotCollected}) {
    if (toString(candidate) == text) {
      status = candidate;
      return true;
    }
  }
  return false;
}

model::NotEvaluatedCause causeOf(FactStatus status) {
  switch (status) {
    case FactStatus::Ok:
    case FactStatus::Missing: return model::NotEvaluatedCause::None;
    case FactStatus::PermissionDenied: return model::NotEvaluatedCause::PermissionDenied;
    case FactStatus::Unreachable: return model::NotEvaluatedCause::Unreachable;
    case FactStatus::Timeout: return model::NotEvaluatedCause::Timeout;
    case FactStatus::Malformed: return model::NotEvaluatedCause::Malformed;
    case FactStatus::NotCollected: return model::NotEvaluatedCause::MissingInput;
  }
  return model::NotEvaluatedCause::MissingInput;
}

core::Result<Snapshot> readSnapshot(std::string_view text, core::Diagnostics& diagnostics,
                                    const SnapshotLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return core::fail(core::ErrorCode::Limit, "snapshot is {} bytes, more than the {} allowed",
                      text.size(), limits.max_bytes);
  }
  if (!core::jsonNestingWithin(text, kMaxDepth)) {
    return core::fail(core::ErrorCode::Limit, "snapshot nests deeper than {} levels", kMaxDepth);
  }
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& error) {
    return core::fail(core::ErrorCode::Input, "snapshot is not JSON: {}", error.what());
  }
  if (!root.is_object()) return core::fail(core::ErrorCode::Input, "snapshot is not an object");
  const auto schema = root.find("schema");
  if (schema == root.end() || !schema->is_string()) {
    return core::fail(core::ErrorCode::Input, "not a Docker snapshot: no \"schema\" (expected {})",
                      kSnapshotSchema);
  }
  if (schema->get_ref<const std::string&>() != kSnapshotSchema) {
    return core::fail(core::ErrorCode::Input, "snapshot schema {} is not {}", schema->dump(),
                      kSnapshotSchema);
  }
  Snapshot snapshot;
  Reader(diagnostics, limits).read(root, snapshot);
  return snapshot;
}

std::string writeSnapshot(const Snapshot& snapshot) {
  json root = json::object();
  root["schema"] = snapshot.schema;
  root["collected_at"] = snapshot.collected_at;
  root["collector"] = {{"version", snapshot.collector_version}, {"uid", snapshot.collector_uid}};
  root["hostname"] = snapshot.hostname;
  root["engine"] = engineJson(snapshot.engine);
  root["host"] = hostJson(snapshot.host);
  json diagnostics = json::array();
  for (const auto& d : snapshot.diagnostics) {
    diagnostics.push_back({{"kind", d.kind}, {"where", d.where}, {"detail", d.detail}});
  }
  root["diagnostics"] = std::move(diagnostics);
  return root.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace bulwark::checks::docker
