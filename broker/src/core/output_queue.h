// The bytes waiting to be written to one connection, kept as frames that
// point into shared messages instead of copies of them. The network loop
// asks for them as an iovec array and writes them with one writev() per
// socket per loop turn; the core uses the byte count to apply its
// slow-subscriber policy.
#ifndef PLAZA_BROKER_CORE_OUTPUT_QUEUE_H_
#define PLAZA_BROKER_CORE_OUTPUT_QUEUE_H_

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/message.h"

namespace plaza::broker {

class OutputQueue {
 public:
  // Queues a control packet already encoded (CONNACK, PUBACK, SUBACK, ...).
  void PushControl(std::string bytes);

  // Queues a PUBLISH of `message` with the given delivery flags. A packet id
  // is written only when qos > 0.
  //
  // With `conflate` (QoS 0 state such as avatar poses), a PUBLISH on the
  // same topic still waiting untouched in the queue is replaced in place
  // instead, so a subscriber that fell behind gets the newest state of each
  // topic rather than its history. Returns true when it replaced one.
  bool PushPublish(const MessagePtr& message, uint8_t qos, bool retain, bool dup,
                   uint16_t packet_id, bool conflate = false);

  // Whether a conflated PUBLISH on `topic` waits untouched in the queue
  // (the next conflated one on it would replace it).
  bool Waiting(std::string_view topic) const;

  // Queues an MQTT 5 PUBLISH of `message`: after the packet id comes a
  // property block of a Topic Alias property (when `topic_alias` is not 0),
  // `delivery_properties` (this delivery's own: Message Expiry Interval,
  // Subscription Identifiers; encoded, no length prefix), and the message's
  // shared forwarded properties. With `omit_topic` the topic
  // is sent empty (the client knows the alias).
  //
  // A conflated PUBLISH that replaces a waiting one takes over that one's
  // alias, with the topic, whatever `topic_alias` and `omit_topic` say: the
  // client's alias mapping at that point of the stream stays what it was.
  bool PushPublish5(const MessagePtr& message, uint8_t qos, bool retain, bool dup,
                    uint16_t packet_id, std::string_view delivery_properties, bool conflate = false,
                    uint16_t topic_alias = 0, bool omit_topic = false);

  // The size of the PUBLISH PushPublish5 would queue, fixed header included:
  // for honouring the client's Maximum Packet Size.
  static size_t Publish5Size(const Message& message, uint8_t qos, size_t delivery_properties_size);

  // Fills up to `max` iovecs with the queued bytes, oldest first, and returns
  // how many it filled. They stay valid until the next Push or Consume.
  size_t Gather(iovec* iov, size_t max) const;

  // Drops the first `n` bytes, which have been written.
  void Consume(size_t n);

  // Call now and then (each shard tick): an empty queue that had nothing
  // queued since the previous call gives back the memory it still holds
  // (the frame buffer kept for the next packet, the conflation table).
  // Busy connections keep theirs; idle ones, most of a big room's at any
  // moment, cost less.
  void Trim();

  size_t bytes() const { return bytes_; }
  bool empty() const { return head_ == frames_.size() && lone_size_ == 0; }
  size_t frames() const { return frames_.size() - head_ + (lone_size_ > 0 ? 1 : 0); }
  // How many frames it has room for without allocating: for tests of Trim.
  size_t capacity() const { return frames_.capacity(); }

  // Everything queued, concatenated: for tests and diagnostics.
  std::string Concatenate() const;

 private:
  struct Frame {
    // Control packet bytes, or the fixed header of a PUBLISH.
    std::string head;
    MessagePtr message;  // null for control packets
    uint8_t packet_id[2] = {0, 0};
    bool has_packet_id = false;
    // 0 for MQTT 3.1.1; kV5, or kV5EmptyTopic for an MQTT 5 PUBLISH whose
    // topic is sent empty (the client knows its alias). One byte, so an
    // MQTT 3.1.1 frame costs what it did before MQTT 5.
    uint8_t v5 = 0;
    // MQTT 5: the property length and this delivery's own properties, a
    // Topic Alias first when it has one; the message's shared properties
    // follow. Short enough to stay inline.
    std::string properties;
    size_t Size() const;
    // What MQTT 5 adds to Size(): out of line, so Size() stays small enough
    // to inline on the MQTT 3.1.1 path.
    [[gnu::noinline]] size_t V5Size() const;
    // The Topic Alias among `properties`, 0 for none.
    uint16_t TopicAlias() const;
  };
  static constexpr uint8_t kV5 = 1;
  static constexpr uint8_t kV5EmptyTopic = 2;

  // The most iovecs one frame needs: header, topic, packet id, properties
  // (own and shared), payload.
  static constexpr size_t kMaxFramePieces = 6;

  // Moves a lone control packet into frames_, before anything queued after
  // it.
  void Unlone();
  // Appends `frame`, or with `conflate` replaces the waiting frame of the
  // same topic; true when it replaced.
  bool Add(Frame&& frame, bool conflate);
  // The index of the untouched conflated frame on `topic` (hash `hash`),
  // or npos.
  size_t WaitingIndex(std::string_view topic, uint64_t hash) const;

  // Fills the iovecs of one frame, skipping its first `skip` bytes.
  static size_t FrameIovecs(const Frame& frame, size_t skip, iovec* iov, size_t max);

  // A vector consumed from `head_` rather than a std::deque, which would
  // allocate its first block even for a connection that never writes.
  std::vector<Frame> frames_;
  size_t bytes_ = 0;  // unwritten bytes in all frames
  // Conflation: the hash of a conflated frame's topic -> its sequence number
  // (first_seq_ + index). Made on the first conflated frame, emptied when
  // the queue drains; entries of written frames are ignored.
  std::unique_ptr<std::unordered_map<uint64_t, uint64_t>> conflated_;
  uint64_t first_seq_ = 0;  // sequence number of frames_[0]
  // 32 bits each keep an idle connection's queue at 64 bytes, with the
  // fields below: frames and a frame's bytes stay far below 4 G.
  uint32_t head_ = 0;  // first unwritten frame
  // Bytes of the first unwritten frame (the lone packet, or frames_[head_])
  // already written.
  uint32_t front_written_ = 0;
  // Nothing was queued since the last Trim().
  bool quiet_ = true;
  // A control packet of a few bytes (PINGRESP, PUBACK, a 3.1.1 CONNACK)
  // queued alone is kept here, in what would be padding, instead of
  // allocating the frame buffer: an idle client's pings cost no memory.
  // While lone_size_ > 0, frames_ is empty.
  static constexpr size_t kLoneMax = 6;
  uint8_t lone_size_ = 0;
  char lone_[kLoneMax];
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_OUTPUT_QUEUE_H_
