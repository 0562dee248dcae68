// The ownership plugin's model of who owns which item, free of the broker:
// claims, releases and transfers, the epoch (fencing number) of every item,
// groups of items that share one owner, the per-item rate limit, leases,
// room membership as the plugin observes it, and what happens to an item
// when its owner goes. The plugin feeds it from its hooks; the tests drive
// it directly with a clock of their own.
//
// Threading: every method may be called from any thread. Each room has a
// reader/writer lock: requests and departures write, state checks (the hot
// path, one per state update) only read, so updates of different items run
// in parallel. Rooms and items are never forgotten, so an item's epoch never
// goes back while the broker runs.
#ifndef PLAZA_PLUGINS_OWNERSHIP_OWNERSHIP_MODEL_H_
#define PLAZA_PLUGINS_OWNERSHIP_OWNERSHIP_MODEL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "outcome.h"
#include "settings.h"
#include "token_bucket.h"

namespace plaza::ownership {

// The broker's handle of a connection (plaza_client); 0 is nobody.
using ClientHandle = uint64_t;

enum class ChangeKind { kClaimed, kReleased, kTransferred, kOwnerLeft, kLeaseExpired };

// One item's new owner state: what the retained owner topic announces.
struct OwnerChange {
  std::string room_id;
  std::string item_id;
  std::string owner_user_id;  // empty: the item is free
  uint64_t epoch = 0;
  ChangeKind kind = ChangeKind::kClaimed;
  std::vector<std::string> group;  // the items sharing this owner; empty if not grouped
};

// Where the model sends owner changes. Called with the room's lock held, so
// the changes of one item arrive in epoch order: it must be quick and must
// not call back into the model.
class OwnerSink {
 public:
  virtual ~OwnerSink() = default;
  virtual void OnOwnerChanged(OwnerChange change) = 0;
};

// A connection that is a member of a room.
struct Member {
  ClientHandle handle = 0;
  std::string user_id;
  int64_t joined_at_ms = 0;  // room.R.joined_at: who has been present longest
};

enum class StateCheck {
  kAccepted,    // from the owner, for the current epoch
  kStaleEpoch,  // for an epoch that is not the item's current one
  kNotOwner,    // current epoch, but not from the owner (or no such item)
};

class OwnershipModel {
 public:
  // Milliseconds of a monotonic clock.
  using Clock = std::function<int64_t()>;

  OwnershipModel(std::shared_ptr<const Settings> settings, Clock clock, OwnerSink* sink);
  OwnershipModel(const OwnershipModel&) = delete;
  OwnershipModel& operator=(const OwnershipModel&) = delete;

  // New settings (a reload). Items already seen keep their groups.
  void SetSettings(std::shared_ptr<const Settings> settings);
  std::shared_ptr<const Settings> settings() const;

  // The requests. `expected_epoch` 0 means any epoch. The caller has
  // checked that the requester is a member of the room; a claim also
  // records it as one (in case its join went unseen).
  Outcome Claim(std::string_view room, std::string_view item, const Member& requester,
                uint64_t expected_epoch);
  Outcome Release(std::string_view room, std::string_view item, ClientHandle requester,
                  uint64_t expected_epoch);
  Outcome Transfer(std::string_view room, std::string_view item, ClientHandle requester,
                   std::string_view to_user_id, uint64_t expected_epoch);

  // A state update for `item` at `epoch` from `publisher`; an accepted one
  // renews the owner's lease.
  StateCheck CheckState(std::string_view room, std::string_view item, uint64_t epoch,
                        ClientHandle publisher) const;

  // Membership as observed: a join, a leave, a connection's end. Leave and
  // Disconnect end the member's ownerships (free or fallback).
  void Join(std::string_view room, const Member& member);
  void Leave(std::string_view room, ClientHandle handle);
  void Disconnect(ClientHandle handle);

  // Ends the ownerships whose lease ran out; how many.
  size_t ExpireLeases();

  // Items that have an owner, over all rooms.
  int64_t items_owned() const { return items_owned_.load(std::memory_order_relaxed); }

  struct OwnerState {
    ClientHandle owner = 0;
    std::string owner_user_id;
    uint64_t epoch = 0;
  };
  // The item's owner state; nullopt for an item never claimed.
  std::optional<OwnerState> Owner(std::string_view room, std::string_view item) const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, Hash, std::equal_to<>>;

  struct Slot {
    std::vector<std::string> items;  // one item, or a group's
    bool grouped = false;
    uint64_t epoch = 0;
    ClientHandle owner = 0;
    std::string owner_user;
    mutable std::atomic<int64_t> last_activity_ms{0};  // renewed under a read lock
    TokenBucket bucket;
  };
  struct MemberEntry {
    std::string user_id;
    int64_t joined_at_ms = 0;
    uint64_t seq = 0;  // order of arrival, for equal joined_at
  };
  struct Room {
    explicit Room(std::string room_id) : id(std::move(room_id)) {}
    const std::string id;
    mutable std::shared_mutex mutex;
    StringMap<Slot*> slots;                                 // by item id; guarded by mutex
    std::vector<std::unique_ptr<Slot>> owned;               // every slot once; guarded by mutex
    std::unordered_map<ClientHandle, MemberEntry> members;  // guarded by mutex
    uint64_t next_seq = 0;                                  // guarded by mutex
  };

  Room* FindRoom(std::string_view room) const;
  Room* FindOrAddRoom(std::string_view room);
  // The slot of `item`, created (with its group) if new; null with
  // kTooManyItems when the room is full. Needs the room's write lock.
  Slot* SlotFor(Room& room, std::string_view item, const Settings& settings, Outcome* refusal);
  // Adds the member if new; true if it was. Needs the room's write lock.
  bool AddMember(Room& room, const Member& member);
  void RememberRoomOf(ClientHandle handle, Room* room);
  // Needs the room's write lock.
  void SetOwner(Room& room, Slot& slot, ClientHandle owner, const std::string& user,
                ChangeKind kind);
  // The slot's owner is gone: free the slot or hand it to the fallback.
  void EndOwnership(Room& room, Slot& slot, ChangeKind kind, const Settings& settings);
  void EndOwnershipsOf(Room& room, ClientHandle handle, const Settings& settings);
  // The member present longest, other than `except`, optionally with
  // `user_id`; null if none.
  const std::pair<const ClientHandle, MemberEntry>* LongestPresent(
      const Room& room, ClientHandle except, std::optional<std::string_view> user_id) const;
  // Runs `op` with the room's write lock on the slot of `item` once the
  // requester is known to own it (and the rate limit and epoch agree).
  Outcome ForOwner(std::string_view room, std::string_view item, ClientHandle requester,
                   uint64_t expected_epoch, const std::function<Outcome(Room&, Slot&)>& op);
  // Common checks of a request on an existing slot (rate limit, epoch).
  bool Admit(Slot& slot, const Settings& settings, uint64_t expected_epoch, Outcome* refusal);

  Clock clock_;
  OwnerSink* sink_;
  std::atomic<int64_t> items_owned_{0};

  mutable std::mutex settings_mutex_;
  std::shared_ptr<const Settings> settings_;  // guarded by settings_mutex_

  mutable std::shared_mutex rooms_mutex_;
  StringMap<std::unique_ptr<Room>> rooms_;  // guarded by rooms_mutex_; never erased

  std::mutex clients_mutex_;
  // The rooms each connection is a member of; guarded by clients_mutex_.
  std::unordered_map<ClientHandle, std::vector<Room*>> rooms_of_;
};

}  // namespace plaza::ownership

#endif  // PLAZA_PLUGINS_OWNERSHIP_OWNERSHIP_MODEL_H_
