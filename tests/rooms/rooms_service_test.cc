// The rooms service in-process, against a fake host: who a joining client
// is (auth attributes, the users table, the user name, the client id), the
// room.R.* attributes set on join and deleted on leave or when a second
// device takes the seat, and a room source that answers later (the join
// hook returns PENDING and the answer completes it), as the adapter-backed
// source of issue #9 will.
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "fake_host.h"
#include "plaza/adapter/v1/room_messages.pb.h"
#include "plaza/room/v1/room.pb.h"
#include "rooms_service.h"

namespace plaza::rooms {
namespace {

using testing::FakeHost;
using testing::FakePublish;

RoomsConfig Config() {
  RoomsConfig config = ParseRoomsConfig(R"(
users: {ana: {user_id: u-ana, display_name: Ana}}
rooms: [{id: "world:1", kind: world}, {id: "event:1", kind: event, performers: [u-ana]}]
snapshot_interval_ms: 0
)");
  return config;
}

// A source that answers lookups only when the test says so.
class LaterSource final : public RoomSource {
 public:
  std::vector<RoomConfig> Initial() const override { return {}; }
  void Lookup(std::string_view room_id, Found found) override {
    std::lock_guard lock(mutex_);
    waiting_.emplace_back(std::string(room_id), std::move(found));
  }
  // Answers the oldest lookup: a world, or no such room.
  void AnswerOldest(bool exists) {
    std::pair<std::string, Found> next;
    {
      std::lock_guard lock(mutex_);
      next = std::move(waiting_.front());
      waiting_.erase(waiting_.begin());
    }
    if (!exists) return next.second(Refusal{0x90, "no such room '" + next.first + "'"});
    RoomConfig room;
    room.id = next.first;
    next.second(room);
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<std::string, Found>> waiting_;
};

room::v1::PresenceEvent JoinedEvent(FakeHost& fake, const std::string& room,
                                    const std::string& user_id) {
  const FakeHost::Sent sent = fake.WaitForSent([&](const FakeHost::Sent& s) {
    room::v1::PresenceEvent e;
    return s.topic == "rooms/" + room + "/server/presence" && e.ParseFromString(s.payload) &&
           e.member().user_id() == user_id && e.kind() == room::v1::PresenceEvent::KIND_JOINED;
  });
  room::v1::PresenceEvent event;
  event.ParseFromString(sent.payload);
  return event;
}

TEST(RoomsServiceTest, IdentityComesFromAuthThenTheUsersTableThenTheUserName) {
  FakeHost fake;
  RoomsService service(fake.host(), Config(), std::make_unique<ConfigRoomSource>(Config()));
  fake.SetAttribute(1, "user.id", "platform:7");
  fake.SetAttribute(1, "user.name", "Seven");
  FakePublish authed(1, "c1", "ana", "rooms/world:1/join", R"({"display_name": "ignored"})");
  EXPECT_EQ(service.Join(authed.event(), "world:1"), plaza::Verdict::kPass);
  FakePublish tabled(2, "c2", "ana", "rooms/world:1/join");
  service.Join(tabled.event(), "world:1");
  FakePublish named(3, "c3", "zed", "rooms/world:1/join", R"({"display_name": "Zed Z"})");
  service.Join(named.event(), "world:1");
  FakePublish anonymous(4, "c4", nullptr, "rooms/world:1/join");
  service.Join(anonymous.event(), "world:1");

  EXPECT_EQ(JoinedEvent(fake, "world:1", "platform:7").member().display_name(), "Seven");
  EXPECT_EQ(JoinedEvent(fake, "world:1", "u-ana").member().display_name(), "Ana");
  EXPECT_EQ(JoinedEvent(fake, "world:1", "zed").member().display_name(), "Zed Z");
  EXPECT_EQ(JoinedEvent(fake, "world:1", "c4").member().display_name(), "c4");
}

TEST(RoomsServiceTest, AttributesFollowTheMembership) {
  FakeHost fake;
  RoomsService service(fake.host(), Config(), std::make_unique<ConfigRoomSource>(Config()));
  FakePublish phone(1, "phone", "ana", "rooms/event:1/join");
  service.Join(phone.event(), "event:1");
  EXPECT_EQ(fake.Attribute(1, "room.event:1.role"), "performer");
  EXPECT_EQ(fake.Attribute(1, "room.event:1.kind"), "event");
  const std::string joined_at = fake.Attribute(1, "room.event:1.joined_at");
  EXPECT_NE(joined_at, "<unset>");
  // A second device takes the seat: the first loses its attributes, the
  // second has the first join's time.
  FakePublish laptop(2, "laptop", "ana", "rooms/event:1/join");
  service.Join(laptop.event(), "event:1");
  EXPECT_EQ(fake.Attribute(1, "room.event:1.role"), "<unset>");
  EXPECT_EQ(fake.Attribute(2, "room.event:1.joined_at"), joined_at);
  FakePublish leave(2, "laptop", "ana", "rooms/event:1/leave");
  EXPECT_EQ(service.Leave(leave.event(), "event:1"), plaza::Verdict::kPass);
  EXPECT_EQ(fake.Attribute(2, "room.event:1.role"), "<unset>");
  EXPECT_EQ(fake.Attribute(2, "room.event:1.kind"), "<unset>");
}

TEST(RoomsServiceTest, ARefusedJoinIsDeniedWithItsReasonCode) {
  FakeHost fake;
  RoomsService service(fake.host(), Config(), std::make_unique<ConfigRoomSource>(Config()));
  FakePublish unknown(1, "c1", nullptr, "rooms/nowhere/join");
  EXPECT_EQ(service.Join(unknown.event(), "nowhere"), plaza::Verdict::kDeny);
  EXPECT_EQ(unknown.reason_code(), 0x90);
  FakePublish garbage(1, "c1", nullptr, "rooms/world:1/join", "{oops");
  EXPECT_EQ(service.Join(garbage.event(), "world:1"), plaza::Verdict::kDeny);
  EXPECT_EQ(garbage.reason_code(), 0x99);
  EXPECT_EQ(fake.Attribute(1, "room.world:1.role"), "<unset>");
  const FakeHost::Sent reply = fake.WaitForSent([](const FakeHost::Sent& s) {
    return s.client == 1 && s.topic == "rooms/world:1/server/reply";
  });
  room::v1::Reply decoded;
  ASSERT_TRUE(decoded.ParseFromString(reply.payload));
  EXPECT_EQ(decoded.reason_code(), 0x99u);
}

TEST(RoomsServiceTest, ALookupThatAnswersLaterCompletesThePendingJoin) {
  FakeHost fake;
  auto source = std::make_unique<LaterSource>();
  LaterSource& later = *source;
  RoomsService service(fake.host(), RoomsConfig{}, std::move(source));
  FakePublish join(1, "c1", "zed", "rooms/world:9/join", "", /*pending=*/77);
  EXPECT_EQ(service.Join(join.event(), "world:9"), plaza::Verdict::kPending);
  FakePublish missing(2, "c2", "amy", "rooms/gone/join", "", /*pending=*/78);
  EXPECT_EQ(service.Join(missing.event(), "gone"), plaza::Verdict::kPending);
  EXPECT_TRUE(fake.completed().empty());

  std::thread answer([&] {
    later.AnswerOldest(true);
    later.AnswerOldest(false);
  });
  answer.join();
  const std::vector<FakeHost::Completed> completed = fake.completed();
  ASSERT_EQ(completed.size(), 2u);
  EXPECT_EQ(completed[0].pending, 77u);
  EXPECT_EQ(completed[0].verdict, PLAZA_VERDICT_PASS);
  EXPECT_EQ(completed[1].pending, 78u);
  EXPECT_EQ(completed[1].verdict, PLAZA_VERDICT_DENY);
  EXPECT_EQ(completed[1].reason_code, 0x90);
  EXPECT_EQ(fake.Attribute(1, "room.world:9.role"), "peer");
  EXPECT_EQ(JoinedEvent(fake, "world:9", "zed").member().role(), "peer");
  // The room is known now: the next join answers at once.
  FakePublish again(3, "c3", "bea", "rooms/world:9/join");
  EXPECT_EQ(service.Join(again.event(), "world:9"), plaza::Verdict::kPass);
}

// A source like the adapter's: it decides each join, and tells the
// service when a followed room changes.
class DecidingSource final : public RoomSource {
 public:
  std::vector<RoomConfig> Initial() const override { return {}; }
  void Lookup(std::string_view room_id, Found found) override {
    RoomConfig room;
    room.id = std::string(room_id);
    room.kind = RoomKind::kEvent;
    room.capacity = 1;
    room.settings.volume = 0.5f;
    found(room);
  }
  void AuthorizeJoin(const std::string& user_id, const std::string&, Admitted done) override {
    Admission admission;
    if (user_id == "banned") {
      admission.refusal = Refusal{0x8A, "banned from this event"};
    } else if (user_id == "star") {
      admission.role = Role::kPerformer;
    }
    done(admission);
  }
  void SetChangeListener(Changed changed) override { changed_ = std::move(changed); }
  void Follow(const std::string& room_id) override { followed.push_back(room_id); }
  void Unfollow(const std::string& room_id) override { unfollowed.push_back(room_id); }
  bool Stale(std::string_view) const override { return false; }
  void Change(RoomConfig room) { changed_(std::move(room)); }

  std::vector<std::string> followed;
  std::vector<std::string> unfollowed;

 private:
  Changed changed_;
};

TEST(RoomsServiceTest, TheSourceDecidesRolesAndRefusalsAndItsChangesApply) {
  FakeHost fake;
  auto source = std::make_unique<DecidingSource>();
  DecidingSource& deciding = *source;
  RoomsService service(fake.host(), RoomsConfig{}, std::move(source));
  FakePublish star(1, "c1", "star", "rooms/event:5/join");
  EXPECT_EQ(service.Join(star.event(), "event:5"), plaza::Verdict::kPass);
  EXPECT_EQ(fake.Attribute(1, "room.event:5.role"), "performer");
  EXPECT_EQ(deciding.followed, std::vector<std::string>{"event:5"});
  FakePublish banned(2, "c2", "banned", "rooms/event:5/join");
  EXPECT_EQ(service.Join(banned.event(), "event:5"), plaza::Verdict::kDeny);
  EXPECT_EQ(banned.reason_code(), 0x8A);
  // Capacity 1, taken by the performer (admitted past it anyway).
  FakePublish fan(3, "c3", "fan", "rooms/event:5/join");
  EXPECT_EQ(service.Join(fan.event(), "event:5"), plaza::Verdict::kDeny);
  EXPECT_EQ(fan.reason_code(), 0x97);

  RoomConfig changed;
  changed.id = "event:5";
  changed.kind = RoomKind::kEvent;
  changed.capacity = 10;
  changed.settings.volume = 0.125f;
  deciding.Change(changed);
  const FakeHost::Sent settings = fake.WaitForSent([](const FakeHost::Sent& s) {
    adapter::v1::RoomSettingsMessage m;
    return s.topic == "rooms/event:5/server/settings" && s.retain && m.ParseFromString(s.payload) &&
           m.settings().volume() == 0.125f;
  });
  EXPECT_NE(settings.topic, "<timeout>");
  // The new capacity applies to the next join.
  FakePublish fan_again(3, "c3", "fan", "rooms/event:5/join");
  EXPECT_EQ(service.Join(fan_again.event(), "event:5"), plaza::Verdict::kPass);
  EXPECT_EQ(fake.Attribute(3, "room.event:5.role"), "audience");
}

}  // namespace
}  // namespace plaza::rooms
