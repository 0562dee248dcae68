// The shared-subscription groups of a home shard: membership, matching and
// the round-robin pick.
#include "core/shared_subscriptions.h"

#include <algorithm>

#include "mqtt/topic.h"

namespace plaza::broker {

std::optional<SharedFilter> ParseSharedFilter(std::string_view filter) {
  if (!IsSharedFilter(filter)) return std::nullopt;
  std::string_view rest = filter.substr(kSharePrefix.size());
  const size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos) return std::nullopt;
  const std::string_view group = rest.substr(0, slash);
  if (group.find_first_of("+#") != std::string_view::npos || !mqtt::IsValidUtf8(group)) {
    return std::nullopt;
  }
  const std::string_view topic_filter = rest.substr(slash + 1);
  if (!mqtt::IsValidTopicFilter(topic_filter)) return std::nullopt;
  return SharedFilter{group, topic_filter};
}

void SharedGroups::Join(std::string_view key, std::string_view client_id) {
  auto it = groups_.find(key);
  if (it == groups_.end()) {
    auto group = std::make_unique<Group>();
    group->key = std::string(key);
    const std::optional<SharedFilter> parsed = ParseSharedFilter(group->key);
    if (!parsed) return;  // members' shards only send valid keys
    tree_.Add(parsed->filter, Entry{group.get()});
    it = groups_.emplace(group->key, std::move(group)).first;
  }
  std::vector<Member>& members = it->second->members;
  for (Member& member : members) {
    if (member.client_id == client_id) {
      member.online = true;
      return;
    }
  }
  members.push_back({std::string(client_id), true});
}

void SharedGroups::Leave(std::string_view key, std::string_view client_id) {
  auto it = groups_.find(key);
  if (it == groups_.end()) return;
  Group& group = *it->second;
  auto found = std::find_if(group.members.begin(), group.members.end(),
                            [client_id](const Member& m) { return m.client_id == client_id; });
  if (found == group.members.end()) return;
  // Keep the round-robin where it was for the members after this one.
  const size_t index = static_cast<size_t>(found - group.members.begin());
  group.members.erase(found);
  if (index < group.next) --group.next;
  if (!group.members.empty()) return;
  tree_.Remove(ParseSharedFilter(group.key)->filter, &group);
  groups_.erase(it);
}

void SharedGroups::SetOnline(std::string_view key, std::string_view client_id, bool online) {
  Group* group = Find(key);
  if (!group) return;
  for (Member& member : group->members) {
    if (member.client_id == client_id) member.online = online;
  }
}

SharedGroups::Group* SharedGroups::Find(std::string_view key) {
  auto it = groups_.find(key);
  return it == groups_.end() ? nullptr : it->second.get();
}

void SharedGroups::Match(std::string_view name, std::vector<Group*>* out) const {
  out->clear();
  scratch_.clear();
  tree_.Match(name, &scratch_);
  for (const Entry& entry : scratch_) out->push_back(entry.group);
}

const SharedGroups::Member* SharedGroups::Pick(Group& group, bool offline_ok,
                                               const std::vector<std::string>& tried) {
  const size_t count = group.members.size();
  for (const bool want_online : {true, false}) {
    if (!want_online && !offline_ok) break;
    for (size_t i = 0; i < count; ++i) {
      const size_t index = (group.next + i) % count;
      const Member& member = group.members[index];
      if (want_online && !member.online) continue;
      if (std::find(tried.begin(), tried.end(), member.client_id) != tried.end()) continue;
      group.next = index + 1;
      return &member;
    }
  }
  return nullptr;
}

}  // namespace plaza::broker
