// The rules file parser: yaml-cpp for the syntax, then every key checked by
// hand so a typo is refused with its line instead of silently ignored.
#include "rules_parser.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "yaml_checks.h"

namespace plaza::permissions {
namespace {

using yaml::LineOf;
using yaml::Names;
using yaml::Number;
using yaml::Refusal;
using yaml::Refuse;
using yaml::Scalar;
using yaml::Strings;

uint8_t Actions(const YAML::Node& node, int line) {
  uint8_t actions = 0;
  for (const std::string& action : Strings(node, line, "allow/deny")) {
    if (action == "publish") {
      actions |= kPublish;
    } else if (action == "subscribe") {
      actions |= kSubscribe;
    } else {
      Refuse(node, line, "unknown action '" + action + "' (publish, subscribe)");
    }
  }
  return actions;
}

Rule ParseRule(const YAML::Node& node, int fallback) {
  const int line = LineOf(node, fallback);
  if (!node.IsMap()) Refuse(node, line, "a rule must be a map (allow/deny, roles, kinds, topics)");
  Rule rule;
  rule.line = line;
  bool has_effect = false;
  for (const auto& item : node) {
    const std::string key = Scalar(item.first, line, "a key");
    const YAML::Node& value = item.second;
    const int key_line = LineOf(item.first, line);
    if (key == "allow" || key == "deny") {
      if (has_effect) Refuse(item.first, line, "a rule has either allow: or deny:, not both");
      has_effect = true;
      rule.allow = key == "allow";
      rule.actions = Actions(value, key_line);
    } else if (key == "roles") {
      rule.roles = Names(value, key_line, "roles");
    } else if (key == "kinds") {
      rule.kinds = Names(value, key_line, "kinds");
      for (const std::string& kind : rule.kinds) {
        if (IsReservedRole(kind))
          Refuse(value, key_line, "'" + kind + "' is a role, not a room kind");
      }
    } else if (key == "topics" || key == "topic") {
      if (value.IsSequence()) {
        for (const YAML::Node& topic : value) {
          if (topic.IsMap()) {
            Refuse(topic, key_line,
                   "a topic inside [brackets] reads as a map: quote it, as in "
                   "[\"rooms/{room}/join\"]");
          }
        }
      }
      for (const std::string& text : Strings(value, key_line, key)) {
        std::string error;
        std::optional<TopicPattern> pattern = TopicPattern::Parse(text, &error);
        if (!pattern) Refuse(value, key_line, error);
        rule.topics.push_back(std::move(*pattern));
      }
    } else {
      Refuse(item.first, line,
             "unknown rule key '" + key + "' (allow, deny, roles, kinds, topics)");
    }
  }
  if (!has_effect) Refuse(node, line, "a rule needs allow: or deny: (publish, subscribe or both)");
  if (rule.topics.empty()) Refuse(node, line, "a rule needs topics:");
  return rule;
}

RateLimit ParseRateLimit(const YAML::Node& node, int fallback) {
  const int line = LineOf(node, fallback);
  if (!node.IsMap())
    Refuse(node, line, "a rate limit must be a map (roles, messages_per_second...)");
  RateLimit limit;
  limit.line = line;
  bool messages_burst = false;
  bool bytes_burst = false;
  bool limited = false;
  for (const auto& item : node) {
    const std::string key = Scalar(item.first, line, "a key");
    const YAML::Node& value = item.second;
    const int key_line = LineOf(item.first, line);
    if (key == "roles") {
      limit.roles = Names(value, key_line, "roles");
    } else if (key == "unlimited") {
      limit.unlimited = yaml::Boolean(value, key_line, key);
    } else if (key == "messages_per_second") {
      limit.messages_per_second = Number(value, key_line, key);
      limited = true;
    } else if (key == "messages_burst") {
      limit.messages_burst = Number(value, key_line, key);
      messages_burst = limited = true;
    } else if (key == "bytes_per_second") {
      limit.bytes_per_second = Number(value, key_line, key);
      limited = true;
    } else if (key == "bytes_burst") {
      limit.bytes_burst = Number(value, key_line, key);
      bytes_burst = limited = true;
    } else if (key == "kick_after_seconds") {
      limit.kick_after_seconds = Number(value, key_line, key);
    } else {
      Refuse(item.first, line,
             "unknown rate limit key '" + key +
                 "' (roles, unlimited, messages_per_second, messages_burst, bytes_per_second, "
                 "bytes_burst, kick_after_seconds)");
    }
  }
  if (limit.unlimited && limited) {
    Refuse(node, line, "an unlimited entry takes no rates or bursts");
  }
  if (!limit.unlimited && !limited) {
    Refuse(node, line, "a rate limit needs messages_per_second or bytes_per_second (or unlimited)");
  }
  // One second's worth unless said otherwise.
  if (!messages_burst) limit.messages_burst = limit.messages_per_second;
  if (!bytes_burst) limit.bytes_burst = limit.bytes_per_second;
  if (limit.messages_per_second > 0 && limit.messages_burst < 1) {
    Refuse(node, line, "messages_burst must be at least 1 message");
  }
  if (limit.bytes_per_second > 0 && limit.bytes_burst < 1) {
    Refuse(node, line, "bytes_burst must be at least 1 byte");
  }
  return limit;
}

void AddUnique(std::vector<std::string>* to, const std::string& name) {
  if (std::find(to->begin(), to->end(), name) == to->end()) to->push_back(name);
}

RuleSet ParseRoot(const YAML::Node& root) {
  if (!root.IsDefined() || root.IsNull()) {
    throw Refusal{1,
                  "the file is empty (that would deny everything: write `rules: []` to mean it)"};
  }
  if (!root.IsMap()) Refuse(root, 1, "the file must be a map with rules: (and rate_limits:)");
  RuleSet set;
  bool has_rules = false;
  for (const auto& item : root) {
    const std::string key = Scalar(item.first, 1, "a key");
    const YAML::Node& value = item.second;
    const int line = LineOf(item.first, 1);
    if (key == "rules") {
      has_rules = true;
      if (value.IsNull()) continue;
      if (!value.IsSequence()) Refuse(value, line, "rules: must be a list");
      for (const YAML::Node& rule : value) set.rules.push_back(ParseRule(rule, line));
    } else if (key == "rate_limits") {
      if (value.IsNull()) continue;
      if (!value.IsSequence()) Refuse(value, line, "rate_limits: must be a list");
      for (const YAML::Node& limit : value) set.rate_limits.push_back(ParseRateLimit(limit, line));
    } else {
      Refuse(item.first, 1, "unknown key '" + key + "' (rules, rate_limits)");
    }
  }
  if (!has_rules) Refuse(root, 1, "no rules: list (write `rules: []` to deny everything)");
  for (const Rule& rule : set.rules) {
    for (const std::string& role : rule.roles) {
      if (!IsReservedRole(role)) AddUnique(&set.room_roles, role);
    }
    for (const std::string& kind : rule.kinds) AddUnique(&set.kinds, kind);
  }
  return set;
}

}  // namespace

std::optional<RuleSet> ParseRules(std::string_view yaml, std::string_view source,
                                  std::string* error) {
  std::optional<RuleSet> rules;
  if (!yaml::Guarded(yaml, source, error,
                     [&](const YAML::Node& root) { rules = ParseRoot(root); })) {
    return std::nullopt;
  }
  return rules;
}

std::optional<RuleSet> LoadRulesFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ":0: cannot read the file: " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    *error = path + ":0: cannot read the file";
    return std::nullopt;
  }
  return ParseRules(text.str(), path, error);
}

std::string Summary(const RuleSet& rules) {
  const auto allows = std::count_if(rules.rules.begin(), rules.rules.end(),
                                    [](const Rule& rule) { return rule.allow; });
  return std::to_string(rules.rules.size()) + " rules (" + std::to_string(allows) + " allow, " +
         std::to_string(rules.rules.size() - allows) + " deny), " +
         std::to_string(rules.rate_limits.size()) + " rate limits";
}

}  // namespace plaza::permissions
