// Roles, room context, the publish check and the rate limit choice; the
// subscription check is in subscribe_check.cc.
#include "decision.h"

#include <algorithm>
#include <utility>

namespace plaza::permissions {

std::optional<std::string_view> RoomOf(std::string_view topic) {
  constexpr std::string_view kPrefix = "rooms/";
  if (!topic.starts_with(kPrefix)) return std::nullopt;
  const std::string_view rest = topic.substr(kPrefix.size());
  return rest.substr(0, rest.find('/'));
}

RoomContext::RoomContext(Membership membership)
    : in_room_(true), membership_(std::move(membership)) {}

RoomContext::RoomContext(std::string_view topic, const MembershipLookup* lookup) : lookup_(lookup) {
  if (const std::optional<std::string_view> room = RoomOf(topic)) {
    in_room_ = true;
    room_ = *room;
  }
}

const Membership& RoomContext::membership() const {
  if (!membership_) membership_ = lookup_ && *lookup_ ? (*lookup_)(room_) : Membership{};
  return *membership_;
}

bool HasRole(const std::vector<std::string>& roles, const Subject& subject,
             const RoomContext& context) {
  if (roles.empty()) return true;
  for (const std::string& role : roles) {
    if (role == kAnyRole) return true;
    if (IsReservedRole(role)) {
      if (!context.in_room()) continue;
      const bool joined = !context.membership().role.empty();
      if (role == (joined ? kJoinedRole : kVisitorRole)) return true;
      continue;
    }
    if (std::find(subject.platform_roles.begin(), subject.platform_roles.end(), role) !=
        subject.platform_roles.end()) {
      return true;
    }
    if (context.in_room() && context.membership().role == role) return true;
  }
  return false;
}

bool RuleApplies(const Rule& rule, const Subject& subject, const RoomContext& context) {
  if (!rule.kinds.empty()) {
    if (!context.in_room()) return false;
    const std::string& kind = context.membership().kind;
    if (kind.empty() || std::find(rule.kinds.begin(), rule.kinds.end(), kind) == rule.kinds.end()) {
      return false;
    }
  }
  return HasRole(rule.roles, subject, context);
}

Decision CheckPublish(const RuleSet& rules, const Subject& subject, std::string_view topic,
                      const RoomContext& context) {
  const Substitutions values = subject.values();
  for (const Rule& rule : rules.rules) {
    if (!(rule.actions & kPublish) || !RuleApplies(rule, subject, context)) continue;
    for (const TopicPattern& pattern : rule.topics) {
      switch (pattern.MatchTopic(topic, values)) {
        case TopicPattern::Match::kYes:
          return {rule.allow, rule.line, {}, false};
        case TopicPattern::Match::kUnusable:
          // A value that cannot stand in a topic: an allow rule does not
          // apply, a deny rule does (fail closed).
          if (!rule.allow) return {false, rule.line, {}, false};
          break;
        case TopicPattern::Match::kNo:
          break;
      }
    }
  }
  return {};
}

int SelectRateLimit(const RuleSet& rules, const Subject& subject, const RoomContext& context) {
  for (size_t i = 0; i < rules.rate_limits.size(); ++i) {
    if (HasRole(rules.rate_limits[i].roles, subject, context)) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace plaza::permissions
