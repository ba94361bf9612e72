#pragma once
// Lockout safety of batch mode: one credentialed attempt per (user name, server) per batch, never two at once,
// and, across runs, a minimum interval per account kept in a small state file of fingerprints.
#include <condition_variable>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "maildoctor/request.hpp"

namespace maildoctor::batch {

// One login a request would make: a non-secret fingerprint of (user name, server) and the server, for messages.
struct LoginKey {
  std::string fingerprint;  // hex SHA-256 of the lower-cased user name and host:port; no password goes in
  std::string server;       // host:port, or "servers of DOMAIN" when discovery will find them
  bool operator==(const LoginKey& o) const { return fingerprint == o.fingerprint; }
};

// The logins a request would make, sorted and without repeats; empty when it would log in nowhere.
std::vector<LoginKey> login_keys(const Request& request);

// A finished answer kept for the lines that reuse it: the result JSON text and how the summary counts it.
struct KeptResult {
  std::string result_json;
  std::string verdict;
  std::string cause;
};

// Which line runs a login and which lines wait for or reuse its answer. Thread-safe.
class LockoutBook {
 public:
  explicit LockoutBook(std::size_t results_kept = 64) : results_kept_(results_kept) {}

  struct Decision {
    enum class Kind {
      run,       // first line with these logins: it runs
      follow,    // the same logins are running now: this id is answered when they finish
      reuse,     // the same logins already ran: their result (null when no longer kept) is the answer
      conflict,  // some of these logins ran or run for a line with other logins: not tried again
    } kind = Kind::run;
    std::string leader;                          // the id of the line that runs (ran) the logins
    std::string server;                          // conflict: the server both lines log in to
    std::shared_ptr<const KeptResult> result;  // reuse: the leader's result, when still kept
  };
  Decision admit(const std::vector<LoginKey>& keys, const std::string& id);

  // The leader's run ended with result_text (null: no result, e.g. an internal error). Returns the followers.
  std::vector<std::string> finish(const std::string& leader, std::shared_ptr<const KeptResult> result_text);

  // Blocks while more than `limit` lines wait for a running leader (keeps memory bounded by the jobs).
  void wait_for_room(std::size_t limit);

 private:
  struct Entry {
    std::string leader;
    std::vector<std::string> fingerprints;
    bool done = false;
    std::vector<std::string> followers;
    std::shared_ptr<const KeptResult> result;
  };
  const std::size_t results_kept_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> by_fingerprint_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> running_;  // by leader id
  std::deque<std::shared_ptr<Entry>> kept_;                          // done entries that still hold a result
  std::size_t following_ = 0;
};

// --min-interval-per-account: when each (user name, server) fingerprint last had a login, kept between runs in a
// JSON file that holds fingerprints and times only. Thread-safe.
class AccountIntervals {
 public:
  AccountIntervals(std::string path, double min_interval_s) : path_(std::move(path)), min_interval_s_(min_interval_s) {}
  // A missing file is an empty history; false with why when the file exists and cannot be read.
  bool load(std::string& why);
  // The key tried most recently within the interval, with its age in seconds.
  struct Recent {
    LoginKey key;
    double age_s = 0;
  };
  std::optional<Recent> too_recent(const std::vector<LoginKey>& keys, std::time_t now) const;
  void record(const std::vector<LoginKey>& keys, std::time_t now);
  // Writes the history (entries older than the interval are dropped), atomically by rename.
  bool save(std::string& why);

 private:
  std::string path_;
  double min_interval_s_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::time_t> last_;
};

}  // namespace maildoctor::batch
