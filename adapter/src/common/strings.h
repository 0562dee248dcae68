// Debian 12's Abseil was built before absl::string_view became an alias of
// std::string_view, so the two are different types there. AsAbsl bridges a
// std::string_view into Abseil's string functions.
#ifndef PLAZA_ADAPTER_COMMON_STRINGS_H_
#define PLAZA_ADAPTER_COMMON_STRINGS_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace plaza::adapter {

inline absl::string_view AsAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

}  // namespace plaza::adapter

#endif  // PLAZA_ADAPTER_COMMON_STRINGS_H_
