// Payload header encoding: fixed little-endian layout (the bench talks only to
// itself, over loopback, so host order on x86/ARM little-endian is the wire
// order; memcpy keeps it alignment-safe).
#include "payload.h"

#include <cstring>

namespace plaza::bench {

void WritePayloadHeader(const PayloadHeader& header, char* out) {
  std::memcpy(out, &header.send_ns, 8);
  std::memcpy(out + 8, &header.publisher, 4);
  std::memcpy(out + 12, &header.seq, 4);
  std::memcpy(out + 16, &header.flags, 4);
  std::memcpy(out + 20, &kPayloadMagic, 4);
}

bool ReadPayloadHeader(std::string_view payload, PayloadHeader* header) {
  if (payload.size() < kPayloadHeaderSize) return false;
  const char* in = payload.data();
  std::memcpy(&header->send_ns, in, 8);
  std::memcpy(&header->publisher, in + 8, 4);
  std::memcpy(&header->seq, in + 12, 4);
  std::memcpy(&header->flags, in + 16, 4);
  std::memcpy(&header->magic, in + 20, 4);
  return header->magic == kPayloadMagic;
}

}  // namespace plaza::bench
