#pragma once
// What the probes say about this computer's clock: certificates that only a shifted clock makes valid, and the
// dates servers write into their greetings. Pure functions over the evidence, so they can be tested on their own.
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "maildoctor/evidence.hpp"

namespace maildoctor::diagnose {

// offset = local clock - true time, in seconds: positive when this computer is ahead.
struct ClockSkew {
  long offset_min = 0;  // the offsets the evidence allows; with a server's date both are that measurement
  long offset_max = 0;
  std::optional<long> measured;        // from a server's date
  std::vector<std::string> basis;      // "certificates", "server_date"
  std::vector<std::string> hosts;      // the servers whose certificates or dates say so
  // The certificate would be in its validity window on the corrected clock.
  [[nodiscard]] bool explains(const CertInfo& leaf, std::time_t now) const;
};

// A wrong clock needs more than one witness, so that one server's expired certificate stays the server's fault:
// at least two different certificates all outside their windows that one shift of the clock puts inside all of
// them, or a server's date more than 5 minutes off that another server's date or certificate confirms. No
// certificate that is fine today may turn bad on the corrected clock.
std::optional<ClockSkew> clock_skew(const Evidence& evidence, std::time_t now);

// "2026-11-25T12:00:00Z" (CertInfo's form) as seconds since the epoch, UTC.
std::optional<std::time_t> parse_iso_utc(const std::string& text);
// The RFC 5322 date-time some servers put into their greeting ("Mon, 7 Dec 2026 23:57:30 +0000"), UTC.
std::optional<std::time_t> date_in_text(const std::string& text);

inline constexpr long kClockTolerance = 5 * 60;

}  // namespace maildoctor::diagnose
