// An application message as the broker carries it: immutable once built,
// shared by reference between every subscriber, shard and offline queue it
// reaches. Its topic and payload are stored once, already in wire form
// (two-byte topic length, topic, payload), so delivering it to a thousand
// subscribers writes the same bytes a thousand times and copies them never.
#ifndef PLAZA_BROKER_CORE_MESSAGE_H_
#define PLAZA_BROKER_CORE_MESSAGE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace plaza::broker {

class Message {
 public:
  // `origin` is the client id of the publisher ("" for the server).
  Message(std::string_view topic, std::string_view payload, uint8_t qos, bool retain,
          std::string_view origin = {});

  std::string_view topic() const { return {wire_.data() + 2, topic_size_}; }
  std::string_view payload() const { return {wire_.data() + 2 + topic_size_, payload_size()}; }
  uint8_t qos() const { return qos_; }
  bool retain() const { return retain_; }
  const std::string& origin() const { return origin_; }

  // Topic length, topic and payload exactly as a PUBLISH carries them; the
  // packet id of a QoS 1/2 delivery goes between topic_part() and
  // payload_part().
  std::string_view wire() const { return wire_; }
  std::string_view topic_part() const { return {wire_.data(), 2 + topic_size_}; }
  std::string_view payload_part() const { return {wire_.data() + 2 + topic_size_, payload_size()}; }

 private:
  size_t payload_size() const { return wire_.size() - 2 - topic_size_; }

  std::string wire_;
  size_t topic_size_;
  std::string origin_;
  uint8_t qos_;
  bool retain_;
};

using MessagePtr = std::shared_ptr<const Message>;

inline MessagePtr MakeMessage(std::string_view topic, std::string_view payload, uint8_t qos,
                              bool retain, std::string_view origin = {}) {
  return std::make_shared<const Message>(topic, payload, qos, retain, origin);
}

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_MESSAGE_H_
