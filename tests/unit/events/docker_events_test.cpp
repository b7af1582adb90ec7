// The Docker source's decoding (src/events/docker/): messages of the Engine's /events stream as
// Docker 20–28 send them (and the pre-1.22 shape), the host events they become, and the docker.*
// fields rules read from them.
#include <string>

#include <gtest/gtest.h>

#include "events/docker/docker_source.h"
#include "events/docker/message.h"
#include "events/event.h"
#include "events/field.h"

namespace bulwark::events::docker {
namespace {

// As dockerd 28 writes them (one per line; attributes trimmed to what matters here).
constexpr std::string_view kStart =
    R"({"status":"start","id":"4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e","from":"nginx:1.27","Type":"container","Action":"start","Actor":{"ID":"4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e","Attributes":{"image":"nginx:1.27","name":"web","io.kubernetes.pod.namespace":"shop","io.kubernetes.pod.name":"web-0"}},"scope":"local","time":1795514400,"timeNano":1795514400123456789})";
constexpr std::string_view kExecStart =
    R"({"status":"exec_start: sh -c id","id":"4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e","from":"nginx:1.27","Type":"container","Action":"exec_start: sh -c id","Actor":{"ID":"4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e","Attributes":{"execID":"9a9a","image":"nginx:1.27","name":"web"}},"scope":"local","time":1795514401,"timeNano":1795514401000000001})";
constexpr std::string_view kDie =
    R"({"Type":"container","Action":"die","Actor":{"ID":"4f1c","Attributes":{"exitCode":"137","image":"nginx:1.27","name":"web"}},"time":1795514402})";

// A field of the syscall table on the event, values joined by ','; "<missing>" for none.
std::string field(const host::HostEvent& host, std::string_view name) {
  const FieldTable& table = *fieldTable(Source::Syscall);
  std::string dot_arg;
  const FieldRow* row = table.resolve(name, &dot_arg);
  EXPECT_NE(row, nullptr) << name;
  if (row == nullptr) return "<unknown>";
  const FieldArg arg{dot_arg, !dot_arg.empty(), -1};
  Event event;
  event.source = Source::Syscall;
  event.num = 1;
  event.payload = &host;
  Values values;
  row->extract(event, *row, arg, values);
  if (values.empty()) return "<missing>";
  std::string out;
  for (const auto& value : values.items()) out += (out.empty() ? "" : ",") + std::string(value);
  return out;
}

TEST(DockerMessage, DecodesTheCurrentShape) {
  const auto message = decodeMessage(kStart);
  ASSERT_TRUE(message) << message.error().message;
  EXPECT_EQ(message->type, "container");
  EXPECT_EQ(message->action, "start");
  EXPECT_EQ(message->detail, "");
  EXPECT_EQ(message->id.size(), 64U);
  EXPECT_EQ(message->attributes.at("name"), "web");
  EXPECT_EQ(message->time_ns, 1795514400123456789);
}

TEST(DockerMessage, SplitsTheCommandOffAnExecAction) {
  const auto message = decodeMessage(kExecStart);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->action, "exec_start");
  EXPECT_EQ(message->detail, "sh -c id");
  const auto health = decodeMessage(
      R"({"Type":"container","Action":"health_status: unhealthy","Actor":{"ID":"ab"},"time":1})");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->action, "health_status");
  EXPECT_EQ(health->detail, "unhealthy");
  EXPECT_EQ(health->time_ns, 1000000000);
}

TEST(DockerMessage, ReadsThePre122Shape) {
  const auto message = decodeMessage(R"({"status":"create","id":"abc","from":"busybox","time":5})");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->type, "container");
  EXPECT_EQ(message->action, "create");
  EXPECT_EQ(message->id, "abc");
}

TEST(DockerMessage, RefusesWhatIsNotAnEvent) {
  for (const std::string_view bad :
       {std::string_view("not json"), std::string_view("[]"), std::string_view("{}"),
        std::string_view(R"({"Action":"start"})"),
        std::string_view(R"({"Action":"start","Actor":{"ID":7}})"),
        std::string_view(R"({"Type":"container","Actor":{"ID":"ab"}})"),
        // a detail without its verb (found by the fuzzer): no action to match rules on
        std::string_view(R"({"Type":"container","Action":": sh -c id","Actor":{"ID":"ab"}})")}) {
    const auto message = decodeMessage(bad);
    EXPECT_FALSE(message) << bad;
    if (!message) {
      EXPECT_EQ(message.error().code, core::ErrorCode::Input);
    }
  }
  const std::string huge =
      R"({"Action":"start","Actor":{"ID":")" + std::string(kMaxMessage, 'a') + R"("}})";
  EXPECT_FALSE(decodeMessage(huge));
}

TEST(DockerMessage, BoundsTheAttributes) {
  std::string line = R"({"Action":"start","Actor":{"ID":"ab","Attributes":{)";
  for (std::size_t i = 0; i < kMaxAttributes + 50; ++i) {
    line += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"v\"";
  }
  line += "}}}";
  const auto message = decodeMessage(line);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->attributes.size(), kMaxAttributes);
}

TEST(DockerHostEvent, AStartIsFalcosContainerEvent) {
  const auto message = decodeMessage(kStart);
  ASSERT_TRUE(message);
  const host::HostEvent event = toHostEvent(*message, nullptr, "node-1");
  EXPECT_EQ(event.type, "container");
  EXPECT_FALSE(event.is_syscall);
  EXPECT_EQ(field(event, "evt.type"), "container");
  EXPECT_EQ(field(event, "docker.action"), "start");
  EXPECT_EQ(field(event, "docker.exec.command"), "<missing>");
  EXPECT_EQ(field(event, "syscall.type"), "<missing>");
  // Without an inspect, the container is what the event's attributes say.
  EXPECT_EQ(field(event, "container.id"), "4f1c2d3e4f1c");
  EXPECT_EQ(field(event, "container.name"), "web");
  EXPECT_EQ(field(event, "container.image.repository"), "nginx");
  EXPECT_EQ(field(event, "k8s.ns.name"), "shop");
  EXPECT_EQ(field(event, "k8s.pod.name"), "web-0");
  EXPECT_EQ(field(event, "evt.hostname"), "node-1");
}

TEST(DockerHostEvent, OtherActionsAreDockerEventsWithTheInspectedContainer) {
  const auto message = decodeMessage(kExecStart);
  ASSERT_TRUE(message);
  auto inspected = std::make_shared<host::Container>();
  inspected->id = message->id;
  inspected->name = "web";
  inspected->type = "docker";
  inspected->image = "nginx:1.27";
  inspected->privileged = true;
  const host::HostEvent event = toHostEvent(*message, inspected, "");
  EXPECT_EQ(field(event, "evt.type"), "docker");
  EXPECT_EQ(field(event, "docker.action"), "exec_start");
  EXPECT_EQ(field(event, "docker.exec.command"), "sh -c id");
  EXPECT_EQ(field(event, "container.privileged"), "true");
  const auto die = decodeMessage(kDie);
  ASSERT_TRUE(die);
  const host::HostEvent died = toHostEvent(*die, nullptr, "");
  EXPECT_EQ(field(died, "docker.action"), "die");
  EXPECT_EQ(field(died, "docker.exit_code"), "137");
}

TEST(DockerSource, ABadEndpointIsAUsageError) {
  DockerSourceOptions options;
  options.endpoint = "tcp://127.0.0.1:2375";
  DockerSource source(options);
  core::Diagnostics diagnostics;
  const auto status = source.run([](const Event&) {}, diagnostics, nullptr);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, core::ErrorCode::Usage);
}

TEST(DockerSource, ADaemonThatIsNotThereFailsAtOnce) {
  DockerSourceOptions options;
  options.endpoint = "unix:///nonexistent/bulwark-test/docker.sock";
  DockerSource source(options);
  core::Diagnostics diagnostics;
  const auto status = source.run([](const Event&) {}, diagnostics, nullptr);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, core::ErrorCode::Network);
  EXPECT_NE(status.error().message.find("docker events at unix:///nonexistent"), std::string::npos)
      << status.error().message;
}

}  // namespace
}  // namespace bulwark::events::docker
