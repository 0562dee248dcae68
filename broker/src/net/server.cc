// Start-up and shutdown of the listeners and workers.
#include "net/server.h"

#include <unistd.h>

#include <thread>

#include "common/log.h"
#include "net/socket.h"

namespace plaza::broker {

Server::Server(ServerOptions options) : options_(std::move(options)) {
  // The workers exist from here on, so RunOn() may queue tasks for them
  // before Start() (they run once the threads do).
  size_t threads = options_.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  summary_ = std::make_unique<SubscriptionSummary>(threads);
  for (size_t i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<Worker>(i, threads, options_.limits,
                                                options_.max_connections,
                                                static_cast<int64_t>(options_.idle_spin_us) * 1000,
                                                &counters_, options_.hooks, summary_.get()));
  }
  std::vector<Worker*> peers;
  for (auto& worker : workers_) peers.push_back(worker.get());
  for (auto& worker : workers_) worker->SetPeers(peers);
}

Server::~Server() { Stop(); }

bool Server::Start(std::string* error) {
  const size_t threads = workers_.size();

  for (const ListenerConfig& listener : options_.listeners) {
    // One socket per listener, watched by every worker: binding fails if
    // another process has the port, which SO_REUSEPORT would have allowed.
    const int fd = OpenListener(listener.bind, listener.port, error);
    if (fd < 0) {
      CloseListeners();
      return false;
    }
    listen_fds_.push_back(fd);
    ports_.push_back(LocalPort(fd));
    for (auto& worker : workers_) worker->AddListener(fd);
    PLAZA_LOG(kInfo) << "listening on " << listener.bind << ":" << ports_.back();
  }
  for (auto& worker : workers_) worker->Start();
  running_ = true;
  PLAZA_LOG(kInfo) << "plaza-broker running with " << threads << " worker thread"
                   << (threads == 1 ? "" : "s");
  return true;
}

void Server::RunOn(size_t index, std::function<void(Shard&)> task) {
  if (index < workers_.size()) workers_[index]->PostTask(std::move(task));
}

size_t Server::CurrentShard() const {
  const int index = Worker::CurrentIndex();
  return index < 0 ? 0 : static_cast<size_t>(index);
}

void Server::Reload(const Limits& limits) {
  options_.limits = limits;
  for (auto& worker : workers_) worker->PostLimits(limits);
}

void Server::Stop() {
  if (!running_) return;
  running_ = false;
  for (auto& worker : workers_) worker->Stop();
  for (auto& worker : workers_) worker->Join();
  CloseListeners();
}

void Server::CloseListeners() {
  for (int fd : listen_fds_) close(fd);
  listen_fds_.clear();
}

}  // namespace plaza::broker
