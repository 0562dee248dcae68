// The event room the `event` scenario models, and who should receive what
// in it: P performers (the stage) and A audience members, all in one room,
// every one of them publishing its pose and subscribing to everyone's. The
// rooms plugin's event policy (docs/protocol.md, "Event and world delivery")
// says the stage reaches and hears everyone and an audience member reaches
// only the stage and its own neighbourhood of K; a broker without the plugin
// delivers everything to everyone. The bench joins the members one at a time
// in a fixed order (performers first, then audience 0, 1, ...), so it knows
// every neighbourhood exactly: audience member a sits in neighbourhood a / K.
// Pure arithmetic, no I/O: the worker and the plan use it, the tests check it.
#ifndef PLAZA_BENCH_EVENT_ROOM_H_
#define PLAZA_BENCH_EVENT_ROOM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plaza::bench {

enum class DeliveryPolicy {
  kNeighbourhood,  // the rooms plugin's event policy
  kAll,            // a plain broker: every subscriber gets every message
};

std::optional<DeliveryPolicy> ParseDeliveryPolicy(std::string_view name);
const char* DeliveryPolicyName(DeliveryPolicy policy);

// Member ids: 0 .. performers-1 are the stage, then the audience in join
// order. A member's id is also its publisher id in the payload header.
struct EventLayout {
  uint32_t performers = 0;
  uint32_t audience = 0;
  uint32_t neighbourhood_size = 50;  // K; at least 1
  DeliveryPolicy policy = DeliveryPolicy::kNeighbourhood;

  uint32_t members() const { return performers + audience; }
  bool IsStage(uint32_t member) const { return member < performers; }
  // The neighbourhood of an audience member (member >= performers).
  uint32_t NeighbourhoodOf(uint32_t member) const;
  // How many members sit in that member's neighbourhood, itself included.
  uint32_t NeighbourhoodMembers(uint32_t member) const;
  // Whether a message `from` publishes should reach `to` (itself included:
  // MQTT 3.1.1 has no "no local", and the policy delivers to the sender).
  bool Reaches(uint32_t from, uint32_t to) const;
  // How many members receive each message `from` publishes.
  uint32_t Receivers(uint32_t from) const;
};

// The MQTT user name (and, without the auth plugin, the rooms user id) of a
// member: "perf-<i>" for the stage, "aud-<i>" for the audience (i from 0 in
// each). bench/config/event-room.yaml casts perf-0 .. perf-7 as performers.
std::string EventUserName(const EventLayout& layout, uint32_t member);

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_EVENT_ROOM_H_
