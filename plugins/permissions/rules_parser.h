// Reads a permissions rules file (YAML; the format is in docs/protocol.md,
// the shipped default in config/permissions.yaml) into a RuleSet. Every
// refusal names the place: "FILE:LINE: what is wrong", so an operator (or
// plaza-permissions-check) can go straight to it.
#ifndef PLAZA_PLUGINS_PERMISSIONS_RULES_PARSER_H_
#define PLAZA_PLUGINS_PERMISSIONS_RULES_PARSER_H_

#include <optional>
#include <string>
#include <string_view>

#include "rule_set.h"

namespace plaza::permissions {

// Parses `yaml`; `source` names it in errors (usually the file's path).
// nullopt with *error set ("SOURCE:LINE: ...") when it is refused.
std::optional<RuleSet> ParseRules(std::string_view yaml, std::string_view source,
                                  std::string* error);

// Reads and parses the file at `path`.
std::optional<RuleSet> LoadRulesFile(const std::string& path, std::string* error);

// "N rules (A allow, D deny), M rate limits": for logs and the checker.
std::string Summary(const RuleSet& rules);

}  // namespace plaza::permissions

#endif  // PLAZA_PLUGINS_PERMISSIONS_RULES_PARSER_H_
