// The auth plugin's short memory of the adapter's answers, by token: a
// client that reconnects within seconds (a network blip, an app restart)
// costs no gRPC call, and a burst of connects with one token costs one.
// Bounded: the least recently used token goes first. Thread-safe.
#ifndef PLAZA_PLUGINS_AUTH_TOKEN_CACHE_H_
#define PLAZA_PLUGINS_AUTH_TOKEN_CACHE_H_

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace plaza::auth {

// Who a token belongs to, as the other plugins see it.
struct Identity {
  std::string user_id;
  std::string display_name;
  std::string roles;  // platform roles, comma-separated: "member,creator"
  std::string avatar_url;
  int64_t session_expires_at_unix = 0;  // 0 for never
};

// The adapter's answer: an identity, or a refusal with its MQTT 5 reason.
struct Answer {
  std::optional<Identity> user;
  uint8_t reason_code = 0;  // refusals: 0x86, 0x8A, ...
  std::string reason;       // for the client (MQTT 5 reason string) and the log
};

class TokenCache {
 public:
  using Clock = std::chrono::steady_clock;

  TokenCache(size_t capacity, std::chrono::milliseconds ttl, std::chrono::milliseconds refusal_ttl)
      : capacity_(capacity), ttl_(ttl), refusal_ttl_(refusal_ttl) {}

  // A fresh answer for `token`: younger than the ttl for its kind.
  std::optional<Answer> Fresh(const std::string& token, Clock::time_point now);
  // An accepted identity younger than `max_age`, fresh or not: for the
  // "cached" policy while the adapter is unavailable.
  std::optional<Answer> AcceptedWithin(const std::string& token, Clock::time_point now,
                                       std::chrono::milliseconds max_age);
  void Put(const std::string& token, Answer answer, Clock::time_point now);
  size_t size() const;

 private:
  struct Entry {
    Answer answer;
    Clock::time_point fetched;
    std::list<std::string>::iterator recency;
  };
  // The entry for `token`, made most recent; null if absent. mutex_ held.
  Entry* Touch(const std::string& token);

  const size_t capacity_;
  const std::chrono::milliseconds ttl_;
  const std::chrono::milliseconds refusal_ttl_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mutex_
  std::list<std::string> recency_;                  // most recent first; guarded by mutex_
};

}  // namespace plaza::auth

#endif  // PLAZA_PLUGINS_AUTH_TOKEN_CACHE_H_
