// The state MQTT keeps per client identifier, which outlives a connection
// when the client asked for a persistent session (clean session = 0): its
// subscriptions, the QoS 1/2 messages in flight toward it, the queue behind
// them, and the QoS 2 packet ids it has sent us and not yet released.
#ifndef PLAZA_BROKER_CORE_SESSION_H_
#define PLAZA_BROKER_CORE_SESSION_H_

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/message.h"
#include "core/string_hash.h"

namespace plaza::broker {

using ConnId = uint64_t;

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
    MessagePtr message;
  };

  // A QoS 1/2 message waiting for a free inflight slot.
  struct Queued {
    MessagePtr message;
    uint8_t qos;
    bool retain;
  };

  std::string client_id;
  bool clean = true;
  ConnId conn = 0;  // the connection it is attached to; 0 while offline

  std::unordered_map<std::string, uint8_t, StringHash, std::equal_to<>> subscriptions;
  // Containers that allocate nothing while empty: most sessions of a room
  // never have a QoS 1/2 backlog, and an idle connection should cost little.
  // `inflight` stays short (at most limits.max_inflight).
  std::vector<Outbound> inflight;  // in the order the PUBLISHes were sent
  std::list<Queued> queue;
  std::unordered_set<uint16_t> inbound_qos2;
  uint16_t last_packet_id = 0;

  // Scratch for de-duplicating overlapping subscriptions while routing one
  // message: the routing pass that last saw this session, and the highest
  // QoS it granted.
  uint64_t route_stamp = 0;
  uint8_t route_qos = 0;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_SESSION_H_
