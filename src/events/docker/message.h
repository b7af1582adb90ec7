// One message of the Docker Engine's `/events` stream (GET /events: one JSON object per line),
// decoded: what happened (Action), to which object (Actor.ID), with which attributes (the
// container's name, image and labels; exitCode on die; execID on exec_*), and when. Untrusted
// input: bounded sizes, a clear error for anything that is not such a message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/result.h"

namespace bulwark::events::docker {

inline constexpr std::size_t kMaxMessage = 1U << 20;  // a line longer than this is refused
inline constexpr std::size_t kMaxAttributes = 512;

struct Message {
  std::string type;    // Type: "container", "image", "network", …
  std::string action;  // the verb of Action: "start", "exec_start", "health_status"
  std::string detail;  // what follows "verb: " in Action: the command of exec_*, "healthy"
  std::string id;      // Actor.ID
  std::map<std::string, std::string, std::less<>> attributes;  // Actor.Attributes
  std::int64_t time_ns = 0;                                    // timeNano, else time × 10⁹
};

// Input error with the reason for bad JSON, a missing Action or Actor.ID, or an oversized line.
core::Result<Message> decodeMessage(std::string_view line);

}  // namespace bulwark::events::docker
