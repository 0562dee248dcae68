// The retained messages of one shard: the last retained message per topic,
// found by topic filter when a client subscribes.
//
// A tree of topic levels, walked by the filter, so a subscription to
// "rooms/42/#" visits room 42's topics and not every retained topic. Each
// shard keeps its own copy (every retained PUBLISH reaches every shard), so
// a subscribe never takes a lock.
#ifndef PLAZA_BROKER_CORE_RETAINED_STORE_H_
#define PLAZA_BROKER_CORE_RETAINED_STORE_H_

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/message.h"
#include "core/string_hash.h"

namespace plaza::broker {

class RetainedStore {
 public:
  RetainedStore();
  ~RetainedStore();
  RetainedStore(const RetainedStore&) = delete;
  RetainedStore& operator=(const RetainedStore&) = delete;

  // Stores `message` as its topic's retained message, or clears the topic
  // when the payload is empty (MQTT 3.1.1 section 3.3.1.3).
  void Update(const MessagePtr& message);

  // Appends the retained messages whose topics match a valid `filter`.
  void Match(std::string_view filter, std::vector<MessagePtr>* out) const;

  size_t size() const { return size_; }

 private:
  struct Node {
    std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> children;
    MessagePtr message;
  };

  void MatchFrom(const Node& node, std::string_view rest, bool at_end, bool root,
                 std::vector<MessagePtr>* out) const;
  static void CollectAll(const Node& node, std::vector<MessagePtr>* out);
  bool ClearFrom(Node* node, std::string_view rest);

  std::unique_ptr<Node> root_;
  size_t size_ = 0;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_RETAINED_STORE_H_
