// Messages across the plugin ABI, both ways: the core's Message shown to a
// hook as a plaza_message (MQTT 5 properties included, the expiry as the
// seconds left), also kept across the calls of a message's fan-out, and a
// plugin's plaza_message (a rewrite, a server publish) checked and turned
// into a Message with its properties encoded once.
#ifndef PLAZA_BROKER_PLUGIN_MESSAGE_CONVERT_H_
#define PLAZA_BROKER_PLUGIN_MESSAGE_CONVERT_H_

#include <cstdint>
#include <optional>
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

// The view of the message last asked for, kept while the same message comes
// again: the delivery chain runs once per subscriber of a message, and all
// of it but the expiry is the same for each. It holds the message, so the
// address it is keyed by cannot be reused for another one while cached.
class MessageViewCache {
 public:
  // The view of `message`, its message_expiry_s as of now; valid until the
  // next call with another message or this object's end.
  const plaza_message& Get(const MessagePtr& message) {
    if (message_ != message) return Rebuild(message);
    if (message->expires_at_ms() != 0) {
      view_->view.message_expiry_s = message->SecondsLeft(MessageClockMs());
    }
    return view_->view;
  }

 private:
  const plaza_message& Rebuild(const MessagePtr& message);

  MessagePtr message_;
  std::optional<MessageView> view_;
};

// A Message from a plugin's plaza_message, with `origin` as its publisher;
// null when the message is not valid: a bad topic name or QoS, a payload
// format other than 0 or 1, a UTF-8 payload (format 1) or content type,
// response topic or user property that is not valid UTF-8, or a response
// topic with wildcards. MQTT 5 fields are read only if the struct has them.
MessagePtr MessageFromPlugin(const plaza_message* message, std::string_view origin);

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_PLUGIN_MESSAGE_CONVERT_H_
