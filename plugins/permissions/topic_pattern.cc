// Parsing and matching of rule topic patterns; see topic_pattern.h.
#include "topic_pattern.h"

#include <utility>

namespace plaza::permissions {
namespace {

std::vector<std::string_view> SplitLevels(std::string_view text) {
  std::vector<std::string_view> levels;
  size_t start = 0;
  while (true) {
    const size_t slash = text.find('/', start);
    if (slash == std::string_view::npos) {
      levels.push_back(text.substr(start));
      return levels;
    }
    levels.push_back(text.substr(start, slash - start));
    start = slash + 1;
  }
}

}  // namespace

bool UsableValue(std::string_view value) {
  return !value.empty() && value.find_first_of(std::string_view("+#/\0", 4)) == std::string::npos;
}

std::optional<TopicPattern> TopicPattern::Parse(std::string_view text, std::string* error) {
  if (text.empty()) {
    *error = "empty topic filter";
    return std::nullopt;
  }
  if (text.find('\0') != std::string_view::npos) {
    *error = "topic filter contains a NUL character";
    return std::nullopt;
  }
  TopicPattern pattern;
  pattern.text_ = std::string(text);
  const std::vector<std::string_view> levels = SplitLevels(text);
  for (size_t i = 0; i < levels.size(); ++i) {
    const std::string_view level = levels[i];
    Level out;
    if (level == "#") {
      if (i + 1 != levels.size()) {
        *error = "'#' must be the last level of '" + std::string(text) + "'";
        return std::nullopt;
      }
      out.kind = Level::Kind::kHash;
    } else if (level == "+") {
      out.kind = Level::Kind::kPlus;
    } else if (level.find_first_of("+#") != std::string_view::npos) {
      *error = "'+' and '#' must fill a whole level in '" + std::string(text) + "'";
      return std::nullopt;
    } else if (level == "{room}") {
      if (i != 1 || levels[0] != "rooms") {
        *error = "{room} may only be the second level of a topic under rooms/ (rooms/{room}/...)";
        return std::nullopt;
      }
      // The room of the topic itself: the rule's roles and kinds are those
      // of that room, so any room value matches here.
      out.kind = Level::Kind::kPlus;
    } else if (level.find_first_of("{}") == std::string_view::npos) {
      out.kind = Level::Kind::kLiteral;
      out.literal = std::string(level);
    } else {
      out.kind = Level::Kind::kTemplate;
      size_t at = 0;
      while (at < level.size()) {
        const size_t open = level.find('{', at);
        const size_t stray = level.find('}', at);
        if (stray < open) {
          *error = "unmatched '}' in '" + std::string(text) + "'";
          return std::nullopt;
        }
        if (open == std::string_view::npos) {
          out.parts.push_back(Part{std::string(level.substr(at)), Var::kUser, false});
          break;
        }
        if (open > at) {
          out.parts.push_back(Part{std::string(level.substr(at, open - at)), Var::kUser, false});
        }
        const size_t close = level.find('}', open);
        if (close == std::string_view::npos) {
          *error = "unmatched '{' in '" + std::string(text) + "'";
          return std::nullopt;
        }
        const std::string_view name = level.substr(open + 1, close - open - 1);
        Part part;
        part.is_var = true;
        if (name == "user") {
          part.var = Var::kUser;
        } else if (name == "client") {
          part.var = Var::kClient;
        } else if (name == "username") {
          part.var = Var::kUsername;
        } else if (name == "room") {
          *error = "{room} must fill the whole second level: rooms/{room}/...";
          return std::nullopt;
        } else {
          *error = "unknown placeholder {" + std::string(name) +
                   "} (known: {user}, {client}, {username}, {room})";
          return std::nullopt;
        }
        out.parts.push_back(std::move(part));
        pattern.has_values_ = true;
        at = close + 1;
      }
    }
    pattern.levels_.push_back(std::move(out));
  }
  return pattern;
}

std::optional<std::string_view> TopicPattern::ValueOf(Var var, const Substitutions& values) {
  std::optional<std::string_view> value;
  switch (var) {
    case Var::kUser:
      value = values.user;
      break;
    case Var::kClient:
      value = values.client;
      break;
    case Var::kUsername:
      value = values.username;
      break;
  }
  if (!value || !UsableValue(*value)) return std::nullopt;
  return value;
}

std::optional<bool> TopicPattern::TemplateMatches(const std::vector<Part>& parts,
                                                  const Substitutions& values,
                                                  std::string_view level) {
  bool matches = true;
  size_t at = 0;
  for (const Part& part : parts) {
    std::string_view piece = part.text;
    if (part.is_var) {
      const std::optional<std::string_view> value = ValueOf(part.var, values);
      if (!value) return std::nullopt;  // unusable, whatever the topic
      piece = *value;
    }
    if (matches && level.substr(at, piece.size()) == piece) {
      at += piece.size();
    } else {
      matches = false;
    }
  }
  return matches && at == level.size();
}

TopicPattern::Match TopicPattern::MatchTopic(std::string_view topic,
                                             const Substitutions& values) const {
  // Every value is checked, even past a mismatch: whether a rule is usable
  // for a client must not depend on the topic.
  bool matches = true;
  size_t start = 0;
  bool ended = false;  // the topic has no level left
  for (size_t i = 0; i < levels_.size(); ++i) {
    const Level& level = levels_[i];
    if (level.kind == Level::Kind::kHash) {
      // A leading wildcard does not match "$..." topics [MQTT-4.7.2-1].
      if (i == 0 && topic.starts_with('$')) matches = false;
      break;
    }
    std::string_view piece;
    if (ended) {
      matches = false;
    } else {
      const size_t slash = topic.find('/', start);
      piece = topic.substr(start, slash == std::string_view::npos ? slash : slash - start);
      if (slash == std::string_view::npos) {
        ended = true;
      } else {
        start = slash + 1;
      }
    }
    switch (level.kind) {
      case Level::Kind::kPlus:
        if (i == 0 && piece.starts_with('$')) matches = false;
        break;
      case Level::Kind::kLiteral:
        if (piece != level.literal) matches = false;
        break;
      case Level::Kind::kTemplate: {
        const std::optional<bool> ok = TemplateMatches(level.parts, values, piece);
        if (!ok) return Match::kUnusable;
        if (!*ok) matches = false;
        break;
      }
      case Level::Kind::kHash:
        break;
    }
    if (i + 1 == levels_.size() && !ended) matches = false;  // the topic is longer
  }
  return matches ? Match::kYes : Match::kNo;
}

std::optional<std::vector<FilterLevel>> TopicPattern::Bind(const Substitutions& values) const {
  std::vector<FilterLevel> out;
  out.reserve(levels_.size());
  for (const Level& level : levels_) {
    FilterLevel bound;
    switch (level.kind) {
      case Level::Kind::kLiteral:
        bound.text = level.literal;
        break;
      case Level::Kind::kPlus:
        bound.kind = FilterLevel::Kind::kPlus;
        break;
      case Level::Kind::kHash:
        bound.kind = FilterLevel::Kind::kHash;
        break;
      case Level::Kind::kTemplate:
        for (const Part& part : level.parts) {
          if (!part.is_var) {
            bound.text += part.text;
            continue;
          }
          const std::optional<std::string_view> value = ValueOf(part.var, values);
          if (!value) return std::nullopt;
          bound.text += *value;
        }
        break;
    }
    out.push_back(std::move(bound));
  }
  return out;
}

}  // namespace plaza::permissions
