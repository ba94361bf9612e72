#include "native/session.hpp"

#include <exception>

#include <openssl/crypto.h>

#include "native/replies.hpp"

namespace maildoctor::native {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxIdLength = 256;

bool acceptable_id(const json& id) {
  if (id.is_number_integer()) return true;
  if (!id.is_string()) return false;
  const auto& s = id.get_ref<const std::string&>();
  return !s.empty() && s.size() <= kMaxIdLength;
}

// Peer text quoted back in an error message stays short.
std::string quoted(const std::string& s) {
  constexpr std::size_t kMax = 40;
  return "\"" + (s.size() > kMax ? s.substr(0, kMax) + "..." : s) + "\"";
}

}  // namespace

bool FrameWriter::send(const json& reply) {
  std::string body = serialize(reply);
  if (body.size() > limit_) {
    const auto it = reply.find("id");
    body = serialize(error_reply(it == reply.end() ? json() : *it, "internal",
                                 "a reply was larger than the 1 MiB native-message limit and was not sent."));
  }
  return send_text(body);
}

bool FrameWriter::send_text(const std::string& body) {
  const std::string frame = encode_frame(body);
  std::lock_guard lock(mutex_);
  if (broken_) return false;
  if (!sink_.write_all(frame.data(), frame.size())) broken_ = true;
  return !broken_;
}

Session::Session(ByteSink& out, Diagnoser diagnose, SessionOptions options)
    : writer_(out, options.max_message), diagnose_(std::move(diagnose)), options_(std::move(options)) {}

Session::~Session() {
  std::unique_lock lock(jobs_mutex_);
  stopping_ = true;
  waiting_.clear();
  for (auto& job : jobs_) job.cancel->store(true);
  jobs_changed_.wait(lock, [this] {
    for (const auto& job : jobs_)
      if (!job.done) return false;
    return true;
  });
  for (auto& job : jobs_)
    if (job.thread.joinable()) job.thread.join();
}

void Session::read_all(ByteSource& in) {
  for (;;) {
    Frame frame = read_frame(in, options_.max_message);
    switch (frame.status) {
      case FrameStatus::message:
        consume_message(frame.body);
        break;
      case FrameStatus::end:
        return;
      case FrameStatus::empty:
        refuse(json(), "bad_request", "empty message: the length prefix was 0.");
        break;
      case FrameStatus::too_large:
        refuse(json(), "too_large",
               "message of " + std::to_string(frame.claimed) + " bytes refused: the limit is " +
                   std::to_string(options_.max_message) + " bytes.");
        // The reply goes out first, so a peer that never sends the announced bytes still hears why.
        if (!skip_bytes(in, frame.claimed)) return;
        break;
      case FrameStatus::truncated:
        refuse(json(), "bad_request", "the input ended in the middle of a message (its length claimed " +
                                          std::to_string(frame.claimed) + " bytes).");
        return;
    }
  }
}

void Session::consume_message(std::string& body) {
  handle_message(body);
  // The frame held the password: nothing of it stays behind in freed memory.
  if (body.capacity() > 0) OPENSSL_cleanse(body.data(), body.capacity());
  body.clear();
}

void Session::handle_message(std::string_view body) {
  json message;
  try {
    message = json::parse(body, nullptr, false);
    if (message.is_discarded()) return refuse(json(), "bad_request", "the message is not valid JSON (UTF-8).");
    dispatch(message);
  } catch (const std::exception& e) {
    // Only resource failures (memory, threads) get here; the message itself was already validated.
    refuse(json(), "internal", std::string("the message could not be handled: ") + e.what());
  }
  // The request copied what it needs into Secrets; the DOM's copy of the password is wiped before it is freed.
  wipe_strings(message);
}

void Session::dispatch(const json& message) {
  if (!message.is_object()) return refuse(json(), "bad_request", "the message must be a JSON object.");
  json id;
  if (const auto it = message.find("id"); it != message.end() && !it->is_null()) {
    if (!acceptable_id(*it))
      return refuse(json(), "bad_request", "\"id\" must be a non-empty string of at most 256 characters, or an integer.");
    id = *it;
  }
  const auto type_it = message.find("type");
  if (type_it == message.end() || type_it->is_null()) return refuse(id, "bad_request", "\"type\" is required.");
  if (!type_it->is_string()) return refuse(id, "bad_request", "\"type\" must be a string.");
  const auto& type = type_it->get_ref<const std::string&>();

  if (type == "hello") {
    writer_.send(hello_reply(id));
    return;
  }
  if (type != "diagnose")
    return refuse(id, "bad_request", "unknown message type " + quoted(type) + ": expected hello or diagnose.");

  if (id.is_null()) return refuse(id, "bad_request", "a diagnose message needs an \"id\", which every reply echoes.");
  bool progress = true;
  if (const auto it = message.find("progress"); it != message.end() && !it->is_null()) {
    if (!it->is_boolean()) return refuse(id, "bad_request", "\"progress\" must be true or false.");
    progress = it->get<bool>();
  }
  ParsedRequest parsed = parse_request(message);
  if (!parsed.request) {
    const RequestError& e = *parsed.error;
    return refuse(id, "bad_request", e.field.empty() ? e.message : e.field + ": " + e.message);
  }
  start_diagnosis(id, std::move(*parsed.request), progress);
}

void Session::start_diagnosis(const json& id, Request request, bool progress) {
  // Replies about the queue are written while the lock is held, so that "queued" always precedes the
  // "queued": false and the check messages of the same request, which its worker sends later.
  std::lock_guard lock(jobs_mutex_);
  reap_finished();
  std::size_t running = 0;
  for (const auto& job : jobs_) {
    if (job.done) continue;
    ++running;
    if (job.id == id) return refuse(id, "bad_request", "a diagnosis with this id is already running.");
  }
  for (const auto& w : waiting_)
    if (w.id == id) return refuse(id, "bad_request", "a diagnosis with this id is already waiting.");
  if (running < options_.max_running && waiting_.empty()) {
    launch(id, std::move(request), progress);
    return;
  }
  if (waiting_.size() >= options_.max_queued)
    return refuse(id, "busy", std::to_string(running) + " diagnoses are running and " + std::to_string(waiting_.size()) +
                                  " are waiting; try again when one has finished.");
  waiting_.push_back({id, std::move(request), progress});
  if (progress) writer_.send(queued_reply(id, waiting_.size()));
}

bool Session::launch(const json& id, Request request, bool progress) {
  Job& job = jobs_.emplace_back();
  job.id = id;
  job.cancel = std::make_shared<std::atomic<bool>>(false);
  try {
    job.thread = std::thread([this, &job, request = std::move(request), progress]() mutable {
      run_job(job, std::move(request), progress);
    });
  } catch (const std::exception&) {
    jobs_.pop_back();
    refuse(id, "internal", "no thread could be started for the diagnosis.");
    return false;
  }
  return true;
}

void Session::start_next_waiting() {
  while (!stopping_ && !waiting_.empty()) {
    Waiting next = std::move(waiting_.front());
    waiting_.pop_front();
    if (next.progress) writer_.send(started_reply(next.id));
    if (launch(next.id, std::move(next.request), next.progress)) return;
  }
}

void Session::run_job(Job& job, Request request, bool progress) {
  RunHooks hooks;
  hooks.cancel = job.cancel;
  if (progress) hooks.on_check = [this, id = job.id](const Check& c) { writer_.send(progress_reply(id, c)); };
  try {
    const Result result = diagnose_(std::move(request), hooks);
    writer_.send_text(result_reply_text(job.id, result, options_.max_message));
  } catch (const std::exception& e) {
    refuse(job.id, "internal", std::string("the diagnosis failed: ") + e.what());
  } catch (...) {
    refuse(job.id, "internal", "the diagnosis failed.");
  }
  std::lock_guard lock(jobs_mutex_);
  job.done = true;
  // This thread is about to end; the next waiting request gets a thread of its own (joined by reap_finished).
  start_next_waiting();
  jobs_changed_.notify_all();
}

bool Session::finish(std::chrono::milliseconds grace) {
  std::unique_lock lock(jobs_mutex_);
  stopping_ = true;
  waiting_.clear();  // the peer closed its end: nobody waits for these answers
  for (auto& job : jobs_) job.cancel->store(true);
  const bool all_done = jobs_changed_.wait_for(lock, grace, [this] {
    for (const auto& job : jobs_)
      if (!job.done) return false;
    return true;
  });
  if (all_done) reap_finished();
  return all_done;
}

void Session::refuse(const json& id, std::string_view code, const std::string& message) {
  if (options_.log) options_.log(std::string("refused a message (") + std::string(code) + "): " + message);
  writer_.send(error_reply(id, code, message));
}

void Session::reap_finished() {
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (!it->done) {
      ++it;
      continue;
    }
    if (it->thread.joinable()) it->thread.join();
    it = jobs_.erase(it);
  }
}

}  // namespace maildoctor::native
