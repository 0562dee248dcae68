// The small seat table the delivery-policy tests share: an event room with
// a stage member and three audience members in two neighbourhoods, and a
// world room with two players.
#ifndef PLAZA_TESTS_ROOMS_SAMPLE_SEATS_H_
#define PLAZA_TESTS_ROOMS_SAMPLE_SEATS_H_

#include "delivery_table.h"

namespace plaza::rooms {

// event:1: "star" on stage; "a1", "a2" in neighbourhood 0, "b1" in 1.
// world:1: "p1", "p2".
inline void FillSampleSeats(DeliveryTable& table) {
  table.PutRoom("event:1", RoomKind::kEvent, 0);
  table.PutRoom("world:1", RoomKind::kWorld, 1);
  table.Apply("event:1", {{"star", Seat{kNoGroup, true}},
                          {"a1", Seat{0, false}},
                          {"a2", Seat{0, false}},
                          {"b1", Seat{1, false}}});
  table.Apply("world:1", {{"p1", Seat{}}, {"p2", Seat{}}});
}

}  // namespace plaza::rooms

#endif  // PLAZA_TESTS_ROOMS_SAMPLE_SEATS_H_
