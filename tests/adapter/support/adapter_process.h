// The real plaza-adapter binary as a child process of a test: written a
// config, started on free 127.0.0.1 ports (port 0 plus --ports-file), and
// stopped by PID. Its log is printed when a test fails.
#ifndef PLAZA_TESTS_ADAPTER_SUPPORT_ADAPTER_PROCESS_H_
#define PLAZA_TESTS_ADAPTER_SUPPORT_ADAPTER_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

namespace plaza::adapter::testing {

class AdapterProcess {
 public:
  // `config_yaml` is the whole config file; --database and the listeners
  // are passed on the command line on top of it.
  AdapterProcess(std::string database_url, std::string config_yaml);
  ~AdapterProcess();  // SIGKILL if still running

  // Starts and waits until the ports file appears. False (with a test
  // failure) if the adapter exits or takes too long.
  bool Start();
  // Before Start: the gRPC address to listen on (default 127.0.0.1:0, a
  // free port), e.g. to start again on the port of an earlier run.
  void set_grpc_listen(std::string address) { grpc_listen_ = std::move(address); }

  std::string grpc_target() const { return "127.0.0.1:" + std::to_string(grpc_port_); }
  int metrics_port() const { return metrics_port_; }
  pid_t pid() const { return pid_; }

  void Signal(int signal) const;
  // The exit code, or std::nullopt if it did not exit in time (or died by a
  // signal).
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);
  // SIGTERM then SIGINT (skips the grace period) and wait: the exit code.
  std::optional<int> Stop();
  std::string Log() const;

  // A config suited to tests: short drain, fast readiness and watch polls,
  // pushes off.
  static std::string DefaultConfig();

 private:
  std::string dir_;
  std::string database_url_;
  pid_t pid_ = -1;
  std::string grpc_listen_ = "127.0.0.1:0";
  int grpc_port_ = 0;
  int metrics_port_ = 0;
};

}  // namespace plaza::adapter::testing

#endif  // PLAZA_TESTS_ADAPTER_SUPPORT_ADAPTER_PROCESS_H_
