// The client lists of the five scenarios; see scenario.h.
#include "scenario.h"

#include <unistd.h>

#include <cstdio>

namespace plaza::bench {
namespace {

// Short enough for brokers that cap client ids at 23 characters.
std::string ClientId(int run, size_t index) {
  char id[32];
  std::snprintf(id, sizeof id, "pb%x-%d-%zu", static_cast<unsigned>(getpid()) & 0xffff, run, index);
  return id;
}

}  // namespace

Plan BuildPlan(const Options& options, int run) {
  Plan plan;
  const std::string prefix = "bench/" + std::to_string(run) + "/";
  auto add = [&plan, run]() -> ClientPlan& {
    ClientPlan& client = plan.clients.emplace_back();
    client.client_id = ClientId(run, plan.clients.size() - 1);
    return client;
  };

  switch (options.scenario) {
    case Scenario::kFanOut:
    case Scenario::kFanIn: {
      const bool fan_in = options.scenario == Scenario::kFanIn;
      const int subscribers = fan_in ? 1 : options.subscribers;
      const std::string topic = prefix + (fan_in ? "fanin" : "fanout");
      // Subscribers first: they are all subscribed before anyone publishes.
      for (int s = 0; s < subscribers; ++s) {
        ClientPlan& client = add();
        client.subscribe_filter = topic;
        client.watch_first = 0;
        client.watch_count = static_cast<uint32_t>(options.publishers);
      }
      for (int p = 0; p < options.publishers; ++p) {
        ClientPlan& client = add();
        client.publish_topic = topic;
        client.publisher_id = static_cast<uint32_t>(p);
        client.fanout = static_cast<uint32_t>(subscribers);
      }
      plan.publishers = options.publishers;
      plan.subscribers = subscribers;
      plan.shape =
          "pubs=" + std::to_string(options.publishers) + " subs=" + std::to_string(subscribers);
      break;
    }
    case Scenario::kWorld: {
      const int n = options.clients;
      for (int r = 0; r < options.rooms; ++r) {
        const std::string room = "room/" + std::to_string(run) + "." + std::to_string(r) + "/";
        for (int c = 0; c < n; ++c) {
          ClientPlan& client = add();
          const uint32_t id = static_cast<uint32_t>(r * n + c);
          client.subscribe_filter = room + "#";
          client.publish_topic = room + std::to_string(id);
          client.publisher_id = id;
          client.fanout = static_cast<uint32_t>(n);  // everyone in the room, itself included
          client.watch_first = static_cast<uint32_t>(r * n);
          client.watch_count = static_cast<uint32_t>(n);
        }
      }
      plan.publishers = n * options.rooms;
      plan.subscribers = n * options.rooms;
      plan.shape = "clients=" + std::to_string(n) + " rooms=" + std::to_string(options.rooms);
      break;
    }
    case Scenario::kEvent: {
      EventLayout layout;
      layout.performers = static_cast<uint32_t>(options.performers);
      layout.audience = static_cast<uint32_t>(options.audience);
      layout.neighbourhood_size = static_cast<uint32_t>(options.neighbourhood_size);
      layout.policy = options.policy;
      // docs/protocol.md, "Joining and leaving": follow the server topics,
      // join, then subscribe to the member traffic a client renders.
      const std::string room = "rooms/" + options.room + "/";
      const auto qos = static_cast<uint8_t>(options.qos);
      for (uint32_t m = 0; m < layout.members(); ++m) {
        ClientPlan& client = add();
        client.username = EventUserName(layout, m);
        client.server_filter = room + "server/#";
        client.server_prefix = room + "server/";
        client.join_topic = room + "join";
        client.join_order = m;
        client.await_reply = options.policy == DeliveryPolicy::kNeighbourhood;
        client.subscribe_filter = room + "pose/+";
        client.extra_filters = {{room + "track/+", qos},
                                {room + "voice/+", qos},
                                {room + "emote/+", 1},
                                {room + "items/+/owner", 1},
                                {room + "items/+/state/+", qos}};
        client.publish_topic = room + "pose/" + client.username;
        client.publisher_id = m;
        client.fanout = layout.Receivers(m);
        client.watch_first = 0;
        client.watch_count = layout.members();
        if (!layout.IsStage(m)) client.rate_scale = options.audience_rate / options.rate;
      }
      plan.publishers = static_cast<int>(layout.members());
      plan.subscribers = static_cast<int>(layout.members());
      plan.shape = "performers=" + std::to_string(layout.performers) +
                   " audience=" + std::to_string(layout.audience) +
                   " k=" + std::to_string(layout.neighbourhood_size) +
                   " policy=" + DeliveryPolicyName(layout.policy) + " room=" + options.room;
      plan.event = layout;
      break;
    }
    case Scenario::kStorm:
      for (int c = 0; c < options.connections; ++c) add();
      plan.shape = "connections=" + std::to_string(options.connections);
      break;
  }
  return plan;
}

}  // namespace plaza::bench
