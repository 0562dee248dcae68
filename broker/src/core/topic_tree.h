// A tree of topic filters with entries hung on them, and the lookup of every
// entry whose filter matches a topic name. It is the shape both the
// subscription index (entries are sessions) and the shared-subscription
// groups (entries are groups) need, so it is written once, as a template.
//
// A lookup walks the published topic's levels and follows at each node the
// exact child, the '+' child and the '#' child, so its cost grows with the
// number of levels and of matching filters, never with the number of
// unrelated filters. A topic starting with '$' is not matched by '+' or '#'
// in the first level (MQTT 3.1.1 section 4.7.2). Filters are assumed valid.
//
// `Entry` is a small value; `Key` names its member of type `Owner` that
// identifies who it belongs to: a filter holds at most one entry per owner.
#ifndef PLAZA_BROKER_CORE_TOPIC_TREE_H_
#define PLAZA_BROKER_CORE_TOPIC_TREE_H_

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/string_hash.h"

namespace plaza::broker {

template <typename Entry, typename Owner, Owner Entry::*Key>
class TopicTree {
 public:
  TopicTree() : root_(std::make_unique<Node>()) {}
  TopicTree(const TopicTree&) = delete;
  TopicTree& operator=(const TopicTree&) = delete;

  // Hangs `entry` on `filter`, replacing the entry of the same owner there.
  // Returns false when it replaced one.
  bool Add(std::string_view filter, const Entry& entry) {
    Node* node = root_.get();
    std::string_view rest = filter;
    bool last = false;
    while (!last) {
      const std::string_view level = NextLevel(&rest, &last);
      std::unique_ptr<Node>* slot;
      if (level == "+") {
        slot = &node->plus;
      } else if (level == "#") {
        slot = &node->hash;
      } else {
        auto it = node->children.find(level);
        if (it == node->children.end()) {
          it = node->children.emplace(std::string(level), nullptr).first;
        }
        slot = &it->second;
      }
      if (!*slot) *slot = std::make_unique<Node>();
      node = slot->get();
    }
    for (Entry& existing : node->entries) {
      if (existing.*Key == entry.*Key) {
        existing = entry;
        return false;
      }
    }
    node->entries.push_back(entry);
    ++size_;
    return true;
  }

  // Removes the entry of `owner` from `filter`; false when there was none.
  bool Remove(std::string_view filter, const Owner& owner) {
    return RemoveFrom(root_.get(), filter, owner);
  }

  // Appends every entry whose filter matches the topic `name`.
  void Match(std::string_view name, std::vector<Entry>* out) const {
    MatchFrom(*root_, name, false, name.starts_with('$'), out);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  struct Node {
    std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> children;
    std::unique_ptr<Node> plus;  // the '+' child
    std::unique_ptr<Node> hash;  // the '#' child
    std::vector<Entry> entries;  // those whose filter ends here
    bool Empty() const { return children.empty() && !plus && !hash && entries.empty(); }
  };

  bool RemoveFrom(Node* node, std::string_view rest, const Owner& owner) {
    bool last = false;
    const std::string_view level = NextLevel(&rest, &last);
    std::unique_ptr<Node>* slot = nullptr;
    typename decltype(node->children)::iterator it;
    if (level == "+") {
      slot = &node->plus;
    } else if (level == "#") {
      slot = &node->hash;
    } else {
      it = node->children.find(level);
      if (it == node->children.end()) return false;
      slot = &it->second;
    }
    Node* child = slot->get();
    if (!child) return false;
    bool removed = false;
    if (last) {
      auto& entries = child->entries;
      auto found = std::find_if(entries.begin(), entries.end(),
                                [&owner](const Entry& e) { return e.*Key == owner; });
      if (found != entries.end()) {
        *found = entries.back();
        entries.pop_back();
        --size_;
        removed = true;
      }
    } else {
      removed = RemoveFrom(child, rest, owner);
    }
    if (removed && child->Empty()) {
      if (slot == &node->plus || slot == &node->hash) {
        slot->reset();
      } else {
        node->children.erase(it);
      }
    }
    return removed;
  }

  // `rest` holds the levels still to match (`at_end` when none are left);
  // `dollar` is true only at the root for a name starting with '$', where
  // wildcards must not match.
  void MatchFrom(const Node& node, std::string_view rest, bool at_end, bool dollar,
                 std::vector<Entry>* out) const {
    if (node.hash && !dollar) {
      out->insert(out->end(), node.hash->entries.begin(), node.hash->entries.end());
    }
    if (at_end) {
      out->insert(out->end(), node.entries.begin(), node.entries.end());
      return;
    }
    bool last = false;
    const std::string_view level = NextLevel(&rest, &last);
    if (!node.children.empty()) {
      auto it = node.children.find(level);
      if (it != node.children.end()) MatchFrom(*it->second, rest, last, false, out);
    }
    if (node.plus && !dollar) MatchFrom(*node.plus, rest, last, false, out);
  }

  std::unique_ptr<Node> root_;
  size_t size_ = 0;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_TOPIC_TREE_H_
