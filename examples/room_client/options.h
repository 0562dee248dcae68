// The room client's command line: what each flag means and its default, in
// one place, so main.cc and the README agree on them.
#ifndef PLAZA_EXAMPLES_ROOM_CLIENT_OPTIONS_H_
#define PLAZA_EXAMPLES_ROOM_CLIENT_OPTIONS_H_

#include <string>

namespace room_client {

struct Options {
  std::string host = "127.0.0.1";
  int port = 1883;
  // The platform token, sent as the MQTT password (the auth plugin checks it).
  std::string token;
  // The MQTT user name. Without the auth plugin it is the user id.
  std::string user;
  // Who this client is in the room's topics (rooms/R/pose/<user_id>), if
  // given: overrides the user id the join reply names (MQTT 5). Empty: the
  // reply's, else (no such property) the user name.
  std::string user_id;
  // Sent in the JoinRequest; used only when nothing else names the user.
  std::string display_name;
  std::string room = "world:1";
  // Poses sent per second.
  double rate = 30;
  // An item to claim after joining ("" for none).
  std::string claim;
  // Seconds to run before leaving (0: until Ctrl-C).
  double duration = 0;
  // 5 or 3 (MQTT 3.1.1).
  int mqtt_version = 5;
  std::string client_id;
  bool help = false;
};

// The --help text.
extern const char kUsage[];

// Reads argv into *options; false with *error saying what is wrong.
bool ParseOptions(int argc, char** argv, Options* options, std::string* error);

}  // namespace room_client

#endif  // PLAZA_EXAMPLES_ROOM_CLIENT_OPTIONS_H_
