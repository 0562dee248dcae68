// The limits one broker enforces on its clients, with their defaults. They
// come from the `limits:` section of the broker's YAML and can be changed by
// a reload (SIGHUP) without dropping anyone.
#ifndef PLAZA_BROKER_CORE_LIMITS_H_
#define PLAZA_BROKER_CORE_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace plaza::broker {

struct Limits {
  // The largest packet a client may send, fixed header included; a larger
  // one closes its connection.
  size_t max_packet_size = 1 << 20;
  // QoS 1 and 2 messages sent to one client and not yet acknowledged.
  uint32_t max_inflight = 20;
  // QoS 1 and 2 messages waiting behind the inflight window per session,
  // online or offline. Past this an online client is disconnected (it cannot
  // keep up) and an offline session drops the message.
  uint32_t max_queued_messages = 1000;
  // Unwritten bytes per connection past which QoS 0 messages to it are
  // dropped (and counted) instead of queued: a slow subscriber loses its
  // oldest-possible backlog, never stalls the others.
  size_t max_queued_bytes = 1 << 20;
  size_t max_topic_length = 65535;
  size_t max_topic_levels = 128;
  size_t max_subscriptions_per_client = 1000;
  // Time a new connection has to send CONNECT.
  uint32_t connect_timeout_ms = 10'000;
  // The longest keep-alive a client may use, in seconds; 0 for no cap. An
  // MQTT 5 client asking for more (or for none) is told this one in the
  // CONNACK (Server Keep Alive) and held to it; an MQTT 3.1.1 client cannot
  // be told, so it is refused.
  uint16_t max_keep_alive = 0;
  // Topic aliases the broker assigns toward an MQTT 5 client that accepts
  // some (its CONNECT's Topic Alias Maximum, capped by this); 0: none.
  uint16_t max_outbound_topic_aliases = 32;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_LIMITS_H_
