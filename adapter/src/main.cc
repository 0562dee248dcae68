// plaza-adapter's entry point: configuration, start, and the drain that
// SIGTERM triggers (NOT_SERVING first, keep serving for drain.grace_ms, then
// finish in-flight calls within drain.deadline_ms). A second SIGTERM or
// SIGINT during the grace period skips the rest of it.
#include <mosquitto.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "server/adapter.h"
#include "server/config.h"

namespace {

using plaza::adapter::server::Adapter;
using plaza::adapter::server::Config;

// Written under a temporary name and renamed, so a reader never sees half.
bool WritePortsFile(const std::string& path, int grpc_port, int metrics_port) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    out << "grpc=" << grpc_port << "\nmetrics=" << metrics_port << "\n";
    if (!out) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

// Waits up to `timeout` for one of `signals`; true if one came.
bool WaitForSignal(const sigset_t& signals, std::chrono::milliseconds timeout) {
  timespec wait{};
  wait.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  wait.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1000000);
  for (;;) {
    if (sigtimedwait(&signals, nullptr, &wait) >= 0) return true;
    if (errno != EINTR) return false;  // EAGAIN: the time is up
  }
}

int Run(const Config& config) {
  // Every thread started from here on inherits the blocked signals, so only
  // sigwait below ever sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::unique_ptr<Adapter>> adapter = Adapter::Start(config);
  if (!adapter.ok()) {
    std::fprintf(stderr, "plaza-adapter: %s\n", std::string(adapter.status().message()).c_str());
    return 1;
  }
  std::fprintf(stderr, "plaza-adapter: serving gRPC on port %d, metrics on port %d (database %s)\n",
               (*adapter)->grpc_port(), (*adapter)->metrics_port(),
               config.database.url.starts_with("sqlite:") ? "sqlite" : "postgresql");
  if (!config.ports_file.empty() &&
      !WritePortsFile(config.ports_file, (*adapter)->grpc_port(), (*adapter)->metrics_port())) {
    std::fprintf(stderr, "plaza-adapter: cannot write %s\n", config.ports_file.c_str());
    return 1;
  }

  int received = 0;
  sigwait(&signals, &received);
  std::fprintf(stderr, "plaza-adapter: signal %d: draining\n", received);
  (*adapter)->BeginDrain();
  if (WaitForSignal(signals, std::chrono::milliseconds(config.drain.grace_ms))) {
    std::fprintf(stderr, "plaza-adapter: second signal: skipping the rest of the grace period\n");
  }
  (*adapter)->FinishDrain(std::chrono::system_clock::now() +
                          std::chrono::milliseconds(config.drain.deadline_ms));
  adapter->reset();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<std::optional<Config>> config =
      plaza::adapter::server::ConfigFromCommandLine(args);
  if (!config.ok()) {
    std::fprintf(stderr, "plaza-adapter: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  if (!config->has_value()) {
    std::fputs(plaza::adapter::server::kUsage, stdout);
    return 0;
  }
  mosquitto_lib_init();
  const int code = Run(**config);
  mosquitto_lib_cleanup();
  return code;
}
