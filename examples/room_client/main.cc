// room_client: an example member of a Plaza room (docs/protocol.md). Run
// `room_client --help`; examples/room_client/README.md shows it with the
// platform, and run_two.sh lets two of them meet.
#include <csignal>
#include <iostream>

#include "options.h"
#include "room_client.h"

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer builds: Debian's Paho C and C++ libraries are not built
// with -fsanitize=thread, so TSan cannot see their atomic reference counts
// (a token Paho's thread completes, then drops, looks like a race with our
// thread that waited on it and frees it) and Paho C++ 1.2.0 takes its two
// locks in both orders (paho.mqtt.cpp issues #356, #481). Each entry names
// a Paho function or library only.
extern "C" const char* __tsan_default_suppressions() {
  return "deadlock:libpaho-mqtt3as.so\n"
         "race:mqtt::token::~token\n"
         "race:mqtt::async_client::remove_token\n"
         "race:mqtt::token::on_success\n"
         "race:mqtt::token::on_failure\n";
}
#endif

namespace {

std::atomic<bool> stop_requested{false};

void RequestStop(int) { stop_requested = true; }

}  // namespace

int main(int argc, char** argv) {
  room_client::Options options;
  std::string error;
  if (!room_client::ParseOptions(argc, argv, &options, &error)) {
    std::cerr << "room_client: " << error << "\n\n" << room_client::kUsage;
    return 1;
  }
  if (options.help) {
    std::cout << room_client::kUsage;
    return 0;
  }
  // Ctrl-C (and kill) leave the room cleanly instead of dropping out: the
  // others see "left" at once instead of after the grace period.
  std::signal(SIGINT, RequestStop);
  std::signal(SIGTERM, RequestStop);

  room_client::RoomClient client(std::move(options));
  return client.Run(stop_requested);
}
