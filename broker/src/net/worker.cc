// The worker's event loop. Level-triggered epoll: a socket with more input
// than one turn reads stays ready and is served again next turn, which keeps
// one busy client from starving the others.
#include "net/worker.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/log.h"
#include "net/socket.h"

namespace plaza::broker {
namespace {

// epoll user data: connection ids count up from 1; these never collide.
constexpr uint64_t kInboxTag = 1ull << 63;
constexpr uint64_t kListenerTag = 1ull << 62;

constexpr size_t kReadChunk = 64 * 1024;
constexpr int kReadsPerTurn = 4;  // per socket, for fairness
constexpr int kAcceptsPerTurn = 64;
constexpr int kTickMs = 250;
constexpr int64_t kNsPerMs = 1'000'000;
constexpr size_t kMaxIovecs = 512;

thread_local int t_worker_index = -1;

}  // namespace

int Worker::CurrentIndex() { return t_worker_index; }

Worker::Worker(size_t index, size_t count, const Limits& limits, size_t max_connections,
               int64_t idle_spin_ns, ServerCounters* counters, Hooks* hooks,
               SubscriptionSummary* summary)
    : index_(index),
      max_connections_(max_connections),
      counters_(counters),
      summary_(summary),
      shard_(index, count, limits, this, hooks),
      idle_spin_(idle_spin_ns),
      shared_out_(count) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kInboxTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, event_fd_, &ev);
  read_buffer_.resize(kReadChunk);
  now_ms_ = MonotonicNs() / kNsPerMs;
}

Worker::~Worker() {
  for (const auto& [id, socket] : sockets_) close(socket.fd);
  for (const HandoffItem& item : inbox_.handoffs) close(item.fd);
  if (spare_fd_ >= 0) close(spare_fd_);
  close(event_fd_);
  close(epoll_fd_);
}

int64_t Worker::MonotonicNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int Worker::WaitForEvents(epoll_event* events, int capacity, int64_t next_tick_ms) {
  const int64_t idle_since = MonotonicNs();
  int n = 0;
  if (idle_spin_.window_ns() > 0) {
    const int64_t poll_until =
        std::min(idle_since + idle_spin_.window_ns(), next_tick_ms * kNsPerMs);
    do {
      n = epoll_wait(epoll_fd_, events, capacity, 0);
    } while (n == 0 && MonotonicNs() < poll_until);
  }
  if (n == 0) {
    const int64_t left_ms = next_tick_ms - MonotonicNs() / kNsPerMs;
    ++sleeps_;
    n = epoll_wait(epoll_fd_, events, capacity, static_cast<int>(std::max<int64_t>(0, left_ms)));
  }
  const int64_t now_ns = MonotonicNs();
  idle_spin_.Observe(now_ns - idle_since);
  now_ms_ = now_ns / kNsPerMs;
  return n;
}

void Worker::AddListener(int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.u64 = kListenerTag + listeners_.size();
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  listeners_.push_back(fd);
}

void Worker::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::Stop() {
  std::lock_guard lock(mutex_);
  inbox_.stop = true;
  Wake();
}

// Called with mutex_ held.
void Worker::Wake() {
  if (inbox_.signaled) return;
  inbox_.signaled = true;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(event_fd_, &one, sizeof(one));
}

void Worker::PostMessages(const std::vector<MessagePtr>& messages) {
  std::lock_guard lock(mutex_);
  inbox_.messages.insert(inbox_.messages.end(), messages.begin(), messages.end());
  Wake();
}

void Worker::PostShared(std::vector<SharedWork> work) {
  // A task, so it keeps its place among the messages posted around it.
  PostTask([work = std::move(work)](Shard& shard) mutable {
    for (SharedWork& item : work) shard.OnSharedWork(std::move(item));
  });
}

void Worker::PostHandoff(int fd, std::string peer, std::string input) {
  std::lock_guard lock(mutex_);
  inbox_.handoffs.push_back({fd, std::move(peer), std::move(input)});
  Wake();
}

void Worker::PostTask(std::function<void(Shard&)> task) {
  std::lock_guard lock(mutex_);
  inbox_.tasks.push_back(std::move(task));
  inbox_.task_positions.push_back(inbox_.messages.size());
  Wake();
}

void Worker::PostLimits(const Limits& limits) {
  std::lock_guard lock(mutex_);
  inbox_.limits = limits;
  Wake();
}

void Worker::Run() {
  t_worker_index = static_cast<int>(index_);
  std::vector<epoll_event> events(256);
  int64_t next_tick = MonotonicNs() / kNsPerMs + kTickMs;
  while (!stopping_) {
    const int n = WaitForEvents(events.data(), static_cast<int>(events.size()), next_tick);
    // The inbox first: what other workers posted before this turn's input
    // arrived happened before it (a shared subscriber's join before a
    // message its SUBACK prompted).
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == kInboxTag) DrainInbox();
    }
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kInboxTag) {
        continue;
      } else if (tag >= kListenerTag) {
        Accept(listeners_[tag - kListenerTag]);
      } else {
        auto it = sockets_.find(tag);
        if (it == sockets_.end()) continue;
        if (events[i].events & EPOLLOUT) Flush(tag);
        if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ReadFrom(tag);
      }
    }
    if (now_ms_ >= next_tick) {
      shard_.OnTick();
      PublishStats();
      next_tick = now_ms_ + kTickMs;
    }
    FinishTurn();
  }
  shard_.CloseAll();
  FinishTurn();
}

void Worker::PublishStats() {
  const ShardStats& s = shard_.stats();
  constexpr auto kRelaxed = std::memory_order_relaxed;
  stats_.connections.store(shard_.connection_count(), kRelaxed);
  stats_.sessions.store(shard_.session_count(), kRelaxed);
  stats_.subscriptions.store(shard_.subscription_count(), kRelaxed);
  stats_.retained.store(shard_.retained_count(), kRelaxed);
  stats_.connections_opened.store(s.connections_opened, kRelaxed);
  stats_.messages_received.store(s.messages_received, kRelaxed);
  stats_.messages_sent.store(s.messages_sent, kRelaxed);
  stats_.qos0_dropped.store(s.qos0_dropped, kRelaxed);
  stats_.queued_dropped.store(s.queued_dropped, kRelaxed);
  stats_.overflow_disconnects.store(s.overflow_disconnects, kRelaxed);
  stats_.protocol_errors.store(s.protocol_errors, kRelaxed);
  stats_.conflated.store(s.conflated, kRelaxed);
  stats_.expired_dropped.store(s.expired_dropped, kRelaxed);
  stats_.oversize_dropped.store(s.oversize_dropped, kRelaxed);
  stats_.sleeps.store(sleeps_, kRelaxed);
}

void Worker::Accept(int listen_fd) {
  for (int i = 0; i < kAcceptsPerTurn; ++i) {
    sockaddr_storage address{};
    socklen_t address_size = sizeof(address);
    const int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&address), &address_size,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        // Out of descriptors: accept with the spare one and close at once,
        // so the pending connection does not spin the loop.
        PLAZA_LOG(kWarning) << "out of file descriptors: refusing a connection";
        close(spare_fd_);
        const int refused = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (refused >= 0) close(refused);
        spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
        continue;
      }
      return;  // EAGAIN, or an error on one pending connection
    }
    if (max_connections_ > 0 && counters_->connections.load() >= max_connections_) {
      ++counters_->refused_max_connections;
      PLAZA_LOG(kWarning) << "refusing " << AddressName(address) << ": max_connections ("
                          << max_connections_ << ") reached";
      close(fd);
      continue;
    }
    SetNoDelay(fd);
    Register(fd, AddressName(address));
    ++counters_->connections;
  }
}

ConnId Worker::Register(int fd, std::string peer) {
  const ConnId id = (static_cast<uint64_t>(index_) << 48) | ++next_conn_;
  sockets_.emplace(id, Socket{fd});
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.u64 = id;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  shard_.OnOpen(id, peer);
  return id;
}

void Worker::ReadFrom(ConnId id) {
  for (int i = 0; i < kReadsPerTurn; ++i) {
    auto it = sockets_.find(id);
    if (it == sockets_.end() || it->second.closing) return;
    const ssize_t n = read(it->second.fd, read_buffer_.data(), read_buffer_.size());
    if (n > 0) {
      shard_.OnBytes(id, std::string_view(read_buffer_.data(), static_cast<size_t>(n)));
      if (static_cast<size_t>(n) < read_buffer_.size()) return;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    // End of stream or a socket error: the connection is gone.
    it->second.closing = true;
    closing_.push_back(id);
    return;
  }
}

void Worker::DrainInbox() {
  Inbox work;
  {
    std::lock_guard lock(mutex_);
    std::swap(work, inbox_);
    uint64_t value;
    [[maybe_unused]] ssize_t n = read(event_fd_, &value, sizeof(value));
  }
  if (work.limits) shard_.SetLimits(*work.limits);
  for (HandoffItem& item : work.handoffs) {
    const ConnId id = Register(item.fd, std::move(item.peer));
    shard_.OnBytes(id, item.input);
  }
  // Messages and tasks in the order they were posted.
  size_t next_task = 0;
  for (size_t i = 0; i < work.messages.size(); ++i) {
    while (next_task < work.tasks.size() && work.task_positions[next_task] <= i) {
      work.tasks[next_task++](shard_);
    }
    shard_.OnRemoteMessage(work.messages[i]);
  }
  while (next_task < work.tasks.size()) work.tasks[next_task++](shard_);
  if (work.stop) stopping_ = true;
}

void Worker::WantWrite(ConnId id) {
  auto it = sockets_.find(id);
  if (it == sockets_.end() || it->second.dirty) return;
  it->second.dirty = true;
  dirty_.push_back(id);
}

void Worker::Close(ConnId id) {
  auto it = sockets_.find(id);
  if (it == sockets_.end() || it->second.closing) return;
  it->second.closing = true;
  closing_.push_back(id);
}

void Worker::Handoff(ConnId id, size_t target, std::string peer, std::string input) {
  auto it = sockets_.find(id);
  if (it == sockets_.end()) return;
  const int fd = it->second.fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  sockets_.erase(it);
  peers_[target]->PostHandoff(fd, std::move(peer), std::move(input));
}

void Worker::Broadcast(const MessagePtr& message) { outgoing_.push_back(message); }

void Worker::PostShared(size_t target, SharedWork work) {
  shared_out_[target].push_back(std::move(work));
  has_shared_out_ = true;
}

void Worker::UpdateInterest(Socket& socket, ConnId id, bool want_write) {
  if (socket.watching_write == want_write) return;
  socket.watching_write = want_write;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (want_write ? EPOLLOUT : 0u);
  ev.data.u64 = id;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, socket.fd, &ev);
}

void Worker::Flush(ConnId id) {
  auto it = sockets_.find(id);
  if (it == sockets_.end()) return;
  Socket& socket = it->second;
  socket.dirty = false;
  OutputQueue* queue = shard_.Output(id);
  iovec iov[kMaxIovecs];
  while (queue && !queue->empty()) {
    const size_t count = queue->Gather(iov, kMaxIovecs);
    size_t total = 0;
    for (size_t i = 0; i < count; ++i) total += iov[i].iov_len;
    const ssize_t n = writev(socket.fd, iov, static_cast<int>(count));
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      if (!socket.closing) {
        socket.closing = true;
        closing_.push_back(id);
      }
      return;
    }
    queue->Consume(static_cast<size_t>(n));
    if (static_cast<size_t>(n) < total) break;  // the socket buffer is full
  }
  if (!socket.closing) UpdateInterest(socket, id, queue && !queue->empty());
}

void Worker::FinishTurn() {
  // Closing a connection can publish a will and queue output elsewhere, and
  // writing can find a dead socket: repeat until nothing is left to do.
  for (int round = 0; round < 8; ++round) {
    if (has_shared_out_) {
      has_shared_out_ = false;
      for (size_t target = 0; target < shared_out_.size(); ++target) {
        if (shared_out_[target].empty()) continue;
        peers_[target]->PostShared(std::move(shared_out_[target]));
        shared_out_[target].clear();
      }
    }
    if (!outgoing_.empty()) {
      for (Worker* peer : peers_) {
        if (peer != this) peer->PostMessages(outgoing_);
      }
      outgoing_.clear();
    }
    std::vector<ConnId> dirty;
    dirty.swap(dirty_);
    for (ConnId id : dirty) Flush(id);
    std::vector<ConnId> closing;
    closing.swap(closing_);
    for (ConnId id : closing) CloseSocket(id);
    if (dirty_.empty() && closing_.empty() && outgoing_.empty() && !has_shared_out_) break;
  }
}

void Worker::CloseSocket(ConnId id) {
  auto it = sockets_.find(id);
  if (it == sockets_.end()) return;
  Flush(id);  // best effort: a final CONNACK or the rest of a reply
  it = sockets_.find(id);
  if (it == sockets_.end()) return;
  // Closing the only descriptor of a socket takes it out of the epoll set:
  // no EPOLL_CTL_DEL (a system call per connection) first.
  close(it->second.fd);
  sockets_.erase(it);
  --counters_->connections;
  shard_.OnClosed(id);
}

}  // namespace plaza::broker
