#include <cstdlib>

#include "diagnose/context.hpp"

namespace maildoctor::diagnose {
namespace {
// "3 years", "2 hours": the size of an offset in words a user recognises, to the nearest unit.
std::string duration_text(long seconds) {
  const long s = std::labs(seconds);
  auto unit = [](long n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); };
  auto near = [s](long size) { return (s + size / 2) / size; };  // to the nearest whole unit
  if (s >= 2L * 365 * 86400) return unit(near(365L * 86400), "year", "years");
  if (s >= 2L * 86400) return unit(near(86400), "day", "days");
  if (s >= 2L * 3600) return unit(near(3600), "hour", "hours");
  return unit(std::max(1L, near(60)), "minute", "minutes");
}

std::string local_iso(std::time_t t) {
  std::tm tm{};
#ifdef _WIN32
  gmtime_s(&tm, &t);
#else
  gmtime_r(&t, &tm);
#endif
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}
}  // namespace

void clock_findings(Context& ctx) {
  if (!ctx.clock) return;
  const ClockSkew& c = *ctx.clock;
  // The certificates bound the offset on one side only (a clock 3 years ahead and one 4 years ahead both make them
  // expired); a server's date measures it.
  const bool ahead = c.measured ? *c.measured > 0 : c.offset_min > 0;
  const long known = c.measured ? *c.measured : ahead ? c.offset_min : c.offset_max;
  Finding f;
  f.code = "config.clock_wrong";
  f.severity = Severity::error;
  f.subject = Subject::account;
  f.title = ahead ? "The clock of this computer is ahead" : "The clock of this computer is behind";
  const std::string amount = (c.measured ? "about " : "at least ") + duration_text(known);
  const bool by_date = c.measured.has_value();
  f.detail = std::string("This computer's date and time (") + local_iso(ctx.now) + ") are " + amount +
             (ahead ? " ahead" : " behind") + ": " +
             (by_date ? "the mail servers' own dates say so" : "every server certificate looks " +
                                                                    std::string(ahead ? "expired" : "not yet valid") +
                                                                    ", and one shift of the clock makes them all valid") +
             ". Thunderbird checks certificates against this clock, so it refuses sound servers. Set the correct date, "
             "time and time zone (best: set time automatically), then try again. The servers are not at fault.";
  f.params["ahead"] = ahead;
  // offset_seconds: local clock minus the servers', measured; otherwise only how far at least, as a size.
  if (c.measured) f.params["offset_seconds"] = *c.measured;
  else f.params["offset_at_least_seconds"] = std::labs(known);
  f.params["offset_text"] = amount;
  f.params["local_time"] = local_iso(ctx.now);
  f.params["basis"] = c.basis;
  f.params["hosts"] = c.hosts;
  Fix steps;
  steps.kind = "steps";
  steps.label = "Correct the clock";
  steps.steps = {"Open this computer's date and time settings.",
                 "Switch on \"Set time automatically\" (or set today's date, the time and the time zone by hand).",
                 "Restart Thunderbird and try again."};
  f.fixes.push_back(std::move(steps));
  ctx.add(std::move(f), 0);
}

}  // namespace maildoctor::diagnose
