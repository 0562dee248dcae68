// Turns a scenario (fanout, world, fanin, storm, event) into the list of clients one
// run needs: who subscribes to what, who publishes where, and how many
// deliveries each publisher's message should produce. Everything downstream
// (workers, loss accounting) works from this list, not from the scenario.
#ifndef PLAZA_BENCH_SCENARIO_H_
#define PLAZA_BENCH_SCENARIO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "event_room.h"
#include "options.h"

namespace plaza::bench {

struct ClientPlan {
  std::string client_id;
  std::string username;          // empty: none in CONNECT
  std::string subscribe_filter;  // empty: the client does not subscribe
  std::string publish_topic;     // empty: the client does not publish
  // More filters in the same SUBSCRIBE as subscribe_filter, each with its QoS.
  std::vector<std::pair<std::string, uint8_t>> extra_filters;

  // A room member (event): before subscribing to subscribe_filter it
  // subscribes to server_filter (QoS 1), then publishes an empty join on
  // join_topic (QoS 1) when the run's join counter reaches join_order, and
  // waits for the PUBACK and, with await_reply, the rooms plugin's Reply
  // (on server_prefix + "reply").
  std::string server_filter;
  std::string server_prefix;  // topics starting with it are the server's, not payloads
  std::string join_topic;     // empty: no join
  uint32_t join_order = 0;
  bool await_reply = false;

  // Its publish rate is the run's rate times this.
  double rate_scale = 1;

  // As a publisher: its id (carried in every payload) and how many
  // subscribers receive each of its messages.
  uint32_t publisher_id = 0;
  uint32_t fanout = 0;

  // As a subscriber: the publisher ids it receives from are
  // [watch_first, watch_first + watch_count).
  uint32_t watch_first = 0;
  uint32_t watch_count = 0;

  bool publishes() const { return !publish_topic.empty(); }
  bool subscribes() const { return !subscribe_filter.empty(); }
};

struct Plan {
  std::vector<ClientPlan> clients;
  int publishers = 0;
  int subscribers = 0;
  std::string shape;  // e.g. "pubs=1 subs=1000", for reports
  // event: who should receive whom; publisher ids are member ids.
  std::optional<EventLayout> event;
};

// `run` makes client ids and topics unique per run, so nothing a previous run
// left in the broker can reach this one.
Plan BuildPlan(const Options& options, int run);

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_SCENARIO_H_
