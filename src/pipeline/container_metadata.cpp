#include "pipeline/container_metadata.h"

#include <mutex>

#include "checks/docker/collect/engine_client.h"
#include "events/k8s_audit/audit_event.h"

namespace bulwark::pipeline {

namespace {

std::string text(const nlohmann::json& doc, const nlohmann::json::json_pointer& pointer) {
  if (!doc.contains(pointer)) return {};
  const auto& value = doc.at(pointer);
  return value.is_string() ? value.get<std::string>() : std::string();
}

bool isHost(const nlohmann::json& doc, const char* pointer) {
  return text(doc, nlohmann::json::json_pointer(pointer)) == "host";
}

}  // namespace

std::shared_ptr<const events::host::Container> containerFromInspect(
    const events::host::ContainerRef& ref, const nlohmann::json& inspect) {
  using Pointer = nlohmann::json::json_pointer;
  auto out = std::make_shared<events::host::Container>();
  out->id = ref.id;
  out->type = ref.runtime == "cri" ? "docker" : ref.runtime;
  if (!inspect.is_object()) return out;
  out->name = text(inspect, Pointer("/Name"));
  if (out->name.starts_with('/')) out->name.erase(0, 1);
  out->image = text(inspect, Pointer("/Config/Image"));
  out->image_id = text(inspect, Pointer("/Image"));
  const Pointer privileged("/HostConfig/Privileged");
  out->privileged = inspect.contains(privileged) && inspect.at(privileged).is_boolean() &&
                    inspect.at(privileged).get<bool>();
  out->host_pid = isHost(inspect, "/HostConfig/PidMode");
  out->host_network = isHost(inspect, "/HostConfig/NetworkMode");
  out->host_ipc = isHost(inspect, "/HostConfig/IpcMode");
  out->ip = text(inspect, Pointer("/NetworkSettings/IPAddress"));
  std::int64_t started = 0;
  if (events::k8s_audit::parseTimestamp(text(inspect, Pointer("/State/StartedAt")), started)) {
    out->start_ns = started;
  }
  if (const auto mounts = inspect.find("Mounts"); mounts != inspect.end() && mounts->is_array()) {
    for (const auto& mount : *mounts) {
      if (!mount.is_object()) continue;
      events::host::Mount out_mount;
      out_mount.source = text(mount, Pointer("/Source"));
      out_mount.destination = text(mount, Pointer("/Destination"));
      out_mount.mode = text(mount, Pointer("/Mode"));
      out_mount.rw =
          !mount.contains("RW") || !mount.at("RW").is_boolean() || mount.at("RW").get<bool>();
      out_mount.propagation = text(mount, Pointer("/Propagation"));
      out->mounts.push_back(std::move(out_mount));
    }
  }
  // Containers kubelet makes (dockershim, cri-dockerd) carry their pod in labels.
  const Pointer labels_at("/Config/Labels");
  if (inspect.contains(labels_at) && inspect.at(labels_at).is_object()) {
    const auto& labels = inspect.at(labels_at);
    const auto label = [&](const char* key) {
      const auto found = labels.find(key);
      return found != labels.end() && found->is_string() ? found->get<std::string>()
                                                         : std::string();
    };
    out->k8s_namespace = label("io.kubernetes.pod.namespace");
    out->k8s_pod_name = label("io.kubernetes.pod.name");
    out->k8s_pod_uid = label("io.kubernetes.pod.uid");
  }
  return out;
}

core::Result<events::host::ContainerResolver> dockerContainerResolver(std::string_view endpoint) {
  checks::docker::EngineClient::Options options;
  options.timeout = std::chrono::milliseconds(2000);
  options.connect_timeout = std::chrono::milliseconds(500);
  auto client = checks::docker::EngineClient::open(endpoint, options);
  if (!client) return tl::unexpected(client.error());
  // Shared by copies of the resolver; the table calls it from one thread, the lock is for safety.
  struct State {
    std::mutex lock;
    std::unique_ptr<checks::docker::EngineClient> client;
  };
  auto state = std::make_shared<State>();
  state->client = std::move(*client);
  return events::host::ContainerResolver([state](const events::host::ContainerRef& ref)
                                             -> std::shared_ptr<const events::host::Container> {
    if (ref.runtime != "docker" && ref.runtime != "cri") {
      return containerFromInspect(ref, nlohmann::json());
    }
    const std::lock_guard guard(state->lock);
    const auto fact = state->client->get("/containers/" + ref.id + "/json");
    return containerFromInspect(ref, fact.state.ok() ? fact.doc : nlohmann::json());
  });
}

}  // namespace bulwark::pipeline
