// plaza-bench: the load generator behind Plaza's performance claims. It
// drives an MQTT broker on 127.0.0.1 with one of five scenarios (event
// fan-out, world, fan-in, connection storm, event room) from epoll loops holding
// thousands of connections each, and prints a human line and a RESULT line
// per run. bench/compare.sh runs it against plaza-broker and mosquitto.
#include <csignal>
#include <cstdio>

#include "options.h"
#include "proc_stats.h"
#include "report.h"
#include "run.h"
#include "saturation.h"

int main(int argc, char** argv) {
  using namespace plaza::bench;
  Options options;
  int exit_code = 0;
  if (!ParseOptions(argc, argv, &options, &exit_code)) return exit_code;

  std::signal(SIGPIPE, SIG_IGN);
  const long file_limit = RaiseFileLimit();
  long needed = options.publishers + options.subscribers;
  if (options.scenario == Scenario::kStorm) needed = options.connections;
  if (options.scenario == Scenario::kWorld)
    needed = static_cast<long>(options.clients) * options.rooms;
  if (options.scenario == Scenario::kEvent) needed = options.performers + options.audience;
  if (file_limit > 0 && needed + 64 > file_limit) {
    std::fprintf(stderr,
                 "plaza-bench: %ld connections need more file descriptors than the limit "
                 "(%ld)\n",
                 needed, file_limit);
    return 2;
  }
  if (options.broker_pid > 0 && !ProcessExists(options.broker_pid)) {
    std::fprintf(stderr, "plaza-bench: no process %d (--broker-pid)\n", options.broker_pid);
    return 2;
  }

  if (options.scenario == Scenario::kStorm) {
    const RunResult result = RunStorm(options, 1);
    std::printf("%s\n%s\n", StormHumanLine(result).c_str(),
                StormResultLine(options, result).c_str());
    return result.completed ? 0 : 1;
  }
  if (options.mode == Mode::kSaturation) return RunSaturation(options);

  const RunResult result = RunFixed(options, options.rate, options.duration, 1);
  std::printf("%s\n%s\n", HumanLine(options, result).c_str(),
              ResultLine(options, "fixed", result, "").c_str());
  return result.completed ? 0 : 1;
}
