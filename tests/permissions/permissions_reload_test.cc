// Reloading the rules in the real broker: on SIGHUP and when the file
// changes; a file with an error is refused with its line and the rules in
// force stay.
#include <gtest/gtest.h>

#include <string>

#include "permissions_test_env.h"

namespace plaza::testing {
namespace {

// Anyone may publish under `topic`/; the watcher reads everything.
std::string RulesFor(const std::string& topic) {
  return "rules:\n"
         "  - allow: subscribe\n"
         "    roles: service\n"
         "    topics: [\"#\"]\n"
         "  - allow: publish\n"
         "    topics: [\"" +
         topic + "/#\", end]\n";
}

// Line 5 is wrong.
constexpr const char* kBadRules =
    "rules:\n"
    "  - allow: publish\n"
    "    topics: [\"b/#\"]\n"
    "  - allow: publish\n"
    "    topics: b/#/c\n";

class PermissionsReloadTest : public ::testing::Test {
 protected:
  void Start(uint32_t watch_interval_ms, bool metrics = false) {
    PermissionsSetup setup;
    setup.metrics = metrics;
    setup.rules = RulesFor("a");
    setup.watch_interval_ms = watch_interval_ms;
    ASSERT_TRUE(env_.Start(setup)) << env_.error();
    watcher_ = Watch(env_.port());
    ben_ = ConnectAs(env_.port(), "ben");
    ASSERT_TRUE(watcher_ && ben_);
  }

  // The topics of a/x and b/x that get through, publishing "end" last.
  std::vector<std::string> Routed() {
    EXPECT_TRUE(ben_->Publish("a/x", "a", 1));
    EXPECT_TRUE(ben_->Publish("b/x", "b", 1));
    EXPECT_TRUE(ben_->Publish("end", "end", 1));
    return TopicsUntil(*watcher_, "end");
  }

  PermissionsBroker env_;
  std::unique_ptr<MosqClient> watcher_;
  std::unique_ptr<MosqClient> ben_;
};

TEST_F(PermissionsReloadTest, SighupWithABadFileKeepsTheRulesInForce) {
  Start(0, /*metrics=*/true);  // no file watch: SIGHUP only
  env_.WriteRules(kBadRules);
  ASSERT_TRUE(env_.Reload());
  EXPECT_TRUE(env_.WaitForLog("[permissions] rules refused (SIGHUP), the rules in force stay: " +
                              env_.rules_path() + ":5: '#' must be the last level of 'b/#/c'"))
      << env_.broker().log();
  EXPECT_EQ(Routed(), (std::vector<std::string>{"a/x", "end"}));
  EXPECT_EQ(env_.Metric("reload_failures_total"), 1);
  // Fixed: in force at the next SIGHUP.
  env_.WriteRules(RulesFor("b"));
  const size_t from = env_.broker().log_size();
  ASSERT_TRUE(env_.Reload());
  EXPECT_TRUE(env_.WaitForLog("[permissions] rules reloaded from " + env_.rules_path() +
                                  " (SIGHUP): 2 rules (2 allow, 0 deny), 0 rate limits",
                              from))
      << env_.broker().log();
  EXPECT_EQ(Routed(), (std::vector<std::string>{"b/x", "end"}));
  EXPECT_EQ(env_.Metric("reloads_total"), 1);
}

TEST_F(PermissionsReloadTest, AChangedFileIsPickedUpWithoutASignal) {
  Start(50);
  env_.WriteRules(RulesFor("b"));  // in place
  ASSERT_TRUE(env_.WaitForLog("[permissions] rules reloaded from " + env_.rules_path() +
                              " (the file changed)"))
      << env_.broker().log();
  EXPECT_EQ(Routed(), (std::vector<std::string>{"b/x", "end"}));
  // An editor that renames a new file over the old one.
  const size_t from = env_.broker().log_size();
  env_.ReplaceRules(RulesFor("a"));
  ASSERT_TRUE(env_.WaitForLog("(the file changed)", from)) << env_.broker().log();
  EXPECT_EQ(Routed(), (std::vector<std::string>{"a/x", "end"}));
}

TEST_F(PermissionsReloadTest, ABadChangedFileIsRefusedOnceAndTheRulesInForceStay) {
  Start(50);
  env_.ReplaceRules(kBadRules);
  ASSERT_TRUE(
      env_.WaitForLog("[permissions] rules refused (the file changed), the rules in "
                      "force stay: " +
                      env_.rules_path() + ":5:"))
      << env_.broker().log();
  EXPECT_EQ(Routed(), (std::vector<std::string>{"a/x", "end"}));
  // Refused once, not at every look at the unchanged file.
  EXPECT_EQ(env_.broker().CountInLog("rules refused"), 1u);
  // A deleted file is no reason to drop the rules either.
  const size_t from = env_.broker().log_size();
  std::remove(env_.rules_path().c_str());
  ASSERT_TRUE(env_.WaitForLog(
      "[permissions] cannot read " + env_.rules_path() + ", the rules in force stay", from));
  EXPECT_EQ(Routed(), (std::vector<std::string>{"a/x", "end"}));
}

}  // namespace
}  // namespace plaza::testing
