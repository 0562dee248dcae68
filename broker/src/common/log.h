// The broker's log: one line per event on stderr, with a time stamp, a level
// and the thread, written with a single write() so lines from several worker
// threads never interleave. The level can change at run time (SIGHUP).
#ifndef PLAZA_BROKER_COMMON_LOG_H_
#define PLAZA_BROKER_COMMON_LOG_H_

#include <atomic>
#include <optional>
#include <sstream>
#include <string_view>

namespace plaza {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Parses "debug", "info", "warning" or "error".
std::optional<LogLevel> ParseLogLevel(std::string_view name);

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);

// Writes one line (a newline is added).
void WriteLog(LogLevel level, std::string_view text);

// Builds a line with operator<< and writes it when destroyed.
class LogLine {
 public:
  explicit LogLine(LogLevel level) : level_(level) {}
  ~LogLine() { WriteLog(level_, stream_.str()); }
  template <typename T>
  LogLine& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};

}  // namespace plaza

// Usage: PLAZA_LOG(kInfo) << "listening on " << address;
// The arguments are not evaluated when the level is disabled.
#define PLAZA_LOG(level)                              \
  if (!::plaza::LogEnabled(::plaza::LogLevel::level)) \
    ;                                                 \
  else                                                \
    ::plaza::LogLine(::plaza::LogLevel::level)

#endif  // PLAZA_BROKER_COMMON_LOG_H_
