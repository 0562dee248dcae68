// Client records, tracked subscriptions and parked sessions; see
// client_registry.h.
#include "client_registry.h"

#include <utility>

namespace plaza::permissions {

void ClientRegistry::set_max_parked(size_t max_parked) {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  max_parked_ = max_parked;
  while (parked_.size() > max_parked_) Unpark(parked_order_.begin()->second);
}

std::vector<std::string> ClientRegistry::Connect(Handle handle, ClientFacts facts) {
  std::set<std::string, std::less<>> carried;
  {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    auto parked = parked_.find(facts.client_id);
    if (parked != parked_.end()) {
      if (!facts.clean_start) carried = std::move(parked->second.filters);
      Unpark(facts.client_id);
    }
    auto live = live_.find(facts.client_id);
    if (live != live_.end() && live->second != handle && !facts.clean_start) {
      // A takeover: the old connection's session is the one resumed.
      Stripe& old = StripeOf(live->second);
      std::lock_guard<std::mutex> old_lock(old.mutex);
      auto record = old.records.find(live->second);
      if (record != old.records.end()) {
        carried.insert(record->second.filters.begin(), record->second.filters.end());
      }
    }
    live_[facts.client_id] = handle;
  }
  std::vector<std::string> out(carried.begin(), carried.end());
  ClientRecord record;
  record.facts = std::move(facts);
  record.filters = std::move(carried);
  Stripe& stripe = StripeOf(handle);
  std::lock_guard<std::mutex> lock(stripe.mutex);
  stripe.records.insert_or_assign(handle, std::move(record));
  return out;
}

ClientRegistry::Gone ClientRegistry::Disconnect(Handle handle) {
  ClientRecord record;
  {
    Stripe& stripe = StripeOf(handle);
    std::lock_guard<std::mutex> lock(stripe.mutex);
    auto it = stripe.records.find(handle);
    if (it == stripe.records.end()) return {};
    record = std::move(it->second);
    stripe.records.erase(it);
  }
  Gone gone{true, false};
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  auto live = live_.find(record.facts.client_id);
  // After a takeover the newer connection has the session: nothing to park.
  if (live == live_.end() || live->second != handle) return gone;
  live_.erase(live);
  // An MQTT 3.1.1 clean session ends with its connection; an MQTT 5 one
  // may not (its expiry interval is not shown to plugins), so it is kept.
  const bool may_persist = record.facts.protocol_version >= 5 || !record.facts.clean_start;
  if (may_persist && !record.filters.empty()) {
    gone.evicted = Park(record.facts.client_id, std::move(record.filters));
  }
  return gone;
}

bool ClientRegistry::Park(const std::string& client_id,
                          std::set<std::string, std::less<>> filters) {
  if (max_parked_ == 0) return false;  // parking is off
  bool evicted = false;
  while (parked_.size() >= max_parked_) {
    Unpark(parked_order_.begin()->second);
    evicted = true;
  }
  const uint64_t order = ++next_order_;
  parked_[client_id] = Parked{std::move(filters), order};
  parked_order_[order] = client_id;
  return evicted;
}

void ClientRegistry::Unpark(const std::string& client_id) {
  auto it = parked_.find(client_id);
  if (it == parked_.end()) return;
  parked_order_.erase(it->second.order);
  parked_.erase(it);
}

void ClientRegistry::Track(Handle handle, std::string_view filter) {
  With(handle, [&](ClientRecord& record) { record.filters.emplace(filter); });
}

void ClientRegistry::Untrack(Handle handle, std::string_view filter) {
  With(handle, [&](ClientRecord& record) {
    auto it = record.filters.find(filter);
    if (it != record.filters.end()) record.filters.erase(it);
  });
}

std::vector<Handle> ClientRegistry::Handles() const {
  std::vector<Handle> handles;
  for (const Stripe& stripe : stripes_) {
    std::lock_guard<std::mutex> lock(stripe.mutex);
    for (const auto& [handle, record] : stripe.records) handles.push_back(handle);
  }
  return handles;
}

size_t ClientRegistry::parked() const {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  return parked_.size();
}

}  // namespace plaza::permissions
