// MQTT 5 shared subscriptions ("$share/<group>/<filter>", section 4.8.2):
// each message matching a group's filter goes to ONE member of the group,
// whichever shard the members' sessions live on.
//
// Design: every group has a home shard, ShardFor("$share/<group>/<filter>").
// Members' shards tell the home when a member joins, leaves, connects or
// disconnects (SharedWork kJoin/kLeave/kOnline/kOffline). Every message
// already reaches every shard, so the home sees each one once: it matches
// the topic against its groups (SharedGroups below), picks one member per
// group round-robin, and sends the message to that member's shard
// (kDeliver). If the member cannot take it there (gone, offline, or its
// queue full), the message goes back to the home (kRetry), which picks the
// next member not yet tried. No lock anywhere; a shard that is home to no
// group pays one branch per message.
#ifndef PLAZA_BROKER_CORE_SHARED_SUBSCRIPTIONS_H_
#define PLAZA_BROKER_CORE_SHARED_SUBSCRIPTIONS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/message.h"
#include "core/string_hash.h"
#include "core/topic_tree.h"

namespace plaza::broker {

inline constexpr std::string_view kSharePrefix = "$share/";

inline bool IsSharedFilter(std::string_view filter) { return filter.starts_with(kSharePrefix); }

struct SharedFilter {
  std::string_view group;
  std::string_view filter;
};

// Splits "$share/<group>/<filter>"; nullopt unless the group is at least
// one character without '/', '+' or '#', followed by '/' and a valid topic
// filter [MQTT-4.8.2-1, MQTT-4.8.2-2].
std::optional<SharedFilter> ParseSharedFilter(std::string_view filter);

// A request between shards about shared subscriptions. `key` is always the
// whole "$share/<group>/<filter>".
struct SharedWork {
  enum class Kind : uint8_t {
    kJoin,     // to the home: `client_id` subscribed
    kLeave,    // to the home: `client_id` unsubscribed, or its session ended
    kOnline,   // to the home: `client_id`'s session has a connection again
    kOffline,  // to the home: it lost its connection; its session lives on
    kDeliver,  // to the member's shard: give `message` to `client_id`
    kRetry,    // to the home: nobody in `tried` could take `message`
  };
  Kind kind = Kind::kJoin;
  std::string key;
  std::string client_id;
  MessagePtr message;
  // Members that could not take `message`, the first one chosen first.
  std::vector<std::string> tried;
  // kDeliver: nobody else can take it either, so the member takes it under
  // the ordinary delivery rules (queued while offline, dropped or
  // disconnected when full) instead of sending it back.
  bool force = false;
};

// The groups one shard is home to.
class SharedGroups {
 public:
  struct Member {
    std::string client_id;
    bool online = true;
  };
  struct Group {
    std::string key;  // "$share/<group>/<filter>"
    std::vector<Member> members;
    size_t next = 0;  // where the round-robin goes on
  };

  // Adds a member (online), creating the group; a member already there is
  // marked online.
  void Join(std::string_view key, std::string_view client_id);
  // Removes a member, and the group with its last member.
  void Leave(std::string_view key, std::string_view client_id);
  void SetOnline(std::string_view key, std::string_view client_id, bool online);

  // The groups whose filter matches the topic `name`, into `out` (cleared).
  void Match(std::string_view name, std::vector<Group*>* out) const;
  Group* Find(std::string_view key);

  // The next member round-robin that is not in `tried`: an online one if
  // there is any, else (when `offline_ok`) an offline one. Null when none.
  static const Member* Pick(Group& group, bool offline_ok, const std::vector<std::string>& tried);

  bool empty() const { return groups_.empty(); }
  size_t size() const { return groups_.size(); }

 private:
  struct Entry {
    Group* group;
  };

  std::unordered_map<std::string, std::unique_ptr<Group>, StringHash, std::equal_to<>> groups_;
  TopicTree<Entry, Group*, &Entry::group> tree_;
  mutable std::vector<Entry> scratch_;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_SHARED_SUBSCRIPTIONS_H_
