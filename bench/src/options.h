// The bench's command line: which scenario, how hard, for how long, and what
// to measure. Parsed once in main and passed by const reference everywhere.
#ifndef PLAZA_BENCH_OPTIONS_H_
#define PLAZA_BENCH_OPTIONS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "event_room.h"

namespace plaza::bench {

enum class Scenario {
  kFanOut,  // P publishers -> S subscribers, all on one topic
  kWorld,   // rooms of N peers: each subscribes room/X/# and publishes room/X/<id>
  kFanIn,   // P publishers -> 1 subscriber
  kStorm,   // connect C clients as fast as possible, then hold them idle
  kEvent,   // an event room: performers and audience join room R and publish poses
};

enum class Mode {
  kFixed,       // publish at --rate for --duration
  kSaturation,  // search the highest rate with no loss and p99 under a bound
};

struct Options {
  Scenario scenario = Scenario::kFanOut;
  Mode mode = Mode::kFixed;
  uint16_t port = 1883;  // always on 127.0.0.1
  int threads = 1;

  // Shape. fanout: publishers/subscribers; fanin: publishers (1 subscriber);
  // world: clients per room and rooms; storm: connections.
  int publishers = 1;
  int subscribers = 100;
  int clients = 50;
  int rooms = 1;
  int connections = 1000;
  // event: the stage, the audience, the room and the delivery the broker
  // is expected to apply (event_room.h).
  int performers = 2;
  int audience = 500;
  std::string room = "event:bench";
  DeliveryPolicy policy = DeliveryPolicy::kNeighbourhood;
  int neighbourhood_size = 50;

  // Traffic.
  double rate = 10;           // messages/s per publisher (event: per performer, default 30)
  double audience_rate = 10;  // event: messages/s per audience member
  int payload = 128;
  int qos = 0;
  int inflight = 64;  // QoS 1: unacknowledged PUBLISHes per publisher

  // Timing (seconds).
  double duration = 10;
  double warmup = 2;
  double drain = 2;           // after the last publish, wait this long for stragglers
  double setup_timeout = 60;  // connecting and subscribing everybody
  double hold = 3;            // storm: how long connections are held idle

  // Saturation search.
  double p99_bound_ms = 50;
  double start_rate = 0;  // 0: --rate
  int max_steps = 12;
  double precision = 0.05;  // stop bisecting when (high - low) / low is below this

  int connect_window = 64;  // connections in progress at once (all threads)
  int keep_alive = 0;       // seconds, sent in CONNECT; 0 disables it
  pid_t broker_pid = 0;
  std::vector<std::string> tags;  // "key=value" copied into every RESULT line
  bool quiet = false;             // no progress lines, only results
};

// Parses argv; on error or --help prints to stderr/stdout and returns false
// with *exit_code set.
bool ParseOptions(int argc, char** argv, Options* options, int* exit_code);

const char* ScenarioName(Scenario scenario);

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_OPTIONS_H_
