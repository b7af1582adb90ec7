// `docker` (docs/dev/runtime-design.md §2.6): the Docker Engine's event stream (GET /events over
// the daemon's unix socket, container events only) as host events: a start is Falco's
// `container` event (once per container, as Falco's rules expect), every other action (create,
// exec_create, exec_start, die, kill, destroy, …) a `docker` event; both carry the container as
// Docker's inspect describes it (privileged, host namespaces, mounts, image, pod labels) and
// docker.action (and the command of an exec). Falco's container rules ("Launch Privileged
// Container", sensitive mounts) and ours run on them. The stream reconnects after the daemon
// restarts, from the last event's time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/diagnostic.h"
#include "core/result.h"
#include "events/docker/message.h"
#include "events/event.h"
#include "events/host/host_event.h"
#include "events/host/process_table.h"

namespace bulwark::events::docker {

struct DockerSourceOptions {
  std::string endpoint = "unix:///var/run/docker.sock";
  std::string hostname;                       // evt.hostname
  host::ContainerResolver resolve_container;  // inspect; null: the event's attributes only
  std::function<void()> on_ready;             // the first stream is open: events are seen
  std::chrono::milliseconds max_backoff{30000};
};

struct DockerSourceStats {
  std::uint64_t events = 0;      // delivered (container events)
  std::uint64_t messages = 0;    // read from the stream
  std::uint64_t ignored = 0;     // not about a container
  std::uint64_t bad = 0;         // undecodable lines
  std::uint64_t reconnects = 0;  // streams reopened after a failure
};

// The host event of a container message; `known` is the container as last inspected (null:
// build it from the message's attributes: name, image, Kubernetes labels).
host::HostEvent toHostEvent(const Message& message, std::shared_ptr<const host::Container> known,
                            const std::string& hostname);

class DockerSource {
 public:
  explicit DockerSource(DockerSourceOptions options) : options_(std::move(options)) {}

  // Streams until *stop. Errors: a bad endpoint, or a daemon that cannot be reached or refuses
  // the first request; later failures reconnect with backoff (1 s doubling to max_backoff).
  core::Status run(const std::function<void(const Event&)>& on_event,
                   core::Diagnostics& diagnostics, const std::atomic<bool>* stop);

  [[nodiscard]] DockerSourceStats stats() const { return stats_; }

 private:
  DockerSourceOptions options_;
  DockerSourceStats stats_;
};

}  // namespace bulwark::events::docker
