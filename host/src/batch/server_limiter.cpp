#include "batch/server_limiter.hpp"

#include <algorithm>
#include <cctype>

namespace maildoctor::batch {

namespace {

// A cancelled diagnosis has no way to notify the limiter: its stop condition is polled.
constexpr auto kStopPoll = std::chrono::milliseconds(50);

// The slots one diagnosis reserved, handed to its probes one connection at a time.
class Reservation : public ConnectionGate {
 public:
  struct Slots {
    int expected = 0;  // connections of the plan not yet closed
    int held = 0;      // slots taken from the limiter for them
    int in_use = 0;
  };
  Reservation(ServerLimiter& parent, std::map<std::string, Slots> slots) : parent_(parent), slots_(std::move(slots)) {}
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  ~Reservation() override {
    for (const auto& [k, s] : slots_)
      if (s.held > 0) parent_.give_back(k, s.held);
  }

  bool acquire(const std::string& host, std::uint16_t port, const std::function<bool()>& stop) override {
    const std::string k = ServerLimiter::key(host, port);
    {
      std::lock_guard lock(mutex_);
      auto it = slots_.find(k);
      if (it != slots_.end() && it->second.in_use < it->second.held) {
        ++it->second.in_use;
        return true;
      }
    }
    // Not planned, or a probe's second connection: a slot of its own.
    if (!parent_.acquire(host, port, stop)) return false;
    std::lock_guard lock(mutex_);
    ++borrowed_[k];
    return true;
  }

  void release(const std::string& host, std::uint16_t port) override {
    const std::string k = ServerLimiter::key(host, port);
    int surplus = 0;
    {
      std::lock_guard lock(mutex_);
      if (auto b = borrowed_.find(k); b != borrowed_.end() && b->second > 0) {
        --b->second;
        surplus = 1;
      } else if (auto it = slots_.find(k); it != slots_.end() && it->second.in_use > 0) {
        Slots& s = it->second;
        --s.in_use;
        s.expected = std::max(0, s.expected - 1);
        // Slots no remaining connection of the plan needs go back now, not when the whole diagnosis ends.
        surplus = std::max(0, s.held - std::max(s.expected, s.in_use));
        s.held -= surplus;
      }
    }
    if (surplus > 0) parent_.give_back(k, surplus);
  }

  std::unique_ptr<ConnectionGate> reserve(const std::vector<ServerTarget>& targets, const std::function<bool()>& stop) override {
    return parent_.reserve(targets, stop);
  }

 private:
  ServerLimiter& parent_;
  std::mutex mutex_;
  std::map<std::string, Slots> slots_;
  std::map<std::string, int> borrowed_;
};

}  // namespace

std::string ServerLimiter::key(const std::string& host, std::uint16_t port) {
  std::string k = host;
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return k + "\n" + std::to_string(port);
}

bool ServerLimiter::acquire(const std::string& host, std::uint16_t port, const std::function<bool()>& stop) {
  const std::string k = key(host, port);
  std::unique_lock lock(mutex_);
  for (;;) {
    auto it = open_.find(k);
    const int now = it == open_.end() ? 0 : it->second;
    if (now < cap_) {
      open_[k] = now + 1;
      peak_ = std::max(peak_, now + 1);
      return true;
    }
    if (stop && stop()) return false;
    freed_.wait_for(lock, kStopPoll);
  }
}

void ServerLimiter::release(const std::string& host, std::uint16_t port) { give_back(key(host, port), 1); }

void ServerLimiter::give_back(const std::string& k, int n) {
  {
    std::lock_guard lock(mutex_);
    auto it = open_.find(k);
    if (it == open_.end()) return;
    it->second -= n;
    if (it->second <= 0) open_.erase(it);
  }
  freed_.notify_all();
}

bool ServerLimiter::fits(const std::map<std::string, int>& want) const {
  for (const auto& [k, n] : want) {
    const auto it = open_.find(k);
    if ((it == open_.end() ? 0 : it->second) + n > cap_) return false;
  }
  return true;
}

std::unique_ptr<ConnectionGate> ServerLimiter::reserve(const std::vector<ServerTarget>& targets, const std::function<bool()>& stop) {
  std::map<std::string, Reservation::Slots> slots;
  for (const auto& t : targets) ++slots[key(t.host, t.port)].expected;
  std::map<std::string, int> want;
  for (auto& [k, s] : slots) {
    s.held = std::min(s.expected, cap_);
    want[k] = s.held;
  }
  std::unique_lock lock(mutex_);
  waiting_.push_back(&want);
  auto leave = [&] {
    waiting_.erase(std::find(waiting_.begin(), waiting_.end(), &want));
    freed_.notify_all();
  };
  for (;;) {
    // First come, first served among the reservations that share a server.
    bool earlier_conflict = false;
    for (const auto* w : waiting_) {
      if (w == &want) break;
      for (const auto& entry : *w)
        if (want.count(entry.first)) earlier_conflict = true;
      if (earlier_conflict) break;
    }
    if (!earlier_conflict && fits(want)) {
      for (const auto& [k, n] : want) {
        if (n == 0) continue;
        const int now = open_[k] += n;
        peak_ = std::max(peak_, now);
      }
      leave();
      return std::make_unique<Reservation>(*this, std::move(slots));
    }
    if (stop && stop()) {
      leave();
      return nullptr;
    }
    freed_.wait_for(lock, kStopPoll);
  }
}

int ServerLimiter::peak() const {
  std::lock_guard lock(mutex_);
  return peak_;
}

int ServerLimiter::open(const std::string& host, std::uint16_t port) const {
  std::lock_guard lock(mutex_);
  auto it = open_.find(key(host, port));
  return it == open_.end() ? 0 : it->second;
}

}  // namespace maildoctor::batch
