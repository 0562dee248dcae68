// Command-line parsing for plaza-bench: `plaza-bench SCENARIO [--flag value]...`.
#include "options.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <type_traits>

#include "payload.h"

namespace plaza::bench {
namespace {

constexpr char kUsage[] = R"(usage: plaza-bench SCENARIO [options]

A load generator for MQTT brokers on 127.0.0.1. Prints a human-readable line
per run and a machine-readable "RESULT key=value ..." line.

Scenarios:
  fanout   --publishers P --subscribers S: P publishers -> S subscribers, one topic
  world    --clients N [--rooms R]: each client subscribes room/X/# and
           publishes to room/X/<id> (N peers per room, all-to-all)
  fanin    --publishers P: P publishers -> 1 subscriber
  storm    --connections C: connect rate, then broker RSS per idle connection
  event    --performers P --audience A: an event room R; everyone joins it
           through the rooms protocol (performers first, then the audience,
           one at a time), subscribes to the room's member traffic and
           publishes its pose on rooms/R/pose/<user>; performers at --rate
           (default 30), the audience at --audience-rate. Measured apart:
           the stage's stream (every member gets every message) and the
           audience's (to whom --policy says)

Traffic:
  --rate R            messages/s per publisher (default 10)
  --duration SEC      measured time per run (default 10)
  --warmup SEC        publishing before measuring (default 2)
  --drain SEC         wait for late deliveries after the last publish (default 2)
  --payload BYTES     payload size, at least 24 (default 128)
  --qos 0|1           publish and subscribe QoS (default 0)
  --inflight N        QoS 1: unacknowledged messages per publisher (default 64)

Event room:
  --performers P      the stage: users perf-0 .. perf-<P-1> (default 2)
  --audience A        the audience: users aud-0 .. (default 500)
  --audience-rate R   messages/s per audience member (default 10); in a
                      saturation search it keeps its ratio to --rate
  --room R            the room id (default event:bench)
  --policy POLICY     what the broker delivers: neighbourhood (the rooms
                      plugin's event policy; joins wait for its Reply) or all
                      (a broker without the plugin: everyone gets everything)
  --neighbourhood-size K  the plugin's event_policy.neighbourhood_size (50)

Saturation mode (fanout, world, fanin, event):
  --saturate          search the highest --rate with no loss and p99 under a bound
  --p99-bound-ms MS   the bound (default 50)
  --start-rate R      first rate tried (default: --rate)
  --max-steps N       runs at most (default 12)
  --precision F       stop when the bracket is narrower than F (default 0.05)

Other:
  --port P            broker port on 127.0.0.1 (default 1883)
  --threads T         event-loop threads (default 1)
  --hold SEC          storm: how long connections are held idle (default 3)
  --connect-window N  connections in progress at once (default 64;
                      keep it under the broker's listen backlog)
  --keep-alive SEC    keep-alive sent in CONNECT (default 0: off); ready clients
                      send PINGREQ every SEC/2 seconds
  --setup-timeout SEC connecting and subscribing everybody (default 60)
  --broker-pid PID    report that process's CPU and RSS
  --tag KEY=VALUE     copied into the RESULT line (repeatable)
  --quiet             only result lines
)";

bool ParseNumber(std::string_view text, double* out) {
  const std::string copy(text);
  char* end = nullptr;
  *out = std::strtod(copy.c_str(), &end);
  return !copy.empty() && end == copy.c_str() + copy.size();
}

bool ParseInt(std::string_view text, long min, long max, long* out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && *out >= min && *out <= max;
}

}  // namespace

const char* ScenarioName(Scenario scenario) {
  switch (scenario) {
    case Scenario::kFanOut:
      return "fanout";
    case Scenario::kWorld:
      return "world";
    case Scenario::kFanIn:
      return "fanin";
    case Scenario::kStorm:
      return "storm";
    case Scenario::kEvent:
      return "event";
  }
  return "?";
}

bool ParseOptions(int argc, char** argv, Options* options, int* exit_code) {
  *exit_code = 2;
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return false;
  }
  const std::string_view scenario = argv[1];
  if (scenario == "--help" || scenario == "-h") {
    std::fputs(kUsage, stdout);
    *exit_code = 0;
    return false;
  }
  if (scenario == "fanout") {
    options->scenario = Scenario::kFanOut;
  } else if (scenario == "world") {
    options->scenario = Scenario::kWorld;
  } else if (scenario == "fanin") {
    options->scenario = Scenario::kFanIn;
  } else if (scenario == "storm") {
    options->scenario = Scenario::kStorm;
  } else if (scenario == "event") {
    options->scenario = Scenario::kEvent;
  } else {
    std::fprintf(stderr,
                 "plaza-bench: unknown scenario '%s' (fanout, world, fanin, storm, event)\n",
                 argv[1]);
    return false;
  }

  bool rate_given = false;
  for (int i = 2; i < argc; ++i) {
    std::string_view flag = argv[i];
    std::string_view value;
    bool has_value = false;
    if (const size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != flag.npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_value = true;
    }
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      *exit_code = 0;
      return false;
    }
    if (flag == "--saturate") {
      options->mode = Mode::kSaturation;
      continue;
    }
    if (flag == "--quiet") {
      options->quiet = true;
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "plaza-bench: %s needs a value\n", argv[i]);
        return false;
      }
      value = argv[++i];
    }

    auto bad = [&] {
      std::fprintf(stderr, "plaza-bench: bad value '%.*s' for %.*s\n",
                   static_cast<int>(value.size()), value.data(), static_cast<int>(flag.size()),
                   flag.data());
      return false;
    };
    auto integer = [&](long min, long max, auto* out) {
      long parsed = 0;
      if (!ParseInt(value, min, max, &parsed)) return false;
      *out = static_cast<std::remove_pointer_t<decltype(out)>>(parsed);
      return true;
    };
    auto real = [&](double min, double* out) { return ParseNumber(value, out) && *out >= min; };

    bool ok = true;
    if (flag == "--port") {
      ok = integer(1, 65535, &options->port);
    } else if (flag == "--threads") {
      ok = integer(1, 256, &options->threads);
    } else if (flag == "--publishers") {
      ok = integer(1, 1'000'000, &options->publishers);
    } else if (flag == "--subscribers") {
      ok = integer(1, 1'000'000, &options->subscribers);
    } else if (flag == "--clients") {
      ok = integer(1, 1'000'000, &options->clients);
    } else if (flag == "--rooms") {
      ok = integer(1, 1'000'000, &options->rooms);
    } else if (flag == "--connections") {
      ok = integer(1, 10'000'000, &options->connections);
    } else if (flag == "--rate") {
      ok = real(0.001, &options->rate);
      rate_given = true;
    } else if (flag == "--audience-rate") {
      ok = real(0.001, &options->audience_rate);
    } else if (flag == "--performers") {
      ok = integer(0, 1'000'000, &options->performers);
    } else if (flag == "--audience") {
      ok = integer(0, 1'000'000, &options->audience);
    } else if (flag == "--neighbourhood-size") {
      ok = integer(1, 1'000'000, &options->neighbourhood_size);
    } else if (flag == "--room") {
      // A room id as docs/protocol.md allows it: one topic level, no wildcards.
      ok = !value.empty() && value.find_first_of("/+#") == value.npos;
      if (ok) options->room = value;
    } else if (flag == "--policy") {
      const auto policy = ParseDeliveryPolicy(value);
      ok = policy.has_value();
      if (ok) options->policy = *policy;
    } else if (flag == "--payload") {
      ok = integer(static_cast<long>(kPayloadHeaderSize), 1 << 20, &options->payload);
    } else if (flag == "--qos") {
      ok = integer(0, 1, &options->qos);
    } else if (flag == "--inflight") {
      ok = integer(1, 65535, &options->inflight);
    } else if (flag == "--duration") {
      ok = real(0.1, &options->duration);
    } else if (flag == "--warmup") {
      ok = real(0, &options->warmup);
    } else if (flag == "--drain") {
      ok = real(0, &options->drain);
    } else if (flag == "--setup-timeout") {
      ok = real(0.1, &options->setup_timeout);
    } else if (flag == "--hold") {
      ok = real(0, &options->hold);
    } else if (flag == "--p99-bound-ms") {
      ok = real(0.001, &options->p99_bound_ms);
    } else if (flag == "--start-rate") {
      ok = real(0.001, &options->start_rate);
    } else if (flag == "--max-steps") {
      ok = integer(1, 1000, &options->max_steps);
    } else if (flag == "--precision") {
      ok = real(0.001, &options->precision);
    } else if (flag == "--connect-window") {
      ok = integer(1, 1'000'000, &options->connect_window);
    } else if (flag == "--keep-alive") {
      ok = integer(0, 65535, &options->keep_alive);
    } else if (flag == "--broker-pid") {
      ok = integer(1, 1L << 30, &options->broker_pid);
    } else if (flag == "--tag") {
      ok = value.find('=') != value.npos && value.find(' ') == value.npos;
      if (ok) options->tags.emplace_back(value);
    } else {
      std::fprintf(stderr, "plaza-bench: unknown option '%.*s' (see --help)\n",
                   static_cast<int>(flag.size()), flag.data());
      return false;
    }
    if (!ok) return bad();
  }

  if (options->mode == Mode::kSaturation && options->scenario == Scenario::kStorm) {
    std::fputs("plaza-bench: --saturate does not apply to the storm scenario\n", stderr);
    return false;
  }
  if (options->scenario == Scenario::kEvent) {
    if (!rate_given) options->rate = 30;
    if (options->performers + options->audience == 0) {
      std::fputs("plaza-bench: the event needs at least one performer or audience member\n",
                 stderr);
      return false;
    }
  }
  if (options->start_rate == 0) options->start_rate = options->rate;
  *exit_code = 0;
  return true;
}

}  // namespace plaza::bench
