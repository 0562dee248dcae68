// Unit tests of plaza-bench's command line for the event scenario
// (src/options.h): its defaults, its flags and the values it refuses.
#include "options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace plaza::bench {
namespace {

// Parses `args` (without the program name); false on refusal or --help.
bool Parse(std::vector<std::string> args, Options* options, int* exit_code) {
  args.insert(args.begin(), "plaza-bench");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return ParseOptions(static_cast<int>(argv.size()), argv.data(), options, exit_code);
}

TEST(BenchOptions, EventDefaults) {
  Options options;
  int exit_code = -1;
  ASSERT_TRUE(Parse({"event"}, &options, &exit_code));
  EXPECT_EQ(exit_code, 0);
  EXPECT_EQ(options.scenario, Scenario::kEvent);
  EXPECT_STREQ(ScenarioName(options.scenario), "event");
  EXPECT_EQ(options.performers, 2);
  EXPECT_EQ(options.audience, 500);
  EXPECT_EQ(options.rate, 30);  // the event's own default
  EXPECT_EQ(options.start_rate, 30);
  EXPECT_EQ(options.audience_rate, 10);
  EXPECT_EQ(options.room, "event:bench");
  EXPECT_EQ(options.policy, DeliveryPolicy::kNeighbourhood);
  EXPECT_EQ(options.neighbourhood_size, 50);
}

TEST(BenchOptions, OtherScenariosKeepTheirRate) {
  Options options;
  int exit_code = -1;
  ASSERT_TRUE(Parse({"fanout"}, &options, &exit_code));
  EXPECT_EQ(options.rate, 10);
}

TEST(BenchOptions, EventFlags) {
  Options options;
  int exit_code = -1;
  ASSERT_TRUE(
      Parse({"event", "--performers", "4", "--audience=1000", "--rate", "20", "--audience-rate",
             "2.5", "--room", "event:7", "--policy", "all", "--neighbourhood-size", "25"},
            &options, &exit_code));
  EXPECT_EQ(options.performers, 4);
  EXPECT_EQ(options.audience, 1000);
  EXPECT_EQ(options.rate, 20);
  EXPECT_EQ(options.audience_rate, 2.5);
  EXPECT_EQ(options.room, "event:7");
  EXPECT_EQ(options.policy, DeliveryPolicy::kAll);
  EXPECT_EQ(options.neighbourhood_size, 25);
}

TEST(BenchOptions, EventRefusals) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"event", "--policy", "some"},
           {"event", "--room", "a/b"},
           {"event", "--room", "+"},
           {"event", "--room", ""},
           {"event", "--neighbourhood-size", "0"},
           {"event", "--audience", "-1"},
           {"event", "--audience-rate", "0"},
           {"event", "--performers", "0", "--audience", "0"},
       }) {
    Options options;
    int exit_code = -1;
    EXPECT_FALSE(Parse(args, &options, &exit_code)) << args[1] << " " << args[2];
    EXPECT_EQ(exit_code, 2);
  }
}

}  // namespace
}  // namespace plaza::bench
