// How long a worker keeps polling its sockets before it goes to sleep.
//
// A sleeping worker is woken by whoever gives it work: the kernel, on the CPU
// that received a client's packet, or another worker writing its eventfd.
// That wake-up is the costly part of a connect or a small message when the
// worker has just gone idle: an inter-processor interrupt, and in a virtual
// machine an exit to the hypervisor on both sides. Polling a little longer
// after a busy turn catches the next event without that cost.
//
// Polling is wasted CPU when nothing comes, so the window adapts to the gaps
// between events, the way Linux's haltpoll idle governor does: a gap longer
// than the window but within the limit grows it (a longer poll would have
// caught it); a gap beyond the limit shrinks it (polling did not pay). A
// quiet worker therefore polls for nothing, a busy one up to the limit.
#ifndef PLAZA_BROKER_NET_IDLE_SPIN_H_
#define PLAZA_BROKER_NET_IDLE_SPIN_H_

#include <cstdint>

namespace plaza::broker {

class IdleSpin {
 public:
  // `limit_ns` caps the window; 0 turns polling off.
  explicit IdleSpin(int64_t limit_ns) : limit_ns_(limit_ns < 0 ? 0 : limit_ns) {}

  // How long to poll before sleeping now.
  int64_t window_ns() const { return window_ns_; }
  int64_t limit_ns() const { return limit_ns_; }

  // Records one idle gap: the time from the end of a turn to the next event
  // (or to a timeout that ended the wait with nothing to do).
  void Observe(int64_t gap_ns);

 private:
  const int64_t limit_ns_;
  int64_t window_ns_ = 0;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_NET_IDLE_SPIN_H_
