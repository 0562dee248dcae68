// plaza-permissions-check: validates permissions rules files without a
// broker, with the same parser the plugin uses. Exit 0 and a summary per
// file when every file is valid; exit 1 with "FILE:LINE: error" otherwise;
// exit 2 for a usage error.
#include <cstdio>
#include <cstring>
#include <string>

#include "rules_parser.h"

namespace {

constexpr const char* kUsage =
    "usage: plaza-permissions-check FILE...\n"
    "Checks permissions rules files (see docs/protocol.md) without starting the broker.\n"
    "Prints a summary of each valid file; exits 1 with FILE:LINE: error for the first\n"
    "invalid one.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--help") == 0) {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string error;
    const auto rules = plaza::permissions::LoadRulesFile(argv[i], &error);
    if (!rules) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
    std::printf("%s: ok: %s\n", argv[i], plaza::permissions::Summary(*rules).c_str());
  }
  return 0;
}
