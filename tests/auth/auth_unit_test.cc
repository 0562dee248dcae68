// The auth plugin's parts on their own: its settings (every refusal names
// the line), the token cache (ttls, refusals kept shorter, least recently
// used first out, stale answers for the "cached" policy) and the
// translation of the adapter's answers into MQTT reason codes.
#include <gtest/gtest.h>

#include <cstdlib>

#include "auth_settings.h"
#include "identity_client.h"
#include "token_cache.h"

namespace plaza::auth {
namespace {

using std::chrono::milliseconds;
namespace v1 = plaza::adapter::v1;

TEST(AuthSettingsTest, DefaultsWithoutConfig) {
  std::string error;
  const auto settings = ParseAuthSettings("", &error);
  ASSERT_TRUE(settings) << error;
  EXPECT_EQ(settings->adapter, "127.0.0.1:50051");
  EXPECT_FALSE(settings->accept_stale_when_unavailable);
  EXPECT_EQ(settings->auth_method, "plaza-token");
}

TEST(AuthSettingsTest, ReadsEveryKey) {
  setenv("PLAZA_AUTH_TEST_SECRET", "from-env", 1);
  std::string error;
  const auto settings = ParseAuthSettings(R"(adapter: adapter.internal:9000
deadline_ms: 500
cache_ttl_ms: 1000
refusal_cache_ttl_ms: 100
cache_size: 10
on_unavailable: cached
stale_ttl_ms: 60000
auth_method: ""
enforce_session_expiry: false
service_accounts:
  - username: plaza-adapter
    password_env: PLAZA_AUTH_TEST_SECRET
  - username: bot
    password: pw
    roles: [service, moderator]
)",
                                          &error);
  ASSERT_TRUE(settings) << error;
  EXPECT_EQ(settings->adapter, "adapter.internal:9000");
  EXPECT_EQ(settings->deadline, milliseconds(500));
  EXPECT_EQ(settings->cache_size, 10u);
  EXPECT_TRUE(settings->accept_stale_when_unavailable);
  EXPECT_TRUE(settings->auth_method.empty());
  EXPECT_FALSE(settings->enforce_session_expiry);
  ASSERT_EQ(settings->service_accounts.size(), 2u);
  EXPECT_EQ(settings->service_accounts[0].password, "from-env");
  EXPECT_EQ(settings->service_accounts[0].roles, std::vector<std::string>{"service"});
  EXPECT_EQ(settings->service_accounts[1].roles,
            (std::vector<std::string>{"service", "moderator"}));
}

TEST(AuthSettingsTest, RefusalsNameTheLine) {
  const struct {
    const char* yaml;
    const char* expected;
  } cases[] = {
      {"adapter: x:1\ncolour: blue\n", "line 2: unknown key 'colour'"},
      {"adapter: nowhere\n", "line 1: adapter must be host:port"},
      {"\ndeadline_ms: -5\n", "line 2: deadline_ms must be"},
      {"deadline_ms: 0\n", "deadline_ms must be above 0"},
      {"on_unavailable: maybe\n", "on_unavailable must be refuse or cached"},
      {"service_accounts:\n  - username: a\n", "line 2: service account 'a' needs a password"},
      {"service_accounts:\n  - username: a\n    password_env: PLAZA_NOT_SET_ANYWHERE\n",
       "PLAZA_NOT_SET_ANYWHERE"},
      {"service_accounts:\n  - {username: a, password: b}\n  - {username: a, password: c}\n",
       "listed twice"},
      {"adapter: [unclosed\n", "line "},
  };
  for (const auto& c : cases) {
    std::string error;
    EXPECT_FALSE(ParseAuthSettings(c.yaml, &error)) << c.yaml;
    EXPECT_NE(error.find(c.expected), std::string::npos) << c.yaml << " -> " << error;
  }
}

Answer Accepted(const std::string& id) {
  Answer answer;
  answer.user = Identity{id, "Name " + id, "member", "", 0};
  return answer;
}

Answer Refused() {
  Answer answer;
  answer.reason_code = 0x86;
  answer.reason = "unknown token";
  return answer;
}

TEST(TokenCacheTest, AnswersAreFreshForTheirTtl) {
  TokenCache cache(10, milliseconds(1000), milliseconds(100));
  const auto t0 = TokenCache::Clock::time_point{} + std::chrono::hours(1);
  cache.Put("good", Accepted("1"), t0);
  cache.Put("bad", Refused(), t0);
  EXPECT_TRUE(cache.Fresh("good", t0 + milliseconds(999)));
  EXPECT_FALSE(cache.Fresh("good", t0 + milliseconds(1000)));
  EXPECT_TRUE(cache.Fresh("bad", t0 + milliseconds(99)));
  EXPECT_FALSE(cache.Fresh("bad", t0 + milliseconds(100)));
  EXPECT_FALSE(cache.Fresh("never", t0));
  // Past its ttl an accepted token can still be used by the "cached" policy.
  EXPECT_TRUE(cache.AcceptedWithin("good", t0 + milliseconds(5000), milliseconds(6000)));
  EXPECT_FALSE(cache.AcceptedWithin("good", t0 + milliseconds(5000), milliseconds(5000)));
  EXPECT_FALSE(cache.AcceptedWithin("bad", t0, milliseconds(6000)));
}

TEST(TokenCacheTest, TheLeastRecentlyUsedGoesFirst) {
  TokenCache cache(2, milliseconds(1000), milliseconds(1000));
  const auto t0 = TokenCache::Clock::time_point{} + std::chrono::hours(1);
  cache.Put("a", Accepted("a"), t0);
  cache.Put("b", Accepted("b"), t0);
  ASSERT_TRUE(cache.Fresh("a", t0));  // a is now the most recent
  cache.Put("c", Accepted("c"), t0);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.Fresh("a", t0));
  EXPECT_FALSE(cache.Fresh("b", t0));
  EXPECT_TRUE(cache.Fresh("c", t0));
}

TEST(IdentityTranslateTest, AUserBecomesItsAttributes) {
  v1::AuthenticateResponse response;
  auto* user = response.mutable_user();
  user->set_user_id("2");
  user->set_display_name("Ben Listener");
  user->add_platform_roles(v1::PLATFORM_ROLE_MEMBER);
  user->add_platform_roles(v1::PLATFORM_ROLE_CREATOR);
  user->set_session_expires_at_unix(4102444800);
  const Answer answer = IdentityClient::Translate(response);
  ASSERT_TRUE(answer.user);
  EXPECT_EQ(answer.user->user_id, "2");
  EXPECT_EQ(answer.user->display_name, "Ben Listener");
  EXPECT_EQ(answer.user->roles, "member,creator");
  EXPECT_EQ(answer.user->session_expires_at_unix, 4102444800);
}

TEST(IdentityTranslateTest, RefusalsBecomeReasonCodes) {
  const struct {
    v1::AuthRefusalReason reason;
    uint8_t code;
  } cases[] = {
      {v1::AUTH_REFUSAL_REASON_UNKNOWN_TOKEN, 0x86}, {v1::AUTH_REFUSAL_REASON_EXPIRED, 0x86},
      {v1::AUTH_REFUSAL_REASON_REVOKED, 0x86},       {v1::AUTH_REFUSAL_REASON_BANNED, 0x8A},
      {v1::AUTH_REFUSAL_REASON_SUSPENDED, 0x8A},     {v1::AUTH_REFUSAL_REASON_UNSPECIFIED, 0x87},
  };
  for (const auto& c : cases) {
    v1::AuthenticateResponse response;
    response.mutable_refusal()->set_reason(c.reason);
    response.mutable_refusal()->set_message("because");
    const Answer answer = IdentityClient::Translate(response);
    EXPECT_FALSE(answer.user);
    EXPECT_EQ(answer.reason_code, c.code) << c.reason;
    EXPECT_EQ(answer.reason, "because");
  }
}

}  // namespace
}  // namespace plaza::auth
