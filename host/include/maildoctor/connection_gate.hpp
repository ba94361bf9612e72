#pragma once
// What a diagnosis and its probes ask before they open connections, so that a caller running many diagnoses at
// once (batch mode) can cap the connections open to one server. A single diagnosis has none.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace maildoctor {

struct ServerTarget {
  std::string host;  // the host connected to (after --connect-to), as the probe names it
  std::uint16_t port = 0;
};

class ConnectionGate {
 public:
  virtual ~ConnectionGate() = default;
  // Blocks until one more connection to host:port may be opened; false when stop() turned true first.
  virtual bool acquire(const std::string& host, std::uint16_t port, const std::function<bool()>& stop) = 0;
  // The connection acquired for host:port is closed.
  virtual void release(const std::string& host, std::uint16_t port) = 0;
  // Before a diagnosis starts its probes: slots for all of their connections at once (one entry per probe), so
  // that probes that need each other (TLS and STARTTLS to one port: the silent one is stopped when the other
  // gets a certificate) run side by side, never one holding a slot the other waits for. The diagnosis's probes
  // use the gate returned; null when stop() turned true first.
  virtual std::unique_ptr<ConnectionGate> reserve(const std::vector<ServerTarget>& targets, const std::function<bool()>& stop) = 0;
};

// One acquired connection slot, given back when it goes out of scope.
class ConnectionPermit {
 public:
  ConnectionPermit(ConnectionGate* gate, std::string host, std::uint16_t port) : gate_(gate), host_(std::move(host)), port_(port) {}
  ConnectionPermit(const ConnectionPermit&) = delete;
  ConnectionPermit& operator=(const ConnectionPermit&) = delete;
  ~ConnectionPermit() {
    if (gate_) gate_->release(host_, port_);
  }

 private:
  ConnectionGate* gate_;
  std::string host_;
  std::uint16_t port_;
};

}  // namespace maildoctor
