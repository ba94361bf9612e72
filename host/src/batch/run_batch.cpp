#include "batch/run_batch.hpp"

#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>
#include <unordered_set>

#include "batch/batch_line.hpp"
#include "batch/line_reader.hpp"
#include "batch/lockout.hpp"
#include "batch/server_limiter.hpp"
#include "batch/tally.hpp"

namespace maildoctor::batch {

namespace {

constexpr int kExitUsage = 2;
constexpr auto kProgressInterval = std::chrono::milliseconds(250);
constexpr auto kStateSaveInterval = std::chrono::seconds(2);
// Lines that wait for a running line with the same logins, per job: beyond that, reading pauses.
constexpr std::size_t kFollowersPerJob = 4;

const char* const kCauseInput = "input error";
const char* const kCauseConflict = "not tried: login already tried in this batch";
const char* const kCauseInterval = "not tried: --min-interval-per-account";
const char* const kCauseSame = "not tried: same login as an earlier line";
const char* const kCauseInternal = "internal error";

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::string result_line(const nlohmann::json& id, const std::string* same_as, const std::string& result_json) {
  std::string s = "{\"id\":" + dump(id);
  if (same_as) s += ",\"same_as\":" + dump(*same_as);
  return s + ",\"result\":" + result_json + "}";
}

std::size_t id_hash(const std::string& id) { return std::hash<std::string>{}(id); }

// The ids an earlier output answered with a result (error lines are tried again).
bool answered_ids(const std::string& path, std::unordered_set<std::size_t>& ids, std::string& why) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    why = "--resume: cannot read \"" + path + "\"";
    return false;
  }
  LineReader reader(f);
  while (auto line = reader.next()) {
    if (line->kind != InputLine::Kind::text) continue;
    const auto j = nlohmann::json::parse(line->text, nullptr, false);
    if (!j.is_object() || !j.contains("result")) continue;  // also a last line cut short by a crash
    const auto id = j.find("id");
    if (id != j.end() && id->is_string()) ids.insert(id_hash(id->get<std::string>()));
  }
  return true;
}

// Lines in a regular file, for "done/total"; nothing for a pipe.
std::optional<std::size_t> count_lines(const std::string& path) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  std::ifstream f(path, std::ios::binary);
  std::size_t lines = 0;
  char buf[65536];
  char last = '\n';
  while (f.read(buf, sizeof buf) || f.gcount() > 0) {
    for (std::streamsize i = 0; i < f.gcount(); ++i)
      if (buf[i] == '\n') ++lines;
    last = buf[f.gcount() - 1];
  }
  return lines + (last != '\n' ? 1 : 0);
}

struct Task {
  nlohmann::json id;
  std::string id_text;
  std::size_t line = 0;
  Request request;
  bool leader = false;  // holds logins in the lockout book: its followers are answered when it ends
};

class Batch {
 public:
  Batch(const BatchSettings& s, std::ostream& out, std::ostream& err, const Diagnose& diagnose)
      : s_(s), out_(out), err_(err), diagnose_(diagnose), limiter_(std::make_shared<ServerLimiter>(s.per_server)),
        book_(64) {}

  bool prepare(std::string& why) {
    if (!s_.resume.empty() && !answered_ids(s_.resume, resumed_, why)) return false;
    if (s_.min_interval_s) {
      std::error_code ec;
      const auto dir = std::filesystem::path(s_.state).parent_path();
      if (!dir.empty()) std::filesystem::create_directories(dir, ec);
      intervals_.emplace(s_.state, *s_.min_interval_s);
      if (!intervals_->load(why)) {
        why = "--state: " + why;
        return false;
      }
    }
    return true;
  }

  void set_total(std::optional<std::size_t> total) {
    if (total) tally_.set_total(*total);
  }

  void run(std::istream& in, bool progress) {
    const int jobs = std::max(1, s_.jobs);
    std::vector<std::thread> workers;
    for (int i = 0; i < jobs; ++i) workers.emplace_back([this] { work(); });
    std::thread bar;
    if (progress) bar = std::thread([this] { show_progress(); });

    LineReader reader(in);
    while (auto line = reader.next()) dispatch(*line, static_cast<std::size_t>(jobs));
    {
      std::lock_guard lock(queue_mutex_);
      closed_ = true;
    }
    queue_changed_.notify_all();
    for (auto& w : workers) w.join();
    finished_ = true;
    if (bar.joinable()) bar.join();
    if (progress) err_ << "\r\033[K" << std::flush;
    save_state(true);
  }

  void report(const std::string& summary_path, bool& summary_ok) {
    err_ << tally_.table() << std::flush;
    summary_ok = true;
    if (summary_path.empty()) return;
    std::ofstream f(summary_path, std::ios::binary | std::ios::trunc);
    f << tally_.to_json(limiter_->peak()).dump(2) << "\n";
    if (!f.flush()) {
      err_ << "maildoctor: --summary: cannot write \"" << summary_path << "\"\n";
      summary_ok = false;
    }
  }

  int exit_status() const { return tally_.exit_status(); }

 private:
  void write(const std::string& text) {
    std::lock_guard lock(out_mutex_);
    out_ << text << '\n' << std::flush;
  }

  void error(const nlohmann::json& id, std::size_t line, const RequestError& e, const char* cause) {
    write(error_line(id, line, e));
    tally_.error(id.is_string() ? id.get<std::string>() : "line " + std::to_string(line), cause);
  }

  void dispatch(InputLine& line, std::size_t jobs) {
    BatchLine b = read_batch_line(line);
    if (b.id.is_string()) {
      const std::string id = b.id.get<std::string>();
      const bool first = seen_.insert(id_hash(id)).second;
      if (!first) return error(b.id, line.number, {"id", "\"id\" was already used by an earlier line"}, kCauseInput);
      if (resumed_.count(id_hash(id))) return tally_.skipped();
    }
    if (b.error) return error(b.id, line.number, *b.error, kCauseInput);

    Task t;
    t.id = b.id;
    t.id_text = b.id.get<std::string>();
    t.line = line.number;
    t.request = std::move(*b.request);
    apply_common_options(t.request);

    const auto keys = login_keys(t.request);
    if (!keys.empty()) {
      const std::time_t now = std::time(nullptr);
      if (intervals_) {
        if (auto recent = intervals_->too_recent(keys, now)) {
          return error(t.id, t.line,
                       {"account", "a login to " + recent->key.server + " with this user name was made " +
                                       std::to_string(static_cast<long>(recent->age_s)) +
                                       " s ago; --min-interval-per-account asks for " +
                                       std::to_string(static_cast<long>(*s_.min_interval_s)) + " s: not tried"},
                       kCauseInterval);
        }
      }
      book_.wait_for_room(kFollowersPerJob * jobs);
      const auto d = book_.admit(keys, t.id_text);
      switch (d.kind) {
        case LockoutBook::Decision::Kind::follow:
          return;  // answered when its leader finishes
        case LockoutBook::Decision::Kind::reuse:
          return answer_follower(t.id_text, d.leader, d.result);
        case LockoutBook::Decision::Kind::conflict:
          return error(t.id, t.line,
                       {"account", "a login to " + d.server + " with this user name was already tried in this batch by line \"" +
                                       d.leader + "\"; a second one is not made (lockout safety)"},
                       kCauseConflict);
        case LockoutBook::Decision::Kind::run:
          t.leader = true;
          if (intervals_) intervals_->record(keys, now);
          break;
      }
    }
    std::unique_lock lock(queue_mutex_);
    queue_changed_.wait(lock, [&] { return queue_.size() < jobs; });
    queue_.push_back(std::move(t));
    lock.unlock();
    queue_changed_.notify_all();
  }

  void apply_common_options(Request& r) const {
    Options& o = r.options;
    if (s_.no_login) o.login = false;
    if (s_.no_alternatives) o.alternatives = false;
    if (s_.trust_discovered) o.trust_discovered = true;
    if (s_.deadline_ms) o.deadline_ms = *s_.deadline_ms;
    o.connect_to = s_.connect_to;
    o.cacert = s_.cacert;
    o.dns_servers = s_.dns_servers;
    if (s_.proxy) o.proxy = s_.proxy;
  }

  // A line with the same logins as `leader`: the leader's answer is its answer, and no login is made for it.
  void answer_follower(const std::string& id, const std::string& leader, const std::shared_ptr<const KeptResult>& kept) {
    if (kept) {
      write(result_line(id, &leader, kept->result_json));
      tally_.result(id, kept->verdict, kept->cause, true);
      return;
    }
    nlohmann::json j{{"id", id},
                     {"same_as", leader},
                     {"error", {{"field", "account"},
                                {"message", "the same user name and servers were checked in this batch by line \"" + leader +
                                                "\": its answer is this line's; no second login is made"}}}};
    write(dump(j));
    tally_.error(id, kCauseSame);
  }

  void work() {
    for (;;) {
      std::unique_lock lock(queue_mutex_);
      queue_changed_.wait(lock, [&] { return closed_ || !queue_.empty(); });
      if (queue_.empty()) return;
      Task t = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      queue_changed_.notify_all();
      run_one(t);
      save_state(false);
    }
  }

  void run_one(Task& t) {
    RunHooks hooks;
    hooks.connection_gate = limiter_;
    std::shared_ptr<const KeptResult> kept;
    try {
      const Result result = diagnose_(std::move(t.request), hooks);
      auto k = std::make_shared<KeptResult>();
      k->result_json = dump(to_json(result));
      k->verdict = result.verdict;
      k->cause = cause_of(result);
      write(result_line(t.id, nullptr, k->result_json));
      tally_.result(t.id_text, k->verdict, k->cause, false);
      kept = std::move(k);
    } catch (const std::exception& e) {
      error(t.id, t.line, {"", std::string("internal error: ") + e.what()}, kCauseInternal);
    } catch (...) {
      error(t.id, t.line, {"", "internal error"}, kCauseInternal);
    }
    if (!t.leader) return;
    for (const auto& follower : book_.finish(t.id_text, kept)) answer_follower(follower, t.id_text, kept);
  }

  void save_state(bool final_save) {
    if (!intervals_) return;
    std::lock_guard lock(state_mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (!final_save && now - last_save_ < kStateSaveInterval) return;
    last_save_ = now;
    std::string why;
    if (!intervals_->save(why)) err_ << "maildoctor: --state: " << why << "\n";
  }

  void show_progress() {
    while (!finished_) {
      err_ << "\r" << progress_text(tally_.snapshot()) << "\033[K" << std::flush;
      std::this_thread::sleep_for(kProgressInterval);
    }
  }

  const BatchSettings& s_;
  std::ostream& out_;
  std::ostream& err_;
  const Diagnose& diagnose_;
  std::shared_ptr<ServerLimiter> limiter_;
  LockoutBook book_;
  std::optional<AccountIntervals> intervals_;
  Tally tally_;
  std::unordered_set<std::size_t> seen_;     // fingerprints of the ids read so far (duplicates)
  std::unordered_set<std::size_t> resumed_;  // fingerprints of the ids an earlier output answered
  std::mutex out_mutex_;
  std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::deque<Task> queue_;
  bool closed_ = false;
  std::atomic<bool> finished_{false};
  std::mutex state_mutex_;
  std::chrono::steady_clock::time_point last_save_{};
};

}  // namespace

std::string default_state_path() {
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) return std::string(x) + "/maildoctor/batch-state.json";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/state/maildoctor/batch-state.json";
  return "maildoctor-batch-state.json";
}

int run_batch(const BatchSettings& settings, BatchIo io, const Diagnose& diagnose) {
  std::ifstream in_file;
  std::istream* in = &io.in;
  if (settings.input != "-") {
    in_file.open(settings.input, std::ios::binary);
    if (!in_file) {
      io.err << "maildoctor: --input: cannot read \"" << settings.input << "\"\n";
      return kExitUsage;
    }
    in = &in_file;
  }
  std::ofstream out_file;
  std::ostream* out = &io.out;
  if (settings.output != "-") {
    // Resuming into the same file adds to it; otherwise the output starts empty.
    std::error_code ec;
    const bool same = !settings.resume.empty() && std::filesystem::equivalent(settings.resume, settings.output, ec);
    out_file.open(settings.output, std::ios::binary | (same ? std::ios::app : std::ios::trunc));
    if (!out_file) {
      io.err << "maildoctor: --output: cannot write \"" << settings.output << "\"\n";
      return kExitUsage;
    }
    out = &out_file;
  }
  Batch batch(settings, *out, io.err, diagnose);
  std::string why;
  if (!batch.prepare(why)) {
    io.err << "maildoctor: " << why << "\n";
    return kExitUsage;
  }
  batch.set_total(count_lines(settings.input));
  batch.run(*in, io.err_is_terminal);
  bool summary_ok = true;
  batch.report(settings.summary, summary_ok);
  return batch.exit_status();
}

}  // namespace maildoctor::batch
