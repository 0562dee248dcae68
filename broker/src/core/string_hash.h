// A transparent string hash so maps keyed by std::string can be searched with
// a std::string_view without building a temporary string on the hot path.
#ifndef PLAZA_BROKER_CORE_STRING_HASH_H_
#define PLAZA_BROKER_CORE_STRING_HASH_H_

#include <functional>
#include <string>
#include <string_view>

namespace plaza::broker {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  size_t operator()(const std::string& s) const { return std::hash<std::string_view>{}(s); }
};

// Splits the first topic level off `rest`: returns it and leaves in `rest`
// what follows the '/', setting `last` when there was no '/'.
inline std::string_view NextLevel(std::string_view* rest, bool* last) {
  const size_t slash = rest->find('/');
  std::string_view level;
  if (slash == std::string_view::npos) {
    level = *rest;
    *rest = {};
    *last = true;
  } else {
    level = rest->substr(0, slash);
    rest->remove_prefix(slash + 1);
    *last = false;
  }
  return level;
}

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_STRING_HASH_H_
