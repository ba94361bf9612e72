#pragma once
// One native-messaging connection: the reader dispatches each frame, diagnoses run on worker threads, and every
// reply goes through one mutex-guarded writer so that frames never interleave.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "maildoctor/diagnosis.hpp"
#include "native/framing.hpp"

namespace maildoctor::native {

using Diagnoser = std::function<Result(Request, const RunHooks&)>;

struct SessionOptions {
  // At most this many diagnoses run at once; the next ones wait in a queue of max_queued, and only a request beyond
  // both gets `busy`. A peer that floods the host therefore costs memory for 64 requests, not a thread each.
  std::size_t max_running = 4;
  std::size_t max_queued = 64;
  std::uint32_t max_message = kMaxMessageBytes;
  // Receives one line per refused message or notable event; never any part of a request body.
  std::function<void(std::string_view)> log;
};

class FrameWriter {
 public:
  FrameWriter(ByteSink& sink, std::uint32_t limit) : sink_(sink), limit_(limit) {}
  // Serialises and sends; a reply over the limit is replaced by an `internal` error with the same id.
  bool send(const nlohmann::json& reply);
  // Sends an already serialised body that the caller kept within the limit.
  bool send_text(const std::string& body);

 private:
  std::mutex mutex_;
  ByteSink& sink_;
  std::uint32_t limit_;
  bool broken_ = false;
};

class Session {
 public:
  Session(ByteSink& out, Diagnoser diagnose, SessionOptions options = {});
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  // Cancels what still runs and waits for it: a Session never outlives its threads.
  ~Session();

  // Reads and handles frames until the input ends. Diagnoses may still be running when it returns.
  void read_all(ByteSource& in);
  // Handles one complete message body.
  void handle_message(std::string_view body);
  // Handles one complete message body, then wipes it (it may hold a password) and leaves it empty.
  void consume_message(std::string& body);
  // Raises every running diagnosis's cancel flag and waits up to `grace` for all of them. True when none is left.
  bool finish(std::chrono::milliseconds grace);

 private:
  struct Job {
    nlohmann::json id;
    std::shared_ptr<std::atomic<bool>> cancel;
    std::thread thread;
    bool done = false;
  };
  struct Waiting {
    nlohmann::json id;
    Request request;
    bool progress = true;
  };

  void dispatch(const nlohmann::json& message);
  void start_diagnosis(const nlohmann::json& id, Request request, bool progress);
  // Starts a thread for one diagnosis; caller holds jobs_mutex_. False (and an `internal` error sent) on failure.
  bool launch(const nlohmann::json& id, Request request, bool progress);
  void run_job(Job& job, Request request, bool progress);
  void start_next_waiting();  // caller holds jobs_mutex_
  void refuse(const nlohmann::json& id, std::string_view code, const std::string& message);
  void reap_finished();  // joins jobs that are done; caller holds jobs_mutex_

  FrameWriter writer_;
  Diagnoser diagnose_;
  SessionOptions options_;
  std::mutex jobs_mutex_;
  std::condition_variable jobs_changed_;
  std::list<Job> jobs_;
  std::deque<Waiting> waiting_;
  bool stopping_ = false;  // input ended: nothing new starts, waiting requests are dropped
};

}  // namespace maildoctor::native
