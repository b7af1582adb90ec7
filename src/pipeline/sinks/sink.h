// Alert outputs of `bulwark detect` (docs/dev/runtime-design.md §5.1 "Outputs", docs/cli.md
// "Outputs"): stdout, file, syslog (RFC 5424 over UDP, TCP, TLS), CEF over syslog, HTTP(S) POST
// and NATS JetStream. Every sink runs on its own thread behind a bounded queue, so the engine
// never waits for a slow receiver; a full queue drops the alert and counts it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"
#include "rules/loader.h"

namespace bulwark::pipeline::sinks {

// One alert as every sink needs it, built once and shared by the sinks (the engine's Alert
// points into the ruleset and its context, which the sink threads must not read).
struct SinkAlert {
  std::string rule;     // the rule's name
  std::string rule_id;  // ours (built-in rules); empty for Falco's
  rules::Priority priority = rules::Priority::Debug;
  std::vector<std::string> tags;
  std::int64_t ts_ns = 0;
  std::string hostname;
  std::string output;  // the rendered template
  std::string line;    // as --format prints it (stdout, file)
  std::string json;    // Falco's JSON alert (syslog, HTTP, NATS)
  std::vector<std::pair<std::string, std::optional<std::string>>> fields;  // output_fields
};

// A parsed `-o` argument.
struct SinkSpec {
  enum class Kind { Stdout, File, SyslogUdp, SyslogTcp, SyslogTls, CefUdp, CefTcp, Http, Nats };
  Kind kind = Kind::Stdout;
  std::string text;     // as given
  std::string path;     // File
  std::string host;     // syslog, CEF, NATS (without brackets for IPv6)
  int port = 0;         // syslog, CEF, NATS
  int facility = 16;    // syslog, CEF: local0 unless ?facility=N
  std::string ca;       // SyslogTls: ?ca=FILE (else the system's CAs)
  std::string url;      // Http
  std::string stream;   // Nats
  std::string subject;  // Nats
};

// "stdout", "file:PATH", "syslog+udp|tcp|tls://H:P[?facility=N][&ca=FILE]",
// "cef+udp|tcp://H:P[?facility=N]", "http(s)://URL", "nats://H:P/STREAM/SUBJECT"; a Usage error
// naming what is wrong else.
core::Result<SinkSpec> parseSinkSpec(const std::string& text);

// The spec as printed in stats lines: URL credentials (user:password@) are hidden.
std::string displayName(const SinkSpec& spec);

// What sinks share: the product version (CEF header), the HTTP bearer token and CA file.
struct SinkContext {
  std::string version;
  std::string http_token;  // --output-token-file's first line; empty: no Authorization
  std::string http_ca;     // --output-ca: CURLOPT_CAINFO
  std::string procid;      // syslog PROCID ("-" when empty)
};

enum class Delivery { Sent, Rejected, Failed };

// One output. write() and flush() are called on the sink's own thread only; a sink that waits
// (retries, reconnects) waits through sleepFor(), which ends early once the exit bound is hit.
class Sink {
 public:
  virtual ~Sink() = default;
  // Sent; Rejected: the receiver refused this alert (it will not be retried); Failed: it could
  // not be delivered (network, disk). `error` gets the reason of anything but Sent.
  virtual Delivery write(const SinkAlert& alert, std::string& error) = 0;
  // The queue ran empty: push out what is buffered.
  virtual core::Status flush() { return {}; }
  // Sinks writing to sockets keep SIGPIPE off their thread (stdout keeps Falco's behaviour:
  // `bulwark detect | head` ends).
  virtual bool blocksSigpipe() const { return true; }

  void setAbort(const std::atomic<bool>* abort) { abort_ = abort; }

 protected:
  bool aborted() const { return abort_ != nullptr && abort_->load(); }
  // Sleeps `duration` in small steps; false when aborted meanwhile.
  bool sleepFor(std::chrono::milliseconds duration) const;

 private:
  const std::atomic<bool>* abort_ = nullptr;
};

// The sink for a spec (sockets and connections open lazily, on the sink's thread).
core::Result<std::unique_ptr<Sink>> makeSink(const SinkSpec& spec, const SinkContext& context);

struct SinkStats {
  std::uint64_t sent = 0;
  std::uint64_t dropped = 0;   // the queue was full
  std::uint64_t rejected = 0;  // the receiver refused them (HTTP 4xx)
  std::uint64_t failed = 0;    // delivery failed (after the sink's retries)
  std::uint64_t unsent = 0;    // still queued when the exit bound was hit
  std::string last_error;
};

inline constexpr std::size_t kSinkQueueCapacity = 4096;
inline constexpr std::chrono::milliseconds kSinkDrainBound{5000};

// How a SinkRunner hands alerts to its sink.
enum class SinkMode {
  Queue,          // its own thread behind a bounded queue; a full queue drops (live runs)
  QueueWaitFull,  // the same, but push() waits for room: finite inputs lose nothing
  Inline,         // write() on the caller's thread, flush() at finish(): for stdout and files in
                  // finite runs, where a thread only adds a wake-up per alert
};

// A sink's thread and bounded queue (or, Inline, neither).
class SinkRunner {
 public:
  SinkRunner(std::string name, std::unique_ptr<Sink> sink,
             std::size_t capacity = kSinkQueueCapacity, SinkMode mode = SinkMode::Queue);
  ~SinkRunner();
  SinkRunner(const SinkRunner&) = delete;
  SinkRunner& operator=(const SinkRunner&) = delete;

  // Never blocks unless QueueWaitFull (or Inline: it writes); false when the alert was dropped
  // or not delivered.
  bool push(std::shared_ptr<const SinkAlert> alert);
  // Delivers what is queued within `bound`, then stops the thread; what is left is `unsent`.
  void finish(std::chrono::milliseconds bound = kSinkDrainBound);

  const std::string& name() const { return name_; }
  SinkStats stats() const;

 private:
  void loop();

  std::string name_;
  std::unique_ptr<Sink> sink_;
  std::size_t capacity_;
  SinkMode mode_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;  // the thread: work or closing
  std::condition_variable room_;  // push (wait_when_full) and finish: the queue shrank
  std::deque<std::shared_ptr<const SinkAlert>> queue_;
  bool busy_ = false;  // the thread holds an alert
  bool closing_ = false;
  std::atomic<bool> abort_{false};
  SinkStats stats_;
  std::thread thread_;
};

}  // namespace bulwark::pipeline::sinks
