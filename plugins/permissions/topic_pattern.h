// A rule's topic filter with placeholders ({user}, {client}, {username},
// {room}), parsed once when the rules file is read. It knows how to match a
// topic with a client's values filled in, and how to bind those values into
// plain filter levels for the subscription check. A value that contains `+`,
// `#` or `/` (or is empty) is unusable: it never turns into a wildcard or an
// extra level, so it can never widen a rule.
#ifndef PLAZA_PLUGINS_PERMISSIONS_TOPIC_PATTERN_H_
#define PLAZA_PLUGINS_PERMISSIONS_TOPIC_PATTERN_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plaza::permissions {

// The values a pattern's placeholders stand for, for one client.
struct Substitutions {
  std::string_view user;                     // {user}
  std::string_view client;                   // {client}
  std::optional<std::string_view> username;  // {username}; absent without one
};

// True if `value` may stand in a topic level: not empty, and no `+`, `#`,
// `/` or NUL.
bool UsableValue(std::string_view value);

// One level of a filter after binding: a literal, `+` or `#`.
struct FilterLevel {
  enum class Kind { kLiteral, kPlus, kHash };
  Kind kind = Kind::kLiteral;
  std::string text;  // kLiteral only
};

class TopicPattern {
 public:
  enum class Var { kUser, kClient, kUsername };

  // Parses `text` (a topic filter, placeholders allowed as described in
  // docs/protocol.md). nullopt with *error set when it is malformed.
  static std::optional<TopicPattern> Parse(std::string_view text, std::string* error);

  const std::string& text() const { return text_; }
  // True if a placeholder other than {room} occurs (the pattern depends on
  // the client).
  bool has_values() const { return has_values_; }

  // Whether `topic` matches with `values` filled in. An unusable value
  // makes the result `unusable` instead (the caller decides what that means
  // for its rule).
  enum class Match { kNo, kYes, kUnusable };
  Match MatchTopic(std::string_view topic, const Substitutions& values) const;

  // The filter levels with `values` filled in; nullopt if a value is
  // unusable.
  std::optional<std::vector<FilterLevel>> Bind(const Substitutions& values) const;

 private:
  struct Part {
    std::string text;      // when !is_var
    Var var = Var::kUser;  // when is_var
    bool is_var = false;
  };
  struct Level {
    enum class Kind { kLiteral, kPlus, kHash, kTemplate };
    Kind kind = Kind::kLiteral;
    std::string literal;
    std::vector<Part> parts;  // kTemplate
  };

  static std::optional<std::string_view> ValueOf(Var var, const Substitutions& values);
  // Whether the template `parts` spells `level`; nullopt for an unusable value.
  static std::optional<bool> TemplateMatches(const std::vector<Part>& parts,
                                             const Substitutions& values, std::string_view level);

  std::string text_;
  std::vector<Level> levels_;
  bool has_values_ = false;
};

}  // namespace plaza::permissions

#endif  // PLAZA_PLUGINS_PERMISSIONS_TOPIC_PATTERN_H_
