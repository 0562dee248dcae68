// Per-room metrics with a fallback for brokers without labels; see
// room_metrics.h.
#include "room_metrics.h"

namespace plaza::rooms {

RoomMetrics::RoomMetrics(plaza::Host& host, uint32_t max_rooms)
    : host_(host), max_rooms_(max_rooms) {}

RoomMetrics::Series RoomMetrics::Make(const std::string* room) {
  std::vector<plaza::Label> labels;
  if (room) labels.push_back({"room", *room});
  auto counter = [&](const char* name, const char* help) {
    return room ? host_.Counter(name, help, labels) : host_.Counter(name, help);
  };
  Series s;
  s.members = room ? host_.Gauge("members", "Members of the room, including those in grace", labels)
                   : host_.Gauge("members", "Members of every room, including those in grace");
  s.messages_in = counter("messages_in_total", "PUBLISH packets from members under rooms/R/");
  s.bytes_in = counter("bytes_in_total", "Payload bytes from members under rooms/R/");
  s.delivered = counter("deliveries_total", "Deliveries under rooms/R/ the rooms plugin passed");
  s.dropped =
      counter("deliveries_dropped_total", "Deliveries the event policy dropped (neighbourhoods)");
  return s;
}

uint32_t RoomMetrics::Register(const std::string& room_id) {
  std::lock_guard lock(mutex_);
  const uint32_t index = registered_ < max_rooms_ ? registered_++ : max_rooms_;
  if (index == max_rooms_ && series_.size() > max_rooms_) return index;  // _other exists
  if (labeled_) {
    static const std::string kOther = "_other";
    Series s = Make(index == max_rooms_ ? &kOther : &room_id);
    if (!s.members) {
      labeled_ = false;
      host_.Warning("this broker has no labeled metrics: per-room metrics are summed over rooms");
    } else {
      if (series_.size() <= index) series_.resize(index + 1);
      series_[index] = s;
    }
  }
  if (!labeled_ && !totals_) totals_ = Make(nullptr);
  return index;
}

void RoomMetrics::Flush(const std::vector<RoomCounts>& totals,
                        const std::vector<uint64_t>& members) {
  std::lock_guard lock(mutex_);
  if (flushed_.size() < totals.size()) flushed_.resize(totals.size());
  RoomCounts delta_sum;
  uint64_t members_sum = 0;
  for (size_t i = 0; i < totals.size(); ++i) {
    const RoomCounts& now = totals[i];
    RoomCounts& then = flushed_[i];
    const RoomCounts delta{now.messages_in - then.messages_in, now.bytes_in - then.bytes_in,
                           now.delivered - then.delivered, now.dropped - then.dropped};
    then = now;
    const uint64_t count = i < members.size() ? members[i] : 0;
    members_sum += count;
    delta_sum.messages_in += delta.messages_in;
    delta_sum.bytes_in += delta.bytes_in;
    delta_sum.delivered += delta.delivered;
    delta_sum.dropped += delta.dropped;
    if (!labeled_ || i >= series_.size()) continue;
    const Series& s = series_[i];
    if (s.members) host_.GaugeSet(*s.members, static_cast<double>(count));
    if (s.messages_in && delta.messages_in) host_.CounterAdd(*s.messages_in, delta.messages_in);
    if (s.bytes_in && delta.bytes_in) host_.CounterAdd(*s.bytes_in, delta.bytes_in);
    if (s.delivered && delta.delivered) host_.CounterAdd(*s.delivered, delta.delivered);
    if (s.dropped && delta.dropped) host_.CounterAdd(*s.dropped, delta.dropped);
  }
  if (!totals_) return;
  const Series& s = *totals_;
  if (s.members) host_.GaugeSet(*s.members, static_cast<double>(members_sum));
  if (s.messages_in && delta_sum.messages_in)
    host_.CounterAdd(*s.messages_in, delta_sum.messages_in);
  if (s.bytes_in && delta_sum.bytes_in) host_.CounterAdd(*s.bytes_in, delta_sum.bytes_in);
  if (s.delivered && delta_sum.delivered) host_.CounterAdd(*s.delivered, delta_sum.delivered);
  if (s.dropped && delta_sum.dropped) host_.CounterAdd(*s.dropped, delta_sum.dropped);
}

}  // namespace plaza::rooms
