// The subscription check: is every topic a filter can match allowed by the
// first subscribe rule that matches it?
//
// The topics a filter matches are infinitely many, but the rules only tell
// apart a finite number of cases. The check walks the topic space level by
// level: at each level a topic either ends, or goes on with one of the
// literals the rules still in play name there, or with any other value
// ("fresh", which only `+` and `#` match). Along the way it keeps the rules
// whose topic could still match, in file order, and stops a branch as soon
// as the first of them matches every topic left in it (allowed if that rule
// allows, refused if it denies) or none is left (refused: default deny).
//
// Which rules apply depends on the client's role in the topic's room, known
// once the walk has chosen the room level (rooms/<R>/): a named room is
// looked up; a "fresh" room (one no rule and not the filter names, where
// the client may hold any role) is tried with every role and kind the rules
// name, one role and kind they do not name, and as a visitor.
#include <algorithm>
#include <map>
#include <utility>

#include "decision.h"

namespace plaza::permissions {
namespace {

// A role and a kind no rule can name (names are [A-Za-z0-9_.:-]+): the
// stand-ins for "a role the rules do not mention".
constexpr std::string_view kUnnamed = "\x01";

// A subscribe rule's topic, bound to the client's values.
struct Entry {
  size_t rule = 0;
  std::vector<FilterLevel> levels;
  bool everything = false;  // a deny rule with an unusable value: matches all
};

// An entry still in play, and its position in its levels.
struct Active {
  const Entry* entry;
  size_t pos;
};

std::vector<FilterLevel> SplitFilter(std::string_view filter) {
  std::vector<FilterLevel> levels;
  size_t start = 0;
  while (true) {
    const size_t slash = filter.find('/', start);
    const std::string_view level =
        filter.substr(start, slash == std::string_view::npos ? slash : slash - start);
    FilterLevel out;
    if (level == "+") {
      out.kind = FilterLevel::Kind::kPlus;
    } else if (level == "#") {
      out.kind = FilterLevel::Kind::kHash;
    } else {
      out.text = std::string(level);
    }
    levels.push_back(std::move(out));
    if (slash == std::string_view::npos) return levels;
    start = slash + 1;
  }
}

bool IsDollar(const FilterLevel& level) {
  return level.kind == FilterLevel::Kind::kLiteral && level.text.starts_with('$');
}

class SubscribeWalk {
 public:
  SubscribeWalk(const RuleSet& rules, const Subject& subject, std::string_view filter,
                const MembershipLookup& lookup, size_t budget)
      : rules_(rules),
        subject_(subject),
        filter_(SplitFilter(filter)),
        lookup_(lookup),
        budget_(budget) {
    const Substitutions values = subject.values();
    for (size_t i = 0; i < rules.rules.size(); ++i) {
      const Rule& rule = rules.rules[i];
      if (!(rule.actions & kSubscribe)) continue;
      for (const TopicPattern& pattern : rule.topics) {
        std::optional<std::vector<FilterLevel>> levels = pattern.Bind(values);
        if (levels) {
          entries_.push_back(Entry{i, std::move(*levels), false});
        } else if (!rule.allow) {
          entries_.push_back(Entry{i, {}, true});
        }
      }
    }
  }

  Decision Run() {
    std::vector<Active> active;
    active.reserve(entries_.size());
    for (const Entry& entry : entries_) active.push_back({&entry, 0});
    if (Walk(0, 0, active, nullptr)) return {true, 0, {}, false};
    return refusal_;
  }

 private:
  const Rule& RuleOf(const Active& a) const { return rules_.rules[a.entry->rule]; }

  std::vector<Active> Applying(const std::vector<Active>& active, const RoomContext& context) {
    std::vector<Active> out;
    out.reserve(active.size());
    for (const Active& a : active) {
      if (RuleApplies(RuleOf(a), subject_, context)) out.push_back(a);
    }
    return out;
  }

  // Does the entry match every topic left in the filter from `fi`, at
  // topic depth `depth`?
  bool Covers(const Active& a, size_t fi, size_t depth) const {
    if (a.entry->everything) return true;
    const std::vector<FilterLevel>& p = a.entry->levels;
    size_t i = a.pos;
    size_t j = fi;
    for (size_t d = depth;; ++d, ++i, ++j) {
      if (i < p.size() && p[i].kind == FilterLevel::Kind::kHash) {
        // A leading wildcard does not reach "$..." topics.
        return !(d == 0 && j < filter_.size() && IsDollar(filter_[j]));
      }
      if (j == filter_.size()) return i == p.size();
      const FilterLevel& f = filter_[j];
      if (f.kind == FilterLevel::Kind::kHash || i == p.size()) return false;
      if (p[i].kind == FilterLevel::Kind::kPlus) {
        if (d == 0 && IsDollar(f)) return false;
        continue;
      }
      if (f.kind != FilterLevel::Kind::kLiteral || f.text != p[i].text) return false;
    }
  }

  // Does the entry match the topic that ends here?
  static bool MatchesEnd(const Active& a) {
    const std::vector<FilterLevel>& p = a.entry->levels;
    return a.entry->everything || a.pos == p.size() ||
           (a.pos + 1 == p.size() && p[a.pos].kind == FilterLevel::Kind::kHash);
  }

  // The entries that match a next level `value` (nullopt: a fresh value).
  static std::vector<Active> Advance(const std::vector<Active>& active,
                                     const std::optional<std::string>& value, size_t depth) {
    const bool dollar = depth == 0 && value && value->starts_with('$');
    std::vector<Active> out;
    for (const Active& a : active) {
      if (a.entry->everything) {
        out.push_back(a);
        continue;
      }
      const std::vector<FilterLevel>& p = a.entry->levels;
      if (a.pos == p.size()) continue;
      switch (p[a.pos].kind) {
        case FilterLevel::Kind::kHash:
          if (!dollar) out.push_back(a);
          break;
        case FilterLevel::Kind::kPlus:
          if (!dollar) out.push_back({a.entry, a.pos + 1});
          break;
        case FilterLevel::Kind::kLiteral:
          if (value && *value == p[a.pos].text) out.push_back({a.entry, a.pos + 1});
          break;
      }
    }
    return out;
  }

  // A topic of the filter below the path walked so far, for the log.
  std::string Example(size_t fi) const {
    std::vector<std::string> levels = path_;
    for (size_t j = fi; j < filter_.size(); ++j) {
      switch (filter_[j].kind) {
        case FilterLevel::Kind::kLiteral:
          levels.push_back(filter_[j].text);
          break;
        case FilterLevel::Kind::kPlus:
          levels.emplace_back("<any>");
          break;
        case FilterLevel::Kind::kHash:
          levels.emplace_back("<any>...");
          break;
      }
    }
    std::string topic;
    for (size_t i = 0; i < levels.size(); ++i) topic += (i ? "/" : "") + levels[i];
    return topic;
  }

  bool Refuse(size_t fi, int line) {
    refusal_ = {false, line, Example(fi), false};
    return false;
  }

  // Every topic of the filter from `fi` on, below the path walked so far,
  // is allowed. `context` is null until the topic's room is known.
  bool Walk(size_t depth, size_t fi, const std::vector<Active>& active,
            const RoomContext* context) {
    if (++steps_ > budget_) {
      refusal_ = {false, 0, Example(fi), true};
      return false;
    }
    if (context) {
      if (active.empty()) return Refuse(fi, 0);
      if (Covers(active.front(), fi, depth)) {
        return RuleOf(active.front()).allow || Refuse(fi, RuleOf(active.front()).line);
      }
    }
    // The topic ends here: "a" for the filter "a/#", or the filter's end.
    const bool filter_may_end =
        fi == filter_.size() ||
        (fi + 1 == filter_.size() && filter_[fi].kind == FilterLevel::Kind::kHash);
    if (depth >= 1 && filter_may_end) {
      // Without a context yet, the topic is "rooms": in no room.
      const std::vector<Active> ending = context ? active : Applying(active, RoomContext());
      auto first = std::find_if(ending.begin(), ending.end(), MatchesEnd);
      if (first == ending.end()) return Refuse(filter_.size(), 0);
      if (!RuleOf(*first).allow) return Refuse(filter_.size(), RuleOf(*first).line);
    }
    if (fi == filter_.size()) return true;
    const FilterLevel& f = filter_[fi];
    const size_t next_fi = f.kind == FilterLevel::Kind::kHash ? fi : fi + 1;
    // The values worth telling apart at this level.
    std::vector<std::optional<std::string>> values;
    if (f.kind == FilterLevel::Kind::kLiteral) {
      values.emplace_back(f.text);
    } else {
      if (depth == 0) values.emplace_back("rooms");
      for (const Active& a : active) {
        const std::vector<FilterLevel>& p = a.entry->levels;
        if (a.entry->everything || a.pos == p.size() ||
            p[a.pos].kind != FilterLevel::Kind::kLiteral) {
          continue;
        }
        const std::string& text = p[a.pos].text;
        if (depth == 0 && text.starts_with('$')) continue;  // out of a wildcard's reach
        if (std::find(values.begin(), values.end(), text) == values.end())
          values.emplace_back(text);
      }
      values.emplace_back(std::nullopt);  // any other value
    }
    for (const std::optional<std::string>& value : values) {
      const std::vector<Active> next = Advance(active, value, depth);
      path_.push_back(value ? *value : "<any>");
      bool ok = true;
      if (context) {
        ok = Walk(depth + 1, next_fi, next, context);
      } else if (depth == 0) {
        if (value && *value == "rooms") {
          ok = Walk(1, next_fi, next, nullptr);
        } else {
          const RoomContext outside;
          ok = Walk(1, next_fi, Applying(next, outside), &outside);
        }
      } else if (value) {
        const RoomContext room(Lookup(*value));
        ok = Walk(2, next_fi, Applying(next, room), &room);
      } else {
        for (const Membership& membership : UnnamedRoomMemberships()) {
          const RoomContext room(membership);
          ok = Walk(2, next_fi, Applying(next, room), &room);
          if (!ok) break;
        }
      }
      path_.pop_back();
      if (!ok) return false;
    }
    return true;
  }

  const Membership& Lookup(const std::string& room) {
    auto it = rooms_.find(room);
    if (it == rooms_.end()) {
      it = rooms_.emplace(room, lookup_ ? lookup_(room) : Membership{}).first;
    }
    return it->second;
  }

  // Every membership the client might have in a room nothing names.
  std::vector<Membership> UnnamedRoomMemberships() const {
    std::vector<std::string> roles = rules_.room_roles;
    roles.emplace_back(kUnnamed);
    std::vector<std::string> kinds = rules_.kinds;
    kinds.emplace_back(kUnnamed);
    kinds.emplace_back();
    std::vector<Membership> out{Membership{}};  // a visitor
    for (const std::string& role : roles) {
      for (const std::string& kind : kinds) out.push_back({role, kind});
    }
    return out;
  }

  const RuleSet& rules_;
  const Subject& subject_;
  const std::vector<FilterLevel> filter_;
  const MembershipLookup& lookup_;
  const size_t budget_;
  std::vector<Entry> entries_;
  std::map<std::string, Membership, std::less<>> rooms_;
  std::vector<std::string> path_;
  size_t steps_ = 0;
  Decision refusal_;
};

}  // namespace

Decision CheckSubscribe(const RuleSet& rules, const Subject& subject, std::string_view filter,
                        const MembershipLookup& lookup, size_t budget) {
  return SubscribeWalk(rules, subject, filter, lookup, budget).Run();
}

}  // namespace plaza::permissions
