// One bench client: a non-blocking TCP connection to the broker on 127.0.0.1
// speaking MQTT 3.1.1 through plaza_mqtt's codec. It owns the socket and its
// two buffers (bytes not yet written, and a partial packet not yet decoded)
// and nothing else; the worker that owns it decides what to send and what a
// received packet means.
#ifndef PLAZA_BENCH_CONNECTION_H_
#define PLAZA_BENCH_CONNECTION_H_

#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "clock.h"
#include "mqtt/codec.h"
#include "mqtt/packet.h"
#include "scenario.h"

namespace plaza::bench {

// Larger than any packet the bench sends or expects back.
inline constexpr size_t kMaxPacketSize = 2 << 20;

class Connection {
 public:
  enum class State {
    kIdle,
    kConnecting,
    kAwaitConnack,
    kAwaitServerSuback,  // a room member: subscribed to the room's server topics
    kAwaitJoinTurn,      // ... waiting for the members before it to join
    kJoining,            // ... join sent, waiting for its PUBACK (and Reply)
    kAwaitSuback,
    kReady,
    kClosed
  };

  explicit Connection(const ClientPlan* plan) : plan_(plan) {}
  ~Connection() { Close(/*reset=*/true); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const ClientPlan& plan() const { return *plan_; }
  int fd() const { return fd_; }

  // Starts a non-blocking connect to 127.0.0.1:`port` with TCP_NODELAY.
  bool Open(uint16_t port, std::string* error);
  // The socket became writable while connecting: did the connect succeed?
  bool FinishConnect(std::string* error);
  // Closes the socket. With `reset`, the close sends RST and leaves no
  // TIME_WAIT behind, so repeated runs don't exhaust loopback ports.
  void Close(bool reset);

  // Packets queued for writing (encoded through plaza::mqtt::Encode).
  void QueueConnect(uint16_t keep_alive);
  // PINGREQ: keeps an idle connection alive under a keep-alive.
  void QueuePing();
  // subscribe_filter at `qos` and the plan's extra filters.
  void QueueSubscribe(uint8_t qos);
  // The plan's server_filter, QoS 1.
  void QueueServerSubscribe();
  void QueuePublish(std::string_view payload, uint8_t qos, uint16_t packet_id);
  // The plan's join: an empty QoS 1 PUBLISH on join_topic.
  void QueueJoin(uint16_t packet_id);
  void QueuePuback(uint16_t packet_id);
  void QueueDisconnect();

  // Writes queued bytes until done or the socket is full. False on error.
  bool Flush(std::string* error);
  bool wants_write() const { return out_offset_ < out_.size(); }
  size_t queued_bytes() const { return out_.size() - out_offset_; }

  // Reads what the socket holds (at most a few reads, to stay fair to other
  // connections) and calls `on_packet(const plaza::mqtt::Packet&, int64_t
  // received_ns)` for each complete packet; `on_packet` returns false to stop.
  // Returns false on end of stream, socket error, malformed input, or when
  // `on_packet` refused; `error` then says why.
  template <typename OnPacket>
  bool Read(std::vector<char>* scratch, OnPacket&& on_packet, std::string* error);

  State state = State::kIdle;
  int64_t connect_start_ns = 0;
  uint32_t epoll_events = 0;  // what the fd is registered for, 0: not registered
  int64_t join_sent_ns = 0;   // kJoining: when the join went out
  bool join_acked = false;    // kJoining: the PUBACK came
  bool join_replied = false;  // kJoining: the rooms plugin's Reply came (success)

 private:
  const ClientPlan* plan_;
  int fd_ = -1;
  std::string out_;
  size_t out_offset_ = 0;
  std::string partial_;  // the start of a packet not yet complete
};

template <typename OnPacket>
bool Connection::Read(std::vector<char>* scratch, OnPacket&& on_packet, std::string* error) {
  constexpr int kMaxReads = 4;
  constexpr size_t kMinRead = 64 * 1024;
  for (int round = 0; round < kMaxReads; ++round) {
    const size_t have = partial_.size();
    if (scratch->size() < have + kMinRead) scratch->resize(have + kMinRead);
    const size_t room = scratch->size() - have;
    const ssize_t n = ::recv(fd_, scratch->data() + have, room, 0);
    if (n == 0) {
      *error = "connection closed by the broker";
      return false;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      if (errno == EINTR) continue;
      *error = std::string("recv: ") + std::strerror(errno);
      return false;
    }
    const int64_t now = NowNs();
    std::memcpy(scratch->data(), partial_.data(), have);
    std::string_view data(scratch->data(), have + static_cast<size_t>(n));
    while (!data.empty()) {
      mqtt::DecodeResult result = mqtt::Decode(data, kMaxPacketSize);
      if (result.status == mqtt::DecodeStatus::kIncomplete) break;
      if (result.status != mqtt::DecodeStatus::kOk) {
        *error = "bad packet from the broker: " + result.error;
        return false;
      }
      if (!on_packet(result.packet, now)) {
        if (error->empty()) *error = "unexpected packet";
        return false;
      }
      data.remove_prefix(result.consumed);
    }
    partial_.assign(data);
    if (static_cast<size_t>(n) < room) return true;  // the socket is drained
  }
  return true;
}

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_CONNECTION_H_
