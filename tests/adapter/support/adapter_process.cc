// Spawning, readiness and stopping of plaza-adapter.
#include "support/adapter_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace plaza::adapter::testing {

AdapterProcess::AdapterProcess(std::string database_url, std::string config_yaml)
    : database_url_(std::move(database_url)) {
  std::string pattern = (std::filesystem::temp_directory_path() / "plaza-adapter.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return;
  }
  dir_ = pattern;
  std::ofstream(dir_ + "/adapter.yaml") << config_yaml;
}

AdapterProcess::~AdapterProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (::testing::Test::HasFailure()) std::cerr << "--- plaza-adapter log:\n" << Log() << "---\n";
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string AdapterProcess::DefaultConfig() {
  return R"(grpc:
  listen: 127.0.0.1:0
database:
  demo_data: true
  probe_interval_ms: 100
  statement_timeout_ms: 3000
watch:
  poll_interval_ms: 200
drain:
  grace_ms: 800
  deadline_ms: 2000
mqtt:
  enabled: false
)";
}

bool AdapterProcess::Start() {
  const std::string ports = dir_ + "/ports";
  std::remove(ports.c_str());  // from an earlier run
  grpc_port_ = 0;
  metrics_port_ = 0;
  std::vector<std::string> args = {PLAZA_ADAPTER_BINARY,
                                   "-c",
                                   dir_ + "/adapter.yaml",
                                   "--database",
                                   database_url_,
                                   "--grpc-listen",
                                   grpc_listen_,
                                   "--metrics-listen",
                                   "127.0.0.1:0",
                                   "--ports-file",
                                   ports};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log = dir_ + "/adapter.log";
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << argv[0];
    pid_ = -1;
    return false;
  }
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < give_up) {
    std::ifstream file(ports);
    std::string line;
    while (std::getline(file, line)) {
      if (line.rfind("grpc=", 0) == 0) grpc_port_ = std::stoi(line.substr(5));
      if (line.rfind("metrics=", 0) == 0) metrics_port_ = std::stoi(line.substr(8));
    }
    if (grpc_port_ > 0 && metrics_port_ > 0) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "plaza-adapter exited during start:\n" << Log();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "plaza-adapter did not write its ports in time";
  return false;
}

void AdapterProcess::Signal(int signal) const {
  if (pid_ > 0) kill(pid_, signal);
}

std::optional<int> AdapterProcess::WaitForExit(std::chrono::milliseconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return std::nullopt;
    }
    if (std::chrono::steady_clock::now() > give_up) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

std::optional<int> AdapterProcess::Stop() {
  Signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  Signal(SIGINT);
  return WaitForExit(std::chrono::seconds(20));
}

std::string AdapterProcess::Log() const {
  std::ifstream file(dir_ + "/adapter.log");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace plaza::adapter::testing
