// Process plumbing for the integration tests: posix_spawn with pipes, a
// stderr reader thread for the broker, and polled pipes for short-lived
// command-line clients.
#include "broker_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

#include <gtest/gtest.h>

extern char** environ;

namespace plaza::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Starts `argv` with stdin from /dev/null, stdout and stderr on the given
// descriptors and no other descriptor inherited: a client socket the test
// holds must not stay open in a child after the test closes it.
pid_t Spawn(const std::vector<std::string>& argv, int out_fd, int err_fd, std::string* error) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);

  // The child starts with default signal handling whatever a client library
  // did to this process (Paho, for one, ignores SIGPIPE).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  // setpriv (util-linux) makes the child die with this process: a test
  // binary that aborts (a sanitizer report, a crash) leaves no broker behind.
  std::vector<std::string> wrapped = {"setpriv", "--pdeathsig", "KILL", "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  std::vector<char*> args;
  for (const std::string& arg : wrapped) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    *error = "cannot start " + argv[0] + ": " + std::strerror(rc);
    return -1;
  }
  return pid;
}

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// The end of a long log, enough to show why a test failed.
std::string Tail(const std::string& text, size_t max = 8000) {
  if (text.size() <= max) return text;
  return "[...]\n" + text.substr(text.size() - max);
}

bool HasSanitizerReport(const std::string& log) {
  return log.find("Sanitizer") != std::string::npos ||
         log.find("runtime error:") != std::string::npos;
}

int Milliseconds(Clock::duration d) {
  const auto ms = std::chrono::duration_cast<milliseconds>(d).count();
  return static_cast<int>(std::max<int64_t>(0, ms));
}

}  // namespace

const char* BrokerPath() {
  // The environment may point the suite at another build of the broker.
  const char* override_path = std::getenv("PLAZA_BROKER_PATH");
  return override_path && *override_path ? override_path : PLAZA_BROKER_PATH;
}

BrokerOptions WithArgs(std::vector<std::string> args) {
  BrokerOptions options;
  options.args = std::move(args);
  return options;
}

BrokerOptions WithConfig(std::string yaml, std::vector<std::string> args) {
  BrokerOptions options;
  options.config = std::move(yaml);
  options.args = std::move(args);
  return options;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/plaza-itest-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp(" << pattern << "): " << std::strerror(errno);
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::WriteFile(const std::string& name, std::string_view text) const {
  const std::string path = path_ + "/" + name;
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file) ADD_FAILURE() << "cannot write " << path;
  return path;
}

// ---------------------------------------------------------------------------
// BrokerProcess

BrokerProcess::~BrokerProcess() {
  if (pid_ <= 0) return;
  const int status = Stop();
  if (port_ == 0) return;  // Start() failed and said why
  const std::string text = log();
  if (expect_clean_exit_ && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    ADD_FAILURE() << "plaza-broker (pid " << pid_
                  << ") did not exit cleanly on SIGTERM: " << DescribeStatus(status)
                  << "\n--- broker log ---\n"
                  << Tail(text);
  }
  if (HasSanitizerReport(text)) {
    ADD_FAILURE() << "plaza-broker (pid " << pid_ << ") logged a sanitizer report:\n"
                  << Tail(text, 30000);
  }
}

bool BrokerProcess::Start(BrokerOptions options) {
  if (pid_ > 0) {
    error_ = "already started";
    return false;
  }
  std::vector<std::string> argv = {BrokerPath(), "--bind", "127.0.0.1", "-p", "0"};
  if (options.config) {
    dir_.emplace();
    config_path_ = dir_->WriteFile("broker.yaml", *options.config);
    argv.push_back("-c");
    argv.push_back(config_path_);
  }
  argv.insert(argv.end(), options.args.begin(), options.args.end());

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    error_ = std::string("pipe2: ") + std::strerror(errno);
    return false;
  }
  // stdout too: --help and --check-config print there.
  pid_ = Spawn(argv, fds[1], fds[1], &error_);
  close(fds[1]);
  if (pid_ < 0) {
    close(fds[0]);
    return false;
  }
  reader_ = std::thread(&BrokerProcess::ReadStderr, this, fds[0]);

  static const std::regex kListening(R"(listening on 127\.0\.0\.1:(\d+))");
  std::smatch match;
  bool found = false;
  {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, Clock::now() + options.start_timeout, [&] {
      found = std::regex_search(log_, match, kListening);
      return found || log_ended_;
    });
    if (found) port_ = static_cast<uint16_t>(std::stoi(match[1].str()));
  }
  if (found && port_ != 0) return true;

  std::string command;
  for (const std::string& arg : argv) command += arg + " ";
  error_ = "plaza-broker did not report 'listening on 127.0.0.1:PORT' within " +
           std::to_string(options.start_timeout.count()) + " ms (" + command + ")";
  Stop(milliseconds(2000));
  if (status_) error_ += "; it ended with " + DescribeStatus(*status_);
  error_ += "\n--- broker log ---\n" + Tail(log());
  port_ = 0;
  return false;
}

void BrokerProcess::ReadStderr(int fd) {
  char buffer[4096];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard lock(mutex_);
    log_.append(buffer, static_cast<size_t>(n));
    changed_.notify_all();
  }
  close(fd);
  std::lock_guard lock(mutex_);
  log_ended_ = true;
  changed_.notify_all();
}

void BrokerProcess::RewriteConfig(std::string_view yaml) {
  ASSERT_TRUE(dir_) << "the broker was started without a configuration file";
  // Written beside and renamed, so the broker never reads half a file.
  const std::string temp = dir_->WriteFile("broker.yaml.new", yaml);
  ASSERT_EQ(std::rename(temp.c_str(), config_path_.c_str()), 0) << std::strerror(errno);
}

bool BrokerProcess::Signal(int signal) const {
  return pid_ > 0 && !status_ && kill(pid_, signal) == 0;
}

std::optional<int> BrokerProcess::WaitForExit(milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = Clock::now() + timeout;
  while (!status_) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      status_ = status;
      break;
    }
    if (r < 0 && errno != EINTR) break;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return status_;
}

int BrokerProcess::Stop(milliseconds timeout) {
  if (pid_ <= 0) return -1;
  if (!status_) {
    kill(pid_, SIGTERM);
    if (!WaitForExit(timeout)) {
      ADD_FAILURE() << "plaza-broker (pid " << pid_ << ") ignored SIGTERM for " << timeout.count()
                    << " ms; killing it";
      kill(pid_, SIGKILL);
      WaitForExit(kWait);
    }
  }
  if (reader_.joinable()) reader_.join();
  return status_.value_or(-1);
}

bool BrokerProcess::exited_cleanly() const {
  return status_ && WIFEXITED(*status_) && WEXITSTATUS(*status_) == 0;
}

std::string BrokerProcess::log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

size_t BrokerProcess::log_size() const {
  std::lock_guard lock(mutex_);
  return log_.size();
}

bool BrokerProcess::WaitForLog(std::string_view needle, milliseconds timeout, size_t from) const {
  std::unique_lock lock(mutex_);
  auto found = [&] { return from <= log_.size() && log_.find(needle, from) != std::string::npos; };
  changed_.wait_for(lock, timeout, [&] { return found() || log_ended_; });
  return found();
}

size_t BrokerProcess::CountInLog(std::string_view needle) const {
  std::lock_guard lock(mutex_);
  size_t count = 0;
  for (size_t at = log_.find(needle); at != std::string::npos; at = log_.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// ---------------------------------------------------------------------------
// Command

Command::~Command() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

bool Command::Start(const std::vector<std::string>& argv, std::string* error) {
  int out[2];
  int err[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + std::strerror(errno);
    return false;
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + std::strerror(errno);
    close(out[0]);
    close(out[1]);
    return false;
  }
  pid_ = Spawn(argv, out[1], err[1], error);
  close(out[1]);
  close(err[1]);
  out_fd_ = out[0];
  err_fd_ = err[0];
  return pid_ > 0;
}

bool Command::Pump(Clock::time_point deadline) {
  pollfd fds[2];
  int count = 0;
  for (int fd : {out_fd_, err_fd_}) {
    if (fd >= 0) fds[count++] = pollfd{fd, POLLIN, 0};
  }
  if (count == 0) return false;
  const int ready = poll(fds, count, Milliseconds(deadline - Clock::now()));
  if (ready <= 0) return true;
  for (int i = 0; i < count; ++i) {
    if (fds[i].revents == 0) continue;
    char buffer[4096];
    const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    const bool is_out = fds[i].fd == out_fd_;
    if (n <= 0) {
      close(fds[i].fd);
      (is_out ? out_fd_ : err_fd_) = -1;
      continue;
    }
    (is_out ? out_ : err_).append(buffer, static_cast<size_t>(n));
  }
  return out_fd_ >= 0 || err_fd_ >= 0;
}

bool Command::WaitForOutput(std::string_view needle, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (out_.find(needle) == std::string::npos) {
    if (!Pump(deadline) || Clock::now() >= deadline) {
      return out_.find(needle) != std::string::npos;
    }
  }
  return true;
}

CommandResult Command::Finish(milliseconds timeout) {
  CommandResult result;
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline && Pump(deadline)) {
  }
  if (pid_ > 0) {
    int status = 0;
    pid_t r = 0;
    while ((r = waitpid(pid_, &status, WNOHANG)) == 0 && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    if (r != pid_) {
      result.timed_out = true;
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  }
  // Whatever the process left in the pipes (closed now that it is gone).
  const auto drain_deadline = Clock::now() + milliseconds(1000);
  while (Clock::now() < drain_deadline && Pump(drain_deadline)) {
  }
  result.out = out_;
  result.err = err_;
  return result;
}

CommandResult RunCommand(const std::vector<std::string>& argv, milliseconds timeout) {
  Command command;
  std::string error;
  if (!command.Start(argv, &error)) {
    CommandResult result;
    result.err = error;
    return result;
  }
  return command.Finish(timeout);
}

}  // namespace plaza::testing
