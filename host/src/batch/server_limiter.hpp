#pragma once
// The --per-server cap of batch mode: at most N connections open at once to one host:port (the connect target,
// after --connect-to), whichever diagnosis and probe (configured or alternative) opens them.
//
// A diagnosis first reserves slots for all of its probes at once, all or nothing and in arrival order (so no
// two diagnoses each hold half of what the other needs, and a diagnosis needing two slots is not starved by
// ones needing one). Each probe's connection then takes one of its diagnosis's slots; a slot whose probes are
// done goes back at once. A connection beyond the reservation (a probe's second connection) waits for a free
// slot of its own.
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>

#include "maildoctor/connection_gate.hpp"

namespace maildoctor::batch {

class ServerLimiter : public ConnectionGate {
 public:
  explicit ServerLimiter(int per_server) : cap_(per_server < 1 ? 1 : per_server) {}
  bool acquire(const std::string& host, std::uint16_t port, const std::function<bool()>& stop) override;
  void release(const std::string& host, std::uint16_t port) override;
  std::unique_ptr<ConnectionGate> reserve(const std::vector<ServerTarget>& targets, const std::function<bool()>& stop) override;

  // The most slots one server had taken at once so far, and how many it has now (for the summary and tests).
  [[nodiscard]] int peak() const;
  [[nodiscard]] int open(const std::string& host, std::uint16_t port) const;
  [[nodiscard]] int cap() const { return cap_; }

  static std::string key(const std::string& host, std::uint16_t port);
  // Internal (the reservation): takes or gives back n slots of a key.
  void give_back(const std::string& key, int n);

 private:
  bool fits(const std::map<std::string, int>& want) const;
  const int cap_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::map<std::string, int> open_;  // only servers with a taken slot: bounded by the connections
  std::deque<const std::map<std::string, int>*> waiting_;  // reservations in arrival order
  int peak_ = 0;
};

}  // namespace maildoctor::batch
