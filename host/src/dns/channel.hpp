#pragma once
#include <ares.h>

#include <string>

#include "maildoctor/dns.hpp"

namespace maildoctor::dns::detail {

// One c-ares channel per lookup: channels are not shared between threads, so concurrent probes never contend.
class Channel {
 public:
  Channel(const Resolver& resolver, Deadline deadline);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Empty when the channel is usable; otherwise why not (bad --dns-servers, out of memory ...).
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] ares_channel get() const { return channel_; }

  // Drives the queries until *done becomes true or the deadline passes. On the deadline every pending query
  // is cancelled (its callback runs with ARES_ECANCELLED) and false is returned.
  bool run_until(const bool* done);

 private:
  ares_channel channel_ = nullptr;
  Deadline deadline_;
  std::string error_;
};

// A sentence for a c-ares status, naming the cause the user can act on.
std::string describe_status(int status);

// NXDOMAIN and "no records of that type" are answers; everything else means the resolver could not tell.
DnsEvidence::Status status_for(int ares_status);

int elapsed_ms(std::chrono::steady_clock::time_point since);

}  // namespace maildoctor::dns::detail
