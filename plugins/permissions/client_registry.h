// What the permissions plugin remembers about each connected client: its
// facts, its identity as the rules see it (cached), the subscriptions it was
// allowed (so they can be taken back when the rules or its roles change:
// CVE-2021-34434), and its rate gates. Also the subscriptions of sessions
// that may outlive their connection (MQTT 3.1.1 clean session 0, any MQTT 5
// session), kept by client id so a client that resumes its session has them
// checked again.
//
// Hooks about one client run on its worker; reloads and revocation passes
// read every client from other threads. Records are striped by handle, each
// stripe behind its own mutex.
#ifndef PLAZA_PLUGINS_PERMISSIONS_CLIENT_REGISTRY_H_
#define PLAZA_PLUGINS_PERMISSIONS_CLIENT_REGISTRY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "decision.h"
#include "rate_gate.h"

namespace plaza::permissions {

using Handle = uint64_t;

struct ClientFacts {
  std::string client_id;
  std::optional<std::string> username;
  int protocol_version = 4;
  bool clean_start = true;
};

struct ClientRecord {
  ClientFacts facts;
  // The identity the rules see, built for the snapshot `subject_version`
  // (the static users table is part of a snapshot).
  std::shared_ptr<const Subject> subject;
  uint64_t subject_version = 0;
  std::set<std::string, std::less<>> filters;  // subscriptions it was allowed
  // One gate per rate limit entry, for the snapshot `gates_version`.
  std::vector<std::optional<RateGate>> gates;
  uint64_t gates_version = 0;
  bool kicked = false;          // a kick is on its way
  bool publish_denied = false;  // a refused PUBLISH was logged at info already
};

class ClientRegistry {
 public:
  explicit ClientRegistry(size_t max_parked) : max_parked_(max_parked) {}
  ClientRegistry(const ClientRegistry&) = delete;
  ClientRegistry& operator=(const ClientRegistry&) = delete;

  void set_max_parked(size_t max_parked);

  // A client connected. Returns the subscriptions its session may still
  // hold (clean start 0: those of a parked session, or of the connection it
  // takes over), which are tracked for it from now on.
  std::vector<std::string> Connect(Handle handle, ClientFacts facts);

  struct Gone {
    bool known = false;
    bool evicted = false;  // parking it pushed out the oldest parked session
  };
  // A client is gone; its subscriptions are parked if its session may live
  // on without it.
  Gone Disconnect(Handle handle);

  // Runs fn(ClientRecord&) under the record's lock; false if unknown.
  template <typename Fn>
  bool With(Handle handle, Fn&& fn) {
    Stripe& stripe = StripeOf(handle);
    std::lock_guard<std::mutex> lock(stripe.mutex);
    auto it = stripe.records.find(handle);
    if (it == stripe.records.end()) return false;
    fn(it->second);
    return true;
  }

  void Track(Handle handle, std::string_view filter);
  void Untrack(Handle handle, std::string_view filter);
  std::vector<Handle> Handles() const;
  size_t parked() const;

 private:
  struct Stripe {
    mutable std::mutex mutex;
    std::unordered_map<Handle, ClientRecord> records;
  };
  struct Parked {
    std::set<std::string, std::less<>> filters;
    uint64_t order = 0;
  };

  Stripe& StripeOf(Handle handle) { return stripes_[handle % stripes_.size()]; }
  // Both with sessions_mutex_ held.
  bool Park(const std::string& client_id, std::set<std::string, std::less<>> filters);
  void Unpark(const std::string& client_id);

  std::array<Stripe, 16> stripes_;

  // Taken before a stripe's mutex, never after.
  mutable std::mutex sessions_mutex_;
  std::unordered_map<std::string, Handle> live_;  // client id -> its newest connection
  std::unordered_map<std::string, Parked> parked_;
  std::map<uint64_t, std::string> parked_order_;  // oldest first
  uint64_t next_order_ = 0;
  size_t max_parked_;
};

}  // namespace plaza::permissions

#endif  // PLAZA_PLUGINS_PERMISSIONS_CLIENT_REGISTRY_H_
