// A raw MQTT 3.1.1 connection for the cases no client library produces on
// demand: garbage bytes, a packet over the size limit, a CONNECT followed by
// silence, a socket dropped without DISCONNECT, a PUBLISH left unacknowledged.
// Packets are built here by hand, not with the broker's codec, so these
// tests never check the codec against itself.
#ifndef PLAZA_TESTS_BROKER_RAW_MQTT_CLIENT_H_
#define PLAZA_TESTS_BROKER_RAW_MQTT_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "broker_process.h"

namespace plaza::testing {

// A will, as every client wrapper of the tests takes it.
struct Will {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retain = false;
};

namespace raw {

enum PacketType : uint8_t {
  kConnect = 1,
  kConnack = 2,
  kPublish = 3,
  kPuback = 4,
  kPubrec = 5,
  kPubrel = 6,
  kPubcomp = 7,
  kSubscribe = 8,
  kSuback = 9,
  kUnsubscribe = 10,
  kUnsuback = 11,
  kPingreq = 12,
  kPingresp = 13,
  kDisconnect = 14,
};

// Whole packets, fixed header included.
std::string Connect(std::string_view client_id, uint16_t keep_alive, bool clean_session = true,
                    const Will* will = nullptr);
std::string Subscribe(uint16_t packet_id, std::string_view filter, uint8_t qos);
std::string Publish(std::string_view topic, std::string_view payload, uint8_t qos = 0,
                    bool retain = false, uint16_t packet_id = 0, bool dup = false);
// PUBACK, PUBREC, PUBREL or PUBCOMP.
std::string Ack(PacketType type, uint16_t packet_id);
std::string Pingreq();
std::string Disconnect();
// A fixed header announcing `remaining_length` bytes, without them.
std::string FixedHeader(uint8_t first_byte, size_t remaining_length);

// One packet as read from the broker.
struct Packet {
  uint8_t type = 0;
  uint8_t flags = 0;  // the low nibble of the first byte
  std::string body;   // everything after the remaining length
};

struct PublishFields {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retain = false;
  bool dup = false;
  uint16_t packet_id = 0;
};
std::optional<PublishFields> ParsePublish(const Packet& packet);

struct ConnackFields {
  bool session_present = false;
  int return_code = -1;
};

// A TCP connection to 127.0.0.1 on the broker's port.
class Client {
 public:
  Client() = default;
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool Open(uint16_t port);
  bool Send(std::string_view bytes);
  // The next packet, or nullopt on timeout or once the connection is closed.
  std::optional<Packet> ReadPacket(milliseconds timeout = kWait);

  // Open + CONNECT + CONNACK. nullopt if no CONNACK came.
  std::optional<ConnackFields> Connect(uint16_t port, std::string_view client_id,
                                       uint16_t keep_alive = 60, bool clean_session = true,
                                       const Will* will = nullptr);
  // SUBSCRIBE one filter and wait for its SUBACK; the granted QoS (0x80 on
  // failure), or -1 if no SUBACK came.
  int Subscribe(std::string_view filter, uint8_t qos, uint16_t packet_id = 1);
  // PINGREQ and wait for PINGRESP.
  bool Ping(milliseconds timeout = kWait);

  // True once the broker has closed the connection (end of file or reset),
  // false if it is still open after `timeout`. Packets that arrive meanwhile
  // stay readable with ReadPacket.
  bool WaitForClose(milliseconds timeout = kWait);
  bool closed() const { return eof_; }

  // Closes the socket without DISCONNECT: an abnormal close to the broker.
  void Close();
  // The same with a TCP reset instead of a FIN.
  void Reset();

 private:
  // Reads what arrives before `deadline` into buffer_; false on timeout or
  // end of stream.
  bool Fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  bool eof_ = false;
  std::string buffer_;
};

}  // namespace raw
}  // namespace plaza::testing

#endif  // PLAZA_TESTS_BROKER_RAW_MQTT_CLIENT_H_
