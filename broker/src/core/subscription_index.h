// Which sessions subscribe to which topic filters, on one shard: a topic
// tree (core/topic_tree.h) whose entries are sessions with the QoS and MQTT 5
// options of their subscription.
#ifndef PLAZA_BROKER_CORE_SUBSCRIPTION_INDEX_H_
#define PLAZA_BROKER_CORE_SUBSCRIPTION_INDEX_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/topic_tree.h"

namespace plaza::broker {

struct Session;

class SubscriptionIndex {
 public:
  // MQTT 5 subscription options kept per subscription (section 3.8.3.1).
  static constexpr uint8_t kNoLocal = 1;
  static constexpr uint8_t kRetainAsPublished = 2;

  struct Entry {
    Session* session;
    uint8_t qos;
    uint8_t options = 0;  // kNoLocal | kRetainAsPublished
    uint32_t id = 0;      // MQTT 5 Subscription Identifier, 0 for none
  };

  // Adds `session`'s subscription to a valid `filter`, or updates its QoS,
  // options and identifier.
  void Add(std::string_view filter, Session* session, uint8_t qos, uint8_t options = 0,
           uint32_t id = 0);

  // Removes it; returns false when there was none.
  bool Remove(std::string_view filter, Session* session);

  // Appends every subscription whose filter matches the topic `name`. One
  // session may appear more than once when several of its filters match.
  void Match(std::string_view name, std::vector<Entry>* out) const;

  size_t size() const { return tree_.size(); }

 private:
  TopicTree<Entry, Session*, &Entry::session> tree_;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_SUBSCRIPTION_INDEX_H_
