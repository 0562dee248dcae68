// The alias table: a map from topic to slot, and the slots in a doubly
// linked list from least to most recently used, so a hit and a
// reassignment are both O(1).
#include "core/topic_aliases.h"

namespace plaza::broker {

TopicAliases::Use TopicAliases::For(std::string_view topic, bool allow_new) {
  ++uses_;
  if (auto it = by_topic_.find(topic); it != by_topic_.end()) {
    const uint16_t index = it->second;
    slots_[index].last_use = uses_;
    Unlink(index);
    PushMostRecent(index);
    return {static_cast<uint16_t>(index + 1), true};
  }
  if (!allow_new || topic.size() > kMaxAliasedTopic || topic.empty()) return {};
  uint16_t index;
  if (slots_.size() < maximum_) {
    index = static_cast<uint16_t>(slots_.size());
    slots_.emplace_back();
  } else {
    index = oldest_;
    if (uses_ - slots_[index].last_use < 4 * uint64_t{maximum_}) return {};
    Unlink(index);
    by_topic_.erase(slots_[index].topic);
  }
  Slot& slot = slots_[index];
  slot.topic.assign(topic);
  slot.last_use = uses_;
  by_topic_.emplace(slot.topic, index);
  PushMostRecent(index);
  return {static_cast<uint16_t>(index + 1), false};
}

void TopicAliases::Unlink(uint16_t index) {
  Slot& slot = slots_[index];
  if (slot.prev != kNone) {
    slots_[slot.prev].next = slot.next;
  } else {
    oldest_ = slot.next;
  }
  if (slot.next != kNone) {
    slots_[slot.next].prev = slot.prev;
  } else {
    newest_ = slot.prev;
  }
  slot.prev = slot.next = kNone;
}

void TopicAliases::PushMostRecent(uint16_t index) {
  Slot& slot = slots_[index];
  slot.prev = newest_;
  slot.next = kNone;
  if (newest_ != kNone) slots_[newest_].next = index;
  newest_ = index;
  if (oldest_ == kNone) oldest_ = index;
}

}  // namespace plaza::broker
