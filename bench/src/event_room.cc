// Who receives what in the modelled event room; see event_room.h.
#include "event_room.h"

#include <algorithm>

namespace plaza::bench {

std::optional<DeliveryPolicy> ParseDeliveryPolicy(std::string_view name) {
  if (name == "neighbourhood") return DeliveryPolicy::kNeighbourhood;
  if (name == "all") return DeliveryPolicy::kAll;
  return std::nullopt;
}

const char* DeliveryPolicyName(DeliveryPolicy policy) {
  return policy == DeliveryPolicy::kAll ? "all" : "neighbourhood";
}

uint32_t EventLayout::NeighbourhoodOf(uint32_t member) const {
  return (member - performers) / std::max<uint32_t>(neighbourhood_size, 1);
}

uint32_t EventLayout::NeighbourhoodMembers(uint32_t member) const {
  const uint32_t k = std::max<uint32_t>(neighbourhood_size, 1);
  const uint32_t first = NeighbourhoodOf(member) * k;  // audience index
  return std::min(k, audience - first);
}

bool EventLayout::Reaches(uint32_t from, uint32_t to) const {
  if (from >= members() || to >= members()) return false;
  if (policy == DeliveryPolicy::kAll || IsStage(from) || IsStage(to)) return true;
  return NeighbourhoodOf(from) == NeighbourhoodOf(to);
}

uint32_t EventLayout::Receivers(uint32_t from) const {
  if (from >= members()) return 0;
  if (policy == DeliveryPolicy::kAll || IsStage(from)) return members();
  return performers + NeighbourhoodMembers(from);
}

std::string EventUserName(const EventLayout& layout, uint32_t member) {
  return layout.IsStage(member) ? "perf-" + std::to_string(member)
                                : "aud-" + std::to_string(member - layout.performers);
}

}  // namespace plaza::bench
