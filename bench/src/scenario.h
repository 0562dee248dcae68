// Turns a scenario (fanout, world, fanin, storm) into the list of clients one
// run needs: who subscribes to what, who publishes where, and how many
// deliveries each publisher's message should produce. Everything downstream
// (workers, loss accounting) works from this list, not from the scenario.
#ifndef PLAZA_BENCH_SCENARIO_H_
#define PLAZA_BENCH_SCENARIO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "options.h"

namespace plaza::bench {

struct ClientPlan {
  std::string client_id;
  std::string subscribe_filter;  // empty: the client does not subscribe
  std::string publish_topic;     // empty: the client does not publish

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
};

// `run` makes client ids and topics unique per run, so nothing a previous run
// left in the broker can reach this one.
Plan BuildPlan(const Options& options, int run);

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_SCENARIO_H_
