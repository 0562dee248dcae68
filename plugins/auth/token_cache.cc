// An unordered_map for lookups and a list for recency: both O(1).
#include "token_cache.h"

namespace plaza::auth {

TokenCache::Entry* TokenCache::Touch(const std::string& token) {
  auto it = entries_.find(token);
  if (it == entries_.end()) return nullptr;
  recency_.splice(recency_.begin(), recency_, it->second.recency);
  return &it->second;
}

std::optional<Answer> TokenCache::Fresh(const std::string& token, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Entry* entry = Touch(token);
  if (entry == nullptr) return std::nullopt;
  const auto ttl = entry->answer.user ? ttl_ : refusal_ttl_;
  if (now - entry->fetched >= ttl) return std::nullopt;
  return entry->answer;
}

std::optional<Answer> TokenCache::AcceptedWithin(const std::string& token, Clock::time_point now,
                                                 std::chrono::milliseconds max_age) {
  std::lock_guard lock(mutex_);
  Entry* entry = Touch(token);
  if (entry == nullptr || !entry->answer.user || now - entry->fetched >= max_age) {
    return std::nullopt;
  }
  return entry->answer;
}

void TokenCache::Put(const std::string& token, Answer answer, Clock::time_point now) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mutex_);
  if (Entry* entry = Touch(token)) {
    entry->answer = std::move(answer);
    entry->fetched = now;
    return;
  }
  while (entries_.size() >= capacity_) {
    entries_.erase(recency_.back());
    recency_.pop_back();
  }
  recency_.push_front(token);
  entries_.emplace(token, Entry{std::move(answer), now, recency_.begin()});
}

size_t TokenCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace plaza::auth
