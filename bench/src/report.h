// How results are printed: one human-readable line per run, and one
// "RESULT key=value ..." line that bench/compare.sh (or anything else)
// parses. Values never contain spaces; absent figures are "-".
#ifndef PLAZA_BENCH_REPORT_H_
#define PLAZA_BENCH_REPORT_H_

#include <string>

#include "options.h"
#include "run.h"

namespace plaza::bench {

// "fanout qos0 pubs=1 subs=1000 @100/s: ..." for a publishing run.
std::string HumanLine(const Options& options, const RunResult& result);
std::string StormHumanLine(const RunResult& result);

// The RESULT line. `extra` (already "key=value ...") goes after the figures.
std::string ResultLine(const Options& options, const char* mode, const RunResult& result,
                       const std::string& extra);
std::string StormResultLine(const Options& options, const RunResult& result);

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_REPORT_H_
