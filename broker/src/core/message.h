// An application message as the broker carries it: immutable once built,
// shared by reference between every subscriber, shard and offline queue it
// reaches. Its topic and payload are stored once, already in wire form
// (two-byte topic length, topic, payload), so delivering it to a thousand
// subscribers writes the same bytes a thousand times and copies them never.
//
// An MQTT 5 message also keeps the properties a broker forwards unchanged
// (payload format indicator, content type, response topic, correlation data,
// user properties in order) as one encoded property list, so an MQTT 5
// delivery shares those bytes too; an MQTT 3.1.1 delivery leaves them out.
// Its Message Expiry Interval becomes a deadline on the shards' monotonic
// clock: an expired message is never delivered, and a delivery carries the
// time that is left.
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
  // `properties` is the encoded list of forwarded MQTT 5 properties, without
  // its length prefix (see EncodeForwardedProperties in mqtt/codec.h).
  // `expires_at_ms` is a ShardHost::NowMs() deadline, 0 for never.
  Message(std::string_view topic, std::string_view payload, uint8_t qos, bool retain,
          std::string_view origin = {}, std::string_view properties = {},
          int64_t expires_at_ms = 0);

  std::string_view topic() const { return {wire_.data() + 2, topic_size_}; }
  std::string_view payload() const { return {wire_.data() + 2 + topic_size_, payload_size()}; }
  uint8_t qos() const { return qos_; }
  bool retain() const { return retain_; }
  const std::string& origin() const { return origin_; }

  // State where only the newest value per topic matters (a plugin asked for
  // its topics to be conflated): a slow subscriber's queue keeps one per
  // topic. Marked once by the publishing shard, before the message is
  // shared with other threads; read-only after.
  bool conflated() const { return conflated_; }
  void MarkConflated() const { conflated_ = true; }

  // Topic length, topic and payload exactly as a PUBLISH carries them; the
  // packet id of a QoS 1/2 delivery goes between topic_part() and
  // payload_part(), and in MQTT 5 the property block after it.
  std::string_view wire() const { return wire_; }
  std::string_view topic_part() const { return {wire_.data(), 2 + topic_size_}; }
  std::string_view payload_part() const { return {wire_.data() + 2 + topic_size_, payload_size()}; }

  // The forwarded MQTT 5 properties, encoded, without a length prefix.
  std::string_view properties() const { return properties_; }
  int64_t expires_at_ms() const { return expires_at_ms_; }
  bool ExpiredAt(int64_t now_ms) const { return expires_at_ms_ != 0 && now_ms >= expires_at_ms_; }
  // Whole seconds left at `now_ms`, rounded up; 0 once expired.
  uint32_t SecondsLeft(int64_t now_ms) const {
    return now_ms >= expires_at_ms_ ? 0
                                    : static_cast<uint32_t>((expires_at_ms_ - now_ms + 999) / 1000);
  }

 private:
  size_t payload_size() const { return wire_.size() - 2 - topic_size_; }

  std::string wire_;
  size_t topic_size_;
  std::string origin_;
  std::string properties_;
  int64_t expires_at_ms_;
  uint8_t qos_;
  bool retain_;
  mutable bool conflated_ = false;
};

using MessagePtr = std::shared_ptr<const Message>;

inline MessagePtr MakeMessage(std::string_view topic, std::string_view payload, uint8_t qos,
                              bool retain, std::string_view origin = {},
                              std::string_view properties = {}, int64_t expires_at_ms = 0) {
  return std::make_shared<const Message>(topic, payload, qos, retain, origin, properties,
                                         expires_at_ms);
}

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_MESSAGE_H_
