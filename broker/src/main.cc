// plaza-broker's command line, familiar to mosquitto users: -c FILE, -p PORT,
// --bind ADDR. Signals: SIGTERM/SIGINT stop cleanly, SIGHUP reloads what a
// running broker can change (log level and limits).
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "common/log.h"
#include "config/config.h"
#include "metrics/broker_metrics.h"
#include "net/server.h"
#include "plugin/plugin_host.h"

namespace {

constexpr char kUsage[] =
    "Usage: plaza-broker [options]\n"
    "\n"
    "An MQTT 3.1.1 and 5.0 broker with a plugin host, built for real-time rooms.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE     YAML configuration (default: none, one listener on\n"
    "                        127.0.0.1:1883)\n"
    "  -p, --port PORT       port of the first listener (0 picks a free port)\n"
    "      --bind ADDR       address of the first listener\n"
    "      --threads N       worker threads (0: one per core)\n"
    "      --log-level LEVEL debug, info, warning or error\n"
    "  -v, --verbose         the same as --log-level debug\n"
    "      --metrics-listen ADDR:PORT  serve Prometheus /metrics there\n"
    "      --check-config    validate the configuration and exit\n"
    "  -h, --help            this text\n"
    "      --version         the version\n"
    "\n"
    "Signals: SIGTERM or SIGINT stop the broker; SIGHUP re-reads the\n"
    "configuration file and applies log_level, limits and plugin configs.\n";

struct CommandLine {
  std::optional<std::string> config_path;
  std::optional<uint16_t> port;
  std::optional<std::string> bind;
  std::optional<size_t> threads;
  std::optional<plaza::LogLevel> log_level;
  std::optional<std::string> metrics_listen;
  bool check_only = false;
};

[[noreturn]] void UsageError(const std::string& message) {
  std::fprintf(stderr, "plaza-broker: %s\nTry 'plaza-broker --help'.\n", message.c_str());
  std::exit(2);
}

uint64_t ParseNumber(const std::string& flag, const char* text, uint64_t max) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value > max || text[0] == '-') {
    UsageError(flag + " needs a number from 0 to " + std::to_string(max) + ", not '" + text + "'");
  }
  return value;
}

CommandLine ParseCommandLine(int argc, char** argv) {
  CommandLine cl;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--version") {
      std::puts("plaza-broker 0.1.0 (MQTT 3.1.1 and 5.0)");
      std::exit(0);
    } else if (arg == "-c" || arg == "--config") {
      cl.config_path = value();
    } else if (arg == "-p" || arg == "--port") {
      cl.port = static_cast<uint16_t>(ParseNumber(arg, value(), 65535));
    } else if (arg == "--bind") {
      cl.bind = value();
    } else if (arg == "--threads") {
      cl.threads = ParseNumber(arg, value(), 1024);
    } else if (arg == "--log-level") {
      const char* name = value();
      cl.log_level = plaza::ParseLogLevel(name);
      if (!cl.log_level) UsageError(std::string("unknown log level '") + name + "'");
    } else if (arg == "-v" || arg == "--verbose") {
      cl.log_level = plaza::LogLevel::kDebug;
    } else if (arg == "--metrics-listen") {
      cl.metrics_listen = value();
    } else if (arg == "--check-config") {
      cl.check_only = true;
    } else {
      UsageError("unknown option '" + arg + "'");
    }
  }
  return cl;
}

// Reads the file named on the command line (if any) and applies the
// command-line overrides on top.
bool BuildConfig(const CommandLine& cl, plaza::broker::BrokerConfig* config, std::string* error) {
  *config = plaza::broker::DefaultConfig();
  if (cl.config_path && !plaza::broker::LoadConfig(*cl.config_path, config, error)) return false;
  auto& first = config->server.listeners.front();
  if (cl.port) first.port = *cl.port;
  if (cl.bind) first.bind = *cl.bind;
  if (cl.threads) config->server.threads = *cl.threads;
  if (cl.log_level) config->log_level = *cl.log_level;
  if (cl.metrics_listen) config->metrics_listen = *cl.metrics_listen;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const CommandLine cl = ParseCommandLine(argc, argv);
  plaza::broker::BrokerConfig config;
  std::string error;
  if (!BuildConfig(cl, &config, &error)) {
    std::fprintf(stderr, "plaza-broker: configuration refused: %s\n", error.c_str());
    return 1;
  }
  if (cl.check_only) {
    std::printf("%s: configuration is valid\n",
                cl.config_path ? cl.config_path->c_str() : "(defaults)");
    return 0;
  }
  plaza::SetLogLevel(config.log_level);

  // Signals are taken by sigwait() below, never by a worker thread; a write
  // to a closed socket must report EPIPE, not kill the process.
  signal(SIGPIPE, SIG_IGN);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Plugins load before the first client can connect; a plugin that cannot
  // load stops the start, like a bad configuration.
  auto registry = std::make_shared<prometheus::Registry>();
  plaza::broker::PluginHost plugins;
  plugins.SetMetricsRegistry(registry);
  if (!plugins.Load(config.plugins, &error)) {
    std::fprintf(stderr, "plaza-broker: %s\n", error.c_str());
    return 1;
  }
  if (plugins.size() > 0) config.server.hooks = &plugins;

  plaza::broker::Server server(config.server);
  plugins.Attach(&server);  // before the first client can reach a hook
  plaza::broker::BrokerMetrics metrics(registry);
  metrics.Watch(&server);
  if (!config.metrics_listen.empty()) {
    if (!metrics.Listen(config.metrics_listen, &error)) {
      std::fprintf(stderr, "plaza-broker: %s\n", error.c_str());
      return 1;
    }
    PLAZA_LOG(kInfo) << "metrics on " << config.metrics_listen << " (port " << metrics.port()
                     << ")";
  }
  if (!server.Start(&error)) {
    std::fprintf(stderr, "plaza-broker: %s\n", error.c_str());
    return 1;
  }

  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      plaza::broker::BrokerConfig reloaded;
      if (!BuildConfig(cl, &reloaded, &error)) {
        PLAZA_LOG(kError) << "reload refused, keeping the running configuration: " << error;
        continue;
      }
      plaza::SetLogLevel(reloaded.log_level);
      server.Reload(reloaded.server.limits);
      plugins.Reload(reloaded.plugins);
      PLAZA_LOG(kInfo) << "configuration reloaded (log level, limits and plugin configs; "
                          "listeners, threads and the plugin list change only with a restart)";
      continue;
    }
    PLAZA_LOG(kInfo) << "stopping on " << strsignal(sig);
    break;
  }
  // Plugins' timers and threads stop reaching the workers first.
  plugins.Detach();
  server.Stop();
  PLAZA_LOG(kInfo) << "stopped";
  return 0;
}
