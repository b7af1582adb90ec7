#include "pipeline/sinks/sink.h"

#include <pthread.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <csignal>

#include <fmt/format.h>

#include "pipeline/sinks/kinds.h"

namespace bulwark::pipeline::sinks {

namespace {

constexpr std::size_t kMaxSpecBytes = 4096;

core::Result<int> parseNumber(std::string_view text, int low, int high, std::string_view what,
                              const std::string& spec) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < low ||
      value > high) {
    return core::fail(core::ErrorCode::Usage, "output '{}': '{}' is not a {} ({}-{})", spec, text,
                      what, low, high);
  }
  return value;
}

// "H:P" or "[V6]:P".
core::Status parseHostPort(std::string_view text, SinkSpec& out) {
  std::string_view port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find("]:");
    if (close == std::string_view::npos || close == 1) {
      return core::fail(core::ErrorCode::Usage, "output '{}': expected [IPV6]:PORT", out.text);
    }
    out.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return core::fail(core::ErrorCode::Usage, "output '{}': expected HOST:PORT", out.text);
    }
    out.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  const bool host_ok = std::all_of(out.host.begin(), out.host.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '-' || c == ':' || c == '_';
  });
  if (!host_ok) {
    return core::fail(core::ErrorCode::Usage, "output '{}': '{}' is not a host name", out.text,
                      out.host);
  }
  auto number = parseNumber(port, 1, 65535, "port", out.text);
  if (!number) return tl::unexpected(number.error());
  out.port = *number;
  return {};
}

// "?facility=N&ca=FILE": the keys the kind allows.
core::Status parseQuery(std::string_view query, bool allow_ca, SinkSpec& out) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (key == "facility") {
      auto number = parseNumber(value, 0, 23, "syslog facility", out.text);
      if (!number) return tl::unexpected(number.error());
      out.facility = *number;
    } else if (key == "ca" && allow_ca && !value.empty()) {
      out.ca = std::string(value);
    } else {
      return core::fail(core::ErrorCode::Usage, "output '{}': unknown option '{}' (allowed: {})",
                        out.text, pair, allow_ca ? "facility=N, ca=FILE" : "facility=N");
    }
  }
  return {};
}

bool validSubject(std::string_view subject) {
  if (subject.empty() || subject.front() == '.' || subject.back() == '.') return false;
  if (subject.find("..") != std::string_view::npos) return false;
  return std::all_of(subject.begin(), subject.end(),
                     [](unsigned char c) { return c > 0x20 && c < 0x7f && c != '*' && c != '>'; });
}

bool validStream(std::string_view stream) {
  return !stream.empty() && stream.size() <= 255 &&
         std::all_of(stream.begin(), stream.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0 || c == '-' || c == '_'; });
}

}  // namespace

core::Result<SinkSpec> parseSinkSpec(const std::string& text) {
  SinkSpec out;
  out.text = text;
  if (text.size() > kMaxSpecBytes) {
    return core::fail(core::ErrorCode::Usage, "output: a spec of {} bytes is too long",
                      text.size());
  }
  const std::string_view spec = text;
  if (spec == "stdout") return out;
  if (spec.starts_with("file:")) {
    out.kind = SinkSpec::Kind::File;
    out.path = text.substr(5);
    if (out.path.empty()) {
      return core::fail(core::ErrorCode::Usage, "output '{}': file: needs a PATH", text);
    }
    return out;
  }
  if (spec.starts_with("http://") || spec.starts_with("https://")) {
    out.kind = SinkSpec::Kind::Http;
    out.url = text;
    const std::string_view rest = spec.substr(spec.find("://") + 3);
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    const std::string_view host = authority.substr(authority.rfind('@') + 1);
    if (host.empty() || host.starts_with(':') ||
        std::any_of(spec.begin(), spec.end(),
                    [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
      return core::fail(core::ErrorCode::Usage, "output '{}': not a usable http(s) URL", text);
    }
    return out;
  }
  if (spec.starts_with("nats://")) {
    out.kind = SinkSpec::Kind::Nats;
    const std::string_view rest = spec.substr(7);
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
      return core::fail(core::ErrorCode::Usage, "output '{}': expected nats://H:P/STREAM/SUBJECT",
                        text);
    }
    if (auto hp = parseHostPort(rest.substr(0, slash), out); !hp) return tl::unexpected(hp.error());
    const std::string_view path = rest.substr(slash + 1);
    const std::size_t second = path.find('/');
    if (second == std::string_view::npos) {
      return core::fail(core::ErrorCode::Usage, "output '{}': expected nats://H:P/STREAM/SUBJECT",
                        text);
    }
    out.stream = std::string(path.substr(0, second));
    out.subject = std::string(path.substr(second + 1));
    if (!validStream(out.stream)) {
      return core::fail(core::ErrorCode::Usage,
                        "output '{}': stream '{}' must be letters, digits, '-' and '_'", text,
                        out.stream);
    }
    if (!validSubject(out.subject)) {
      return core::fail(core::ErrorCode::Usage,
                        "output '{}': subject '{}' must be dot-separated tokens without spaces "
                        "or wildcards",
                        text, out.subject);
    }
    return out;
  }
  struct Scheme {
    std::string_view prefix;
    SinkSpec::Kind kind;
  };
  static constexpr Scheme kSchemes[] = {
      {"syslog+udp://", SinkSpec::Kind::SyslogUdp}, {"syslog+tcp://", SinkSpec::Kind::SyslogTcp},
      {"syslog+tls://", SinkSpec::Kind::SyslogTls}, {"cef+udp://", SinkSpec::Kind::CefUdp},
      {"cef+tcp://", SinkSpec::Kind::CefTcp},
  };
  for (const auto& scheme : kSchemes) {
    if (!spec.starts_with(scheme.prefix)) continue;
    out.kind = scheme.kind;
    std::string_view rest = spec.substr(scheme.prefix.size());
    const std::size_t question = rest.find('?');
    std::string_view query;
    if (question != std::string_view::npos) {
      query = rest.substr(question + 1);
      rest = rest.substr(0, question);
    }
    if (rest.ends_with('/')) rest.remove_suffix(1);
    if (auto hp = parseHostPort(rest, out); !hp) return tl::unexpected(hp.error());
    if (auto q = parseQuery(query, scheme.kind == SinkSpec::Kind::SyslogTls, out); !q) {
      return tl::unexpected(q.error());
    }
    return out;
  }
  return core::fail(core::ErrorCode::Usage,
                    "unknown output '{}' (stdout, file:PATH, syslog+udp|tcp|tls://H:P, "
                    "cef+udp|tcp://H:P, http(s)://URL, nats://H:P/STREAM/SUBJECT)",
                    text);
}

std::string displayName(const SinkSpec& spec) {
  if (spec.kind != SinkSpec::Kind::Http) return spec.text;
  const std::size_t start = spec.url.find("://") + 3;
  const std::size_t end = spec.url.find_first_of("/?#", start);
  const std::size_t at = spec.url.rfind('@', end);
  if (at == std::string::npos || at < start) return spec.url;
  return spec.url.substr(0, start) + "***" + spec.url.substr(at);
}

core::Result<std::unique_ptr<Sink>> makeSink(const SinkSpec& spec, const SinkContext& context) {
  switch (spec.kind) {
    case SinkSpec::Kind::Stdout: return makeStdoutSink();
    case SinkSpec::Kind::File: return makeFileSink(spec);
    case SinkSpec::Kind::SyslogUdp:
    case SinkSpec::Kind::SyslogTcp:
    case SinkSpec::Kind::SyslogTls: return makeSyslogSink(spec, context);
    case SinkSpec::Kind::CefUdp:
    case SinkSpec::Kind::CefTcp: return makeCefSink(spec, context);
    case SinkSpec::Kind::Http: return makeHttpSink(spec, context);
    case SinkSpec::Kind::Nats: return makeNatsSink(spec);
  }
  return core::fail(core::ErrorCode::Internal, "output '{}': no sink", spec.text);
}

bool Sink::sleepFor(std::chrono::milliseconds duration) const {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
    if (aborted()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(20), until - std::chrono::steady_clock::now()));
  }
  return !aborted();
}

SinkRunner::SinkRunner(std::string name, std::unique_ptr<Sink> sink, std::size_t capacity,
                       SinkMode mode)
    : name_(std::move(name)),
      sink_(std::move(sink)),
      capacity_(std::max<std::size_t>(capacity, 1)),
      mode_(mode) {
  sink_->setAbort(&abort_);
  if (mode_ != SinkMode::Inline) thread_ = std::thread([this] { loop(); });
}

SinkRunner::~SinkRunner() { finish(); }

bool SinkRunner::push(std::shared_ptr<const SinkAlert> alert) {
  std::unique_lock lock(mutex_);
  if (closing_) return false;
  if (mode_ == SinkMode::Inline) {
    std::string error;
    const Delivery delivery = sink_->write(*alert, error);
    if (delivery == Delivery::Sent) {
      ++stats_.sent;
      return true;
    }
    ++(delivery == Delivery::Rejected ? stats_.rejected : stats_.failed);
    stats_.last_error = std::move(error);
    return false;
  }
  if (queue_.size() >= capacity_) {
    if (mode_ == SinkMode::Queue) {
      ++stats_.dropped;
      return false;
    }
    room_.wait(lock, [&] { return queue_.size() < capacity_ || closing_; });
    if (closing_) return false;
  }
  queue_.push_back(std::move(alert));
  // The thread only waits on an empty queue; while it works through a batch, later alerts
  // wait for the next one without a wake-up (one per alert cost a third of a busy run).
  if (queue_.size() == 1 && !busy_) wake_.notify_one();
  return true;
}

void SinkRunner::finish(std::chrono::milliseconds bound) {
  if (mode_ == SinkMode::Inline) {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    closing_ = true;
    if (auto flushed = sink_->flush(); !flushed) stats_.last_error = flushed.error().message;
    return;
  }
  {
    std::unique_lock lock(mutex_);
    if (!thread_.joinable()) return;
    closing_ = true;
    wake_.notify_one();
    room_.notify_all();
    const bool drained = room_.wait_for(lock, bound, [&] { return queue_.empty() && !busy_; });
    if (!drained) {
      // What is left will not go out: count it, and end the sink's current wait.
      stats_.unsent += queue_.size();
      queue_.clear();
      abort_ = true;
    }
  }
  thread_.join();
}

SinkStats SinkRunner::stats() const {
  const std::lock_guard lock(mutex_);
  return stats_;
}

void SinkRunner::loop() {
  if (sink_->blocksSigpipe()) {
    // A receiver that closes its end makes send() raise SIGPIPE on this thread: keep it pending
    // (the write fails with EPIPE instead) rather than end the process.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }
  std::unique_lock lock(mutex_);
  std::deque<std::shared_ptr<const SinkAlert>> batch;
  while (true) {
    wake_.wait(lock, [&] { return !queue_.empty() || closing_; });
    if (queue_.empty()) break;  // closing, all delivered
    // Everything queued at once: the lock is taken twice per batch, not twice per alert.
    batch.swap(queue_);
    busy_ = true;
    room_.notify_all();
    lock.unlock();
    SinkStats delta;
    while (!batch.empty() && !abort_) {
      std::string error;
      const Delivery delivery = sink_->write(*batch.front(), error);
      batch.pop_front();
      if (delivery == Delivery::Sent) {
        ++delta.sent;
      } else {
        ++(delivery == Delivery::Rejected ? delta.rejected : delta.failed);
        delta.last_error = std::move(error);
      }
    }
    auto flushed = sink_->flush();
    lock.lock();
    stats_.sent += delta.sent;
    stats_.rejected += delta.rejected;
    stats_.failed += delta.failed;
    if (!delta.last_error.empty()) stats_.last_error = std::move(delta.last_error);
    if (!flushed) stats_.last_error = flushed.error().message;
    // Aborted at the exit bound: what this batch still held does not go out.
    stats_.unsent += batch.size();
    batch.clear();
    busy_ = false;
    room_.notify_all();
    if (abort_) break;
  }
  if (sink_->blocksSigpipe()) {
    // Drop a SIGPIPE left pending by a broken connection before the thread ends.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    const timespec zero{};
    while (sigtimedwait(&set, nullptr, &zero) == SIGPIPE) {
    }
  }
}

}  // namespace bulwark::pipeline::sinks
