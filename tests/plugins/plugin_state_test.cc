// The services the room plugins stand on, through the real broker and real
// clients (fixtures/state_plugin.c): the attribute hook, labeled metrics,
// and conflation of state topics for a subscriber that falls behind.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>

#include "broker_process.h"
#include "metrics_page.h"
#include "mqtt_test_clients.h"
#include "raw_mqtt_client.h"

namespace plaza::testing {
namespace {

using std::chrono::milliseconds;

class PluginStateTest : public ::testing::Test {
 protected:
  void Start(const std::string& extra_yaml = "") {
    const std::string yaml = std::string("plugins:\n  - path: ") + PLAZA_FIXTURE_state +
                             "\n    name: state\n" + extra_yaml;
    ASSERT_TRUE(
        broker_.Start(WithConfig(yaml, {"--threads", "1", "--metrics-listen", "127.0.0.1:0"})))
        << broker_.error();
  }

  std::string Metrics() { return MetricsPage(broker_); }

  BrokerProcess broker_;
};

TEST_F(PluginStateTest, AttributeHookSeesEachChangeOnce) {
  Start();
  MosqClient client(broker_.port(), "actor");
  ASSERT_TRUE(client.Connect()) << client.error();
  ASSERT_TRUE(client.Publish("role/set", "performer", 1));
  auto changed = client.Receive(milliseconds(3000));
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->topic, "attr/role");
  EXPECT_EQ(changed->payload, "performer");
  // The same value again is no change: the next event is the deletion.
  ASSERT_TRUE(client.Publish("role/set", "performer", 1));
  ASSERT_TRUE(client.Publish("role/delete", "", 1));
  changed = client.Receive(milliseconds(3000));
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->topic, "attr/role");
  EXPECT_EQ(changed->payload, "deleted");
  ASSERT_TRUE(client.Publish("role/set", "audience", 1));
  changed = client.Receive(milliseconds(3000));
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->payload, "audience");
}

TEST_F(PluginStateTest, LabeledCountersShowOneSeriesPerRoom) {
  Start();
  MosqClient client(broker_.port(), "counted");
  ASSERT_TRUE(client.Connect()) << client.error();
  ASSERT_TRUE(client.Publish("rooms/a/x", "1", 1));
  ASSERT_TRUE(client.Publish("rooms/a/y", "2", 1));
  ASSERT_TRUE(client.Publish("rooms/b/x", "3", 1));
  const std::string page = Metrics();
  EXPECT_NE(page.find("plaza_plugin_state_messages_total{room=\"a\"} 2"), std::string::npos)
      << page;
  EXPECT_NE(page.find("plaza_plugin_state_messages_total{room=\"b\"} 1"), std::string::npos);
}

// A subscriber with a tiny receive buffer that reads nothing while a burst
// on four state topics goes by, then reads everything: it must end with the
// newest message of every topic (the broker's queue limit would drop the
// tail without conflation), in order per topic, having skipped stale ones.
TEST_F(PluginStateTest, SlowSubscriberGetsTheNewestStatePerTopic) {
  Start("limits:\n  max_queued_bytes: 32768\n");
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  const int small = 4096;
  ASSERT_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(broker_.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  auto send_all = [fd](const std::string& bytes) {
    return write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  };
  ASSERT_TRUE(send_all(raw::Connect("slow", 0)));
  ASSERT_TRUE(send_all(raw::Subscribe(1, "state/#", 0)));

  raw::Client publisher;
  ASSERT_TRUE(publisher.Connect(broker_.port(), "fast", 0));
  // Let the subscription land before the burst (CONNACK and SUBACK wait in
  // the slow socket, unread).
  raw::Client probe;
  ASSERT_TRUE(probe.Connect(broker_.port(), "probe", 0));
  ASSERT_EQ(probe.Subscribe("state/#", 0), 0);
  ASSERT_TRUE(publisher.Send(raw::Publish("state/ready", "r")));
  ASSERT_TRUE(probe.ReadPacket(milliseconds(3000)));
  probe.Close();

  constexpr int kTopics = 4;
  constexpr int kRounds = 1500;
  const std::string padding(512, 'p');
  std::string burst;
  for (int round = 0; round < kRounds; ++round) {
    for (int t = 0; t < kTopics; ++t) {
      burst += raw::Publish("state/" + std::to_string(t), std::to_string(round) + ":" + padding);
    }
    if (burst.size() > 65536) {
      ASSERT_TRUE(publisher.Send(burst));
      burst.clear();
    }
  }
  for (int t = 0; t < kTopics; ++t) burst += raw::Publish("state/" + std::to_string(t), "last");
  ASSERT_TRUE(publisher.Send(burst));
  ASSERT_TRUE(publisher.Ping(milliseconds(5000)));  // one worker: all routed

  // Now read. The raw client parser wants a Client; read with our socket.
  std::string buffer;
  std::map<std::string, std::string> newest;
  std::map<std::string, int> last_round;
  int publishes = 0;
  bool ordered = true;
  char chunk[65536];
  timeval timeout{0, 500000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  for (;;) {
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
    for (;;) {
      // Fixed header, remaining length, body.
      if (buffer.size() < 2) break;
      size_t length = 0, used = 1;
      int shift = 0;
      bool complete = false;
      while (used < buffer.size() && used < 5) {
        const auto byte = static_cast<uint8_t>(buffer[used++]);
        length |= static_cast<size_t>(byte & 0x7f) << shift;
        shift += 7;
        if (!(byte & 0x80)) {
          complete = true;
          break;
        }
      }
      if (!complete || buffer.size() < used + length) break;
      raw::Packet packet;
      packet.type = static_cast<uint8_t>(buffer[0]) >> 4;
      packet.flags = static_cast<uint8_t>(buffer[0]) & 0x0f;
      packet.body = buffer.substr(used, length);
      buffer.erase(0, used + length);
      if (packet.type != raw::kPublish) continue;
      const auto publish = raw::ParsePublish(packet);
      ASSERT_TRUE(publish);
      if (publish->topic == "state/ready") continue;
      ++publishes;
      newest[publish->topic] = publish->payload;
      if (publish->payload != "last") {
        const int round = std::stoi(publish->payload);
        auto [it, inserted] = last_round.try_emplace(publish->topic, round);
        if (!inserted) {
          ordered = ordered && round > it->second;
          it->second = round;
        }
      }
    }
  }
  close(fd);
  ASSERT_EQ(newest.size(), static_cast<size_t>(kTopics));
  for (const auto& [topic, payload] : newest) EXPECT_EQ(payload, "last") << topic;
  EXPECT_TRUE(ordered);
  EXPECT_LT(publishes, kTopics * kRounds) << "nothing was conflated";
  // Workers publish their counters now and then: wait for the count.
  double conflated = 0;
  for (int attempt = 0; attempt < 30 && conflated == 0; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(milliseconds(100));
    conflated = SumMetric(Metrics(), "plaza_conflated_messages_total");
  }
  EXPECT_GT(conflated, 0);
}

}  // namespace
}  // namespace plaza::testing
