// Debian's mosquitto_sub and mosquitto_pub for the integration tests, in
// either protocol version: a subscriber started in the background and
// waited for until its SUBACK has come (its -d output says so), and a
// publisher run to completion. Both talk to 127.0.0.1 on the given port.
#ifndef PLAZA_TESTS_BROKER_MOSQUITTO_CLI_H_
#define PLAZA_TESTS_BROKER_MOSQUITTO_CLI_H_

#include <cstdint>
#include <string>
#include <vector>

#include "broker_process.h"

namespace plaza::testing {

// mosquitto_sub -V `version` with `args` (topics, -F, -C, ...) and -d;
// returns once it is subscribed. Its output mixes -d lines and messages.
bool StartMosquittoSub(Command* sub, uint16_t port, const std::string& version,
                       const std::vector<std::string>& args, std::string* error);

// mosquitto_pub -V `version` with `args`, run to completion.
CommandResult MosquittoPub(uint16_t port, const std::string& version,
                           const std::vector<std::string>& args);

// How many times `needle` occurs in `text`.
size_t Occurrences(const std::string& text, const std::string& needle);

}  // namespace plaza::testing

#endif  // PLAZA_TESTS_BROKER_MOSQUITTO_CLI_H_
