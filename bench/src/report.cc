// Formatting of run results; see report.h.
#include "report.h"

#include <cstdarg>
#include <cstdio>
#include <iterator>

namespace plaza::bench {
namespace {

std::string Format(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string Format(const char* format, ...) {
  char buffer[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  return buffer;
}

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// Error text as one token: spaces become underscores, at most 200 chars.
std::string Token(const std::string& text) {
  std::string token = text.substr(0, 200);
  for (char& c : token) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '=') c = '_';
  }
  return token.empty() ? "-" : token;
}

std::string Tags(const Options& options) {
  std::string tags;
  for (const auto& tag : options.tags) tags += " " + tag;
  return tags;
}

std::string Rate(double rate) { return Format("%.6g", rate); }

// event: the audience's rate in this run (it keeps its ratio to --rate).
double AudienceRate(const Options& options, const RunResult& r) {
  return r.rate * options.audience_rate / options.rate;
}

// event: "; stage: ... ; audience: ..." for the human line.
std::string StreamsHuman(const RunResult& r) {
  static constexpr const char* kNames[] = {"stage->all", "audience->policy"};
  std::string line;
  for (size_t s = 0; s < std::size(r.streams); ++s) {
    const StreamStats& stream = r.streams[s];
    line += Format(
        "\n  %s: %.0f msg/s; sent %llu/%llu; expected %llu delivered %llu lost %llu (%.3f%%); "
        "latency ms p50 %.3f p99 %.3f",
        kNames[s], static_cast<double>(stream.delivered) / r.duration,
        static_cast<unsigned long long>(stream.measured_sent),
        static_cast<unsigned long long>(stream.target),
        static_cast<unsigned long long>(stream.expected),
        static_cast<unsigned long long>(stream.delivered),
        static_cast<unsigned long long>(stream.lost()), stream.loss_fraction() * 100,
        Ms(stream.latency.Percentile(0.5)), Ms(stream.latency.Percentile(0.99)));
  }
  line += Format("\n  unexpected deliveries (the policy should have dropped them): %llu",
                 static_cast<unsigned long long>(r.unexpected));
  return line;
}

// event: the streams' RESULT keys, stage_* and audience_*.
std::string StreamsResult(const Options& options, const RunResult& r) {
  static constexpr const char* kPrefixes[] = {"stage", "audience"};
  std::string line = Format(" audience_rate=%s", Rate(AudienceRate(options, r)).c_str());
  for (size_t s = 0; s < std::size(r.streams); ++s) {
    const StreamStats& stream = r.streams[s];
    const char* p = kPrefixes[s];
    line += Format(
        " %s_sent=%llu %s_expected=%llu %s_delivered=%llu %s_lost=%llu %s_loss_pct=%.4f"
        " %s_msg_s=%.0f %s_p50_ms=%.3f %s_p99_ms=%.3f",
        p, static_cast<unsigned long long>(stream.measured_sent), p,
        static_cast<unsigned long long>(stream.expected), p,
        static_cast<unsigned long long>(stream.delivered), p,
        static_cast<unsigned long long>(stream.lost()), p, stream.loss_fraction() * 100, p,
        static_cast<double>(stream.delivered) / r.duration, p, Ms(stream.latency.Percentile(0.5)),
        p, Ms(stream.latency.Percentile(0.99)));
  }
  line += Format(" unexpected=%llu", static_cast<unsigned long long>(r.unexpected));
  return line;
}

}  // namespace

std::string HumanLine(const Options& options, const RunResult& r) {
  const bool event = options.scenario == Scenario::kEvent;
  std::string line = Format("%s qos%d %s @%s/s", ScenarioName(options.scenario), options.qos,
                            r.shape.c_str(), Rate(r.rate).c_str());
  if (event) line += Format(" (audience @%s/s)", Rate(AudienceRate(options, r)).c_str());
  if (!r.completed) return line + ": FAILED: " + r.error;
  line +=
      Format(": %.0f msg/s delivered; sent %llu/%llu", r.delivered_per_s,
             static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.target));
  if (r.unsent > 0) line += Format(" (%llu unsent)", static_cast<unsigned long long>(r.unsent));
  line +=
      Format("; expected %llu delivered %llu lost %llu (%.3f%%) ooo %llu",
             static_cast<unsigned long long>(r.expected),
             static_cast<unsigned long long>(r.delivered), static_cast<unsigned long long>(r.lost),
             r.loss_fraction() * 100, static_cast<unsigned long long>(r.out_of_order));
  line +=
      Format("; latency ms p50 %.3f p99 %.3f p99.9 %.3f max %.3f", Ms(r.latency.Percentile(0.5)),
             Ms(r.latency.Percentile(0.99)), Ms(r.latency.Percentile(0.999)), Ms(r.latency.max()));
  if (r.broker_cpu_pct >= 0) line += Format("; broker cpu %.0f%%", r.broker_cpu_pct);
  if (r.broker_us_per_msg() >= 0) line += Format(" (%.2f us/msg)", r.broker_us_per_msg());
  if (r.broker_rss_kib >= 0) line += Format(" rss %.1f MiB", r.broker_rss_kib / 1024.0);
  line += Format("; bench cpu %.0f%%", r.bench_cpu_pct);
  // One bench thread per core: near 100% the generator, not the broker, may
  // be what limits the figures.
  if (r.bench_cpu_pct > 90 * options.threads) line += " (bench near saturation)";
  if (r.other_cpu_pct >= 0) {
    line += Format("; other cpu %.0f%%%s", r.other_cpu_pct,
                   r.disturbed() ? " (machine busy: figures disturbed)" : "");
  }
  if (r.disconnects > 0) {
    line += Format("; %llu disconnects (%s)", static_cast<unsigned long long>(r.disconnects),
                   r.error.c_str());
  }
  if (r.foreign > 0) line += Format("; %llu foreign", static_cast<unsigned long long>(r.foreign));
  if (event) line += StreamsHuman(r);
  return line;
}

std::string ResultLine(const Options& options, const char* mode, const RunResult& r,
                       const std::string& extra) {
  std::string line = Format("RESULT scenario=%s mode=%s qos=%d payload=%d %s rate=%s duration_s=%g",
                            ScenarioName(options.scenario), mode, options.qos, options.payload,
                            r.shape.c_str(), Rate(r.rate).c_str(), r.duration);
  if (r.completed) {
    line += Format(
        " target=%llu sent=%llu unsent=%llu expected=%llu delivered=%llu lost=%llu loss_pct=%.4f"
        " ooo=%llu foreign=%llu disconnects=%llu msg_s=%.0f",
        static_cast<unsigned long long>(r.target), static_cast<unsigned long long>(r.sent),
        static_cast<unsigned long long>(r.unsent), static_cast<unsigned long long>(r.expected),
        static_cast<unsigned long long>(r.delivered), static_cast<unsigned long long>(r.lost),
        r.loss_fraction() * 100, static_cast<unsigned long long>(r.out_of_order),
        static_cast<unsigned long long>(r.foreign), static_cast<unsigned long long>(r.disconnects),
        r.delivered_per_s);
    line += Format(" p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f",
                   Ms(r.latency.Percentile(0.5)), Ms(r.latency.Percentile(0.99)),
                   Ms(r.latency.Percentile(0.999)), Ms(r.latency.max()));
    line += r.broker_cpu_pct >= 0 ? Format(" broker_cpu_pct=%.1f", r.broker_cpu_pct)
                                  : std::string(" broker_cpu_pct=-");
    line += r.broker_rss_kib >= 0 ? Format(" broker_rss_kib=%ld", r.broker_rss_kib)
                                  : std::string(" broker_rss_kib=-");
    line += r.broker_us_per_msg() >= 0 ? Format(" broker_us_per_msg=%.3f", r.broker_us_per_msg())
                                       : std::string(" broker_us_per_msg=-");
    line += Format(" bench_cpu_pct=%.1f", r.bench_cpu_pct);
    line += r.other_cpu_pct >= 0 ? Format(" other_cpu_pct=%.1f", r.other_cpu_pct)
                                 : std::string(" other_cpu_pct=-");
    if (options.scenario == Scenario::kEvent) line += StreamsResult(options, r);
  }
  if (!extra.empty()) line += " " + extra;
  line += r.completed ? " status=ok" : " status=error error=" + Token(r.error);
  return line + Tags(options);
}

std::string StormHumanLine(const RunResult& r) {
  std::string line = Format("storm %s", r.shape.c_str());
  if (!r.completed) return line + ": FAILED: " + r.error;
  line += Format(": %.0f connects/s (%.3f s); connect ms p50 %.3f p99 %.3f max %.3f",
                 r.connect_per_s, r.duration, Ms(r.connect_latency.Percentile(0.5)),
                 Ms(r.connect_latency.Percentile(0.99)), Ms(r.connect_latency.max()));
  if (r.rss_per_connection_kib >= 0) {
    line += Format("; broker rss %.1f -> %.1f MiB, %.2f KiB per idle connection",
                   r.broker_rss_before_kib / 1024.0, r.broker_rss_kib / 1024.0,
                   r.rss_per_connection_kib);
  }
  if (r.broker_cpu_s_per_1k >= 0) {
    line += Format("; broker cpu %.3f s per 1000 connects", r.broker_cpu_s_per_1k);
  }
  if (r.bench_rss_kib >= 0) line += Format("; bench rss %.1f MiB", r.bench_rss_kib / 1024.0);
  if (r.other_cpu_pct >= 0) {
    line += Format("; other cpu %.0f%%%s", r.other_cpu_pct,
                   r.disturbed() ? " (machine busy: figures disturbed)" : "");
  }
  if (r.disconnects > 0) {
    line += Format("; %llu disconnects (%s)", static_cast<unsigned long long>(r.disconnects),
                   r.error.c_str());
  }
  return line;
}

std::string StormResultLine(const Options& options, const RunResult& r) {
  std::string line = Format("RESULT scenario=storm mode=fixed %s", r.shape.c_str());
  if (r.completed) {
    line += Format(" connect_s=%.3f connect_per_s=%.0f connect_p50_ms=%.3f connect_p99_ms=%.3f",
                   r.duration, r.connect_per_s, Ms(r.connect_latency.Percentile(0.5)),
                   Ms(r.connect_latency.Percentile(0.99)));
    auto number = [](const char* key, double value, const char* format) {
      return value >= 0 ? Format(" %s=", key) + Format(format, value) : Format(" %s=-", key);
    };
    line += number("broker_rss_before_kib", static_cast<double>(r.broker_rss_before_kib), "%.0f");
    line += number("broker_rss_kib", static_cast<double>(r.broker_rss_kib), "%.0f");
    line += number("rss_per_conn_kib", r.rss_per_connection_kib, "%.2f");
    line += number("broker_cpu_s_per_1k", r.broker_cpu_s_per_1k, "%.4f");
    line += number("bench_rss_kib", static_cast<double>(r.bench_rss_kib), "%.0f");
    line += Format(
        " disconnects=%llu pings=%llu pongs=%llu", static_cast<unsigned long long>(r.disconnects),
        static_cast<unsigned long long>(r.pings), static_cast<unsigned long long>(r.pongs));
    line += number("other_cpu_pct", r.other_cpu_pct, "%.1f");
  }
  line += r.completed ? " status=ok" : " status=error error=" + Token(r.error);
  return line + Tags(options);
}

}  // namespace plaza::bench
