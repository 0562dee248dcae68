// The topic aliases the broker assigns toward one MQTT 5 client (section
// 3.3.2.3.4), up to the Topic Alias Maximum of its CONNECT and the
// configured cap. The first PUBLISH on a topic carries the topic and the
// new alias; later ones carry the alias and an empty topic.
//
// Policy, chosen by simulation (docs/operations.md has the figures): aliases
// go to topics as they come; once all are taken, the least recently used
// one is reassigned, but only if it has been idle for at least 4 x maximum
// deliveries. Plain LRU thrashes when a client cycles through more topics
// than it has aliases (every PUBLISH then pays the alias and the topic);
// never reassigning wastes aliases on topics that went quiet. Topics longer
// than kMaxAliasedTopic bytes are not aliased, so the table of a
// connection holds at most maximum x (kMaxAliasedTopic + a few dozen) bytes.
#ifndef PLAZA_BROKER_CORE_TOPIC_ALIASES_H_
#define PLAZA_BROKER_CORE_TOPIC_ALIASES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/string_hash.h"

namespace plaza::broker {

class TopicAliases {
 public:
  static constexpr size_t kMaxAliasedTopic = 256;

  // `maximum` aliases, 1..65535.
  explicit TopicAliases(uint16_t maximum) : maximum_(maximum) {}

  struct Use {
    uint16_t alias = 0;  // 0: send the topic without an alias
    bool known = false;  // the client knows it: send an empty topic
  };

  // The alias for the next PUBLISH on `topic`. When `allow_new` is false no
  // alias is assigned or reassigned (the PUBLISH would not fit otherwise).
  Use For(std::string_view topic, bool allow_new = true);

  size_t size() const { return slots_.size(); }

 private:
  static constexpr uint16_t kNone = 0xFFFF;
  struct Slot {
    std::string topic;
    uint64_t last_use = 0;
    uint16_t prev = kNone;  // toward the least recently used
    uint16_t next = kNone;  // toward the most recently used
  };

  void Unlink(uint16_t index);
  void PushMostRecent(uint16_t index);

  const uint16_t maximum_;
  uint64_t uses_ = 0;        // PUBLISH packets asked about so far
  std::vector<Slot> slots_;  // alias = index + 1
  std::unordered_map<std::string, uint16_t, StringHash, std::equal_to<>> by_topic_;
  uint16_t oldest_ = kNone;
  uint16_t newest_ = kNone;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_TOPIC_ALIASES_H_
