// The runtime detection flow (docs/dev/runtime-design.md §5.1): load Falco-compatible rule files,
// compile them against the field tables, read events from the sources, match every event and
// hand each alert to the caller. `bulwark detect` and the accuracy tests both run it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostic.h"
#include "core/result.h"
#include "rules/loader.h"
#include "rules/ruleset.h"

namespace bulwark::pipeline {

// Rule files loaded and compiled; `result` has every message, `ruleset` the rules that compiled.
struct LoadedRules {
  rules::RulesSource source;
  rules::LoadResult result;
  rules::Ruleset ruleset;
};

// Files and directories in order; rules below `min_priority` are left out. No path, or the
// word "builtin" among them (write ./builtin for a file of that name), loads bulwark's embedded
// rules (data/rules/).
std::unique_ptr<LoadedRules> loadRules(const std::vector<std::string>& paths,
                                       rules::Priority min_priority);

struct Alert {
  const rules::Rule* rule = nullptr;
  // A UUID (version 8: the event's time in ms, then a digest) that the same alert of the same
  // event always gets: a resent or replayed alert is a duplicate the server drops, not a second
  // alert, and output stays deterministic. JSON's "alert_id"; set with output_fields only.
  std::string id;
  std::int64_t ts_ns = 0;
  std::string output;  // the rendered template, without time and priority
  std::vector<std::pair<std::string, std::optional<std::string>>> fields;  // output_fields
  // A sequence rule's earlier steps' events (set with output_fields only): JSON's
  // output_fields["bw.seq.related"], the evidence of how the sequence came about.
  std::vector<rules::RelatedEvent> related;
  bool simulated = false;  // from `--simulate`: JSON output_fields say "simulated": true
};

enum class AlertFormat { Text, Json };

// A `--source` argument, parsed.
struct SourceSpec {
  enum class Kind {
    K8sAuditFile,
    K8sAuditWebhook,
    EventsFile,
    Proc,
    Ebpf,
    AuditdFile,
    AuditdLive,
    Docker
  };
  Kind kind = Kind::K8sAuditFile;
  std::string path;                   // K8sAuditFile, EventsFile, AuditdFile; Docker: endpoint
  std::string address = "127.0.0.1";  // K8sAuditWebhook
  int port = 0;
};

// "k8s-audit:FILE", "k8s-audit-webhook:[HOST:]PORT" (HOST may be "[::1]"), "events:FILE" (a
// bulwark.events/v1 recording of host events), "auditd:FILE" (a Linux audit log), "proc" (this
// host's processes, live, through the kernel's proc connector), "ebpf", "auditd-live" (the
// kernel's audit records from its netlink multicast group), "docker[:ENDPOINT]" (the
// Docker Engine's container events; default endpoint: DetectOptions::docker_endpoint); Usage
// error else.
core::Result<SourceSpec> parseSource(const std::string& spec);

struct DetectOptions {
  std::vector<std::string> sources;  // --source arguments
  bool first_match = false;          // Falco's rule_matching: first
  bool output_fields = false;        // fill Alert::fields (JSON output needs them)
  bool use_index = true;             // off: every rule on every event (differential tests)
  // Files: keep reading after their end (rotation and truncation handled) until *stop; with
  // from_end, start at the end.
  bool follow = false;
  bool from_end = false;
  // Webhooks: the bearer token they require (empty: none, loopback only) and TLS.
  std::string webhook_token;
  std::string tls_cert;
  std::string tls_key;
  // Host sensors: the /proc to read (a host's, mounted elsewhere in a container), the Docker
  // daemon that describes containers (empty: none), and the name alerts give the host.
  std::string proc_root = "/proc";
  std::string docker_endpoint = "unix:///var/run/docker.sock";
  std::string hostname;
  // Host events (every syscall-source event, live or read) are also written here as a
  // bulwark.events/v1 recording, which `-s events:FILE` replays with the same alerts.
  std::string record;
  // The events are a `--simulate` replay: every alert is marked simulated.
  bool simulated = false;
  // Sources that never end (followed files, webhooks, live sensors) run until this is set.
  const std::atomic<bool>* stop = nullptr;
  // Called once per webhook source when it listens, with its port (0 in the spec: any), and
  // once per live sensor and per followed file when it is ready (port 0).
  std::function<void(const SourceSpec&, int port)> on_listening;
  // Diagnostics go here as they happen instead of into the summary (long runs stay bounded).
  std::function<void(const core::Diagnostic&)> on_diagnostic;
};

struct DetectSummary {
  std::uint64_t events = 0;
  std::uint64_t alerts = 0;
  std::map<std::string, std::uint64_t> alerts_by_rule;
  std::vector<core::Diagnostic> diagnostics;  // without on_diagnostic
  std::size_t diagnostic_count = 0;
};

// Runs every source, matching each event; `on_alert` sees every alert, one at a time. Files
// without --follow are read one after the other, in order (the output is deterministic); with
// --follow, or with a webhook, every source runs on its own thread until options.stop. A source
// that cannot be opened is an error (the others are stopped); bad events are diagnostics.
core::Result<DetectSummary> runDetect(const DetectOptions& options, const rules::Ruleset& ruleset,
                                      const std::function<void(const Alert&)>& on_alert);

// The alerts of one event, as runDetect raises them (options: first_match, output_fields,
// use_index, simulated): every rule of the event's source whose condition holds, with (when
// output_fields) the id alertId(rule, event.ts_ns, event.num). `context` is the caller's, one per
// thread; the alerts point into `ruleset`. For callers that get events their own way (`serve`'s
// /k8s-audit).
std::vector<Alert> matchEvent(const events::Event& event, const rules::Ruleset& ruleset,
                              rules::EvalContext& context, const DetectOptions& options);
// The same into `alerts`, kept from call to call so that its alerts' strings keep their
// capacity: returns how many of its first entries the event raised (the others are stale).
std::size_t matchEvent(const events::Event& event, const rules::Ruleset& ruleset,
                       rules::EvalContext& context, const DetectOptions& options,
                       std::vector<Alert>& alerts);

// One line as Falco prints it: text `HH:MM:SS.nnnnnnnnn: Priority output` (local time, or ISO
// 8601 UTC with `iso8601`), or Falco's JSON alert object.
std::string formatAlert(const Alert& alert, AlertFormat format, bool iso8601,
                        const std::string& hostname);

// The id of rule `rule`'s alert on the event numbered `num` (from 1 in its source) at `ts_ns`.
// The host is not part of it: the same recording replayed on two hosts gives the same alerts.
std::string alertId(std::string_view rule, std::int64_t ts_ns, std::uint64_t num);

}  // namespace bulwark::pipeline
