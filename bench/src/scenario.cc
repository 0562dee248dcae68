// The client lists of the four scenarios; see scenario.h.
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
    case Scenario::kStorm:
      for (int c = 0; c < options.connections; ++c) add();
      plan.shape = "connections=" + std::to_string(options.connections);
      break;
  }
  return plan;
}

}  // namespace plaza::bench
