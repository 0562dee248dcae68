// The state MQTT keeps per client identifier, which outlives a connection
// when the client asked for a persistent session (clean session = 0): its
// subscriptions, the QoS 1/2 messages in flight toward it, the queue behind
// them, and the QoS 2 packet ids it has sent us and not yet released. In
// MQTT 5 a session lives on after its connection for its Session Expiry
// Interval, and may hold a will waiting for its Will Delay Interval.
#ifndef PLAZA_BROKER_CORE_SESSION_H_
#define PLAZA_BROKER_CORE_SESSION_H_

#include <algorithm>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/message.h"
#include "core/string_hash.h"

namespace plaza::broker {

using ConnId = uint64_t;

// A will as CONNECT gave it, kept until the connection ends (and, with an
// MQTT 5 Will Delay Interval, in the session until the delay has passed).
struct StoredWill {
  std::string topic;
  std::string payload;
  uint8_t qos = 0;
  bool retain = false;
  std::string properties;        // forwarded MQTT 5 properties, encoded
  uint32_t expiry_interval = 0;  // Message Expiry Interval, 0 for none
  uint32_t delay = 0;            // Will Delay Interval, seconds
};

// Session Expiry Interval meaning "never".
// Wills are rare, so a connection or session holds one through a pointer:
// an idle connection without one pays 8 bytes, not the will's 120.
using WillPtr = std::unique_ptr<StoredWill>;

inline constexpr uint32_t kSessionNeverExpires = 0xFFFFFFFF;

// The packet ids of QoS 2 PUBLISHes received and not yet released: at most
// limits.max_inflight of them, kept sorted in a vector (24 bytes when empty,
// where a hash set takes 56 on every idle session).
class PacketIdSet {
 public:
  bool contains(uint16_t id) const { return std::binary_search(ids_.begin(), ids_.end(), id); }
  size_t size() const { return ids_.size(); }
  // True when `id` was not there before.
  bool insert(uint16_t id) {
    auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
    if (it != ids_.end() && *it == id) return false;
    ids_.insert(it, id);
    return true;
  }
  // True when `id` was there.
  bool erase(uint16_t id) {
    auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
    if (it == ids_.end() || *it != id) return false;
    ids_.erase(it);
    if (ids_.empty()) ids_.shrink_to_fit();
    return true;
  }

 private:
  std::vector<uint16_t> ids_;
};

struct Session {
  // A QoS 1/2 message sent to the client and not yet completed.
  struct Outbound {
    enum class Stage : uint8_t {
      kPublished,  // PUBLISH sent; waiting for PUBACK (QoS 1) or PUBREC (QoS 2)
      kReleased,   // PUBREL sent; waiting for PUBCOMP (QoS 2)
    };
    uint16_t packet_id;
    uint8_t qos;
    bool retain;
    Stage stage;
    // Delivered through a shared subscription: another member may take it
    // over if this session ends (MQTT 5 section 4.8.2).
    bool shared;
    MessagePtr message;
    // MQTT 5: the Subscription Identifier properties of this delivery,
    // encoded (empty, so allocation-free, for 3.1.1 and most v5 ones).
    std::string subscription_ids = {};
  };

  // A QoS 1/2 message waiting for a free inflight slot.
  struct Queued {
    MessagePtr message;
    uint8_t qos;
    bool retain;
    bool shared;  // as in Outbound
    std::string subscription_ids = {};
  };

  // A subscription as the session keeps it. Ordinary ones are also in the
  // shard's subscription index; shared ones ("$share/<group>/<filter>")
  // only here, with their group kept by its home shard.
  struct Subscription {
    uint8_t qos = 0;
    uint8_t options = 0;  // SubscriptionIndex::kNoLocal | kRetainAsPublished
    uint32_t id = 0;      // MQTT 5 Subscription Identifier, 0 for none
  };

  // Larger members first, so the small ones pack: an idle session is a
  // room server's most numerous object after its connection.
  std::string client_id;
  std::unordered_map<std::string, Subscription, StringHash, std::equal_to<>> subscriptions;
  // Containers that allocate nothing while empty: most sessions of a room
  // never have a QoS 1/2 backlog, and an idle connection should cost little.
  // `inflight` stays short (at most limits.max_inflight).
  std::vector<Outbound> inflight;  // in the order the PUBLISHes were sent
  std::list<Queued> queue;
  PacketIdSet inbound_qos2;
  // Scratch for de-duplicating overlapping subscriptions while routing one
  // message: the routing pass that last saw this session (route_stamp), the
  // highest QoS it granted, its retain flag and subscription identifiers.
  std::string route_subscription_ids;
  WillPtr delayed_will;
  ConnId conn = 0;            // the connection it is attached to; 0 while offline
  int64_t expires_at_ms = 0;  // while offline with a finite interval
  int64_t will_at_ms = 0;
  uint64_t route_stamp = 0;
  // How long the session outlives its connection, in seconds: 0 ends it
  // with the connection (3.1.1 clean session 1), kSessionNeverExpires keeps
  // it for good (3.1.1 clean session 0).
  uint32_t expiry_interval = 0;
  uint32_t shared_subscriptions = 0;  // how many of them are shared
  uint16_t last_packet_id = 0;
  bool clean = true;
  uint8_t route_qos = 0;
  bool route_retain = false;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_SESSION_H_
