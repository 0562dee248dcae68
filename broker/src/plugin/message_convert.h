// Messages across the plugin ABI, both ways: the core's Message shown to a
// hook as a plaza_message (MQTT 5 properties included, the expiry as the
// seconds left), and a plugin's plaza_message (a rewrite, a server publish)
// checked and turned into a Message with its properties encoded once.
#ifndef PLAZA_BROKER_PLUGIN_MESSAGE_CONVERT_H_
#define PLAZA_BROKER_PLUGIN_MESSAGE_CONVERT_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/message.h"
#include "plaza/plugin.h"

namespace plaza::broker {

// Milliseconds of the clock message deadlines use (the workers' monotonic
// clock).
int64_t MessageClockMs();

// The C view of a message, valid while this object and the message live.
class MessageView {
 public:
  explicit MessageView(const Message& message);
  MessageView(const MessageView&) = delete;
  MessageView& operator=(const MessageView&) = delete;

  plaza_message view{};

 private:
  std::vector<plaza_user_property> user_properties_;
};

// A Message from a plugin's plaza_message, with `origin` as its publisher;
// null when the message is not valid: a bad topic name or QoS, a payload
// format other than 0 or 1, a UTF-8 payload (format 1) or content type,
// response topic or user property that is not valid UTF-8, or a response
// topic with wildcards. MQTT 5 fields are read only if the struct has them.
MessagePtr MessageFromPlugin(const plaza_message* message, std::string_view origin);

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_PLUGIN_MESSAGE_CONVERT_H_
