// What became of a claim, release or transfer, and the MQTT 5 reason codes
// each outcome is told with: in the requester's Reply and in the PUBACK an
// MQTT 5 QoS 1 requester gets. docs/protocol.md ("Items and ownership")
// lists the same table for clients.
#ifndef PLAZA_PLUGINS_OWNERSHIP_OUTCOME_H_
#define PLAZA_PLUGINS_OWNERSHIP_OUTCOME_H_

#include <cstdint>
#include <string>

namespace plaza::ownership {

enum class Result {
  kOk,            // done (or nothing to do: a claim of one's own item)
  kBadTopic,      // not a valid room or item id, or an unknown operation
  kBadPayload,    // not an ItemRequest
  kNotMember,     // the requester has no role in the room
  kHeld,          // claim: another member owns the item
  kNotOwner,      // release or transfer by someone who does not own it
  kStaleEpoch,    // the request named an epoch the item has left
  kNoSuchMember,  // transfer: the new owner is not in the room
  kRateLimited,   // the item's operation rate limit
  kTooManyItems,  // the room holds max_items_per_room items already
};

struct Outcome {
  Result result = Result::kOk;
  // Words for the Reply ("held by ben", ...); may be empty.
  std::string detail;
  bool ok() const { return result == Result::kOk; }
};

// The reason code in the Reply: the MQTT 5 code that says it best.
inline uint8_t ReplyCode(Result result) {
  switch (result) {
    case Result::kOk:
      return 0x00;  // success
    case Result::kBadTopic:
      return 0x90;  // topic name invalid
    case Result::kBadPayload:
      return 0x99;  // payload format invalid
    case Result::kNotMember:
    case Result::kNotOwner:
      return 0x87;  // not authorized
    case Result::kHeld:
    case Result::kStaleEpoch:
    case Result::kNoSuchMember:
      return 0x80;  // unspecified error (the Reply's words say which)
    case Result::kRateLimited:
      return 0x96;  // message rate too high
    case Result::kTooManyItems:
      return 0x97;  // quota exceeded
  }
  return 0x80;
}

// The reason code in the PUBACK. The same, but where the PUBACK may not
// carry it: 0x96 is not a PUBACK code, so a rate-limited request is
// answered 0x97 quota exceeded there.
inline uint8_t PubackCode(Result result) {
  const uint8_t code = ReplyCode(result);
  return code == 0x96 ? 0x97 : code;
}

// A short name for logs and Replies.
inline const char* ResultName(Result result) {
  switch (result) {
    case Result::kOk:
      return "ok";
    case Result::kBadTopic:
      return "bad topic";
    case Result::kBadPayload:
      return "bad payload";
    case Result::kNotMember:
      return "not a member of the room";
    case Result::kHeld:
      return "held by another member";
    case Result::kNotOwner:
      return "not the owner";
    case Result::kStaleEpoch:
      return "stale epoch";
    case Result::kNoSuchMember:
      return "no such member in the room";
    case Result::kRateLimited:
      return "rate limited";
    case Result::kTooManyItems:
      return "too many items in the room";
  }
  return "unknown";
}

}  // namespace plaza::ownership

#endif  // PLAZA_PLUGINS_OWNERSHIP_OUTCOME_H_
