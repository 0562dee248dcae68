// Hand-built MQTT 3.1.1 packets (section 2 and 3 of the specification) and a
// blocking-with-deadline TCP client to send them.
#include "raw_mqtt_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace plaza::testing::raw {
namespace {

using Clock = std::chrono::steady_clock;

void PutU16(std::string* out, uint16_t value) {
  out->push_back(static_cast<char>(value >> 8));
  out->push_back(static_cast<char>(value & 0xff));
}

void PutString(std::string* out, std::string_view text) {
  PutU16(out, static_cast<uint16_t>(text.size()));
  out->append(text);
}

std::string Frame(uint8_t first_byte, std::string_view body) {
  return FixedHeader(first_byte, body.size()) + std::string(body);
}

uint16_t GetU16(std::string_view data, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(data[at]) << 8) |
                               static_cast<uint8_t>(data[at + 1]));
}

// Splits one packet off the front of `buffer` if it is complete.
std::optional<Packet> TakePacket(std::string* buffer) {
  size_t length = 0;
  size_t at = 1;
  for (int shift = 0;; shift += 7, ++at) {
    if (at >= buffer->size()) return std::nullopt;
    if (at > 4) return Packet{0xff, 0xff, "malformed remaining length from the broker"};
    const uint8_t byte = static_cast<uint8_t>((*buffer)[at]);
    length |= static_cast<size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  const size_t header = at + 1;
  if (buffer->size() < header + length) return std::nullopt;
  const uint8_t first = static_cast<uint8_t>((*buffer)[0]);
  Packet packet{static_cast<uint8_t>(first >> 4), static_cast<uint8_t>(first & 0x0f),
                buffer->substr(header, length)};
  buffer->erase(0, header + length);
  return packet;
}

int RemainingMs(Clock::time_point deadline) {
  const auto ms = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<int64_t>(0, ms));
}

}  // namespace

std::string FixedHeader(uint8_t first_byte, size_t remaining_length) {
  std::string out(1, static_cast<char>(first_byte));
  do {
    uint8_t byte = remaining_length % 128;
    remaining_length /= 128;
    if (remaining_length > 0) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (remaining_length > 0);
  return out;
}

std::string Connect(std::string_view client_id, uint16_t keep_alive, bool clean_session,
                    const Will* will) {
  std::string body;
  PutString(&body, "MQTT");
  body.push_back(4);  // protocol level 3.1.1
  uint8_t flags = clean_session ? 0x02 : 0x00;
  if (will) {
    flags |= 0x04 | static_cast<uint8_t>(will->qos << 3) | (will->retain ? 0x20 : 0x00);
  }
  body.push_back(static_cast<char>(flags));
  PutU16(&body, keep_alive);
  PutString(&body, client_id);
  if (will) {
    PutString(&body, will->topic);
    PutString(&body, will->payload);
  }
  return Frame(kConnect << 4, body);
}

std::string Subscribe(uint16_t packet_id, std::string_view filter, uint8_t qos) {
  std::string body;
  PutU16(&body, packet_id);
  PutString(&body, filter);
  body.push_back(static_cast<char>(qos));
  return Frame((kSubscribe << 4) | 0x02, body);
}

std::string Publish(std::string_view topic, std::string_view payload, uint8_t qos, bool retain,
                    uint16_t packet_id, bool dup) {
  std::string body;
  PutString(&body, topic);
  if (qos > 0) PutU16(&body, packet_id);
  body.append(payload);
  const uint8_t first =
      (kPublish << 4) | (dup ? 0x08 : 0) | static_cast<uint8_t>(qos << 1) | (retain ? 0x01 : 0);
  return Frame(first, body);
}

std::string Ack(PacketType type, uint16_t packet_id) {
  std::string body;
  PutU16(&body, packet_id);
  // PUBREL has the reserved flags 0010 [MQTT-3.6.1-1].
  return Frame(static_cast<uint8_t>((type << 4) | (type == kPubrel ? 0x02 : 0x00)), body);
}

std::string Pingreq() { return Frame(kPingreq << 4, ""); }

std::string Disconnect() { return Frame(kDisconnect << 4, ""); }

std::optional<PublishFields> ParsePublish(const Packet& packet) {
  if (packet.type != kPublish || packet.body.size() < 2) return std::nullopt;
  PublishFields fields;
  fields.qos = (packet.flags >> 1) & 0x03;
  fields.retain = packet.flags & 0x01;
  fields.dup = packet.flags & 0x08;
  const size_t topic_length = GetU16(packet.body, 0);
  size_t at = 2 + topic_length;
  if (packet.body.size() < at) return std::nullopt;
  fields.topic = packet.body.substr(2, topic_length);
  if (fields.qos > 0) {
    if (packet.body.size() < at + 2) return std::nullopt;
    fields.packet_id = GetU16(packet.body, at);
    at += 2;
  }
  fields.payload = packet.body.substr(at);
  return fields;
}

// ---------------------------------------------------------------------------
// Client

Client::~Client() { Close(); }

bool Client::Open(uint16_t port) {
  Close();
  eof_ = false;
  buffer_.clear();
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    Close();
    return false;
  }
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return true;
}

bool Client::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    if (fd_ < 0) return false;
    const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool Client::Fill(Clock::time_point deadline) {
  if (fd_ < 0 || eof_) return false;
  pollfd pfd{fd_, POLLIN, 0};
  const int ready = poll(&pfd, 1, RemainingMs(deadline));
  if (ready <= 0) return false;
  char chunk[16384];
  const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) {
    eof_ = true;  // end of stream, or a reset
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<Packet> Client::ReadPacket(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (auto packet = TakePacket(&buffer_)) return packet;
    if (!Fill(deadline)) return std::nullopt;
  }
}

std::optional<ConnackFields> Client::Connect(uint16_t port, std::string_view client_id,
                                             uint16_t keep_alive, bool clean_session,
                                             const Will* will) {
  if (!Open(port) || !Send(raw::Connect(client_id, keep_alive, clean_session, will))) {
    return std::nullopt;
  }
  const std::optional<Packet> packet = ReadPacket();
  if (!packet || packet->type != kConnack || packet->body.size() != 2) return std::nullopt;
  return ConnackFields{(packet->body[0] & 0x01) != 0, static_cast<uint8_t>(packet->body[1])};
}

int Client::Subscribe(std::string_view filter, uint8_t qos, uint16_t packet_id) {
  if (!Send(raw::Subscribe(packet_id, filter, qos))) return -1;
  const std::optional<Packet> packet = ReadPacket();
  if (!packet || packet->type != kSuback || packet->body.size() != 3 ||
      GetU16(packet->body, 0) != packet_id) {
    return -1;
  }
  return static_cast<uint8_t>(packet->body[2]);
}

bool Client::Ping(milliseconds timeout) {
  if (!Send(Pingreq())) return false;
  const std::optional<Packet> packet = ReadPacket(timeout);
  return packet && packet->type == kPingresp && packet->body.empty();
}

bool Client::WaitForClose(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!eof_ && Clock::now() < deadline) Fill(deadline);
  return eof_;
}

void Client::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void Client::Reset() {
  if (fd_ < 0) return;
  const linger abort{1, 0};
  setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
  Close();
}

}  // namespace plaza::testing::raw
