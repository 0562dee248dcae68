// What a permissions rules file says, once parsed (rules_parser.h): the
// ordered allow/deny rules and the rate limits per role. Immutable once
// built; the plugin shares one RuleSet between its worker threads and swaps
// in a new one on reload.
#ifndef PLAZA_PLUGINS_PERMISSIONS_RULE_SET_H_
#define PLAZA_PLUGINS_PERMISSIONS_RULE_SET_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "topic_pattern.h"

namespace plaza::permissions {

// Role names with a fixed meaning in rules. They are never taken for a
// platform or room role of the same name.
inline constexpr std::string_view kAnyRole = "any";          // every client
inline constexpr std::string_view kJoinedRole = "joined";    // any role in the topic's room
inline constexpr std::string_view kVisitorRole = "visitor";  // no role in the topic's room

inline bool IsReservedRole(std::string_view role) {
  return role == kAnyRole || role == kJoinedRole || role == kVisitorRole;
}

enum Action : uint8_t {
  kPublish = 1,
  kSubscribe = 2,
};

struct Rule {
  bool allow = false;
  uint8_t actions = 0;             // Action bits
  std::vector<std::string> roles;  // empty: any client
  std::vector<std::string> kinds;  // empty: any room kind, and topics outside rooms
  std::vector<TopicPattern> topics;
  int line = 0;  // 1-based, in the rules file
};

// A token bucket pair for the clients an entry applies to. A rate of 0
// leaves that dimension unlimited.
struct RateLimit {
  std::vector<std::string> roles;  // empty: any client
  bool unlimited = false;
  double messages_per_second = 0;
  double messages_burst = 0;
  double bytes_per_second = 0;
  double bytes_burst = 0;
  double kick_after_seconds = 0;  // 0: never kick
  int line = 0;
};

struct RuleSet {
  std::vector<Rule> rules;             // first match decides
  std::vector<RateLimit> rate_limits;  // first entry whose roles match applies
  // Every room role and room kind some rule names: the subscription check
  // tries each of them for rooms it cannot name (see decision.h).
  std::vector<std::string> room_roles;
  std::vector<std::string> kinds;
};

}  // namespace plaza::permissions

#endif  // PLAZA_PLUGINS_PERMISSIONS_RULE_SET_H_
