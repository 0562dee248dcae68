// plaza-permissions-check: a valid file gets a summary and exit 0, a bad one
// its FILE:LINE: error and exit 1, with no broker running.
#include <gtest/gtest.h>

#include <string>

#include "broker_process.h"

namespace plaza::testing {
namespace {

TEST(PermissionsCheckToolTest, TheShippedRulesAreValid) {
  const CommandResult result = RunCommand({PLAZA_PERMISSIONS_CHECK, PLAZA_DEFAULT_RULES});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            std::string(PLAZA_DEFAULT_RULES) + ": ok: 10 rules (8 allow, 2 deny), 3 rate limits\n");
}

TEST(PermissionsCheckToolTest, ABadFileIsRefusedWithItsLine) {
  TempDir dir;
  const std::string good = dir.WriteFile("good.yaml", "rules: []\n");
  const std::string bad = dir.WriteFile("bad.yaml",
                                        "rules:\n"
                                        "  - allow: publish\n"
                                        "    roles: [moderator]\n"
                                        "    topic: rooms/{room}/{nobody}\n");
  const CommandResult result = RunCommand({PLAZA_PERMISSIONS_CHECK, good, bad});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, good + ": ok: 0 rules (0 allow, 0 deny), 0 rate limits\n");
  EXPECT_EQ(result.err, bad +
                            ":4: unknown placeholder {nobody} (known: {user}, {client}, "
                            "{username}, {room})\n");
}

TEST(PermissionsCheckToolTest, AMissingFileAndNoFileAreErrors) {
  const CommandResult missing = RunCommand({PLAZA_PERMISSIONS_CHECK, "/nonexistent.yaml"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent.yaml:0: cannot read the file"), std::string::npos);
  const CommandResult usage = RunCommand({PLAZA_PERMISSIONS_CHECK});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("usage: plaza-permissions-check FILE"), std::string::npos);
}

}  // namespace
}  // namespace plaza::testing
