// The delivery chain shows plugins a view of each message built once per
// message (MessageViewCache), not once per subscriber: these tests check that
// the reused view never shows one message's fields for another, keeps the
// expiry up to date, and that the chain still hands a rewrite on correctly.
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "plugin/message_convert.h"
#include "plugin/plugin_host.h"
#include "plugin/plugin_record.h"

namespace plaza::broker {
namespace {

// A message with MQTT 5 properties, made the way a plugin's message is.
MessagePtr WithProperties(std::string_view topic, std::string_view content_type,
                          const std::vector<std::pair<std::string, std::string>>& user) {
  std::vector<plaza_user_property> properties;
  for (const auto& [key, value] : user) properties.push_back({Str(key), Str(value)});
  plaza_message message{};
  message.struct_size = sizeof(message);
  message.topic = Str(topic);
  message.payload = Str("p");
  message.qos = 1;
  message.content_type = Str(content_type);
  message.user_properties = properties.data();
  message.user_property_count = properties.size();
  MessagePtr made = MessageFromPlugin(&message, "publisher");
  EXPECT_NE(made, nullptr);
  return made;
}

std::vector<std::string> UserProperties(const plaza_message& view) {
  std::vector<std::string> out;
  for (size_t i = 0; i < view.user_property_count; ++i) {
    out.push_back(std::string(View(view.user_properties[i].key)) + "=" +
                  std::string(View(view.user_properties[i].value)));
  }
  return out;
}

TEST(PluginDeliverViewTest, EachMessageGetsItsOwnFields) {
  MessageViewCache cache;
  const MessagePtr first = WithProperties("a/1", "text/plain", {{"k", "1"}});
  const MessagePtr second = WithProperties("a/2", "application/json", {{"x", "2"}, {"y", "3"}});
  const MessagePtr plain = MakeMessage("a/3", "no properties", 0, false);

  const plaza_message& one = cache.Get(first);
  EXPECT_EQ(View(one.topic), "a/1");
  EXPECT_EQ(View(one.content_type), "text/plain");
  EXPECT_EQ(UserProperties(one), std::vector<std::string>{"k=1"});
  // Asked again for the same message: the same fields.
  EXPECT_EQ(UserProperties(cache.Get(first)), std::vector<std::string>{"k=1"});

  const plaza_message& two = cache.Get(second);
  EXPECT_EQ(View(two.topic), "a/2");
  EXPECT_EQ(View(two.content_type), "application/json");
  EXPECT_EQ(UserProperties(two), (std::vector<std::string>{"x=2", "y=3"}));

  const plaza_message& three = cache.Get(plain);
  EXPECT_EQ(View(three.topic), "a/3");
  EXPECT_EQ(View(three.payload), "no properties");
  EXPECT_EQ(three.content_type.data, nullptr);
  EXPECT_EQ(three.user_property_count, 0u);
  EXPECT_EQ(three.user_properties, nullptr);
  EXPECT_EQ(three.has_message_expiry, 0);

  EXPECT_EQ(UserProperties(cache.Get(first)), std::vector<std::string>{"k=1"});
}

TEST(PluginDeliverViewTest, TheViewOutlivesTheCallersPointer) {
  MessageViewCache cache;
  MessagePtr message = WithProperties("kept/topic", "text/plain", {{"k", "v"}});
  const plaza_message& view = cache.Get(message);
  message.reset();  // the cache holds it: its address cannot go to another message
  const MessagePtr other = WithProperties("other/topic", "text/html", {{"o", "w"}});
  EXPECT_EQ(View(view.topic), "kept/topic");
  EXPECT_EQ(UserProperties(view), std::vector<std::string>{"k=v"});
  EXPECT_EQ(View(cache.Get(other).topic), "other/topic");
}

TEST(PluginDeliverViewTest, ExpiryIsAsOfEachCall) {
  MessageViewCache cache;
  const int64_t expires_at = MessageClockMs() + 200;
  const MessagePtr message = MakeMessage("e/1", "p", 1, false, "pub", {}, expires_at);
  const plaza_message& view = cache.Get(message);
  EXPECT_EQ(view.has_message_expiry, 1);
  EXPECT_EQ(view.message_expiry_s, 1u);
  while (MessageClockMs() < expires_at) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(cache.Get(message).message_expiry_s, 0u);
  EXPECT_EQ(cache.Get(message).has_message_expiry, 1);
}

// The rules fixture decides deliveries by the subscriber's client id alone.
ClientFacts Subscriber(std::string_view client_id) {
  ClientFacts facts;
  facts.client_id = client_id;
  return facts;
}

// The rules fixture rewrites "news/..." for subscribers named "censored..."
// from a copy of the view it is shown, so the rewrite carries the view's
// properties.
TEST(PluginDeliverViewTest, ChainRewritesFromTheViewOfEachMessage) {
  PluginHost host;
  std::string error;
  ASSERT_TRUE(host.Load({PluginConfig{PLAZA_FIXTURE_rules, "rules", ""}}, &error)) << error;
  const MessagePtr first = WithProperties("news/1", "text/plain", {{"k", "1"}});
  const MessagePtr second = WithProperties("news/2", "text/html", {{"x", "2"}, {"y", "3"}});
  for (const MessagePtr& message : {first, second}) {
    const DeliverDecision open = host.OnDeliver(Subscriber("reader"), message);
    EXPECT_EQ(open.verdict, HookVerdict::kAllow);
    EXPECT_EQ(open.rewrite, nullptr);
    const DeliverDecision censored = host.OnDeliver(Subscriber("censored-1"), message);
    EXPECT_EQ(censored.verdict, HookVerdict::kAllow);
    ASSERT_NE(censored.rewrite, nullptr);
    EXPECT_EQ(censored.rewrite->topic(), message->topic());
    EXPECT_EQ(censored.rewrite->payload(), "[censored]");
    EXPECT_EQ(censored.rewrite->properties(), message->properties());
    EXPECT_EQ(host.OnDeliver(Subscriber("nosy"), message).verdict, HookVerdict::kAllow);
  }
  EXPECT_EQ(host.OnDeliver(Subscriber("nosy"), MakeMessage("private/x", "p", 0, false)).verdict,
            HookVerdict::kDrop);
}

}  // namespace
}  // namespace plaza::broker
