// Small helpers for reading YAML by hand with yaml-cpp so that every
// refusal carries the line it is about: the rules file and the plugin's
// own configuration both use them.
#ifndef PLAZA_PLUGINS_PERMISSIONS_YAML_CHECKS_H_
#define PLAZA_PLUGINS_PERMISSIONS_YAML_CHECKS_H_

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

namespace plaza::permissions::yaml {

// A refusal at a line (1-based); thrown by the helpers, caught once by the
// parser and turned into "SOURCE:LINE: message".
struct Refusal {
  int line;
  std::string message;
};

// The node's line, or `fallback` for a node without a mark (a missing one).
int LineOf(const YAML::Node& node, int fallback);
[[noreturn]] void Refuse(const YAML::Node& node, int fallback, std::string message);

// A single value.
std::string Scalar(const YAML::Node& node, int line, std::string_view what);
// A value or a non-empty list of values.
std::vector<std::string> Strings(const YAML::Node& node, int line, std::string_view what);
// The same, each a name: letters, digits, '_', '-', '.', ':'.
std::vector<std::string> Names(const YAML::Node& node, int line, std::string_view what);
bool ValidName(std::string_view name);
// A finite number >= 0.
double Number(const YAML::Node& node, int line, std::string_view what);
bool Boolean(const YAML::Node& node, int line, std::string_view what);

// Runs `parse` on the YAML `text`; a Refusal or a yaml-cpp error becomes
// *error = "SOURCE:LINE: message" and false.
template <typename Parse>
bool Guarded(std::string_view text, std::string_view source, std::string* error, Parse parse) {
  try {
    parse(YAML::Load(std::string(text)));
    return true;
  } catch (const Refusal& refusal) {
    *error = std::string(source) + ":" + std::to_string(refusal.line) + ": " + refusal.message;
  } catch (const YAML::Exception& e) {
    // Syntax errors carry the mark of the offending character.
    *error = std::string(source) + ":" + std::to_string(e.mark.line >= 0 ? e.mark.line + 1 : 1) +
             ": " + e.msg;
    if (e.msg.find("flow") != std::string::npos) {
      *error += " (a '{' or '}' inside [brackets] must be quoted: [\"rooms/{room}/join\"])";
    }
  }
  return false;
}

}  // namespace plaza::permissions::yaml

#endif  // PLAZA_PLUGINS_PERMISSIONS_YAML_CHECKS_H_
