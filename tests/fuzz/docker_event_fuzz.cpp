// Fuzzes the Docker source's decoding (src/events/docker/): the bytes as one line of the
// Engine's /events stream, then the host event it becomes and every docker.* and container.*
// field rules read. Nothing may crash; a decoded message has an action and an id, and bounded
// attributes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "events/docker/docker_source.h"
#include "events/docker/message.h"
#include "events/field.h"

namespace {

namespace events = bulwark::events;

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto message = events::docker::decodeMessage(line);
  if (!message) return 0;
  require(!message->action.empty() && !message->id.empty());
  require(message->attributes.size() <= events::docker::kMaxAttributes);
  require(message->time_ns >= 0);
  const auto host = events::docker::toHostEvent(*message, nullptr, "fuzz");
  require(host.type == "container" || host.type == "docker");
  const events::FieldTable& table = *events::fieldTable(events::Source::Syscall);
  events::Event event;
  event.source = events::Source::Syscall;
  event.num = 1;
  event.payload = &host;
  for (const char* name : {"docker.action", "docker.exec.command", "docker.exit_code",
                           "container.id", "container.name", "container.image.repository",
                           "container.image.tag", "k8s.ns.name", "k8s.pod.name", "evt.type"}) {
    std::string dot_arg;
    const events::FieldRow* row = table.resolve(name, &dot_arg);
    require(row != nullptr);
    events::Values values;
    row->extract(event, *row, events::FieldArg{dot_arg, !dot_arg.empty(), -1}, values);
  }
  return 0;
}
