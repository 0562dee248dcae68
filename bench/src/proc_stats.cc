// /proc readers for CPU and RSS; see proc_stats.h.
#include "proc_stats.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

namespace plaza::bench {

std::optional<double> ReadCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // The command name (field 2) is in parentheses and may hold spaces; the
  // fields after its closing parenthesis are plain. utime and stime are
  // fields 14 and 15, i.e. the 12th and 13th after "state".
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 1; i <= 13; ++i) {
    if (!(fields >> field)) return std::nullopt;
    if (i == 12) utime = std::stoull(field);
    if (i == 13) stime = std::stoull(field);
  }
  static const long ticks_per_second = sysconf(_SC_CLK_TCK);
  return static_cast<double>(utime + stime) / static_cast<double>(ticks_per_second);
}

std::optional<double> ReadHostBusySeconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  // user nice system idle iowait irq softirq steal
  unsigned long long fields[8] = {};
  if (!(in >> cpu) || cpu != "cpu") return std::nullopt;
  for (auto& field : fields) {
    if (!(in >> field)) return std::nullopt;
  }
  const unsigned long long busy =
      fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
  static const long ticks_per_second = sysconf(_SC_CLK_TCK);
  return static_cast<double>(busy) / static_cast<double>(ticks_per_second);
}

std::optional<long> ReadRssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return std::nullopt;
}

bool ProcessExists(pid_t pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

long RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return static_cast<long>(limit.rlim_cur);
}

}  // namespace plaza::bench
