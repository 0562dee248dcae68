// The questions the plugin asks of a RuleSet: may this client publish to
// this topic, may it subscribe to this filter, which rate limit applies to
// this message. Pure functions of the rules, the client's identity and its
// place in the topic's room, so they are tested without a broker.
//
// First match: rules are read in file order and the first one that applies
// decides; when none does, the answer is no. A rule applies to a PUBLISH
// when it names the publish action, the client has one of its roles (in the
// topic's room, or a platform role), the room's kind is one of its kinds,
// and one of its topics matches.
//
// A SUBSCRIBE filter is allowed only if EVERY topic it can match would be
// allowed by the subscribe rules: `#`, `rooms/+/#` or `+/+/pose/+` are
// refused unless the rules allow all they reach. In rooms the filter does
// not name (a wildcard at the room level), the client's role is unknown,
// so the filter must be allowed for every role and kind it might have
// there, visitor included.
#ifndef PLAZA_PLUGINS_PERMISSIONS_DECISION_H_
#define PLAZA_PLUGINS_PERMISSIONS_DECISION_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rule_set.h"
#include "topic_pattern.h"

namespace plaza::permissions {

// Who is asking.
struct Subject {
  std::string user;                         // {user}: user.id, else username, else client id
  std::string client;                       // {client}
  std::optional<std::string> username;      // {username}
  std::vector<std::string> platform_roles;  // user.roles plus the static table's

  Substitutions values() const { return {user, client, username}; }
};

// A client's place in one room: its role there ("" for a visitor) and the
// room's kind as the client was told it ("" when unknown).
struct Membership {
  std::string role;
  std::string kind;
};
using MembershipLookup = std::function<Membership(std::string_view room)>;

// The room of a topic "rooms/R" or "rooms/R/...", or nullopt.
std::optional<std::string_view> RoomOf(std::string_view topic);

// The room a topic is in, and the client's membership there, looked up at
// most once and only when a rule needs it.
class RoomContext {
 public:
  // Outside any room.
  RoomContext() = default;
  // In a room whose membership is already known.
  explicit RoomContext(Membership membership);
  // The room of `topic` (if any), asking `lookup` when needed. `lookup`
  // must outlive the context.
  RoomContext(std::string_view topic, const MembershipLookup* lookup);

  bool in_room() const { return in_room_; }
  const Membership& membership() const;

 private:
  bool in_room_ = false;
  std::string_view room_;
  const MembershipLookup* lookup_ = nullptr;
  mutable std::optional<Membership> membership_;
};

// True if `rule` applies to `subject` in `context` (roles and kinds; not
// the action or the topics).
bool RuleApplies(const Rule& rule, const Subject& subject, const RoomContext& context);
// True if `subject` has one of `roles` (empty: anyone) in `context`.
bool HasRole(const std::vector<std::string>& roles, const Subject& subject,
             const RoomContext& context);

struct Decision {
  bool allowed = false;
  int line = 0;              // the deciding rule's line; 0 when no rule applied
  std::string example;       // subscribe, refused: a topic of the filter that is refused
  bool too_complex = false;  // subscribe: the check ran out of steps (refused)
};

Decision CheckPublish(const RuleSet& rules, const Subject& subject, std::string_view topic,
                      const RoomContext& context);

// How many steps a subscription check may take before it gives up and
// refuses: a bound on pathological rule sets, far above what real ones use.
inline constexpr size_t kSubscribeCheckBudget = 20000;

Decision CheckSubscribe(const RuleSet& rules, const Subject& subject, std::string_view filter,
                        const MembershipLookup& lookup, size_t budget = kSubscribeCheckBudget);

// The index of the rate limit entry for a message in `context`, or -1 when
// none applies (unlimited).
int SelectRateLimit(const RuleSet& rules, const Subject& subject, const RoomContext& context);

}  // namespace plaza::permissions

#endif  // PLAZA_PLUGINS_PERMISSIONS_DECISION_H_
