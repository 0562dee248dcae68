// The layout of a bench message's payload. Every PUBLISH the bench sends
// carries, at its start, when it was sent (steady clock ns), which publisher
// sent it and that publisher's sequence number, so a subscriber can compute
// latency, detect loss and reordering without any shared state. The rest of
// the payload, up to the configured size, is filler.
#ifndef PLAZA_BENCH_PAYLOAD_H_
#define PLAZA_BENCH_PAYLOAD_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace plaza::bench {

// Set on messages sent inside the measurement window; only those count
// towards throughput, loss and latency (the rest is warm-up).
inline constexpr uint32_t kPayloadMeasured = 1u << 0;

struct PayloadHeader {
  int64_t send_ns = 0;
  uint32_t publisher = 0;
  uint32_t seq = 0;
  uint32_t flags = 0;
  uint32_t magic = 0;  // kPayloadMagic; tells a bench payload from anything else
};

inline constexpr uint32_t kPayloadMagic = 0x504c5a42;  // "PLZB"
inline constexpr size_t kPayloadHeaderSize = 24;

// Writes the header into the first kPayloadHeaderSize bytes of `out`.
void WritePayloadHeader(const PayloadHeader& header, char* out);

// Reads the header from `payload`; false when it is too short or not ours.
bool ReadPayloadHeader(std::string_view payload, PayloadHeader* header);

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_PAYLOAD_H_
