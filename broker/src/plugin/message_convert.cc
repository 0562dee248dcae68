// Both directions decode or encode the MQTT 5 property list with the
// codec's own functions, so a plugin sees exactly what a subscriber gets.
#include "plugin/message_convert.h"

#include <chrono>
#include <cstddef>
#include <string>

#include "mqtt/codec.h"
#include "mqtt/topic.h"
#include "plugin/plugin_record.h"

namespace plaza::broker {
namespace {

// Whether the plugin's struct reaches `field` (it may be an older, shorter
// one).
#define PLAZA_HAS_FIELD(ptr, field) \
  ((ptr)->struct_size >= offsetof(plaza_message, field) + sizeof((ptr)->field))

}  // namespace

int64_t MessageClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

MessageView::MessageView(const Message& message) {
  view.struct_size = sizeof(view);
  view.topic = Str(message.topic());
  view.payload = Str(message.payload());
  view.qos = message.qos();
  view.retain = message.retain() ? 1 : 0;
  if (message.expires_at_ms() != 0) {
    view.has_message_expiry = 1;
    view.message_expiry_s = message.SecondsLeft(MessageClockMs());
  }
  if (message.properties().empty()) return;
  mqtt::Properties properties;
  // The list was encoded by the broker itself, so it parses.
  if (!mqtt::ParsePropertyList(message.properties(), &properties)) return;
  view.payload_format = properties.payload_format_indicator.value_or(0);
  if (properties.content_type) view.content_type = Str(*properties.content_type);
  if (properties.response_topic) view.response_topic = Str(*properties.response_topic);
  if (properties.correlation_data) view.correlation_data = Str(*properties.correlation_data);
  for (const mqtt::UserProperty& p : properties.user_properties) {
    user_properties_.push_back({Str(p.key), Str(p.value)});
  }
  view.user_properties = user_properties_.empty() ? nullptr : user_properties_.data();
  view.user_property_count = user_properties_.size();
}

const plaza_message& MessageViewCache::Rebuild(const MessagePtr& message) {
  view_.reset();  // it points into the message it was built for
  message_ = message;
  view_.emplace(*message);
  return view_->view;
}

MessagePtr MessageFromPlugin(const plaza_message* message, std::string_view origin) {
  if (!message || !PLAZA_HAS_FIELD(message, retain)) return nullptr;
  const std::string_view topic = View(message->topic);
  if (!mqtt::IsValidTopicName(topic) || message->qos > 2) return nullptr;
  const std::string_view payload = View(message->payload);
  if (!PLAZA_HAS_FIELD(message, user_property_count)) {
    return MakeMessage(topic, payload, message->qos, message->retain != 0, origin);
  }
  mqtt::Properties properties;
  if (message->payload_format > 1) return nullptr;
  if (message->payload_format == 1) {
    if (!mqtt::IsValidUtf8(payload)) return nullptr;
    properties.payload_format_indicator = 1;
  }
  if (message->content_type.data) {
    if (!mqtt::IsValidUtf8(View(message->content_type))) return nullptr;
    properties.content_type = View(message->content_type);
  }
  if (message->response_topic.data) {
    if (!mqtt::IsValidTopicName(View(message->response_topic))) return nullptr;
    properties.response_topic = View(message->response_topic);
  }
  if (message->correlation_data.data) properties.correlation_data = View(message->correlation_data);
  std::vector<mqtt::UserProperty> user_properties;
  if (message->user_property_count > 0) {
    if (!message->user_properties) return nullptr;
    user_properties.reserve(message->user_property_count);
    for (size_t i = 0; i < message->user_property_count; ++i) {
      const std::string_view key = View(message->user_properties[i].key);
      const std::string_view value = View(message->user_properties[i].value);
      if (!mqtt::IsValidUtf8(key) || !mqtt::IsValidUtf8(value)) return nullptr;
      user_properties.push_back({key, value});
    }
    properties.user_properties = user_properties;
  }
  std::string list;
  mqtt::AppendPropertyList(properties, &list);
  const int64_t expires_at = message->has_message_expiry && message->message_expiry_s > 0
                                 ? MessageClockMs() + int64_t{message->message_expiry_s} * 1000
                                 : 0;
  return MakeMessage(topic, payload, message->qos, message->retain != 0, origin, list, expires_at);
}

}  // namespace plaza::broker
