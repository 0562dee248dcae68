// Which sessions subscribe to which topic filters, on one shard.
//
// A tree of topic levels: a lookup walks the published topic's levels and
// follows at each node the exact child, the '+' child and the '#' child, so
// its cost grows with the number of levels and of matching filters, never
// with the number of unrelated subscriptions. A topic starting with '$' is
// not matched by '+' or '#' in the first level (MQTT 3.1.1 section 4.7.2).
#ifndef PLAZA_BROKER_CORE_SUBSCRIPTION_INDEX_H_
#define PLAZA_BROKER_CORE_SUBSCRIPTION_INDEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/string_hash.h"

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

  SubscriptionIndex();
  ~SubscriptionIndex();
  SubscriptionIndex(const SubscriptionIndex&) = delete;
  SubscriptionIndex& operator=(const SubscriptionIndex&) = delete;

  // Adds `session`'s subscription to a valid `filter`, or updates its QoS,
  // options and identifier.
  void Add(std::string_view filter, Session* session, uint8_t qos, uint8_t options = 0,
           uint32_t id = 0);

  // Removes it; returns false when there was none.
  bool Remove(std::string_view filter, Session* session);

  // Appends every subscription whose filter matches the topic `name`. One
  // session may appear more than once when several of its filters match.
  void Match(std::string_view name, std::vector<Entry>* out) const;

  size_t size() const { return size_; }

 private:
  struct Node {
    std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> children;
    std::unique_ptr<Node> plus;  // the '+' child
    std::unique_ptr<Node> hash;  // the '#' child
    std::vector<Entry> entries;  // subscriptions whose filter ends here
    bool Empty() const { return children.empty() && !plus && !hash && entries.empty(); }
  };

  void MatchFrom(const Node& node, std::string_view rest, bool at_end, bool first,
                 std::vector<Entry>* out) const;
  bool RemoveFrom(Node* node, std::string_view rest, Session* session);

  std::unique_ptr<Node> root_;
  size_t size_ = 0;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_SUBSCRIPTION_INDEX_H_
