// The connected clients as plugins see them: their facts and the attributes
// plugins attach to them, readable from any thread. Striped by connection
// id so workers registering and dropping clients rarely meet on one lock.
#ifndef PLAZA_BROKER_PLUGIN_CLIENT_TABLE_H_
#define PLAZA_BROKER_PLUGIN_CLIENT_TABLE_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/hooks.h"
#include "plugin/owned_facts.h"

namespace plaza::broker {

class ClientTable {
 public:
  // Largest attribute key and value, and attributes per client: a plugin
  // bug must not grow the broker without bound.
  static constexpr size_t kMaxKey = 256;
  static constexpr size_t kMaxValue = 64 * 1024;
  static constexpr size_t kMaxAttributes = 64;

  struct Record {
    OwnedFacts facts;
    std::map<std::string, std::string, std::less<>> attributes;
  };

  void Add(const ClientFacts& facts);
  void Remove(uint64_t id);
  bool Contains(uint64_t id) const;

  // A copy of the client's record.
  std::optional<Record> Get(uint64_t id) const;

  enum class Result { kOk, kNoClient, kNotFound, kTooLarge };
  // `*changed` (if given) says whether the value differs from the one before.
  Result SetAttribute(uint64_t id, std::string_view key, std::string_view value,
                      bool* changed = nullptr);
  Result GetAttribute(uint64_t id, std::string_view key, std::string* value) const;
  Result DeleteAttribute(uint64_t id, std::string_view key);

 private:
  struct Stripe {
    mutable std::mutex mutex;
    std::unordered_map<uint64_t, Record> records;
  };
  Stripe& StripeOf(uint64_t id) { return stripes_[(id ^ (id >> 48)) % stripes_.size()]; }
  const Stripe& StripeOf(uint64_t id) const {
    return stripes_[(id ^ (id >> 48)) % stripes_.size()];
  }

  std::array<Stripe, 16> stripes_;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_PLUGIN_CLIENT_TABLE_H_
