// Builds a Message's wire form once, at the moment it enters the broker.
#include "core/message.h"

namespace plaza::broker {

Message::Message(std::string_view topic, std::string_view payload, uint8_t qos, bool retain,
                 std::string_view origin, std::string_view properties, int64_t expires_at_ms)
    : topic_size_(topic.size()),
      origin_(origin),
      properties_(properties),
      expires_at_ms_(expires_at_ms),
      qos_(qos),
      retain_(retain) {
  wire_.reserve(2 + topic.size() + payload.size());
  wire_.push_back(static_cast<char>(topic.size() >> 8));
  wire_.push_back(static_cast<char>(topic.size() & 0xff));
  wire_.append(topic);
  wire_.append(payload);
}

}  // namespace plaza::broker
