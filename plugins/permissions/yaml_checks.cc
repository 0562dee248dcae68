// Line-carrying YAML checks; see yaml_checks.h.
#include "yaml_checks.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <utility>

namespace plaza::permissions::yaml {

int LineOf(const YAML::Node& node, int fallback) {
  const YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : fallback;
}

void Refuse(const YAML::Node& node, int fallback, std::string message) {
  throw Refusal{LineOf(node, fallback), std::move(message)};
}

std::string Scalar(const YAML::Node& node, int line, std::string_view what) {
  if (!node.IsScalar()) Refuse(node, line, std::string(what) + " must be a single value");
  return node.Scalar();
}

std::vector<std::string> Strings(const YAML::Node& node, int line, std::string_view what) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) out.push_back(Scalar(item, LineOf(node, line), what));
  } else {
    Refuse(node, line, std::string(what) + " must be a value or a list of values");
  }
  if (out.empty()) Refuse(node, line, std::string(what) + " must not be empty");
  return out;
}

bool ValidName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
           c == ':';
  });
}

std::vector<std::string> Names(const YAML::Node& node, int line, std::string_view what) {
  std::vector<std::string> names = Strings(node, line, what);
  for (const std::string& name : names) {
    if (!ValidName(name)) {
      Refuse(node, line,
             std::string(what) + ": '" + name +
                 "' is not a valid name (letters, digits, '_', '-', '.', ':')");
    }
  }
  return names;
}

double Number(const YAML::Node& node, int line, std::string_view what) {
  const std::string text = Scalar(node, line, what);
  double value = 0;
  try {
    value = node.as<double>();
  } catch (const YAML::Exception&) {
    Refuse(node, line, std::string(what) + " must be a number, not '" + text + "'");
  }
  if (!std::isfinite(value) || value < 0) {
    Refuse(node, line, std::string(what) + " must be a number >= 0, not '" + text + "'");
  }
  return value;
}

bool Boolean(const YAML::Node& node, int line, std::string_view what) {
  const std::string text = Scalar(node, line, what);
  try {
    return node.as<bool>();
  } catch (const YAML::Exception&) {
    Refuse(node, line, std::string(what) + " must be true or false, not '" + text + "'");
  }
}

}  // namespace plaza::permissions::yaml
