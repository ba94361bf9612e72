#pragma once
// What a batch has answered so far: counts per verdict and per cause, for the progress bar and the summary.
// Ids only: no request content, no server text, never a password.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "maildoctor/result.hpp"

namespace maildoctor::batch {

// The cause a result is counted under: the first error finding's code, else the verdict's own word.
std::string cause_of(const Result& result);

class Tally {
 public:
  static constexpr std::size_t kExampleIds = 5;
  struct Snapshot {
    std::size_t done = 0, ok = 0, problem = 0, inconclusive = 0, errors = 0, reused = 0, skipped = 0;
    std::optional<std::size_t> total;
    double seconds = 0;
  };

  Tally() : start_(std::chrono::steady_clock::now()) {}
  void set_total(std::size_t lines) {
    std::lock_guard lock(mutex_);
    total_ = lines;
  }
  void result(const std::string& id, const std::string& verdict, const std::string& cause, bool reused);
  void error(const std::string& id, const std::string& cause);
  void skipped();
  [[nodiscard]] Snapshot snapshot() const;
  // Exit status of CONTRACT section 4: 0 when every line was answered "ok", else 1.
  [[nodiscard]] int exit_status() const;

  [[nodiscard]] nlohmann::json to_json(int peak_per_server) const;
  [[nodiscard]] std::string table() const;

 private:
  struct Cause {
    std::size_t count = 0;
    std::vector<std::string> ids;
  };
  void add_cause(const std::string& cause, const std::string& id);
  std::chrono::steady_clock::time_point start_;
  mutable std::mutex mutex_;
  Snapshot counts_;
  std::optional<std::size_t> total_;
  std::map<std::string, Cause> causes_;
};

// One progress line, e.g. "[######....] 120/1000 12.3/s ETA 1m12s | ok 50 problem 60 inconclusive 5 errors 5".
std::string progress_text(const Tally::Snapshot& s, std::size_t width = 24);

}  // namespace maildoctor::batch
