// Topic names, topic filters and MQTT's UTF-8 rules (3.1.1 sections 1.5.3 and
// 4.7): validation and matching, shared by the codec, the subscription index
// and the retained-message store.
#ifndef PLAZA_BROKER_MQTT_TOPIC_H_
#define PLAZA_BROKER_MQTT_TOPIC_H_

#include <string_view>

namespace plaza::mqtt {

// True when `s` is well-formed UTF-8 that MQTT accepts: no U+0000 and no
// UTF-16 surrogate code points (U+D800..U+DFFF), no overlong forms.
bool IsValidUtf8(std::string_view s);

// A topic name as a PUBLISH carries it: at least one character, valid UTF-8,
// no '+' or '#'.
bool IsValidTopicName(std::string_view name);

// A topic filter as a SUBSCRIBE carries it: at least one character, valid
// UTF-8, '+' only as a whole level, '#' only as the whole last level.
bool IsValidTopicFilter(std::string_view filter);

// Whether a valid `filter` matches a valid topic `name`. A name starting with
// '$' is not matched by a filter whose first level is '+' or '#'.
bool TopicMatches(std::string_view filter, std::string_view name);

// The number of levels in a topic name or filter ("a/b" has 2, "/" has 2).
size_t TopicLevels(std::string_view topic);

}  // namespace plaza::mqtt

#endif  // PLAZA_BROKER_MQTT_TOPIC_H_
