// Parses the room client's command line (see options.h and kUsage).
#include "options.h"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace room_client {

const char kUsage[] =
    "usage: room_client [options]\n"
    "Joins a Plaza room, prints its members, settings and the other members'\n"
    "poses, and sends its own avatar pose (docs/protocol.md).\n"
    "\n"
    "  --host HOST         broker host (127.0.0.1)\n"
    "  --port PORT         broker port (1883)\n"
    "  --token TOKEN       platform token, sent as the MQTT password\n"
    "                      (demo tokens: adapter/demo/demo_data.sql)\n"
    "  --user-id ID        your user id in the room's topics; by default the one\n"
    "                      the room's join reply names, else --user\n"
    "  --user NAME         MQTT user name; without the auth plugin it is also\n"
    "                      the user id\n"
    "  --name NAME         display name sent with the join\n"
    "  --room ROOM         room to join (world:1)\n"
    "  --rate HZ           poses sent per second (30; 0: none)\n"
    "  --claim ITEM        claim this item after joining and send its state\n"
    "                      while owning it\n"
    "  --duration SECONDS  leave and exit after this long (0: run until Ctrl-C)\n"
    "  --mqtt 5|3          protocol version: MQTT 5 (default) or 3.1.1\n"
    "  --client-id ID      MQTT client id (room_client-<pid>)\n"
    "  --help              this text\n";

namespace {

bool ToNumber(std::string_view text, double* value) {
  const std::string copy(text);
  char* end = nullptr;
  *value = std::strtod(copy.c_str(), &end);
  return !copy.empty() && end == copy.c_str() + copy.size();
}

}  // namespace

bool ParseOptions(int argc, char** argv, Options* options, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      options->help = true;
      return true;
    }
    if (i + 1 >= argc) {
      *error = "unknown option or missing value: " + std::string(flag);
      return false;
    }
    const std::string value = argv[++i];
    double number = 0;
    const bool numeric = ToNumber(value, &number);
    if (flag == "--host") {
      options->host = value;
    } else if (flag == "--port") {
      if (!numeric || number < 1 || number > 65535) {
        *error = "--port needs a port number, not '" + value + "'";
        return false;
      }
      options->port = static_cast<int>(number);
    } else if (flag == "--token") {
      options->token = value;
    } else if (flag == "--user") {
      options->user = value;
    } else if (flag == "--user-id") {
      options->user_id = value;
    } else if (flag == "--name") {
      options->display_name = value;
    } else if (flag == "--room") {
      options->room = value;
    } else if (flag == "--rate") {
      if (!numeric || number < 0 || number > 1000) {
        *error = "--rate needs 0 to 1000 poses per second, not '" + value + "'";
        return false;
      }
      options->rate = number;
    } else if (flag == "--claim") {
      options->claim = value;
    } else if (flag == "--duration") {
      if (!numeric || number < 0) {
        *error = "--duration needs seconds, not '" + value + "'";
        return false;
      }
      options->duration = number;
    } else if (flag == "--mqtt") {
      if (value != "5" && value != "3" && value != "3.1.1") {
        *error = "--mqtt is 5 or 3, not '" + value + "'";
        return false;
      }
      options->mqtt_version = value == "5" ? 5 : 3;
    } else if (flag == "--client-id") {
      options->client_id = value;
    } else {
      *error = "unknown option: " + std::string(flag);
      return false;
    }
  }
  if (options->token.empty() && options->user.empty() && options->user_id.empty()) {
    *error = "say who you are: --token TOKEN, or --user NAME without the auth plugin";
    return false;
  }
  if (options->client_id.empty()) {
    options->client_id = "room_client-" + std::to_string(static_cast<long>(getpid()));
  }
  return true;
}

}  // namespace room_client
