// Socket setup, packet queueing and flushing for one bench client; see
// connection.h.
#include "connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

namespace plaza::bench {

bool Connection::Open(uint16_t port, std::string* error) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect_start_ns = NowNs();
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 &&
      errno != EINPROGRESS) {
    *error = std::string("connect: ") + std::strerror(errno);
    Close(true);
    return false;
  }
  state = State::kConnecting;
  return true;
}

bool Connection::FinishConnect(std::string* error) {
  int so_error = 0;
  socklen_t length = sizeof so_error;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &length) != 0) so_error = errno;
  if (so_error != 0) {
    *error = std::string("connect: ") + std::strerror(so_error);
    return false;
  }
  return true;
}

void Connection::Close(bool reset) {
  if (fd_ < 0) return;
  if (reset) {
    const linger no_linger{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &no_linger, sizeof no_linger);
  }
  ::close(fd_);
  fd_ = -1;
  state = State::kClosed;
  epoll_events = 0;
  out_.clear();
  out_.shrink_to_fit();
  out_offset_ = 0;
  partial_.clear();
  partial_.shrink_to_fit();
}

void Connection::QueueConnect(uint16_t keep_alive) {
  mqtt::Connect connect;
  connect.protocol_name = "MQTT";
  connect.protocol_level = mqtt::kProtocolLevel311;
  connect.clean_session = true;
  connect.keep_alive = keep_alive;
  connect.client_id = plan_->client_id;
  if (!plan_->username.empty()) connect.username = plan_->username;
  mqtt::Encode(connect, &out_);
}

void Connection::QueuePing() { mqtt::Encode(mqtt::Pingreq{}, &out_); }

void Connection::QueueSubscribe(uint8_t qos) {
  mqtt::Subscribe subscribe;
  subscribe.packet_id = 1;
  subscribe.filters.push_back({plan_->subscribe_filter, qos});
  for (const auto& [filter, filter_qos] : plan_->extra_filters) {
    subscribe.filters.push_back({filter, filter_qos});
  }
  mqtt::Encode(subscribe, &out_);
}

void Connection::QueueServerSubscribe() {
  mqtt::Subscribe subscribe;
  subscribe.packet_id = 2;
  subscribe.filters.push_back({plan_->server_filter, 1});
  mqtt::Encode(subscribe, &out_);
}

void Connection::QueuePublish(std::string_view payload, uint8_t qos, uint16_t packet_id) {
  mqtt::Publish publish;
  publish.topic = plan_->publish_topic;
  publish.payload = payload;
  publish.qos = qos;
  publish.packet_id = qos > 0 ? packet_id : 0;
  mqtt::Encode(publish, &out_);
}

void Connection::QueueJoin(uint16_t packet_id) {
  mqtt::Publish publish;
  publish.topic = plan_->join_topic;
  publish.qos = 1;
  publish.packet_id = packet_id;
  mqtt::Encode(publish, &out_);
}

void Connection::QueuePuback(uint16_t packet_id) { mqtt::Encode(mqtt::Puback{packet_id}, &out_); }

void Connection::QueueDisconnect() { mqtt::Encode(mqtt::Disconnect{}, &out_); }

bool Connection::Flush(std::string* error) {
  while (out_offset_ < out_.size()) {
    const ssize_t n = ::send(fd_, out_.data() + out_offset_, out_.size() - out_offset_,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      out_offset_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    *error = std::string("send: ") + std::strerror(errno);
    return false;
  }
  if (out_offset_ == out_.size()) {
    out_.clear();
    out_offset_ = 0;
  } else if (out_offset_ > (64u << 10) && out_offset_ > out_.size() / 2) {
    out_.erase(0, out_offset_);
    out_offset_ = 0;
  }
  return true;
}

}  // namespace plaza::bench
