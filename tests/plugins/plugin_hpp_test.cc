// plaza/plugin.hpp in-process: a C++ plugin declared with PLAZA_PLUGIN is
// driven through its C entry points by a fake host table, to check what the
// broker cannot show: only overridden hooks are registered, services beyond
// the table's struct_size (or NULL) answer kUnsupported, out-fields outlive
// the hook's return, and no exception crosses the ABI.
#include "plaza/plugin.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// What the fake host saw.
struct Fake {
  std::map<plaza_hook, std::pair<plaza_hook_fn, void*>> hooks;
  std::vector<std::string> log;
  std::vector<std::pair<plaza_timer_fn, void*>> timers;
  std::string published_topic;
};
Fake* fake = nullptr;

plaza_status RegisterHook(plaza_plugin*, plaza_hook hook, plaza_hook_fn fn, void* user_data) {
  fake->hooks[hook] = {fn, user_data};
  return PLAZA_OK;
}
void Log(plaza_plugin*, plaza_log_level, plaza_str message) {
  fake->log.emplace_back(message.data, message.size);
}
plaza_status Publish(plaza_plugin*, const plaza_message* message) {
  fake->published_topic.assign(message->topic.data, message->topic.size);
  return PLAZA_OK;
}
uint64_t AddTimer(plaza_plugin*, uint32_t, uint32_t, plaza_timer_fn fn, void* user_data) {
  fake->timers.emplace_back(fn, user_data);
  return fake->timers.size();
}
plaza_status CancelTimer(plaza_plugin*, uint64_t) { return PLAZA_OK; }

// A plugin overriding a few hooks, throwing on request.
class TestPlugin final : public plaza::Plugin {
 public:
  explicit TestPlugin(const plaza::InitArgs& args) : plaza::Plugin(args) {
    if (args.config_yaml == "fail") throw std::runtime_error("bad config");
    host().Info("hello " + name());
  }
  plaza::Verdict OnConnect(plaza::ConnectEvent& event) override {
    if (event.client().username() == "thrower") throw 42;
    event.set_reason_string(std::string(100, 'r'));  // beyond any small-string buffer
    event.set_reason_code(0x86);
    return plaza::Verdict::kDeny;
  }
  plaza::Verdict OnPublish(plaza::PublishEvent& event) override {
    if (event.message().topic() == "throw") throw std::runtime_error("boom");
    plaza::Message rewrite = plaza::Message::CopyOf(event.message());
    rewrite.topic = "rewritten/" + std::string(event.message().topic());
    rewrite.user_properties.emplace_back("k", "v");
    event.set_rewrite(std::move(rewrite));
    return plaza::Verdict::kAllow;
  }
  plaza::Verdict OnDeliver(plaza::DeliverEvent& /*event*/) override {
    throw std::runtime_error("deliver boom");
  }
  void OnDisconnect(const plaza::DisconnectEvent& event) override {
    disconnects_.push_back(std::string(event.client().client_id()));
  }

  std::vector<std::string> disconnects_;
};

PLAZA_PLUGIN(TestPlugin)

class PluginHppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake = &fake_;
    api_.struct_size = sizeof(api_);
    api_.abi_version = PLAZA_PLUGIN_ABI_VERSION;
    api_.register_hook = RegisterHook;
    api_.log = Log;
    info_.struct_size = sizeof(info_);
    info_.client = 7;
    info_.client_id = {"c7", 2};
  }
  void TearDown() override {
    if (user_data_) plaza_plugin_cleanup(user_data_);
    fake = nullptr;
  }
  int Init(const char* config = "") {
    plaza_init_args args{};
    args.struct_size = sizeof(args);
    args.name = {"test", 4};
    args.config_yaml = {config, std::strlen(config)};
    return plaza_plugin_init(nullptr, &api_, &args, &user_data_);
  }
  plaza_verdict Call(plaza_hook hook, void* event) {
    const auto& [fn, user_data] = fake_.hooks.at(hook);
    return fn(hook, event, user_data);
  }
  TestPlugin& plugin() {
    return static_cast<TestPlugin&>(*static_cast<plaza::detail::Instance*>(user_data_)->plugin);
  }

  Fake fake_;
  plaza_host_api api_{};
  plaza_client_info info_{};
  void* user_data_ = nullptr;
};

TEST_F(PluginHppTest, NegotiatesTheHeadersVersion) {
  const uint32_t offered[] = {1};
  EXPECT_EQ(plaza_plugin_negotiate(offered, 1), PLAZA_PLUGIN_ABI_VERSION);
}

TEST_F(PluginHppTest, RegistersOnlyTheOverriddenHooks) {
  ASSERT_EQ(Init(), 0);
  std::vector<plaza_hook> registered;
  for (const auto& entry : fake_.hooks) registered.push_back(entry.first);
  EXPECT_EQ(registered, (std::vector<plaza_hook>{PLAZA_HOOK_CONNECT, PLAZA_HOOK_PUBLISH,
                                                 PLAZA_HOOK_DELIVER, PLAZA_HOOK_DISCONNECT}));
  EXPECT_EQ(fake_.log, std::vector<std::string>{"hello test"});
}

TEST_F(PluginHppTest, ConstructorExceptionFailsInitWithTheMessageLogged) {
  EXPECT_NE(Init("fail"), 0);
  EXPECT_EQ(user_data_, nullptr);
  ASSERT_EQ(fake_.log.size(), 1u);
  EXPECT_NE(fake_.log[0].find("bad config"), std::string::npos) << fake_.log[0];
}

TEST_F(PluginHppTest, OutFieldsOutliveTheHook) {
  ASSERT_EQ(Init(), 0);
  plaza_connect_event connect{};
  connect.struct_size = sizeof(connect);
  connect.client = &info_;
  EXPECT_EQ(Call(PLAZA_HOOK_CONNECT, &connect), PLAZA_VERDICT_DENY);
  EXPECT_EQ(connect.reason_code, 0x86);
  EXPECT_EQ(std::string(connect.reason_string.data, connect.reason_string.size),
            std::string(100, 'r'));

  plaza_message message{};
  message.struct_size = sizeof(message);
  message.topic = {"a/b", 3};
  message.payload = {"p", 1};
  message.qos = 1;
  plaza_publish_event publish{};
  publish.struct_size = sizeof(publish);
  publish.client = &info_;
  publish.message = &message;
  EXPECT_EQ(Call(PLAZA_HOOK_PUBLISH, &publish), PLAZA_VERDICT_ALLOW);
  ASSERT_NE(publish.rewrite, nullptr);
  EXPECT_EQ(std::string(publish.rewrite->topic.data, publish.rewrite->topic.size), "rewritten/a/b");
  EXPECT_EQ(publish.rewrite->qos, 1);
  ASSERT_EQ(publish.rewrite->user_property_count, 1u);
  EXPECT_EQ(std::string(publish.rewrite->user_properties[0].value.data, 1), "v");
}

TEST_F(PluginHppTest, HookExceptionsDenyOrPassAndAreLogged) {
  ASSERT_EQ(Init(), 0);
  plaza_client_info thrower = info_;
  thrower.username = {"thrower", 7};
  plaza_connect_event connect{};
  connect.struct_size = sizeof(connect);
  connect.client = &thrower;
  EXPECT_EQ(Call(PLAZA_HOOK_CONNECT, &connect), PLAZA_VERDICT_DENY);
  EXPECT_EQ(connect.reason_code, 0x83);

  plaza_message message{};
  message.struct_size = sizeof(message);
  message.topic = {"throw", 5};
  plaza_publish_event publish{};
  publish.struct_size = sizeof(publish);
  publish.client = &info_;
  publish.message = &message;
  EXPECT_EQ(Call(PLAZA_HOOK_PUBLISH, &publish), PLAZA_VERDICT_DENY);
  EXPECT_EQ(publish.reason_code, 0x83);
  EXPECT_EQ(publish.rewrite, nullptr);

  plaza_deliver_event deliver{};
  deliver.struct_size = sizeof(deliver);
  deliver.subscriber = &info_;
  deliver.message = &message;
  EXPECT_EQ(Call(PLAZA_HOOK_DELIVER, &deliver), PLAZA_VERDICT_PASS);

  EXPECT_EQ(fake_.log.back(), "exception in deliver: deliver boom");
  EXPECT_NE(std::find(fake_.log.begin(), fake_.log.end(), "exception in publish: boom"),
            fake_.log.end());
  EXPECT_NE(
      std::find(fake_.log.begin(), fake_.log.end(), "exception in connect: not a std::exception"),
      fake_.log.end());
}

TEST_F(PluginHppTest, OlderEventStructsReadAsAbsent) {
  ASSERT_EQ(Init(), 0);
  plaza_client_info old_info = info_;
  old_info.struct_size = offsetof(plaza_client_info, username);  // ends before username
  old_info.username = {"garbage", 7};
  plaza_disconnect_event event{};
  event.struct_size = sizeof(event);
  event.client = &old_info;
  const plaza::ClientView view(&old_info);
  EXPECT_EQ(view.client_id(), "c7");
  EXPECT_EQ(view.username(), std::nullopt);
  EXPECT_EQ(view.address(), "");
  Call(PLAZA_HOOK_DISCONNECT, &event);
  EXPECT_EQ(plugin().disconnects_, std::vector<std::string>{"c7"});
}

TEST_F(PluginHppTest, ServicesMissingFromTheTableAreUnsupported) {
  ASSERT_EQ(Init(), 0);
  plaza::Host& host = plugin().host();
  plaza::Message message;
  message.topic = "t";
  // In the table but NULL.
  EXPECT_EQ(host.Publish(message), plaza::Status::kUnsupported);
  EXPECT_EQ(host.Kick(7), plaza::Status::kUnsupported);
  EXPECT_EQ(host.GetAttribute(7, "k"), std::nullopt);
  EXPECT_EQ(host.Counter("c", "help"), std::nullopt);
  EXPECT_FALSE(host.AddTimer(10, 0, [] {}));
  // Set, but beyond struct_size: an older broker's table.
  api_.publish = Publish;
  api_.struct_size = offsetof(plaza_host_api, publish);
  EXPECT_EQ(host.Publish(message), plaza::Status::kUnsupported);
  api_.struct_size = sizeof(api_);
  EXPECT_EQ(host.Publish(message), plaza::Status::kOk);
  EXPECT_EQ(fake_.published_topic, "t");
}

TEST_F(PluginHppTest, TimersRunTheirCallbackUntilCancelled) {
  api_.add_timer = AddTimer;
  api_.cancel_timer = CancelTimer;
  ASSERT_EQ(Init(), 0);
  plaza::Host& host = plugin().host();
  int once = 0;
  int repeated = 0;
  ASSERT_TRUE(host.AddTimer(1, 0, [&] { ++once; }));
  const plaza::TimerHandle timer = host.AddTimer(1, 1, [&] { ++repeated; });
  ASSERT_TRUE(timer);
  const plaza::TimerHandle thrower = host.AddTimer(1, 0, [] { throw std::runtime_error("t"); });
  ASSERT_TRUE(thrower);
  ASSERT_EQ(fake_.timers.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    for (const auto& [fn, user_data] : fake_.timers) fn(user_data);
  }
  EXPECT_EQ(once, 1);  // a one-shot timer runs once even if called late
  EXPECT_EQ(repeated, 2);
  EXPECT_EQ(fake_.log.back(), "exception in a timer callback: t");
  EXPECT_EQ(host.CancelTimer(timer), plaza::Status::kOk);
  for (const auto& [fn, user_data] : fake_.timers) fn(user_data);
  EXPECT_EQ(repeated, 2);
}

}  // namespace
