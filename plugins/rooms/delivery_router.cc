// The delivery hook's memoised routing; see delivery_router.h.
#include "delivery_router.h"

#include <atomic>
#include <memory>
#include <string>

#include "room_topics.h"
#include "seat_cache.h"

namespace plaza::rooms {
namespace {

std::atomic<uint64_t> next_instance{1};

// What a message's deliveries need once its topic and publisher are known.
enum class Plan {
  kPass,        // not a room's traffic: passes, uncounted
  kDrop,        // a client's request (join, leave): reaches no one, uncounted
  kDeliverAll,  // reaches everyone, counted
  kBySeat,      // event member traffic from the audience: by the subscriber's seat
  kPresence,    // the server's presence event in an event: RoutePresence
  kSnapshot,    // the server's member snapshot in an event: RouteSnapshot
};

// The plan of the last message this thread routed, with its key.
struct MessageMemo {
  bool valid = false;
  std::string topic;
  bool from_client = false;
  std::string publisher;  // with from_client
  Plan plan = Plan::kPass;
  const RoomSeats* room = nullptr;      // with kBySeat, kPresence, kSnapshot
  uint32_t from_group = kNoGroup;       // with kBySeat: the publisher's neighbourhood
  DeliveryStats::Cell* cell = nullptr;  // with kDeliverAll, kBySeat: the room's counters
};

// One thread's memos, for one router.
struct ThreadMemo {
  uint64_t router = 0;
  uint64_t generation = 0;
  std::shared_ptr<const DeliveryWorld> world;  // of `generation`; keeps the rooms alive
  MessageMemo message;
  SeatCache seats;
};
// This thread's memos. The hook reaches them through a plain pointer: one
// __tls_get_addr call in a plugin, where a thread_local object with a
// constructor costs a second one for its guard. Not inlined, so GCC keeps
// the address instead of looking the thread-local up again after each call.
thread_local ThreadMemo* this_thread_memo = nullptr;

[[gnu::noinline]] ThreadMemo& ThisThreadMemo() {
  if (ThreadMemo* memo = this_thread_memo) return *memo;
  // The owner frees the memos when the thread ends.
  thread_local std::unique_ptr<ThreadMemo> owner;
  owner = std::make_unique<ThreadMemo>();
  this_thread_memo = owner.get();
  return *owner;
}

// The plan for `topic` from `publisher` in `world`, as RouteDelivery
// decides it; the subscriber-dependent rest is left to Route().
void PlanMessage(const DeliveryWorld& world, DeliveryStats& stats, std::string_view topic,
                 MessageMemo& memo) {
  memo.plan = Plan::kPass;
  memo.room = nullptr;
  memo.from_group = kNoGroup;
  memo.cell = nullptr;
  const std::optional<RoomTopic> parsed = ParseRoomTopic(topic);
  if (!parsed) return;
  const RoomSeats* room = world.Find(parsed->room);
  if (!room) return;  // not a room this plugin runs
  const TopicClass topic_class = parsed->topic_class;
  if (memo.from_client && (topic_class == TopicClass::kJoin || topic_class == TopicClass::kLeave)) {
    memo.plan = Plan::kDrop;
    return;
  }
  memo.room = room;
  memo.cell = stats.ThreadCell(room->stats_index());
  memo.plan = Plan::kDeliverAll;
  if (room->kind() != RoomKind::kEvent) return;
  if (memo.from_client && IsMemberTraffic(topic_class)) {
    const Seat* from = room->Find(memo.publisher);
    if (from && from->stage) return;  // the stage reaches everyone
    memo.plan = Plan::kBySeat;
    // A non-member is in no neighbourhood: only the stage hears it.
    memo.from_group = from ? from->group : kNoGroup;
  } else if (!memo.from_client && topic_class == TopicClass::kServer) {
    if (parsed->rest == kPresenceRest) memo.plan = Plan::kPresence;
    if (parsed->rest == kSnapshotRest) memo.plan = Plan::kSnapshot;
  }
}

}  // namespace

DeliveryRouter::DeliveryRouter(const DeliveryTable& table, DeliveryStats& stats)
    : table_(table), stats_(stats), instance_(next_instance.fetch_add(1)) {}

Routed DeliveryRouter::Route(const plaza::MessageView& message,
                             std::optional<std::string_view> publisher, uint64_t subscriber_handle,
                             std::string_view subscriber) {
  ThreadMemo& memo = ThisThreadMemo();
  if (memo.router != instance_) {
    memo = ThreadMemo();
    memo.router = instance_;
  }
  if (memo.generation != table_.generation()) {
    memo.world = table_.Snapshot(&memo.generation);
    memo.message.valid = false;  // its room and seat may be gone
  }
  const std::string_view topic = message.topic();
  const bool from_client = publisher && !publisher->empty();
  MessageMemo& plan = memo.message;
  if (!plan.valid || plan.topic != topic || plan.from_client != from_client ||
      (from_client && plan.publisher != *publisher)) {
    plan.topic.assign(topic);
    plan.from_client = from_client;
    plan.publisher.assign(from_client ? *publisher : std::string_view());
    PlanMessage(*memo.world, stats_, topic, plan);
    plan.valid = true;
  }
  Routed routed;
  switch (plan.plan) {
    case Plan::kPass:
      return routed;
    case Plan::kDrop:
      routed.delivery = Delivery::kDrop;
      return routed;
    case Plan::kDeliverAll:
      break;
    case Plan::kBySeat: {
      // DecideEvent, the publisher's side known: the stage hears everyone;
      // the audience hears its own neighbourhood.
      const Seat* to = memo.seats.Find(memo.generation, subscriber_handle, *plan.room, subscriber);
      if (!to || (!to->stage && (plan.from_group == kNoGroup || to->group != plan.from_group))) {
        routed.delivery = Delivery::kDrop;
      }
      break;
    }
    case Plan::kPresence:
      routed.delivery = RoutePresence(
          message, memo.seats.Find(memo.generation, subscriber_handle, *plan.room, subscriber));
      break;
    case Plan::kSnapshot:
      routed = RouteSnapshot(
          *plan.room, memo.seats.Find(memo.generation, subscriber_handle, *plan.room, subscriber));
      break;
  }
  if (routed.delivery == Delivery::kDrop) {
    DeliveryStats::AddDropped(plan.cell);
  } else {
    DeliveryStats::AddDelivered(plan.cell);
  }
  return routed;
}

}  // namespace plaza::rooms
