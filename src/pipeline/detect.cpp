#include "pipeline/detect.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "events/auditd/file_reader.h"
#include "events/auditd/mapping.h"
#include "events/auditd/netlink_source.h"
#include "events/docker/docker_source.h"
#include "events/ebpf/ebpf_source.h"
#include "events/k8s_audit/file_source.h"
#include "events/k8s_audit/webhook_source.h"
#include "events/proc/proc_source.h"
#include "events/replay/replay_source.h"
#include "pipeline/container_metadata.h"
#include "rules/builtin.h"

namespace bulwark::pipeline {

namespace {

constexpr std::string_view kK8sAuditFile = "k8s-audit:";
constexpr std::string_view kK8sAuditWebhook = "k8s-audit-webhook:";
constexpr std::string_view kEventsFile = "events:";
constexpr std::string_view kProc = "proc";
constexpr std::string_view kEbpf = "ebpf";
constexpr std::string_view kAuditdFile = "auditd:";
constexpr std::string_view kBuiltinRules = "builtin";
constexpr std::string_view kDocker = "docker";
constexpr std::string_view kAuditdLive = "auditd-live";

// The broken-down time of a second, UTC or local; alerts come in bursts from the same second,
// so the last answer is kept (per thread).
const std::tm& brokenDown(std::time_t seconds, bool local) {
  struct Cached {
    std::time_t seconds = -1;
    std::tm tm{};
  };
  thread_local Cached cache[2];
  Cached& cached = cache[local ? 1 : 0];
  if (cached.seconds != seconds) {
    cached.seconds = seconds;
    if (local) {
      localtime_r(&seconds, &cached.tm);
    } else {
      gmtime_r(&seconds, &cached.tm);
    }
  }
  return cached.tm;
}

// `value` in `width` decimal digits, zero-padded (value < 10^width).
void appendDigits(std::string& out, std::uint32_t value, std::size_t width) {
  const std::size_t end = out.size() + width;
  out.resize(end);
  for (std::size_t at = end; at > end - width; --at) {
    out[at - 1] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// Seconds and nanoseconds of a time, the nanoseconds in [0, 10^9) also before 1970.
struct SplitTime {
  std::time_t seconds;
  std::uint32_t nanos;
};

SplitTime split(std::int64_t ts_ns) {
  std::int64_t seconds = ts_ns / 1'000'000'000;
  std::int64_t nanos = ts_ns % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --seconds;
  }
  return {static_cast<std::time_t>(seconds), static_cast<std::uint32_t>(nanos)};
}

// HH:MM:SS.nnnnnnnnn of a broken-down time. The times of alert lines are written digit by
// digit: with fmt, formatting them was a tenth of a run over an alert-heavy audit log.
void appendClock(std::string& out, const std::tm& tm, std::uint32_t nanos) {
  appendDigits(out, static_cast<std::uint32_t>(tm.tm_hour), 2);
  out += ':';
  appendDigits(out, static_cast<std::uint32_t>(tm.tm_min), 2);
  out += ':';
  appendDigits(out, static_cast<std::uint32_t>(tm.tm_sec), 2);
  out += '.';
  appendDigits(out, nanos, 9);
}

// 2024-05-01T10:00:00.000000000Z
void appendIso8601(std::string& out, std::int64_t ts_ns) {
  const auto [seconds, nanos] = split(ts_ns);
  const std::tm& utc = brokenDown(seconds, false);
  const int year = utc.tm_year + 1900;
  if (year < 0 || year > 9999) {
    out += fmt::format("{:04}", year);  // outside the four digits of ISO 8601's basic years
  } else {
    appendDigits(out, static_cast<std::uint32_t>(year), 4);
  }
  out += '-';
  appendDigits(out, static_cast<std::uint32_t>(utc.tm_mon + 1), 2);
  out += '-';
  appendDigits(out, static_cast<std::uint32_t>(utc.tm_mday), 2);
  out += 'T';
  appendClock(out, utc, nanos);
  out += 'Z';
}

std::string iso8601(std::int64_t ts_ns) {
  std::string out;
  appendIso8601(out, ts_ns);
  return out;
}

// Falco's `output` text: time, priority, the rendered template.
std::string textLine(const Alert& alert, bool iso) {
  const std::string_view priority = rules::toString(alert.rule->item->priority);
  std::string line;
  line.reserve(40 + priority.size() + alert.output.size());
  if (iso) {
    appendIso8601(line, alert.ts_ns);
  } else {
    const auto [seconds, nanos] = split(alert.ts_ns);
    appendClock(line, brokenDown(seconds, true), nanos);
  }
  line += ": ";
  line += priority;
  line += ' ';
  line += alert.output;
  if (alert.simulated) line += " (simulated)";
  return line;
}

}  // namespace

std::unique_ptr<LoadedRules> loadRules(const std::vector<std::string>& paths,
                                       rules::Priority min_priority) {
  auto loaded = std::make_unique<LoadedRules>();
  if (paths.empty()) rules::loadBuiltinRules(loaded->source, loaded->result);
  for (const auto& path : paths) {
    if (path == kBuiltinRules) {
      rules::loadBuiltinRules(loaded->source, loaded->result);
    } else {
      rules::loadRulesPath(path, loaded->source, loaded->result);
    }
  }
  auto compiled = rules::compileRules(loaded->source, loaded->result);
  loaded->ruleset =
      rules::Ruleset::build(compiled, min_priority, loaded->result, &loaded->source.intel);
  return loaded;
}

core::Result<SourceSpec> parseSource(const std::string& spec) {
  SourceSpec out;
  if (spec.starts_with(kK8sAuditFile) && spec.size() > kK8sAuditFile.size()) {
    out.path = spec.substr(kK8sAuditFile.size());
    return out;
  }
  if (spec == kProc) {
    out.kind = SourceSpec::Kind::Proc;
    return out;
  }
  if (spec == kEbpf) {
    out.kind = SourceSpec::Kind::Ebpf;
    return out;
  }
  if (spec == kAuditdLive) {
    out.kind = SourceSpec::Kind::AuditdLive;
    return out;
  }
  if (spec == kDocker || (spec.starts_with(kDocker) && spec.size() > kDocker.size() + 1 &&
                          spec[kDocker.size()] == ':')) {
    out.kind = SourceSpec::Kind::Docker;
    if (spec.size() > kDocker.size()) out.path = spec.substr(kDocker.size() + 1);
    return out;
  }
  if (spec.starts_with(kAuditdFile) && spec.size() > kAuditdFile.size()) {
    out.kind = SourceSpec::Kind::AuditdFile;
    out.path = spec.substr(kAuditdFile.size());
    return out;
  }
  if (spec.starts_with(kEventsFile) && spec.size() > kEventsFile.size()) {
    out.kind = SourceSpec::Kind::EventsFile;
    out.path = spec.substr(kEventsFile.size());
    return out;
  }
  if (spec.starts_with(kK8sAuditWebhook)) {
    out.kind = SourceSpec::Kind::K8sAuditWebhook;
    std::string_view rest = std::string_view(spec).substr(kK8sAuditWebhook.size());
    std::string_view port = rest;
    if (rest.starts_with('[')) {  // [::1]:9765
      const std::size_t close = rest.find("]:");
      if (close == std::string_view::npos) {
        return core::fail(core::ErrorCode::Usage, "source '{}': expected [HOST]:PORT", spec);
      }
      out.address = std::string(rest.substr(1, close - 1));
      port = rest.substr(close + 2);
    } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
      if (colon != 0) out.address = std::string(rest.substr(0, colon));
      port = rest.substr(colon + 1);
    }
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (ec != std::errc() || end != port.data() + port.size() || out.port < 0 || out.port > 65535) {
      return core::fail(core::ErrorCode::Usage, "source '{}': '{}' is not a port", spec, port);
    }
    return out;
  }
  return core::fail(core::ErrorCode::Usage,
                    "unknown event source '{}' (this build reads k8s-audit:FILE, "
                    "k8s-audit-webhook:[HOST:]PORT, events:FILE, auditd:FILE, auditd-live, proc, "
                    "ebpf and docker[:ENDPOINT])",
                    spec);
}

namespace {

// Matches one source's events; alerts and counts go through the run's lock, so sources on
// different threads share the callback safely.
class SourceRun {
 public:
  SourceRun(const DetectOptions& options, const rules::Ruleset& ruleset, std::mutex& lock,
            DetectSummary& summary, const std::function<void(const Alert&)>& on_alert,
            std::FILE* record = nullptr)
      : options_(options),
        ruleset_(ruleset),
        lock_(lock),
        summary_(summary),
        on_alert_(on_alert),
        record_(record),
        alerts_by_rule_(ruleset.rules().size()) {}
  SourceRun(const SourceRun&) = delete;
  SourceRun& operator=(const SourceRun&) = delete;
  // The counts per rule into the summary's map: by name once, not at every alert.
  ~SourceRun() {
    const auto rules = ruleset_.rules();
    const std::lock_guard guard(lock_);
    for (std::size_t i = 0; i < rules.size(); ++i) {
      if (alerts_by_rule_[i] > 0)
        summary_.alerts_by_rule[rules[i].item->name] += alerts_by_rule_[i];
    }
  }

  void operator()(const events::Event& event) {
    if (record_ != nullptr && event.source == events::Source::Syscall) {
      const std::string line = events::replay::encodeLine(
          *static_cast<const events::host::HostEvent*>(event.payload), event.ts_ns);
      const std::lock_guard guard(lock_);
      std::fwrite(line.data(), 1, line.size(), record_);
      std::fputc('\n', record_);
    }
    const std::size_t count = matchEvent(event, ruleset_, context_, options_, alerts_);
    const std::lock_guard guard(lock_);
    ++summary_.events;
    for (std::size_t i = 0; i < count; ++i) {
      const Alert& alert = alerts_[i];
      ++summary_.alerts;
      ++alerts_by_rule_[static_cast<std::size_t>(alert.rule - ruleset_.rules().data())];
      on_alert_(alert);
    }
  }

 private:
  const DetectOptions& options_;
  const rules::Ruleset& ruleset_;
  std::mutex& lock_;
  DetectSummary& summary_;
  const std::function<void(const Alert&)>& on_alert_;
  std::FILE* record_;
  rules::EvalContext context_;
  std::vector<Alert> alerts_;                  // the event's, reused (see matchEvent)
  std::vector<std::uint64_t> alerts_by_rule_;  // by index in ruleset_.rules(), under lock_
};

}  // namespace

std::vector<Alert> matchEvent(const events::Event& event, const rules::Ruleset& ruleset,
                              rules::EvalContext& context, const DetectOptions& options) {
  std::vector<Alert> alerts;
  alerts.resize(matchEvent(event, ruleset, context, options, alerts));
  return alerts;
}

std::size_t matchEvent(const events::Event& event, const rules::Ruleset& ruleset,
                       rules::EvalContext& context, const DetectOptions& options,
                       std::vector<Alert>& alerts) {
  std::size_t count = 0;
  ruleset.match(
      event, context, options.first_match,
      [&](const rules::Rule& rule) {
        if (count == alerts.size()) alerts.emplace_back();
        Alert& alert = alerts[count++];
        alert.rule = &rule;
        alert.ts_ns = event.ts_ns;
        alert.simulated = options.simulated;
        alert.id.clear();
        alert.fields.clear();
        alert.related.clear();
        // Only JSON alerts (and every output but stdout and files: output_fields) carry it.
        if (options.output_fields) alert.id = alertId(rule.item->name, event.ts_ns, event.num);
        alert.output.clear();
        rules::Ruleset::render(rule, context, alert.output);
        // A folded YAML template (`output: >`) ends in a newline; the alert line does not.
        while (!alert.output.empty() &&
               (alert.output.back() == '\n' || alert.output.back() == ' ')) {
          alert.output.pop_back();
        }
        if (options.output_fields) {
          alert.fields = rules::Ruleset::outputFields(rule, context);
          if (rule.stateful) alert.related = context.related();
        }
      },
      options.use_index);
  return count;
}

core::Result<DetectSummary> runDetect(const DetectOptions& options, const rules::Ruleset& ruleset,
                                      const std::function<void(const Alert&)>& on_alert) {
  std::vector<SourceSpec> specs;
  for (const auto& text : options.sources) {
    auto spec = parseSource(text);
    if (!spec) return tl::unexpected(spec.error());
    specs.push_back(std::move(*spec));
  }
  std::unique_ptr<std::FILE, decltype(&std::fclose)> record(nullptr, &std::fclose);
  if (!options.record.empty()) {
    record.reset(std::fopen(options.record.c_str(), "w"));
    if (!record) {
      return core::fail(core::ErrorCode::Io, "--record {}: {}", options.record,
                        std::strerror(errno));
    }
  }
  DetectSummary summary;
  std::mutex lock;
  core::Diagnostics diagnostics;
  if (options.on_diagnostic) {
    diagnostics.forward(
        [&](const core::Diagnostic& diagnostic) { options.on_diagnostic(diagnostic); });
  }

  // The live sensors report some calls only (proc: execs and exits; ebpf: those, connects,
  // accepts and opens; docker: container events): when they are the run's only host sources,
  // say which syscall rules can never fire.
  const auto has = [&](SourceSpec::Kind kind) {
    return std::any_of(specs.begin(), specs.end(),
                       [kind](const SourceSpec& spec) { return spec.kind == kind; });
  };
  if ((has(SourceSpec::Kind::Proc) || has(SourceSpec::Kind::Ebpf) ||
       has(SourceSpec::Kind::Docker)) &&
      !has(SourceSpec::Kind::EventsFile) && !has(SourceSpec::Kind::AuditdFile) &&
      !has(SourceSpec::Kind::AuditdLive)) {
    std::set<std::string> reported;
    std::vector<std::string> sensors;
    if (has(SourceSpec::Kind::Ebpf)) {
      reported.insert({"execve", "procexit", "connect", "accept", "accept4", "open", "openat",
                       "openat2", "creat"});
      sensors.emplace_back("ebpf (execve, procexit, connect, accept and opens)");
    } else if (has(SourceSpec::Kind::Proc)) {
      reported.insert({"execve", "procexit"});
      sensors.emplace_back("proc (execve and procexit)");
    }
    if (has(SourceSpec::Kind::Docker)) {
      reported.insert({"container", "docker"});
      sensors.emplace_back("docker (container and docker)");
    }
    const auto idle = ruleset.rulesOutside(events::Source::Syscall, "evt.type", reported);
    if (!idle.empty()) {
      const std::string first = sensors.front().substr(0, sensors.front().find(' '));
      std::string seen;
      for (const auto& sensor : sensors) seen += (seen.empty() ? "" : "; ") + sensor;
      diagnostics.add(first + ".idle-rules", first,
                      fmt::format("{} syscall rule(s) wait for calls the sensors of this run do "
                                  "not report (they see: {}), e.g. '{}'",
                                  idle.size(), seen, idle.front()->item->name));
    }
  }

  // A source that fails stops the others; the first failure is the run's error.
  std::atomic<bool> failed{false};
  std::optional<core::Error> failure;
  std::atomic<bool> stop_all{false};
  const auto stopping = [&] {
    return stop_all.load() || (options.stop != nullptr && options.stop->load());
  };
  const auto fail = [&](core::Error error) {
    const std::lock_guard guard(lock);
    if (!failure) failure = std::move(error);
    failed = true;
    stop_all = true;
  };

  std::vector<std::unique_ptr<events::k8s_audit::WebhookSource>> webhooks;
  for (const auto& spec : specs) {
    if (spec.kind != SourceSpec::Kind::K8sAuditWebhook) continue;
    events::k8s_audit::WebhookOptions webhook;
    webhook.address = spec.address;
    webhook.port = spec.port;
    webhook.token = options.webhook_token;
    webhook.tls_cert = options.tls_cert;
    webhook.tls_key = options.tls_key;
    auto& source = webhooks.emplace_back(
        std::make_unique<events::k8s_audit::WebhookSource>(std::move(webhook)));
    if (auto bound = source->bind(); !bound) return tl::unexpected(bound.error());
    if (options.on_listening) options.on_listening(spec, source->port());
  }

  const bool live = std::any_of(specs.begin(), specs.end(), [](const SourceSpec& spec) {
    return spec.kind == SourceSpec::Kind::Proc || spec.kind == SourceSpec::Kind::Ebpf ||
           spec.kind == SourceSpec::Kind::Docker || spec.kind == SourceSpec::Kind::AuditdLive;
  });
  const bool concurrent = options.follow || !webhooks.empty() || live;

  // Stops the sources when the caller or a failing source asks. In runs that do not end, it
  // also rereads the threat-intel sets whose files changed (every 2 s; reads of finite files
  // keep the sets they started with, so that their alerts stay deterministic).
  std::atomic<bool> stop_sources{false};
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    for (std::uint64_t tick = 1; !done.load(); ++tick) {
      if (stopping()) stop_sources = true;
      if (concurrent && tick % 100 == 0) {
        rules::reloadChangedIntel(ruleset.intel(),
                                  [&](const std::string& name, const std::string& message) {
                                    diagnostics.add("rules.intel", name, message);
                                  });
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const auto run_file = [&](const SourceSpec& spec) {
    events::k8s_audit::FollowOptions follow;
    follow.follow = options.follow;
    follow.from_end = options.from_end;
    if (options.follow && options.on_listening)
      follow.on_ready = [&] { options.on_listening(spec, 0); };
    events::k8s_audit::FileSource source(spec.path, follow);
    SourceRun run(options, ruleset, lock, summary, on_alert, record.get());
    auto status = source.run(std::ref(run), diagnostics, &stop_sources);
    if (!status) fail(withContext(status.error(), spec.path).value());
  };
  const auto run_replay = [&](const SourceSpec& spec) {
    events::replay::ReplaySource source(spec.path);
    SourceRun run(options, ruleset, lock, summary, on_alert, record.get());
    auto status = source.run(std::ref(run), diagnostics, &stop_sources);
    if (!status) fail(withContext(status.error(), spec.path).value());
  };
  const auto run_proc = [&](const SourceSpec& spec) {
    events::proc::ProcSourceOptions proc;
    proc.proc_root = options.proc_root;
    proc.hostname = options.hostname;
    if (!options.docker_endpoint.empty()) {
      // No daemon is fine (containers keep id and runtime); a bad endpoint is the user's error.
      auto resolver = dockerContainerResolver(options.docker_endpoint);
      if (!resolver) {
        fail(resolver.error());
        return;
      }
      proc.resolve_container = std::move(*resolver);
    }
    proc.on_ready = [&] {
      if (options.on_listening) options.on_listening(spec, 0);
    };
    events::proc::ProcSource source(std::move(proc));
    SourceRun run(options, ruleset, lock, summary, on_alert, record.get());
    auto status = source.run(std::ref(run), diagnostics, &stop_sources);
    if (!status) fail(status.error());
  };
  const auto run_ebpf = [&](const SourceSpec& spec) {
    events::ebpf::EbpfSourceOptions ebpf;
    ebpf.proc_root = options.proc_root;
    ebpf.hostname = options.hostname;
    if (!options.docker_endpoint.empty()) {
      auto resolver = dockerContainerResolver(options.docker_endpoint);
      if (!resolver) {
        fail(resolver.error());
        return;
      }
      ebpf.resolve_container = std::move(*resolver);
    }
    ebpf.on_ready = [&] {
      if (options.on_listening) options.on_listening(spec, 0);
    };
    events::ebpf::EbpfSource source(std::move(ebpf));
    SourceRun run(options, ruleset, lock, summary, on_alert, record.get());
    auto status = source.run(std::ref(run), diagnostics, &stop_sources);
    if (!status) fail(status.error());
  };
  const auto run_docker = [&](const SourceSpec& spec) {
    events::docker::DockerSourceOptions docker;
    docker.endpoint = spec.path.empty() ? options.docker_endpoint : spec.path;
    if (docker.endpoint.empty()) {
      fail(core::Error{core::ErrorCode::Usage,
                       "source docker: no Docker endpoint (--docker-host none); give "
                       "docker:unix:///path"});
      return;
    }
    docker.hostname = options.hostname;
    auto resolver = dockerContainerResolver(docker.endpoint);
    if (!resolver) {
      fail(resolver.error());
      return;
    }
    docker.resolve_container = std::move(*resolver);
    docker.on_ready = [&] {
      if (options.on_listening) options.on_listening(spec, 0);
    };
    events::docker::DockerSource source(std::move(docker));
    SourceRun run(options, ruleset, lock, summary, on_alert, record.get());
    auto status = source.run(std::ref(run), diagnostics, &stop_sources);
    if (!status) fail(status.error());
  };
  const auto run_auditd = [&](const SourceSpec& spec) {
    SourceRun run(options, ruleset, lock, summary, on_alert, record.get());
    events::host::HostEvent host_event;
    std::uint64_t num = 0;
    const auto on_audit = [&](const events::auditd::AuditEvent& audit) {
      events::auditd::toHostEvent(audit, host_event);
      host_event.hostname = options.hostname;
      events::Event event;
      event.source = events::Source::Syscall;
      event.ts_ns = audit.ts_ns;
      event.num = ++num;
      event.payload = &host_event;
      run(event);
    };
    if (spec.kind == SourceSpec::Kind::AuditdLive) {
      events::auditd::NetlinkSource source([&] {
        if (options.on_listening) options.on_listening(spec, 0);
      });
      auto status = source.run(on_audit, diagnostics, &stop_sources);
      if (!status) fail(status.error());
      return;
    }
    events::auditd::LogFileOptions file;
    file.follow.follow = options.follow;
    file.follow.from_end = options.from_end;
    if (options.follow && options.on_listening) {
      file.follow.on_ready = [&] { options.on_listening(spec, 0); };
    }
    auto read = events::auditd::readLogFile(spec.path, on_audit, diagnostics, file, &stop_sources);
    if (!read) fail(withContext(read.error(), spec.path).value());
  };
  const auto run_one = [&](const SourceSpec& spec) {
    if (spec.kind == SourceSpec::Kind::AuditdFile || spec.kind == SourceSpec::Kind::AuditdLive) {
      run_auditd(spec);
    } else if (spec.kind == SourceSpec::Kind::Proc) {
      run_proc(spec);
    } else if (spec.kind == SourceSpec::Kind::Ebpf) {
      run_ebpf(spec);
    } else if (spec.kind == SourceSpec::Kind::Docker) {
      run_docker(spec);
    } else if (spec.kind == SourceSpec::Kind::EventsFile) {
      run_replay(spec);
    } else {
      run_file(spec);
    }
  };
  std::size_t next_webhook = 0;
  const auto run_webhook = [&](events::k8s_audit::WebhookSource& source) {
    SourceRun run(options, ruleset, lock, summary, on_alert, record.get());
    auto status = source.run(std::ref(run), diagnostics, &stop_sources);
    if (!status) fail(status.error());
  };

  if (!concurrent) {
    for (const auto& spec : specs) {
      run_one(spec);
      if (failed) break;
    }
  } else {
    std::vector<std::thread> threads;
    for (const auto& spec : specs) {
      if (spec.kind != SourceSpec::Kind::K8sAuditWebhook) {
        threads.emplace_back([&run_one, &spec] { run_one(spec); });
      } else {
        threads.emplace_back(
            [&run_webhook, source = webhooks[next_webhook++].get()] { run_webhook(*source); });
      }
    }
    for (auto& thread : threads) thread.join();
  }
  done = true;
  watcher.join();
  if (record && std::fflush(record.get()) != 0) {
    return core::fail(core::ErrorCode::Io, "--record {}: {}", options.record, std::strerror(errno));
  }
  if (failure) return tl::unexpected(*failure);
  summary.diagnostics = diagnostics.sorted();
  summary.diagnostic_count = diagnostics.size();
  return summary;
}

std::string formatAlert(const Alert& alert, AlertFormat format, bool iso8601_time,
                        const std::string& hostname) {
  if (format == AlertFormat::Text) return textLine(alert, iso8601_time);
  nlohmann::ordered_json out;
  out["hostname"] = hostname;
  out["output"] = textLine(alert, iso8601_time);
  out["priority"] = rules::toString(alert.rule->item->priority);
  out["rule"] = alert.rule->item->name;
  out["source"] = alert.rule->item->source;
  out["tags"] = alert.rule->item->tags;
  out["time"] = iso8601(alert.ts_ns);
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  for (const auto& [name, value] : alert.fields) {
    fields[name] = value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
  }
  if (!alert.related.empty()) {
    nlohmann::ordered_json related = nlohmann::ordered_json::array();
    for (const auto& event : alert.related) {
      nlohmann::ordered_json one = {{"evt.num", event.num}, {"evt.time", iso8601(event.ts_ns)}};
      for (const auto& [name, value] : event.fields) one[std::string(name)] = value;
      related.push_back(std::move(one));
    }
    fields["bw.seq.related"] = std::move(related);
  }
  if (alert.simulated) fields["simulated"] = true;
  out["output_fields"] = std::move(fields);
  // Ours: keys Falco's consumers do not know and ignore.
  if (!alert.id.empty()) out["alert_id"] = alert.id;
  const rules::RuleItem& item = *alert.rule->item;
  if (!item.id.empty()) {
    out["bulwark"] = {
        {"id", item.id}, {"remediation", item.remediation}, {"references", item.references}};
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string alertId(std::string_view rule, std::int64_t ts_ns, std::uint64_t num) {
  // Written by hand, not with fmt: one id per alert, and formatting it took more time than
  // matching the event on alert-heavy streams.
  std::string input;
  input.reserve(rule.size() + 44);
  input.append(rule);
  std::array<char, 24> number{};
  input += '\n';
  input.append(number.data(),
               std::to_chars(number.data(), number.data() + number.size(), ts_ns).ptr);
  input += '\n';
  input.append(number.data(), std::to_chars(number.data(), number.data() + number.size(), num).ptr);
  const std::string digest = core::sha256Hex(input);
  // RFC 9562 layout: 48 bits of Unix ms, version 8, 12 digest bits, variant 10, 62 digest bits:
  // "tttttttt-tttt-8ddd-vddd-dddddddddddd".
  static constexpr std::string_view kHex = "0123456789abcdef";
  const std::uint64_t ms = ts_ns > 0 ? static_cast<std::uint64_t>(ts_ns / 1000000) : 0;
  std::string out(36, '-');
  for (int i = 0; i < 12; ++i) {
    out[static_cast<std::size_t>(i < 8 ? i : i + 1)] = kHex[(ms >> (44 - 4 * i)) & 0xfU];
  }
  out[14] = '8';
  out.replace(15, 3, digest, 0, 3);
  out[19] = "89ab"[kHex.find(digest[15]) & 3U];
  out.replace(20, 3, digest, 3, 3);
  out.replace(24, 12, digest, 6, 12);
  return out;
}

}  // namespace bulwark::pipeline
