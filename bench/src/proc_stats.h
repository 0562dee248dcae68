// What the bench reads from /proc about a process: CPU time (utime + stime
// from /proc/PID/stat) and resident memory (VmRSS from /proc/PID/status).
// Used for the broker given with --broker-pid, and for the bench itself so a
// run can tell when the load generator, not the broker, was the bottleneck;
// /proc/stat tells when other processes were competing for the CPUs.
#ifndef PLAZA_BENCH_PROC_STATS_H_
#define PLAZA_BENCH_PROC_STATS_H_

#include <sys/types.h>

#include <optional>

namespace plaza::bench {

// CPU time the process has used so far (user + system), in seconds.
std::optional<double> ReadCpuSeconds(pid_t pid);

// CPU time all processes on the machine have used so far (the busy fields
// of /proc/stat, summed over CPUs), in seconds. Minus the broker's and the
// bench's own, it tells whether something else competed during a run.
std::optional<double> ReadHostBusySeconds();

// Resident set size in KiB.
std::optional<long> ReadRssKib(pid_t pid);

// True when a process with that id exists.
bool ProcessExists(pid_t pid);

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
long RaiseFileLimit();

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_PROC_STATS_H_
