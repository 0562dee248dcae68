// Topic validation and matching. These run for every PUBLISH the broker
// receives and for every subscription it compares against, so each function
// is a single pass over its input and never allocates.
#include "mqtt/topic.h"

#include <cstddef>
#include <cstdint>

namespace plaza::mqtt {

namespace {

// A UTF-8 encoded string in MQTT carries a 2-byte length, so nothing longer
// can ever go on the wire; refusing it here keeps the encoder's contract.
constexpr size_t kMaxStringLength = 65535;

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when the
// bytes there are ill-formed or name a code point MQTT forbids. The ranges
// of the second byte are those of RFC 3629's grammar: they exclude overlong
// forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code
// points above U+10FFFF (F4 90.., F5..FF).
inline size_t SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const auto is_continuation = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
  const uint8_t lead = byte(i);
  const size_t left = s.size() - i;
  if (lead < 0x80) return lead == 0 ? 0 : 1;  // U+0000 is refused [MQTT-1.5.3-2]
  if (lead < 0xC2) return 0;                  // stray continuation or overlong
  if (lead < 0xE0) return left >= 2 && is_continuation(i + 1) ? 2 : 0;
  if (lead < 0xF0) {
    if (left < 3) return 0;
    const uint8_t second = byte(i + 1);
    const uint8_t low = lead == 0xE0 ? 0xA0 : 0x80;
    const uint8_t high = lead == 0xED ? 0x9F : 0xBF;
    return second >= low && second <= high && is_continuation(i + 2) ? 3 : 0;
  }
  if (lead < 0xF5) {
    if (left < 4) return 0;
    const uint8_t second = byte(i + 1);
    const uint8_t low = lead == 0xF0 ? 0x90 : 0x80;
    const uint8_t high = lead == 0xF4 ? 0x8F : 0xBF;
    return second >= low && second <= high && is_continuation(i + 2) && is_continuation(i + 3) ? 4
                                                                                               : 0;
  }
  return 0;
}

// Walks `s` once, validating UTF-8 and handing every ASCII byte to
// `on_ascii(index)`, which returns false to reject. '+', '#' and '/' are
// ASCII and can never occur inside a multi-byte sequence, so the topic rules
// only need to look at the ASCII bytes.
template <typename OnAscii>
inline bool ScanUtf8(std::string_view s, OnAscii on_ascii) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      if (s[i] == '\0' || !on_ascii(i)) return false;
      ++i;
      continue;
    }
    const size_t length = SequenceLength(s, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  return ScanUtf8(s, [](size_t) { return true; });
}

bool IsValidTopicName(std::string_view name) {
  if (name.empty() || name.size() > kMaxStringLength) return false;
  return ScanUtf8(name, [name](size_t i) { return name[i] != '+' && name[i] != '#'; });
}

bool IsValidTopicFilter(std::string_view filter) {
  if (filter.empty() || filter.size() > kMaxStringLength) return false;
  return ScanUtf8(filter, [filter](size_t i) {
    const char c = filter[i];
    if (c != '+' && c != '#') return true;
    const bool starts_level = i == 0 || filter[i - 1] == '/';
    const bool is_last = i + 1 == filter.size();
    if (c == '#') return starts_level && is_last;
    return starts_level && (is_last || filter[i + 1] == '/');
  });
}

bool TopicMatches(std::string_view filter, std::string_view name) {
  // Topics starting with '$' belong to the server; a subscription to
  // everything must not pick them up by accident [MQTT-4.7.2-1].
  if (!name.empty() && name[0] == '$' && !filter.empty() &&
      (filter[0] == '+' || filter[0] == '#')) {
    return false;
  }
  // Both strings are walked level by level in lockstep. `name_done` tells
  // "the name has no more levels" apart from "the next level is empty",
  // which matters for "a/#" (matches "a") versus "a/+" (does not).
  size_t f = 0;
  size_t n = 0;
  bool name_done = false;
  while (true) {
    if (f < filter.size() && filter[f] == '#') return true;  // parent and all children
    if (name_done) return false;
    if (f < filter.size() && filter[f] == '+') {
      ++f;
      while (n < name.size() && name[n] != '/') ++n;
    } else {
      while (f < filter.size() && n < name.size() && filter[f] != '/' && filter[f] == name[n]) {
        ++f;
        ++n;
      }
      const bool filter_level_ended = f == filter.size() || filter[f] == '/';
      const bool name_level_ended = n == name.size() || name[n] == '/';
      if (!filter_level_ended || !name_level_ended) return false;
    }
    if (f == filter.size()) return n == name.size();
    ++f;  // past the filter's '/'
    if (n == name.size()) {
      name_done = true;
    } else {
      ++n;  // past the name's '/'
    }
  }
}

size_t TopicLevels(std::string_view topic) {
  size_t levels = 1;
  for (char c : topic) {
    if (c == '/') ++levels;
  }
  return levels;
}

}  // namespace plaza::mqtt
