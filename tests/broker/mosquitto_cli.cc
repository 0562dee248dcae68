// The command lines of mosquitto_sub and mosquitto_pub.
#include "mosquitto_cli.h"

namespace plaza::testing {

bool StartMosquittoSub(Command* sub, uint16_t port, const std::string& version,
                       const std::vector<std::string>& args, std::string* error) {
  // Line-buffered, so its -d lines reach the pipe as they are printed.
  std::vector<std::string> argv = {"stdbuf",    "-oL", "mosquitto_sub",      "-d", "-h",
                                   "127.0.0.1", "-p",  std::to_string(port), "-V", version};
  argv.insert(argv.end(), args.begin(), args.end());
  if (!sub->Start(argv, error)) return false;
  if (!sub->WaitForOutput("received SUBACK")) {
    *error = "mosquitto_sub got no SUBACK: " + sub->out() + sub->err();
    return false;
  }
  return true;
}

CommandResult MosquittoPub(uint16_t port, const std::string& version,
                           const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"mosquitto_pub",      "-h", "127.0.0.1", "-p",
                                   std::to_string(port), "-V", version};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++count;
  }
  return count;
}

}  // namespace plaza::testing
