#include "events/docker/docker_source.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <set>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

namespace bulwark::events::docker {

namespace {

constexpr std::string_view kUnix = "unix://";
constexpr std::size_t kMaxContainers = 4096;  // inspected containers kept
constexpr std::size_t kMaxErrorBody = 4096;

std::string attribute(const Message& message, std::string_view key) {
  const auto found = message.attributes.find(key);
  return found != message.attributes.end() ? found->second : std::string();
}

bool isExec(std::string_view action) { return action.starts_with("exec_"); }

// Actions after which inspect tells something new (or the first sight of a container).
bool changesContainer(std::string_view action) {
  return action == "create" || action == "start" || action == "restart" || action == "update" ||
         action == "rename";
}

// One GET /events on the socket; calls on_line for every complete line until the daemon
// closes the stream, the transfer fails, or *stop.
class Stream {
 public:
  Stream(std::string socket, const std::atomic<bool>* stop,
         std::function<void(std::string_view)> on_line, std::function<void()> on_open)
      : socket_(std::move(socket)),
        stop_(stop),
        on_line_(std::move(on_line)),
        on_open_(std::move(on_open)) {}

  struct Outcome {
    bool opened = false;  // the daemon answered 200
    std::string error;    // why the stream ended (empty: stopped)
  };

  Outcome run(const std::string& query) {
    Outcome out;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) {
      out.error = "libcurl could not start";
      return out;
    }
    curl_ = curl.get();
    const std::string url = "http://localhost/events?" + query;
    curl_easy_setopt(curl_, CURLOPT_UNIX_SOCKET_PATH, socket_.c_str());
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &Stream::onHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Stream::onBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, this);
    // The progress callback runs at least once a second on an idle stream: the stop check.
    curl_easy_setopt(curl_, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl_, CURLOPT_XFERINFOFUNCTION, &Stream::onProgress);
    curl_easy_setopt(curl_, CURLOPT_XFERINFODATA, this);
    const CURLcode code = curl_easy_perform(curl_);
    out.opened = status_ == 200;
    if (stopped()) return out;
    if (status_ != 0 && status_ != 200) {
      out.error = fmt::format("the daemon answered {} to GET /events: {}", status_, error_body_);
    } else if (code != CURLE_OK) {
      out.error = curl_easy_strerror(code);
    } else {
      out.error = "the daemon closed the event stream";
    }
    return out;
  }

 private:
  [[nodiscard]] bool stopped() const { return stop_ != nullptr && stop_->load(); }

  static std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Stream*>(user);
    const std::string_view line(data, size * count);
    if (line == "\r\n" || line == "\n") {  // the end of the headers
      long status = 0;
      curl_easy_getinfo(self->curl_, CURLINFO_RESPONSE_CODE, &status);
      self->status_ = status;
      if (status == 200 && self->on_open_) self->on_open_();
    }
    return size * count;
  }

  static std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Stream*>(user);
    const std::string_view chunk(data, size * count);
    if (self->status_ != 200) {
      const std::size_t room = kMaxErrorBody - std::min(kMaxErrorBody, self->error_body_.size());
      self->error_body_.append(chunk.substr(0, room));
      return chunk.size();
    }
    for (const char c : chunk) {
      if (c != '\n') {
        // A line over the bound is dropped whole (counted as bad by the caller's decoder).
        if (self->line_.size() <= kMaxMessage) self->line_.push_back(c);
        continue;
      }
      if (!self->line_.empty() && self->line_.back() == '\r') self->line_.pop_back();
      if (!self->line_.empty()) self->on_line_(self->line_);
      self->line_.clear();
      if (self->stopped()) return 0;  // aborts the transfer
    }
    return chunk.size();
  }

  static int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<Stream*>(user)->stopped() ? 1 : 0;
  }

  std::string socket_;
  const std::atomic<bool>* stop_;
  std::function<void(std::string_view)> on_line_;
  std::function<void()> on_open_;
  CURL* curl_ = nullptr;
  long status_ = 0;
  std::string line_;
  std::string error_body_;
};

std::string sinceText(std::int64_t ns) {
  return fmt::format("{}.{:09}", ns / 1000000000, ns % 1000000000);
}

}  // namespace

host::HostEvent toHostEvent(const Message& message, std::shared_ptr<const host::Container> known,
                            const std::string& hostname) {
  host::HostEvent out;
  out.sensor = host::Sensor::Docker;
  // Falco's `container` event comes once per container, when it starts: rules written for it
  // (container_started) expect no more. Every other action is a `docker` event.
  out.type = message.action == "start" ? "container" : "docker";
  out.is_syscall = false;
  out.hostname = hostname;
  out.args.emplace_back("action", message.action);
  if (isExec(message.action) && !message.detail.empty()) {
    out.args.emplace_back("command", message.detail);
  }
  if (message.action == "die") {
    if (const std::string code = attribute(message, "exitCode"); !code.empty()) {
      out.args.emplace_back("exit_code", code);
    }
  }
  if (known) {
    out.container = std::move(known);
  } else {
    auto container = std::make_shared<host::Container>();
    container->id = message.id;
    container->type = "docker";
    container->name = attribute(message, "name");
    container->image = attribute(message, "image");
    container->k8s_namespace = attribute(message, "io.kubernetes.pod.namespace");
    container->k8s_pod_name = attribute(message, "io.kubernetes.pod.name");
    container->k8s_pod_uid = attribute(message, "io.kubernetes.pod.uid");
    out.container = std::move(container);
  }
  return out;
}

core::Status DockerSource::run(const std::function<void(const Event&)>& on_event,
                               core::Diagnostics& diagnostics, const std::atomic<bool>* stop) {
  if (!options_.endpoint.starts_with(kUnix) || options_.endpoint.size() == kUnix.size()) {
    return core::fail(core::ErrorCode::Usage,
                      "docker endpoint '{}': only unix:///path sockets are supported",
                      options_.endpoint);
  }
  const std::string socket = options_.endpoint.substr(kUnix.size());
  const auto stopped = [&] { return stop != nullptr && stop->load(); };

  std::unordered_map<std::string, std::shared_ptr<const host::Container>> containers;
  std::int64_t last_ns = 0;       // the newest event time delivered
  std::set<std::string> at_last;  // the events delivered at exactly last_ns (reconnect dedup)
  std::uint64_t num = 0;
  bool ready = false;

  const auto on_line = [&](std::string_view line) {
    ++stats_.messages;
    auto message = decodeMessage(line);
    if (!message) {
      ++stats_.bad;
      diagnostics.add("docker.bad-event", options_.endpoint, message.error().message);
      return;
    }
    if (message->type != "container") {
      ++stats_.ignored;
      return;
    }
    // After a reconnect the daemon replays from `since` (inclusive): skip what was delivered.
    const std::string key = message->id + ' ' + message->action + ' ' + message->detail;
    if (message->time_ns != 0) {
      if (message->time_ns < last_ns) return;
      if (message->time_ns == last_ns && at_last.contains(key)) return;
      if (message->time_ns > last_ns) at_last.clear();
      last_ns = message->time_ns;
      at_last.insert(key);
    }
    auto& known = containers[message->id];
    if ((!known || changesContainer(message->action)) && options_.resolve_container) {
      auto inspected = options_.resolve_container({message->id, "docker"});
      // A container already gone answers with its id only: keep what the event says instead.
      if (inspected && !inspected->name.empty()) known = std::move(inspected);
    }
    host::HostEvent host = toHostEvent(*message, known, options_.hostname);
    if (message->action == "destroy" || !known) containers.erase(message->id);
    if (containers.size() > kMaxContainers) containers.erase(containers.begin());
    Event event;
    event.source = Source::Syscall;
    event.ts_ns = message->time_ns != 0 ? message->time_ns
                                        : std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count();
    event.num = ++num;
    event.payload = &host;
    ++stats_.events;
    on_event(event);
  };
  const auto on_open = [&] {
    if (!ready && options_.on_ready) options_.on_ready();
    ready = true;
  };

  std::chrono::milliseconds backoff(1000);
  while (!stopped()) {
    // Containers only; from the last event on after a reconnect (the first stream: from now).
    std::string query = "filters=%7B%22type%22%3A%5B%22container%22%5D%7D";
    if (last_ns > 0) query += "&since=" + sinceText(last_ns);
    Stream stream(socket, stop, on_line, on_open);
    const auto outcome = stream.run(query);
    if (stopped()) break;
    if (!ready) {
      return core::fail(core::ErrorCode::Network, "docker events at {}: {}", options_.endpoint,
                        outcome.error);
    }
    if (outcome.opened) backoff = std::chrono::milliseconds(1000);
    ++stats_.reconnects;
    diagnostics.add("docker.reconnect", options_.endpoint,
                    fmt::format("{}; reconnecting in {} ms", outcome.error, backoff.count()));
    for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stopped();
         waited += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  return {};
}

}  // namespace bulwark::events::docker
