// The agent's metrics endpoint (src/pipeline/agent/metrics.h) on a loopback port: what it
// serves, that a client which connects and says nothing does not keep scrapes out, and that it
// stops at once however soon after its start.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <vector>

#include <gtest/gtest.h>

#include "pipeline/agent/metrics.h"

namespace bulwark::pipeline::agent {
namespace {

AgentSnapshot sample() {
  AgentSnapshot snapshot;
  snapshot.alerts = 7;
  snapshot.queue_dropped = 2;
  snapshot.spool.pending_bytes = 512;
  snapshot.upload.accepted = 5;
  snapshot.upload.reachable = true;
  return snapshot;
}

std::unique_ptr<MetricsEndpoint> startEndpoint() {
  auto endpoint = MetricsEndpoint::start("127.0.0.1", 0, sample);
  EXPECT_TRUE(endpoint) << endpoint.error().message;
  return endpoint ? std::move(*endpoint) : nullptr;
}

// A TCP connection to the endpoint that sends nothing.
int silentConnection(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ADD_FAILURE() << "cannot connect to 127.0.0.1:" << port;
  }
  return fd;
}

TEST(AgentMetrics, ServesTheCountersInTheTextFormat) {
  auto endpoint = startEndpoint();
  ASSERT_TRUE(endpoint);
  httplib::Client client("127.0.0.1", endpoint->port());
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_NE(res->body.find("bulwark_agent_alerts_total 7"), std::string::npos) << res->body;
  EXPECT_NE(res->body.find("bulwark_agent_alerts_dropped_total{reason=\"queue_full\"} 2"),
            std::string::npos);
  EXPECT_NE(res->body.find("bulwark_agent_alerts_delivered_total{result=\"accepted\"} 5"),
            std::string::npos);
  EXPECT_NE(res->body.find("bulwark_agent_spool_bytes 512"), std::string::npos);
  EXPECT_NE(res->body.find("bulwark_agent_server_reachable 1"), std::string::npos);
  res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "ok\n");
  // It takes no input and serves nothing else.
  res = client.Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_NE(res->status, 200);
}

TEST(AgentMetrics, SilentClientsDoNotKeepAScrapeOut) {
  auto endpoint = startEndpoint();
  ASSERT_TRUE(endpoint);
  std::vector<int> silent;
  for (int i = 0; i < 2; ++i) silent.push_back(silentConnection(endpoint->port()));
  httplib::Client client("127.0.0.1", endpoint->port());
  // Well below the 5 s the silent connections may hold their threads.
  client.set_read_timeout(2, 0);
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  for (const int fd : silent) ::close(fd);
}

TEST(AgentMetrics, StopsRightAfterItsStart) {
  // Destroyed before its listen loop could have run: httplib ignores a stop() until then, so
  // without waiting for the loop the join would never return (the test would time out).
  for (int i = 0; i < 20; ++i) {
    auto endpoint = startEndpoint();
    ASSERT_TRUE(endpoint);
  }
}

}  // namespace
}  // namespace bulwark::pipeline::agent
