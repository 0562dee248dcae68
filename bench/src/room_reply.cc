// Hand decoding of the rooms plugin's Reply; see room_reply.h. Protobuf:
// field 1 request_topic (string), 2 reason_code (varint), 3 reason
// (string), 4 correlation_data (bytes); unknown fields are skipped by wire
// type. JSON: the snake_case keys, flat values only (a Reply has no nesting).
#include "room_reply.h"

#include <cctype>

namespace plaza::bench {
namespace {

bool ReadVarint(std::string_view* in, uint64_t* value) {
  *value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in->empty()) return false;
    const auto byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    *value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

std::optional<RoomReply> ParseProtobuf(std::string_view in) {
  RoomReply reply;
  while (!in.empty()) {
    uint64_t key = 0;
    if (!ReadVarint(&in, &key)) return std::nullopt;
    const uint64_t field = key >> 3;
    const uint64_t wire_type = key & 7;
    if (field == 0) return std::nullopt;
    if (wire_type == 0) {  // varint
      uint64_t value = 0;
      if (!ReadVarint(&in, &value)) return std::nullopt;
      if (field == 2) reply.reason_code = static_cast<uint32_t>(value);
    } else if (wire_type == 2) {  // length-delimited
      uint64_t length = 0;
      if (!ReadVarint(&in, &length) || length > in.size()) return std::nullopt;
      const std::string_view bytes = in.substr(0, length);
      in.remove_prefix(length);
      if (field == 1) reply.request_topic = bytes;
      if (field == 3) reply.reason = bytes;
    } else if (wire_type == 1 || wire_type == 5) {  // fixed64, fixed32
      const size_t size = wire_type == 1 ? 8 : 4;
      if (in.size() < size) return std::nullopt;
      in.remove_prefix(size);
    } else {
      return std::nullopt;  // groups and reserved types: not a Reply
    }
  }
  return reply;
}

void SkipSpace(std::string_view* in) {
  while (!in->empty() && std::isspace(static_cast<unsigned char>(in->front()))) {
    in->remove_prefix(1);
  }
}

// A JSON string at the start of `in` (after the opening quote was seen),
// with the simple escapes resolved; \u escapes are kept as they are.
bool ReadJsonString(std::string_view* in, std::string* out) {
  out->clear();
  while (!in->empty()) {
    const char c = in->front();
    in->remove_prefix(1);
    if (c == '"') return true;
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (in->empty()) return false;
    const char escaped = in->front();
    in->remove_prefix(1);
    switch (escaped) {
      case 'n':
        out->push_back('\n');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u':
        out->append("\\u");
        break;
      default:
        out->push_back(escaped);  // \" \\ \/ and the rest taken literally
    }
  }
  return false;
}

std::optional<RoomReply> ParseJson(std::string_view in) {
  RoomReply reply;
  in.remove_prefix(1);  // '{'
  SkipSpace(&in);
  if (!in.empty() && in.front() == '}') return reply;
  while (true) {
    SkipSpace(&in);
    if (in.empty() || in.front() != '"') return std::nullopt;
    in.remove_prefix(1);
    std::string key;
    if (!ReadJsonString(&in, &key)) return std::nullopt;
    SkipSpace(&in);
    if (in.empty() || in.front() != ':') return std::nullopt;
    in.remove_prefix(1);
    SkipSpace(&in);
    if (in.empty()) return std::nullopt;
    if (in.front() == '"') {
      in.remove_prefix(1);
      std::string value;
      if (!ReadJsonString(&in, &value)) return std::nullopt;
      if (key == "request_topic") reply.request_topic = value;
      if (key == "reason") reply.reason = value;
    } else {
      // A number (or true/false/null): up to the next ',' or '}'.
      const size_t end = in.find_first_of(",}");
      if (end == std::string_view::npos) return std::nullopt;
      std::string_view value = in.substr(0, end);
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
        value.remove_suffix(1);
      }
      in.remove_prefix(end);
      if (key == "reason_code") {
        uint64_t code = 0;
        if (value.empty()) return std::nullopt;
        for (const char c : value) {
          if (c < '0' || c > '9' || code > 0xffffffffu) return std::nullopt;
          code = code * 10 + static_cast<uint64_t>(c - '0');
        }
        if (code > 0xffffffffu) return std::nullopt;
        reply.reason_code = static_cast<uint32_t>(code);
      }
    }
    SkipSpace(&in);
    if (in.empty()) return std::nullopt;
    if (in.front() == '}') return reply;
    if (in.front() != ',') return std::nullopt;
    in.remove_prefix(1);
  }
}

}  // namespace

std::optional<RoomReply> ParseRoomReply(std::string_view payload) {
  if (!payload.empty() && payload.front() == '{') return ParseJson(payload);
  return ParseProtobuf(payload);
}

}  // namespace plaza::bench
