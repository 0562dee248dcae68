// The retained-message tree. Empty branches are pruned when a topic is
// cleared so a churn of short-lived topics does not grow the tree forever.
#include "core/retained_store.h"

namespace plaza::broker {

RetainedStore::RetainedStore() : root_(std::make_unique<Node>()) {}
RetainedStore::~RetainedStore() = default;

void RetainedStore::Update(const MessagePtr& message) {
  if (message->payload().empty()) {
    ClearFrom(root_.get(), message->topic());
    return;
  }
  Node* node = root_.get();
  std::string_view rest = message->topic();
  bool last = false;
  while (!last) {
    const std::string_view level = NextLevel(&rest, &last);
    auto it = node->children.find(level);
    if (it == node->children.end()) {
      it = node->children.emplace(std::string(level), std::make_unique<Node>()).first;
    }
    node = it->second.get();
  }
  if (!node->message) ++size_;
  node->message = message;
}

// Returns true when `node`'s child on this path became empty and was erased.
bool RetainedStore::ClearFrom(Node* node, std::string_view rest) {
  bool last = false;
  const std::string_view level = NextLevel(&rest, &last);
  auto it = node->children.find(level);
  if (it == node->children.end()) return false;
  Node* child = it->second.get();
  if (last) {
    if (child->message) {
      child->message.reset();
      --size_;
    }
  } else {
    ClearFrom(child, rest);
  }
  if (!child->message && child->children.empty()) {
    node->children.erase(it);
    return true;
  }
  return false;
}

void RetainedStore::Match(std::string_view filter, std::vector<MessagePtr>* out) const {
  MatchFrom(*root_, filter, false, true, out);
}

void RetainedStore::CollectAll(const Node& node, std::vector<MessagePtr>* out) {
  if (node.message) out->push_back(node.message);
  for (const auto& [level, child] : node.children) CollectAll(*child, out);
}

// `rest` holds the filter levels still to match, `at_end` when none are left.
// At the root, wildcards skip topics whose first level starts with '$'.
void RetainedStore::MatchFrom(const Node& node, std::string_view rest, bool at_end, bool root,
                              std::vector<MessagePtr>* out) const {
  if (at_end) {
    if (node.message) out->push_back(node.message);
    return;
  }
  bool last = false;
  const std::string_view level = NextLevel(&rest, &last);
  if (level == "#") {
    // "a/#" matches "a" itself and everything below it.
    if (!root && node.message) out->push_back(node.message);
    for (const auto& [name, child] : node.children) {
      if (root && name.starts_with('$')) continue;
      CollectAll(*child, out);
    }
  } else if (level == "+") {
    for (const auto& [name, child] : node.children) {
      if (root && name.starts_with('$')) continue;
      MatchFrom(*child, rest, last, false, out);
    }
  } else {
    auto it = node.children.find(level);
    if (it != node.children.end()) MatchFrom(*it->second, rest, last, false, out);
  }
}

}  // namespace plaza::broker
