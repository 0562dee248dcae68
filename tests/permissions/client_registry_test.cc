// The plugin's per-client bookkeeping without a broker: tracked
// subscriptions, sessions parked by client id and handed to the connection
// that resumes them, takeovers, and the bound on parked sessions.
#include "client_registry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace plaza::permissions {
namespace {

ClientFacts Facts(const std::string& client_id, bool clean_start, int protocol_version = 4) {
  ClientFacts facts;
  facts.client_id = client_id;
  facts.clean_start = clean_start;
  facts.protocol_version = protocol_version;
  return facts;
}

std::vector<std::string> Tracked(ClientRegistry& registry, Handle handle) {
  std::vector<std::string> filters;
  registry.With(handle, [&](ClientRecord& record) {
    filters.assign(record.filters.begin(), record.filters.end());
  });
  return filters;
}

using Filters = std::vector<std::string>;

TEST(ClientRegistryTest, TracksWhatAClientSubscribesAndUnsubscribes) {
  ClientRegistry registry(10);
  EXPECT_TRUE(registry.Connect(1, Facts("a", true)).empty());
  registry.Track(1, "x/#");
  registry.Track(1, "y");
  registry.Track(1, "x/#");
  registry.Untrack(1, "y");
  registry.Untrack(1, "never");
  EXPECT_EQ(Tracked(registry, 1), Filters{"x/#"});
  registry.Track(2, "unknown client");  // ignored
  EXPECT_EQ(registry.Handles(), std::vector<Handle>{1});
}

TEST(ClientRegistryTest, APersistentSessionIsParkedAndResumed) {
  ClientRegistry registry(10);
  registry.Connect(1, Facts("a", false));
  registry.Track(1, "x/#");
  const ClientRegistry::Gone gone = registry.Disconnect(1);
  EXPECT_TRUE(gone.known);
  EXPECT_FALSE(gone.evicted);
  EXPECT_EQ(registry.parked(), 1u);
  EXPECT_TRUE(registry.Handles().empty());
  EXPECT_EQ(registry.Connect(2, Facts("a", false)), Filters{"x/#"});
  EXPECT_EQ(Tracked(registry, 2), Filters{"x/#"});
  EXPECT_EQ(registry.parked(), 0u);
}

TEST(ClientRegistryTest, ACleanStartDiscardsTheParkedSession) {
  ClientRegistry registry(10);
  registry.Connect(1, Facts("a", false));
  registry.Track(1, "x/#");
  registry.Disconnect(1);
  EXPECT_TRUE(registry.Connect(2, Facts("a", true)).empty());
  EXPECT_EQ(registry.parked(), 0u);
  EXPECT_TRUE(Tracked(registry, 2).empty());
}

TEST(ClientRegistryTest, ACleanMqtt311SessionIsNotParkedButAnMqtt5OneIs) {
  ClientRegistry registry(10);
  registry.Connect(1, Facts("v3", true, 4));
  registry.Track(1, "x");
  registry.Disconnect(1);
  EXPECT_EQ(registry.parked(), 0u);
  // MQTT 5 may keep a clean-start session past the connection (its expiry
  // interval): parked, to be safe.
  registry.Connect(2, Facts("v5", true, 5));
  registry.Track(2, "x");
  registry.Disconnect(2);
  EXPECT_EQ(registry.parked(), 1u);
  EXPECT_EQ(registry.Connect(3, Facts("v5", false, 5)), Filters{"x"});
}

TEST(ClientRegistryTest, ATakeoverCarriesTheOldConnectionsSubscriptions) {
  ClientRegistry registry(10);
  registry.Connect(1, Facts("a", false));
  registry.Track(1, "x");
  // The same client id connects again before the old connection is gone.
  EXPECT_EQ(registry.Connect(2, Facts("a", false)), Filters{"x"});
  // The old connection's end parks nothing: the new one has the session.
  registry.Disconnect(1);
  EXPECT_EQ(registry.parked(), 0u);
  registry.Disconnect(2);
  EXPECT_EQ(registry.parked(), 1u);
  // With a clean start the takeover carries nothing.
  registry.Connect(3, Facts("b", false));
  registry.Track(3, "y");
  EXPECT_TRUE(registry.Connect(4, Facts("b", true)).empty());
}

TEST(ClientRegistryTest, TheOldestParkedSessionGoesFirst) {
  ClientRegistry registry(2);
  for (Handle handle : {1, 2, 3}) {
    registry.Connect(handle, Facts("c" + std::to_string(handle), false));
    registry.Track(handle, "f" + std::to_string(handle));
  }
  EXPECT_FALSE(registry.Disconnect(1).evicted);
  EXPECT_FALSE(registry.Disconnect(2).evicted);
  EXPECT_TRUE(registry.Disconnect(3).evicted);
  EXPECT_EQ(registry.parked(), 2u);
  EXPECT_TRUE(registry.Connect(4, Facts("c1", false)).empty());  // forgotten
  EXPECT_EQ(registry.Connect(5, Facts("c2", false)), Filters{"f2"});
  registry.set_max_parked(0);
  EXPECT_EQ(registry.parked(), 0u);
  registry.Track(5, "g");
  EXPECT_FALSE(registry.Disconnect(5).evicted);  // parking is off
  EXPECT_EQ(registry.parked(), 0u);
}

TEST(ClientRegistryTest, AnUnknownDisconnectIsHarmless) {
  ClientRegistry registry(10);
  EXPECT_FALSE(registry.Disconnect(42).known);
}

}  // namespace
}  // namespace plaza::permissions
