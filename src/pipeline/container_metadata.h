// What a host sensor knows about the container of a process, from the runtime that runs it
// (docs/dev/runtime-design.md §2.6): Docker's inspect document gives the name, the image, the
// privileges, the namespaces shared with the host, the mounts and, for kubelet-made containers,
// the pod. One Engine API call per new container; a daemon that is gone or slow costs one
// timeout, then containers are described by id and runtime only.
#pragma once

#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "events/host/process_table.h"

namespace bulwark::pipeline {

// A Container from a /containers/{id}/json document (the pod from its io.kubernetes.* labels).
std::shared_ptr<const events::host::Container> containerFromInspect(
    const events::host::ContainerRef& ref, const nlohmann::json& inspect);

// A resolver that asks the Docker daemon at `endpoint` (unix:///var/run/docker.sock) about
// containers of the docker runtime (and of the "cri" runtime, which may be dockershim's); the
// others, and any container the daemon does not know, keep only id and runtime. Usage error
// for an endpoint that is not a unix socket.
core::Result<events::host::ContainerResolver> dockerContainerResolver(std::string_view endpoint);

}  // namespace bulwark::pipeline
