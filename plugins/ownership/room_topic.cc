// Parsing of the room topics (room_topic.h).
#include "room_topic.h"

#include <charconv>

#include "settings.h"

namespace plaza::ownership {
namespace {

// Splits off the level before the next '/' (or the rest).
std::string_view NextLevel(std::string_view* rest, bool* more) {
  const size_t slash = rest->find('/');
  std::string_view level = rest->substr(0, slash);
  *more = slash != std::string_view::npos;
  rest->remove_prefix(*more ? slash + 1 : rest->size());
  return level;
}

bool ParseEpoch(std::string_view text, uint64_t* epoch) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text.front() == '0')) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *epoch);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

RoomTopic ParseRoomTopic(std::string_view topic) {
  using Kind = RoomTopic::Kind;
  constexpr std::string_view kPrefix = "rooms/";
  RoomTopic out;
  if (topic.substr(0, kPrefix.size()) != kPrefix) return out;
  std::string_view rest = topic.substr(kPrefix.size());
  bool more = false;
  out.room = NextLevel(&rest, &more);
  if (!more) return out;
  const std::string_view section = NextLevel(&rest, &more);
  if (section == "join" || section == "leave") {
    if (more || !IsValidRoomId(out.room)) return out;  // not a join: someone else's topic
    out.kind = section == "join" ? Kind::kJoin : Kind::kLeave;
    return out;
  }
  if (section != "items") return out;
  out.kind = Kind::kInvalid;
  if (!more || !IsValidRoomId(out.room)) return out;
  out.item = NextLevel(&rest, &more);
  if (!more || !IsValidItemId(out.item)) return out;
  const std::string_view op = NextLevel(&rest, &more);
  if (op == "state") {
    if (more && ParseEpoch(NextLevel(&rest, &more), &out.epoch) && !more) out.kind = Kind::kState;
    return out;
  }
  if (more) return out;
  if (op == "claim") {
    out.kind = Kind::kClaim;
  } else if (op == "release") {
    out.kind = Kind::kRelease;
  } else if (op == "transfer") {
    out.kind = Kind::kTransfer;
  } else if (op == "owner") {
    out.kind = Kind::kOwner;
  }
  return out;
}

}  // namespace plaza::ownership
