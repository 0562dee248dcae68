// Client records and attributes, each stripe behind its own mutex.
#include "plugin/client_table.h"

namespace plaza::broker {

void ClientTable::Add(const ClientFacts& facts) {
  Record record;
  record.facts = OwnedFacts::From(facts);
  Stripe& stripe = StripeOf(facts.id);
  std::lock_guard lock(stripe.mutex);
  stripe.records[facts.id] = std::move(record);
}

void ClientTable::Remove(uint64_t id) {
  Stripe& stripe = StripeOf(id);
  std::lock_guard lock(stripe.mutex);
  stripe.records.erase(id);
}

bool ClientTable::Contains(uint64_t id) const {
  const Stripe& stripe = StripeOf(id);
  std::lock_guard lock(stripe.mutex);
  return stripe.records.contains(id);
}

std::optional<ClientTable::Record> ClientTable::Get(uint64_t id) const {
  const Stripe& stripe = StripeOf(id);
  std::lock_guard lock(stripe.mutex);
  auto it = stripe.records.find(id);
  if (it == stripe.records.end()) return std::nullopt;
  return it->second;
}

ClientTable::Result ClientTable::SetAttribute(uint64_t id, std::string_view key,
                                              std::string_view value, bool* changed) {
  if (changed) *changed = false;
  if (key.empty() || key.size() > kMaxKey || value.size() > kMaxValue) return Result::kTooLarge;
  Stripe& stripe = StripeOf(id);
  std::lock_guard lock(stripe.mutex);
  auto it = stripe.records.find(id);
  if (it == stripe.records.end()) return Result::kNoClient;
  auto& attributes = it->second.attributes;
  auto found = attributes.find(key);
  if (found != attributes.end()) {
    if (found->second == value) return Result::kOk;
    found->second = std::string(value);
    if (changed) *changed = true;
    return Result::kOk;
  }
  if (attributes.size() >= kMaxAttributes) return Result::kTooLarge;
  attributes.emplace(std::string(key), std::string(value));
  if (changed) *changed = true;
  return Result::kOk;
}

ClientTable::Result ClientTable::GetAttribute(uint64_t id, std::string_view key,
                                              std::string* value) const {
  const Stripe& stripe = StripeOf(id);
  std::lock_guard lock(stripe.mutex);
  auto it = stripe.records.find(id);
  if (it == stripe.records.end()) return Result::kNoClient;
  auto found = it->second.attributes.find(key);
  if (found == it->second.attributes.end()) return Result::kNotFound;
  *value = found->second;
  return Result::kOk;
}

ClientTable::Result ClientTable::DeleteAttribute(uint64_t id, std::string_view key) {
  Stripe& stripe = StripeOf(id);
  std::lock_guard lock(stripe.mutex);
  auto it = stripe.records.find(id);
  if (it == stripe.records.end()) return Result::kNoClient;
  return it->second.attributes.erase(std::string(key)) ? Result::kOk : Result::kNotFound;
}

}  // namespace plaza::broker
