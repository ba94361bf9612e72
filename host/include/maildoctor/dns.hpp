#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "maildoctor/evidence.hpp"

namespace maildoctor::dns {

// Every lookup of one diagnosis goes to the same servers: empty means the system's resolv.conf,
// otherwise c-ares' "ADDR[:PORT],..." form (the CLI's --dns-servers).
struct Resolver {
  std::string servers;
};

using Deadline = std::chrono::steady_clock::time_point;

// Empty when servers is a usable Resolver::servers value (c-ares accepts it), else a sentence saying why not.
std::string check_servers(const std::string& servers);

// A and AAAA of a host. An IP literal is returned as it is, without a lookup.
DnsEvidence resolve_host(const Resolver&, const std::string& host, Deadline deadline);

struct MxRecord {
  std::string host;
  int preference = 0;
};
struct MxLookup {
  DnsEvidence::Status status = DnsEvidence::Status::skipped;
  std::vector<MxRecord> records;  // sorted by preference
  std::string error;
};
MxLookup lookup_mx(const Resolver&, const std::string& domain, Deadline deadline);

struct SrvRecord {
  std::string target;  // "." means the service is explicitly not offered (RFC 6186 section 3.4)
  std::uint16_t port = 0;
  int priority = 0;
  int weight = 0;
};
struct SrvLookup {
  DnsEvidence::Status status = DnsEvidence::Status::skipped;
  std::vector<SrvRecord> records;  // sorted by priority, then weight descending
  std::string error;
};
// name is the full owner name, e.g. "_imaps._tcp.example.com".
SrvLookup lookup_srv(const Resolver&, const std::string& name, Deadline deadline);

}  // namespace maildoctor::dns
