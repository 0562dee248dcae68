// The integration tests' hold on real processes: BrokerProcess runs the
// plaza-broker binary on a free port with its log recorded, and Command runs
// a command-line client (mosquitto_pub, mosquitto_sub, the broker's own CLI)
// with a timeout. Every wait has a deadline, so a broken broker fails a test
// with its log instead of hanging the suite.
#ifndef PLAZA_TESTS_BROKER_BROKER_PROCESS_H_
#define PLAZA_TESTS_BROKER_BROKER_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace plaza::testing {

using std::chrono::milliseconds;

// How long a test waits for something that should happen at once. Generous
// for sanitizer builds; a passing test never waits it out.
inline constexpr milliseconds kWait{10'000};

// The plaza-broker binary under test: $PLAZA_BROKER_PATH if set, else the
// one built with the tests.
const char* BrokerPath();

// A fresh directory under $TMPDIR, removed with its files on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `name` in the directory and returns its path.
  std::string WriteFile(const std::string& name, std::string_view text) const;

 private:
  std::string path_;
};

struct BrokerOptions {
  // Arguments after "--bind 127.0.0.1 -p 0" (and "-c FILE" with a config).
  std::vector<std::string> args;
  // YAML written to broker.yaml in a temporary directory and passed with -c.
  std::optional<std::string> config;
  milliseconds start_timeout = kWait;
};
BrokerOptions WithArgs(std::vector<std::string> args);
BrokerOptions WithConfig(std::string yaml, std::vector<std::string> args = {});

// One plaza-broker process. Its stderr is read by a background thread until
// the process ends, so tests can wait for and assert on log lines.
//
// The destructor stops the broker (SIGTERM, then SIGKILL after kWait) and
// fails the running test if it did not exit with code 0 or if its log holds
// a sanitizer report, so every test also checks a clean shutdown.
class BrokerProcess {
 public:
  BrokerProcess() = default;
  ~BrokerProcess();
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  // Starts the broker and waits for its "listening on 127.0.0.1:PORT" line.
  // On failure error() says why, with the log so far.
  bool Start(BrokerOptions options = {});
  const std::string& error() const { return error_; }

  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  // The configuration file passed with -c, or "" without one.
  const std::string& config_path() const { return config_path_; }
  // Replaces the configuration file, e.g. before a SIGHUP reload.
  void RewriteConfig(std::string_view yaml);

  bool Signal(int signal) const;
  // Waits for the process to end; the waitpid() status, or nullopt on timeout.
  std::optional<int> WaitForExit(milliseconds timeout = kWait);
  // SIGTERM, wait, SIGKILL after `timeout`; the waitpid() status.
  int Stop(milliseconds timeout = kWait);
  bool running() const { return pid_ > 0 && !status_; }
  // True if the process has ended with exit code 0.
  bool exited_cleanly() const;
  std::optional<int> status() const { return status_; }
  // Skips the destructor's exit-code check, for tests that end the broker
  // themselves in an unclean way (their own assertions then apply).
  void ExpectUncleanExit() { expect_clean_exit_ = false; }

  // Everything the broker wrote to stderr so far.
  std::string log() const;
  size_t log_size() const;
  // Waits until the log, from byte `from` on, contains `needle`.
  bool WaitForLog(std::string_view needle, milliseconds timeout = kWait, size_t from = 0) const;
  size_t CountInLog(std::string_view needle) const;

 private:
  void ReadStderr(int fd);

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::optional<int> status_;
  bool expect_clean_exit_ = true;
  std::optional<TempDir> dir_;
  std::string config_path_;
  std::string error_;
  std::thread reader_;

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::string log_;         // guarded by mutex_
  bool log_ended_ = false;  // guarded by mutex_: stderr reached end of file
};

// What a finished command did.
struct CommandResult {
  int exit_code = -1;  // -1 if it was killed or did not exit in time
  bool timed_out = false;
  std::string out;
  std::string err;
};

// A command-line tool running in the background, e.g. a mosquitto_sub that
// waits for messages while the test publishes. Its output is read when the
// test waits on it (no thread: the pipes are polled by the caller).
class Command {
 public:
  Command() = default;
  ~Command();
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;

  // Starts argv[0] (looked up in PATH) with stdin from /dev/null.
  bool Start(const std::vector<std::string>& argv, std::string* error);
  // Waits until its stdout contains `needle`.
  bool WaitForOutput(std::string_view needle, milliseconds timeout = kWait);
  // Waits for it to exit, killing it after `timeout`.
  CommandResult Finish(milliseconds timeout = kWait);
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  // Reads what is available, waiting at most until `deadline`; false once
  // both pipes are at end of file.
  bool Pump(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
};

// Runs a command to completion (killed after `timeout`).
CommandResult RunCommand(const std::vector<std::string>& argv, milliseconds timeout = kWait);

// Polls `condition` until it holds or `timeout` passes.
template <typename Condition>
bool WaitUntil(Condition condition, milliseconds timeout = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

}  // namespace plaza::testing

#endif  // PLAZA_TESTS_BROKER_BROKER_PROCESS_H_
