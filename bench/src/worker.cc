// The per-thread epoll loop of the load generator; see worker.h.
#include "worker.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <variant>

#include "clock.h"
#include "payload.h"
#include "room_reply.h"

namespace plaza::bench {
namespace {

// A publisher whose socket already holds this much unsent data skips its
// slots: the broker is not reading, and queueing more only measures our own
// buffer. The skipped messages are counted as unsent.
constexpr size_t kMaxQueuedBytes = 1 << 20;
constexpr int kMaxEvents = 512;
// A join without its answer after this long fails the run: most likely the
// broker does not run the rooms plugin (then --policy all is the right one).
constexpr int64_t kJoinTimeoutNs = 5 * kNsPerSec;

// Spreads publishers over one period of the rate without knowing how many
// there are: the fractional part of id * golden ratio is well distributed.
int64_t PhaseOf(uint32_t publisher_id, double rate) {
  const double fraction = std::fmod(publisher_id * 0.6180339887498949, 1.0);
  return static_cast<int64_t>(fraction / rate * 1e9);
}

}  // namespace

Worker::Worker(const RunSettings& settings, RunControl* control,
               std::vector<const ClientPlan*> clients)
    : settings_(settings), control_(control) {
  connections_.reserve(clients.size());
  publisher_of_.assign(clients.size(), -1);
  subscribers_.resize(clients.size());
  dirty_flag_.assign(clients.size(), 0);
  for (size_t i = 0; i < clients.size(); ++i) {
    const ClientPlan* plan = clients[i];
    connections_.push_back(std::make_unique<Connection>(plan));
    if (plan->publishes()) {
      publisher_of_[i] = static_cast<int>(publishers_.size());
      const double rate = settings.rate * plan->rate_scale;
      publishers_.push_back({connections_.back().get(), static_cast<uint32_t>(i), rate,
                             PhaseOf(plan->publisher_id, rate)});
    }
    if (plan->subscribes()) subscribers_[i].next_seq.assign(plan->watch_count, 0);
    if (!plan->join_topic.empty()) join_queue_.push_back(static_cast<uint32_t>(i));
  }
  // Shares are handed out in plan order, but the join order is the plan's.
  std::sort(join_queue_.begin(), join_queue_.end(), [&clients](uint32_t a, uint32_t b) {
    return clients[a]->join_order < clients[b]->join_order;
  });
  payload_.resize(static_cast<size_t>(settings.payload));
  for (size_t i = 0; i < payload_.size(); ++i) payload_[i] = static_cast<char>('a' + i % 26);
}

Worker::~Worker() {
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void Worker::Run() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    stats_.first_error = "epoll_create1 failed";
    control_->failed.fetch_add(client_count());
    return;
  }
  OpenMore();
  epoll_event events[kMaxEvents];
  while (!control_->stop.load(std::memory_order_acquire)) {
    if (start_ns_ == 0) start_ns_ = control_->start_ns.load(std::memory_order_acquire);
    const bool publishing = start_ns_ != 0 && !publishing_finished_;
    // Joins go one at a time across all workers: poll for our turn often.
    const bool joining = next_join_ < join_queue_.size();
    const int n = ::epoll_wait(epoll_fd_, events, kMaxEvents, publishing || joining ? 1 : 5);
    for (int i = 0; i < n; ++i) OnEvent(events[i].data.u32, events[i].events);
    if (joining) StartDueJoins();
    if (next_join_ > 0) CheckJoinTimeout(NowNs());
    if (publishing) {
      const int64_t now = NowNs();
      PublishDue(now);
      if (now >= control_->end_ns) {
        // Whatever the schedule wanted but could not send is unsent.
        for (const Publisher& publisher : publishers_) {
          StreamStats& stream = stats_.streams[StreamOf(publisher.connection->plan().publisher_id)];
          const uint64_t due = DueBy(publisher, control_->end_ns - 1);
          if (due > publisher.slots_done) {
            stats_.unsent += due - publisher.slots_done;
            stream.unsent += due - publisher.slots_done;
          }
          const uint64_t target = due - DueBy(publisher, control_->measure_ns - 1);
          stats_.target += target;
          stream.target += target;
        }
        publishing_finished_ = true;
        expected_total.store(stats_.expected, std::memory_order_relaxed);
        publishing_done.store(true, std::memory_order_release);
      }
    }
    if (settings_.keep_alive > 0) PingDue(NowNs());
    FlushDirty();
    delivered_progress.store(stats_.delivered, std::memory_order_relaxed);
  }
  CloseAll();
}

void Worker::PingDue(int64_t now) {
  const int64_t period = int64_t{settings_.keep_alive} * 500'000'000;  // half the keep-alive
  if (next_ping_ns_ == 0) next_ping_ns_ = now + period;
  if (now < next_ping_ns_) return;
  next_ping_ns_ = now + period;
  for (uint32_t i = 0; i < connections_.size(); ++i) {
    Connection& connection = *connections_[i];
    if (connection.state != Connection::State::kReady) continue;
    connection.QueuePing();
    ++stats_.pings;
    MarkDirty(i);
  }
}

void Worker::OpenMore() {
  while (opening_ < settings_.connect_window && next_to_open_ < connections_.size()) {
    const auto index = static_cast<uint32_t>(next_to_open_++);
    Connection& connection = *connections_[index];
    std::string error;
    if (stats_.first_open_ns == 0) stats_.first_open_ns = NowNs();
    ++opening_;
    if (!connection.Open(settings_.port, &error)) {
      Fail(index, error);
      continue;
    }
    UpdateInterest(index);
  }
}

void Worker::OnEvent(uint32_t index, uint32_t events) {
  Connection& connection = *connections_[index];
  if (connection.fd() < 0) return;  // closed earlier in this batch
  std::string error;
  if (connection.state == Connection::State::kConnecting) {
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
    if (!connection.FinishConnect(&error)) {
      Fail(index, error);
      return;
    }
    connection.state = Connection::State::kAwaitConnack;
    connection.QueueConnect(settings_.keep_alive);
    MarkDirty(index);
    return;
  }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
    const bool ok = connection.Read(
        &read_buffer_,
        [this, index, &error](const mqtt::Packet& packet, int64_t now) {
          return OnPacket(index, packet, now, &error);
        },
        &error);
    if (!ok) {
      Fail(index, error);
      return;
    }
  }
  if (events & EPOLLOUT) MarkDirty(index);
}

bool Worker::OnPacket(uint32_t index, const mqtt::Packet& packet, int64_t now, std::string* error) {
  Connection& connection = *connections_[index];
  using State = Connection::State;
  if (const auto* publish = std::get_if<mqtt::Publish>(&packet)) {
    OnDelivery(index, *publish, now);
    if (publish->qos > 0) {
      connection.QueuePuback(publish->packet_id);
      MarkDirty(index);
    }
    return true;
  }
  if (std::holds_alternative<mqtt::Puback>(packet)) {
    if (connection.state == State::kJoining) {
      connection.join_acked = true;
      MaybeFinishJoin(index);
      return true;
    }
    if (const int p = publisher_of_[index]; p >= 0) {
      Publisher& publisher = publishers_[static_cast<size_t>(p)];
      publisher.inflight = std::max(0, publisher.inflight - 1);
    }
    return true;
  }
  if (const auto* connack = std::get_if<mqtt::Connack>(&packet)) {
    if (connection.state != State::kAwaitConnack) {
      *error = "unexpected CONNACK";
      return false;
    }
    if (connack->return_code != mqtt::ConnectReturnCode::kAccepted) {
      *error =
          "CONNECT refused with code " + std::to_string(static_cast<int>(connack->return_code));
      return false;
    }
    if (!connection.plan().join_topic.empty()) {
      connection.QueueServerSubscribe();
      connection.state = State::kAwaitServerSuback;
      MarkDirty(index);
    } else if (connection.plan().subscribes()) {
      connection.QueueSubscribe(settings_.qos);
      connection.state = State::kAwaitSuback;
      MarkDirty(index);
    } else {
      BecomeReady(connection, now);
    }
    return true;
  }
  if (const auto* suback = std::get_if<mqtt::Suback>(&packet)) {
    if (connection.state != State::kAwaitSuback && connection.state != State::kAwaitServerSuback) {
      *error = "unexpected SUBACK";
      return false;
    }
    if (suback->return_codes.empty() ||
        std::find(suback->return_codes.begin(), suback->return_codes.end(), mqtt::kSubackFailure) !=
            suback->return_codes.end()) {
      *error = "SUBSCRIBE refused";
      return false;
    }
    if (connection.state == State::kAwaitServerSuback) {
      connection.state = State::kAwaitJoinTurn;
      StartDueJoins();
    } else {
      BecomeReady(connection, now);
    }
    return true;
  }
  if (std::holds_alternative<mqtt::Pingresp>(packet)) {
    ++stats_.pongs;
    return true;
  }
  *error = std::string("unexpected ") + mqtt::PacketTypeName(mqtt::TypeOf(packet));
  return false;
}

void Worker::OnDelivery(uint32_t index, const mqtt::Publish& publish, int64_t now) {
  const ClientPlan& plan = connections_[index]->plan();
  if (!plan.server_prefix.empty() &&
      publish.topic.substr(0, plan.server_prefix.size()) == plan.server_prefix) {
    OnServerMessage(index, publish);
    return;
  }
  ++stats_.delivered_all;
  PayloadHeader header;
  if (!ReadPayloadHeader(publish.payload, &header) || header.publisher < plan.watch_first ||
      header.publisher - plan.watch_first >= plan.watch_count) {
    ++stats_.foreign;
    return;
  }
  if (settings_.event && !settings_.event->Reaches(header.publisher, plan.publisher_id)) {
    ++stats_.unexpected;
    return;
  }
  uint32_t& next = subscribers_[index].next_seq[header.publisher - plan.watch_first];
  if (header.seq < next) {
    ++stats_.out_of_order;
  } else {
    next = header.seq + 1;
  }
  if (header.flags & kPayloadMeasured) {
    StreamStats& stream = stats_.streams[StreamOf(header.publisher)];
    ++stats_.delivered;
    ++stream.delivered;
    stats_.latency.Record(now - header.send_ns);
    stream.latency.Record(now - header.send_ns);
  }
}

void Worker::OnServerMessage(uint32_t index, const mqtt::Publish& publish) {
  ++stats_.server_messages;
  Connection& connection = *connections_[index];
  const ClientPlan& plan = connection.plan();
  if (connection.state != Connection::State::kJoining || !plan.await_reply ||
      publish.topic.substr(plan.server_prefix.size()) != "reply") {
    return;  // snapshots, presence, settings: not what the bench measures
  }
  const std::optional<RoomReply> reply = ParseRoomReply(publish.payload);
  if (!reply || reply->request_topic != plan.join_topic) return;  // not the join's
  if (reply->reason_code != 0) {
    char code[16];
    std::snprintf(code, sizeof code, "0x%02x", reply->reason_code);
    Fail(index, "join of " + plan.username + " refused with " + code + ": " + reply->reason);
    return;
  }
  connection.join_replied = true;
  MaybeFinishJoin(index);
}

void Worker::StartDueJoins() {
  while (next_join_ < join_queue_.size()) {
    const uint32_t index = join_queue_[next_join_];
    Connection& connection = *connections_[index];
    if (connection.state != Connection::State::kAwaitJoinTurn ||
        connection.plan().join_order != control_->joined.load(std::memory_order_acquire)) {
      return;
    }
    ++next_join_;
    connection.state = Connection::State::kJoining;
    connection.join_sent_ns = NowNs();
    connection.QueueJoin(/*packet_id=*/1);
    MarkDirty(index);
    // The next member (here or in another worker) waits for this join to end.
    return;
  }
}

void Worker::CheckJoinTimeout(int64_t now) {
  const uint32_t index = join_queue_[next_join_ - 1];  // the last join this worker sent
  Connection& connection = *connections_[index];
  if (connection.state != Connection::State::kJoining ||
      now - connection.join_sent_ns < kJoinTimeoutNs) {
    return;
  }
  Fail(index, connection.join_acked
                  ? "no Reply from the rooms plugin to the join within 5 s (a broker without "
                    "the plugin needs --policy all)"
                  : "no PUBACK to the join within 5 s");
}

void Worker::MaybeFinishJoin(uint32_t index) {
  Connection& connection = *connections_[index];
  if (!connection.join_acked || (connection.plan().await_reply && !connection.join_replied)) {
    return;
  }
  connection.QueueSubscribe(settings_.qos);
  connection.state = Connection::State::kAwaitSuback;
  MarkDirty(index);
  control_->joined.fetch_add(1, std::memory_order_acq_rel);
  StartDueJoins();
}

void Worker::BecomeReady(Connection& connection, int64_t now) {
  connection.state = Connection::State::kReady;
  stats_.connect.Record(now - connection.connect_start_ns);
  stats_.last_ready_ns = now;
  --opening_;
  control_->ready.fetch_add(1, std::memory_order_relaxed);
  OpenMore();
}

void Worker::Fail(uint32_t index, const std::string& why) {
  Connection& connection = *connections_[index];
  if (stats_.first_error.empty()) {
    stats_.first_error = connection.plan().client_id + ": " + why;
  }
  const bool was_ready = connection.state == Connection::State::kReady;
  connection.Close(/*reset=*/true);
  if (was_ready) {
    ++stats_.disconnects;
  } else {
    --opening_;
    control_->failed.fetch_add(1, std::memory_order_relaxed);
  }
}

void Worker::PublishDue(int64_t now) {
  const int64_t until = std::min(now, control_->end_ns - 1);
  const auto qos = settings_.qos;
  for (Publisher& publisher : publishers_) {
    Connection& connection = *publisher.connection;
    if (connection.state != Connection::State::kReady) continue;
    const uint64_t due = DueBy(publisher, until);
    if (due <= publisher.slots_done) continue;
    uint64_t count = due - publisher.slots_done;
    if (qos > 0) {
      count = std::min<uint64_t>(
          count, static_cast<uint64_t>(std::max(0, settings_.inflight - publisher.inflight)));
    }
    if (connection.queued_bytes() > kMaxQueuedBytes) {
      // Give the slots up rather than pile them up: they are counted unsent.
      stats_.unsent += count;
      stats_.streams[StreamOf(connection.plan().publisher_id)].unsent += count;
      publisher.slots_done = due;
      continue;
    }
    if (count == 0) continue;
    const ClientPlan& plan = connection.plan();
    StreamStats& stream = stats_.streams[StreamOf(plan.publisher_id)];
    PayloadHeader header;
    header.send_ns = now;
    header.publisher = plan.publisher_id;
    uint64_t measured = 0;
    for (uint64_t i = 0; i < count; ++i) {
      // A message belongs to the measured window if its slot does, even when
      // it goes out late, so the window holds exactly `target` messages.
      const int64_t slot_ns = SlotTime(publisher, publisher.slots_done + i);
      const bool in_window = slot_ns >= control_->measure_ns && slot_ns < control_->end_ns;
      measured += in_window;
      header.flags = in_window ? kPayloadMeasured : 0;
      header.seq = publisher.seq++;
      WritePayloadHeader(header, payload_.data());
      uint16_t packet_id = 0;
      if (qos > 0) {
        packet_id = publisher.next_packet_id;
        publisher.next_packet_id = packet_id == 65535 ? 1 : packet_id + 1;
        ++publisher.inflight;
      }
      connection.QueuePublish(payload_, qos, packet_id);
    }
    publisher.slots_done += count;
    stats_.sent += count;
    stats_.measured_sent += measured;
    stats_.expected += measured * plan.fanout;
    stream.measured_sent += measured;
    stream.expected += measured * plan.fanout;
    MarkDirty(publisher.index);
  }
}

uint64_t Worker::DueBy(const Publisher& publisher, int64_t time) const {
  // Slot k of a publisher is due at start + phase + k / rate.
  const int64_t offset = time - start_ns_ - publisher.phase_ns;
  if (offset < 0) return 0;
  return static_cast<uint64_t>(std::floor(static_cast<double>(offset) * publisher.rate / 1e9)) + 1;
}

int64_t Worker::SlotTime(const Publisher& publisher, uint64_t slot) const {
  return start_ns_ + publisher.phase_ns +
         static_cast<int64_t>(static_cast<double>(slot) * 1e9 / publisher.rate);
}

void Worker::MarkDirty(uint32_t index) {
  if (dirty_flag_[index]) return;
  dirty_flag_[index] = 1;
  dirty_.push_back(index);
}

void Worker::FlushDirty() {
  // Index loop: a failure below never adds to dirty_, but stay safe anyway.
  for (size_t i = 0; i < dirty_.size(); ++i) {
    const uint32_t index = dirty_[i];
    dirty_flag_[index] = 0;
    Connection& connection = *connections_[index];
    if (connection.fd() < 0) continue;
    std::string error;
    if (!connection.Flush(&error)) {
      Fail(index, error);
      continue;
    }
    UpdateInterest(index);
  }
  dirty_.clear();
}

void Worker::UpdateInterest(uint32_t index) {
  Connection& connection = *connections_[index];
  uint32_t wanted = EPOLLIN;
  if (connection.state == Connection::State::kConnecting || connection.wants_write()) {
    wanted |= EPOLLOUT;
  }
  if (wanted == connection.epoll_events) return;
  epoll_event event{};
  event.events = wanted;
  event.data.u32 = index;
  const int op = connection.epoll_events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (::epoll_ctl(epoll_fd_, op, connection.fd(), &event) == 0) connection.epoll_events = wanted;
}

void Worker::CloseAll() {
  for (auto& connection : connections_) {
    if (connection->fd() < 0) continue;
    if (connection->state == Connection::State::kReady) {
      connection->QueueDisconnect();
      std::string ignored;
      connection->Flush(&ignored);
    }
    connection->Close(/*reset=*/true);
  }
}

}  // namespace plaza::bench
