// Frames are written as up to four iovec pieces -- fixed header, topic, packet
// id, payload -- so a message shared by many subscribers is never copied. An
// MQTT 5 frame adds two: its own property bytes and the message's shared ones
// (and may replace the topic by an empty one when it carries a known alias).
#include "core/output_queue.h"

#include <cassert>
#include <cstring>
#include <functional>

#include "mqtt/codec.h"

namespace plaza::broker {
namespace {

// Frames an emptied queue keeps room for without giving memory back.
constexpr size_t kKeptCapacity = 64;

// The topic length field of an empty topic, for a PUBLISH with a known alias.
constexpr char kEmptyTopic[2] = {0, 0};

}  // namespace

size_t OutputQueue::Frame::Size() const {
  if (!message) return head.size();
  const size_t size = head.size() + message->wire().size() + (has_packet_id ? 2 : 0);
  return v5 ? size + V5Size() : size;
}

size_t OutputQueue::Frame::V5Size() const {
  return properties.size() + message->properties().size() -
         (v5 == kV5EmptyTopic ? message->topic().size() : 0);
}

uint16_t OutputQueue::Frame::TopicAlias() const {
  // After the property length (at most 4 bytes, the last below 0x80).
  size_t at = 0;
  while (at < properties.size() && (static_cast<uint8_t>(properties[at]) & 0x80)) ++at;
  ++at;
  if (at + 3 > properties.size() ||
      properties[at] != static_cast<char>(mqtt::PropertyId::kTopicAlias)) {
    return 0;
  }
  return static_cast<uint16_t>((static_cast<uint8_t>(properties[at + 1]) << 8) |
                               static_cast<uint8_t>(properties[at + 2]));
}

void OutputQueue::PushControl(std::string bytes) {
  quiet_ = false;
  if (frames_.empty() && lone_size_ == 0 && bytes.size() <= kLoneMax) {
    std::memcpy(lone_, bytes.data(), bytes.size());
    lone_size_ = static_cast<uint8_t>(bytes.size());
    bytes_ += bytes.size();
    return;
  }
  Unlone();
  bytes_ += bytes.size();
  Frame frame;
  frame.head = std::move(bytes);
  frames_.push_back(std::move(frame));
}

size_t OutputQueue::WaitingIndex(std::string_view topic, uint64_t hash) const {
  if (!conflated_) return std::string_view::npos;
  auto it = conflated_->find(hash);
  if (it == conflated_->end()) return std::string_view::npos;
  // Replaceable only if no byte of it has been written yet.
  const uint64_t first_untouched = first_seq_ + head_ + (front_written_ > 0 ? 1 : 0);
  if (it->second < first_untouched || it->second >= first_seq_ + frames_.size()) {
    return std::string_view::npos;
  }
  const size_t index = it->second - first_seq_;
  const Frame& frame = frames_[index];
  // A hash collision is told apart by the topic itself.
  return frame.message && frame.message->topic() == topic ? index : std::string_view::npos;
}

bool OutputQueue::Waiting(std::string_view topic) const {
  return WaitingIndex(topic, std::hash<std::string_view>()(topic)) != std::string_view::npos;
}

void OutputQueue::Unlone() {
  if (lone_size_ == 0) return;
  Frame frame;
  frame.head.assign(lone_, lone_size_);
  lone_size_ = 0;
  frames_.push_back(std::move(frame));  // front_written_ applies to it still
}

bool OutputQueue::Add(Frame&& frame, bool conflate) {
  Unlone();
  if (conflate) {
    const std::string_view topic = frame.message->topic();
    const uint64_t hash = std::hash<std::string_view>()(topic);
    const size_t index = WaitingIndex(topic, hash);
    if (index != std::string_view::npos) {
      Frame& waiting = frames_[index];
      bytes_ -= waiting.Size();
      bytes_ += frame.Size();
      waiting = std::move(frame);
      return true;
    }
    if (!conflated_) conflated_ = std::make_unique<std::unordered_map<uint64_t, uint64_t>>();
    (*conflated_)[hash] = first_seq_ + frames_.size();
  }
  bytes_ += frame.Size();
  quiet_ = false;
  frames_.push_back(std::move(frame));
  return false;
}

bool OutputQueue::PushPublish(const MessagePtr& message, uint8_t qos, bool retain, bool dup,
                              uint16_t packet_id, bool conflate) {
  Frame frame;
  frame.message = message;
  frame.has_packet_id = qos > 0;
  frame.packet_id[0] = static_cast<uint8_t>(packet_id >> 8);
  frame.packet_id[1] = static_cast<uint8_t>(packet_id & 0xff);
  uint8_t header[5];
  header[0] = mqtt::PublishHeaderByte(qos, retain, dup);
  const uint32_t remaining = static_cast<uint32_t>(message->wire().size() + (qos > 0 ? 2 : 0));
  const size_t n = mqtt::EncodeRemainingLength(remaining, header + 1);
  frame.head.assign(reinterpret_cast<const char*>(header), 1 + n);
  return Add(std::move(frame), conflate && qos == 0);
}

bool OutputQueue::PushPublish5(const MessagePtr& message, uint8_t qos, bool retain, bool dup,
                               uint16_t packet_id, std::string_view delivery_properties,
                               bool conflate, uint16_t topic_alias, bool omit_topic) {
  conflate = conflate && qos == 0;
  if (conflate && conflated_) {
    const std::string_view topic = message->topic();
    const size_t index = WaitingIndex(topic, std::hash<std::string_view>()(topic));
    if (index != std::string_view::npos) {
      topic_alias = frames_[index].TopicAlias();
      omit_topic = false;
    }
  }
  Frame frame;
  frame.message = message;
  frame.v5 = omit_topic ? kV5EmptyTopic : kV5;
  frame.has_packet_id = qos > 0;
  frame.packet_id[0] = static_cast<uint8_t>(packet_id >> 8);
  frame.packet_id[1] = static_cast<uint8_t>(packet_id & 0xff);
  uint8_t length[4];
  const size_t alias_size = topic_alias != 0 ? 3 : 0;
  const size_t property_length =
      delivery_properties.size() + alias_size + message->properties().size();
  frame.properties.assign(
      reinterpret_cast<const char*>(length),
      mqtt::EncodeRemainingLength(static_cast<uint32_t>(property_length), length));
  if (topic_alias != 0) {
    frame.properties.push_back(static_cast<char>(mqtt::PropertyId::kTopicAlias));
    frame.properties.push_back(static_cast<char>(topic_alias >> 8));
    frame.properties.push_back(static_cast<char>(topic_alias & 0xff));
  }
  frame.properties.append(delivery_properties);
  uint8_t header[5];
  header[0] = mqtt::PublishHeaderByte(qos, retain, dup);
  const size_t remaining = message->wire().size() + (qos > 0 ? 2 : 0) + frame.properties.size() +
                           message->properties().size() -
                           (omit_topic ? message->topic().size() : 0);
  const size_t n = mqtt::EncodeRemainingLength(static_cast<uint32_t>(remaining), header + 1);
  frame.head.assign(reinterpret_cast<const char*>(header), 1 + n);
  return Add(std::move(frame), conflate);
}

size_t OutputQueue::Publish5Size(const Message& message, uint8_t qos,
                                 size_t delivery_properties_size) {
  const size_t properties = delivery_properties_size + message.properties().size();
  const size_t remaining =
      message.wire().size() + (qos > 0 ? 2 : 0) + mqtt::VarIntSize(properties) + properties;
  return 1 + mqtt::VarIntSize(remaining) + remaining;
}

size_t OutputQueue::FrameIovecs(const Frame& frame, size_t skip, iovec* iov, size_t max) {
  std::string_view pieces[kMaxFramePieces];
  size_t count = 0;
  pieces[count++] = frame.head;
  if (frame.message && frame.v5) {
    pieces[count++] =
        frame.v5 == kV5EmptyTopic ? std::string_view(kEmptyTopic, 2) : frame.message->topic_part();
    if (frame.has_packet_id) pieces[count++] = {reinterpret_cast<const char*>(frame.packet_id), 2};
    pieces[count++] = frame.properties;
    pieces[count++] = frame.message->properties();
    pieces[count++] = frame.message->payload_part();
  } else if (frame.message) {
    if (frame.has_packet_id) {
      pieces[count++] = frame.message->topic_part();
      pieces[count++] = {reinterpret_cast<const char*>(frame.packet_id), 2};
      pieces[count++] = frame.message->payload_part();
    } else {
      pieces[count++] = frame.message->wire();
    }
  }
  size_t filled = 0;
  for (size_t i = 0; i < count && filled < max; ++i) {
    std::string_view piece = pieces[i];
    if (skip >= piece.size()) {
      skip -= piece.size();
      continue;
    }
    piece.remove_prefix(skip);
    skip = 0;
    if (piece.empty()) continue;
    iov[filled].iov_base = const_cast<char*>(piece.data());
    iov[filled].iov_len = piece.size();
    ++filled;
  }
  return filled;
}

size_t OutputQueue::Gather(iovec* iov, size_t max) const {
  if (lone_size_ > 0) {
    if (max == 0) return 0;
    iov[0].iov_base = const_cast<char*>(lone_ + front_written_);
    iov[0].iov_len = lone_size_ - front_written_;
    return 1;
  }
  size_t filled = 0;
  size_t skip = front_written_;
  for (size_t i = head_; i < frames_.size(); ++i) {
    const Frame& frame = frames_[i];
    // Stop rather than split a frame.
    if (max - filled < kMaxFramePieces) break;
    filled += FrameIovecs(frame, skip, iov + filled, max - filled);
    skip = 0;
  }
  return filled;
}

void OutputQueue::Consume(size_t n) {
  assert(n <= bytes_);
  bytes_ -= n;
  if (lone_size_ > 0) {
    front_written_ += static_cast<uint32_t>(n);
    if (front_written_ == lone_size_) lone_size_ = front_written_ = 0;
    return;
  }
  while (n > 0) {
    const size_t left = frames_[head_].Size() - front_written_;
    if (n < left) {
      front_written_ += static_cast<uint32_t>(n);
      return;
    }
    n -= left;
    front_written_ = 0;
    frames_[head_].message.reset();  // release the message now, not at reuse
    ++head_;
  }
  if (head_ == frames_.size()) {
    first_seq_ += frames_.size();
    frames_.clear();
    head_ = 0;
    if (conflated_) conflated_->clear();
    // A burst may have grown the buffer; it goes back to a usual size. An
    // idle connection gives it all back at a quiet tick (Trim).
    if (frames_.capacity() > kKeptCapacity) frames_.shrink_to_fit();
  } else if (head_ > 64 && head_ * 2 > frames_.size()) {
    frames_.erase(frames_.begin(), frames_.begin() + static_cast<ptrdiff_t>(head_));
    first_seq_ += head_;
    head_ = 0;
  }
}

void OutputQueue::Trim() {
  const bool quiet = quiet_;
  quiet_ = true;
  if (!quiet || !frames_.empty() || lone_size_ > 0) return;
  std::vector<Frame>().swap(frames_);
  conflated_.reset();
}

std::string OutputQueue::Concatenate() const {
  if (lone_size_ > 0) return std::string(lone_ + front_written_, lone_ + lone_size_);
  std::string out;
  iovec iov[kMaxFramePieces];
  size_t skip = front_written_;
  for (size_t f = head_; f < frames_.size(); ++f) {
    const size_t n = FrameIovecs(frames_[f], skip, iov, kMaxFramePieces);
    for (size_t i = 0; i < n; ++i) {
      out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
    }
    skip = 0;
  }
  return out;
}

}  // namespace plaza::broker
