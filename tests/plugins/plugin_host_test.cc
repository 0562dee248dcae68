// The plugin host on its own: every refusal at load time names the plugin
// and the cause, and the hook chains give each verdict its meaning, in
// configuration order.
#include "plugin/plugin_host.h"

#include <gtest/gtest.h>

namespace plaza::broker {
namespace {

PluginConfig Fixture(const char* path, const char* name, std::string config = "") {
  return PluginConfig{path, name, std::move(config)};
}

ClientFacts Client(std::string_view username) {
  ClientFacts facts;
  facts.id = 1;
  facts.client_id = "c1";
  facts.username = username;
  facts.address = "127.0.0.1:5000";
  return facts;
}

TEST(PluginHostTest, MissingFileIsRefused) {
  PluginHost host;
  std::string error;
  EXPECT_FALSE(host.Load({Fixture("no/such/libplugin.so", "ghost")}, &error));
  EXPECT_NE(error.find("plugin 'ghost' (no/such/libplugin.so) cannot be loaded"), std::string::npos)
      << error;
}

TEST(PluginHostTest, MissingInitIsRefused) {
  PluginHost host;
  std::string error;
  EXPECT_FALSE(host.Load({Fixture(PLAZA_FIXTURE_missing_init, "half")}, &error));
  EXPECT_NE(error.find("plugin 'half'"), std::string::npos) << error;
  EXPECT_NE(error.find("does not export plaza_plugin_init"), std::string::npos) << error;
}

TEST(PluginHostTest, NewerAbiIsRefusedNamingBothVersions) {
  PluginHost host;
  std::string error;
  EXPECT_FALSE(host.Load({Fixture(PLAZA_FIXTURE_abi_too_new, "future")}, &error));
  EXPECT_NE(error.find("needs plugin ABI version 99; this broker speaks version 1"),
            std::string::npos)
      << error;
}

TEST(PluginHostTest, FailedInitIsRefusedAndEarlierPluginsAreUnloaded) {
  PluginHost host;
  std::string error;
  EXPECT_FALSE(host.Load(
      {Fixture(PLAZA_FIXTURE_rules, "rules"), Fixture(PLAZA_FIXTURE_init_fails, "broken")},
      &error));
  EXPECT_NE(error.find("plugin 'broken'"), std::string::npos) << error;
  EXPECT_NE(error.find("plaza_plugin_init returned 7"), std::string::npos) << error;
  EXPECT_EQ(host.size(), 0u);
}

TEST(PluginHostTest, ConnectVerdicts) {
  PluginHost host;
  std::string error;
  ASSERT_TRUE(host.Load({Fixture(PLAZA_FIXTURE_rules, "rules")}, &error)) << error;
  EXPECT_EQ(host.OnConnect(Client("alice"), "pw").verdict, HookVerdict::kAllow);
  const ConnectDecision mallory = host.OnConnect(Client("mallory"), "pw");
  EXPECT_EQ(mallory.verdict, HookVerdict::kDeny);
  EXPECT_EQ(mallory.reason_code, 0x86);
  EXPECT_EQ(ConnectReturnCodeFor(mallory.reason_code), 4);  // bad user name or password
  const ConnectDecision banned = host.OnConnect(Client("banned"), std::nullopt);
  EXPECT_EQ(banned.reason_code, 0x8A);
  EXPECT_EQ(ConnectReturnCodeFor(banned.reason_code), 5);  // not authorized
}

TEST(PluginHostTest, ChainRunsInConfigurationOrder) {
  {
    PluginHost host;
    std::string error;
    ASSERT_TRUE(host.Load(
        {Fixture(PLAZA_FIXTURE_allow, "allow"), Fixture(PLAZA_FIXTURE_rules, "rules")}, &error))
        << error;
    // ALLOW ends the chain before the rules plugin sees it.
    EXPECT_EQ(host.OnConnect(Client("mallory-trusted"), "").verdict, HookVerdict::kAllow);
    EXPECT_EQ(host.OnConnect(Client("mallory"), "").verdict, HookVerdict::kDeny);
  }
  PluginHost host;
  std::string error;
  ASSERT_TRUE(host.Load(
      {Fixture(PLAZA_FIXTURE_rules, "rules"), Fixture(PLAZA_FIXTURE_allow, "allow")}, &error))
      << error;
  EXPECT_EQ(host.OnConnect(Client("mallory-trusted"), "").verdict, HookVerdict::kDeny);
}

TEST(PluginHostTest, SubscribeDeniesAndLowersQos) {
  PluginHost host;
  std::string error;
  ASSERT_TRUE(host.Load({Fixture(PLAZA_FIXTURE_rules, "rules")}, &error)) << error;
  EXPECT_EQ(host.OnSubscribe(Client("a"), "secret/plans", 1).verdict, HookVerdict::kDeny);
  const SubscribeDecision capped = host.OnSubscribe(Client("a"), "capped/x", 2);
  EXPECT_EQ(capped.verdict, HookVerdict::kAllow);
  EXPECT_EQ(capped.granted_qos, 1);
  EXPECT_EQ(host.OnSubscribe(Client("a"), "open/x", 2).granted_qos, 2);
}

TEST(PluginHostTest, PublishDropsAndRewrites) {
  PluginHost host;
  std::string error;
  ASSERT_TRUE(host.Load({Fixture(PLAZA_FIXTURE_rules, "rules")}, &error)) << error;
  EXPECT_EQ(host.OnPublish(Client("a"), MakeMessage("drop/x", "p", 0, false)).verdict,
            HookVerdict::kDrop);
  const PublishDecision plain = host.OnPublish(Client("a"), MakeMessage("a/b", "p", 1, false));
  EXPECT_EQ(plain.verdict, HookVerdict::kAllow);
  EXPECT_EQ(plain.rewrite, nullptr);
  const PublishDecision rewritten =
      host.OnPublish(Client("a"), MakeMessage("rewrite/me", "hi", 1, false));
  ASSERT_NE(rewritten.rewrite, nullptr);
  EXPECT_EQ(rewritten.rewrite->topic(), "rewritten/me");
  EXPECT_EQ(rewritten.rewrite->payload(), "[rewritten] hi");
  EXPECT_EQ(rewritten.rewrite->qos(), 1);
}

TEST(PluginHostTest, HostTableStartsWithItsSizeAndVersion) {
  const plaza_host_api& api = PluginHost::Api();
  EXPECT_EQ(api.struct_size, sizeof(plaza_host_api));
  EXPECT_EQ(api.abi_version, PLAZA_PLUGIN_ABI_VERSION);
  EXPECT_NE(api.register_hook, nullptr);
  EXPECT_NE(api.log, nullptr);
}

}  // namespace
}  // namespace plaza::broker
