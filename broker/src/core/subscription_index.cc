// The subscription tree. Filters are assumed valid (the core checks them with
// mqtt::IsValidTopicFilter before they get here).
#include "core/subscription_index.h"

#include <algorithm>

namespace plaza::broker {

SubscriptionIndex::SubscriptionIndex() : root_(std::make_unique<Node>()) {}
SubscriptionIndex::~SubscriptionIndex() = default;

void SubscriptionIndex::Add(std::string_view filter, Session* session, uint8_t qos, uint8_t options,
                            uint32_t id) {
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
  for (Entry& entry : node->entries) {
    if (entry.session == session) {
      entry.qos = qos;
      entry.options = options;
      entry.id = id;
      return;
    }
  }
  node->entries.push_back({session, qos, options, id});
  ++size_;
}

bool SubscriptionIndex::Remove(std::string_view filter, Session* session) {
  return RemoveFrom(root_.get(), filter, session);
}

bool SubscriptionIndex::RemoveFrom(Node* node, std::string_view rest, Session* session) {
  bool last = false;
  const std::string_view level = NextLevel(&rest, &last);
  std::unique_ptr<Node>* slot = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>>::iterator it;
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
                              [session](const Entry& e) { return e.session == session; });
    if (found != entries.end()) {
      *found = entries.back();
      entries.pop_back();
      --size_;
      removed = true;
    }
  } else {
    removed = RemoveFrom(child, rest, session);
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

void SubscriptionIndex::Match(std::string_view name, std::vector<Entry>* out) const {
  MatchFrom(*root_, name, false, name.starts_with('$'), out);
}

// `rest` holds the levels still to match (`at_end` when none are left);
// `dollar` is true only at the root for a name starting with '$', where
// wildcards must not match.
void SubscriptionIndex::MatchFrom(const Node& node, std::string_view rest, bool at_end, bool dollar,
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

}  // namespace plaza::broker
