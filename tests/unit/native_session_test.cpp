#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "native/session.hpp"
#include "native_test_streams.hpp"

using namespace maildoctor;
using namespace maildoctor::native;
using native_test::frame;
using native_test::MemorySink;
using native_test::MemorySource;
using native_test::raw_length;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const char* kAccount = R"("account":{"email":"bob@example.test","incoming":{"protocol":"imap","host":"127.0.0.1","port":993}})";

std::string diagnose(const std::string& id_json, const std::string& extra = "") {
  return std::string(R"({"type":"diagnose","id":)") + id_json + "," + kAccount + extra + "}";
}

// Reports two checks, then a result naming the host it was given: proves the request reached the diagnoser.
Result two_checks(Request r, const RunHooks& hooks) {
  Check c;
  c.step = "connect";
  c.status = CheckStatus::pass;
  if (hooks.on_check) hooks.on_check(c);
  c.step = "tls";
  if (hooks.on_check) hooks.on_check(c);
  Result res;
  res.verdict = "ok";
  res.checks.push_back(c);
  Finding f;
  f.code = "test.host";
  f.detail = r.account.incoming->host;
  res.findings.push_back(f);
  return res;
}

// Runs until cancelled, as a probe stuck on a tarpit would.
Result until_cancelled(Request, const RunHooks& hooks) {
  while (!hooks.cancel->load()) std::this_thread::sleep_for(2ms);
  Result res;
  res.verdict = "inconclusive";
  return res;
}

std::vector<json> run(const std::string& input, Diagnoser d = two_checks, SessionOptions opts = {}) {
  MemorySink out;
  {
    Session s(out, std::move(d), std::move(opts));
    MemorySource in(input, 7);
    s.read_all(in);
    REQUIRE(s.finish(2s));
  }
  return out.messages();
}

std::string error_code(const json& m) {
  REQUIRE(m.at("type") == "error");
  CHECK_FALSE(m.at("error").at("message").get<std::string>().empty());
  return m.at("error").at("code");
}

}  // namespace

TEST_CASE("hello answers with version and protocol, echoing the id when given", "[native][session]") {
  auto out = run(frame(R"({"type":"hello"})") + frame(R"({"type":"hello","id":"h1"})") + frame(R"({"type":"hello","id":7})"));
  REQUIRE(out.size() == 3);
  CHECK(out[0] == json{{"type", "hello"}, {"version", MAILDOCTOR_VERSION}, {"protocol", 1}});
  CHECK(out[1].at("id") == "h1");
  CHECK(out[2].at("id") == 7);
}

TEST_CASE("diagnose sends a progress message per check, then the result, all with the request's id", "[native][session]") {
  auto out = run(frame(diagnose(R"("d1")")));
  REQUIRE(out.size() == 3);
  CHECK(out[0].at("type") == "progress");
  CHECK(out[0].at("id") == "d1");
  CHECK(out[0].at("check").at("step") == "connect");
  CHECK(out[1].at("check").at("step") == "tls");
  CHECK(out[2].at("type") == "result");
  CHECK(out[2].at("id") == "d1");
  CHECK(out[2].at("verdict") == "ok");
  CHECK(out[2].at("version") == 1);
  CHECK(out[2].at("findings").at(0).at("detail") == "127.0.0.1");
}

TEST_CASE("progress:false leaves only the result, for sendNativeMessage which keeps the first reply", "[native][session]") {
  auto out = run(frame(diagnose(R"("d2")", R"(,"progress":false)")));
  REQUIRE(out.size() == 1);
  CHECK(out[0].at("type") == "result");
}

TEST_CASE("every malformed message gets an error and the next hello is still answered", "[native][session]") {
  struct Case {
    const char* name;
    std::string bytes;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"zero length", raw_length(0), "bad_request"},
      {"not JSON", frame("{\"type\":"), "bad_request"},
      {"invalid UTF-8", frame("{\"type\":\"hel\xff\"}"), "bad_request"},
      {"not an object", frame("[1,2]"), "bad_request"},
      {"a string", frame("\"hello\""), "bad_request"},
      {"missing type", frame("{\"id\":\"x\"}"), "bad_request"},
      {"type not a string", frame("{\"type\":5}"), "bad_request"},
      {"unknown type", frame("{\"type\":\"reboot\",\"id\":\"x\"}"), "bad_request"},
      {"id an object", frame("{\"type\":\"hello\",\"id\":{}}"), "bad_request"},
      {"id empty", frame("{\"type\":\"hello\",\"id\":\"\"}"), "bad_request"},
      {"diagnose without id", frame(std::string("{\"type\":\"diagnose\",") + kAccount + "}"), "bad_request"},
      {"diagnose without account", frame("{\"type\":\"diagnose\",\"id\":\"x\"}"), "bad_request"},
      {"progress not a bool", frame(diagnose("\"x\"", ",\"progress\":1")), "bad_request"},
      {"port out of range",
       frame(R"({"type":"diagnose","id":"x","account":{"incoming":{"protocol":"imap","host":"h.test","port":70000}}})"),
       "bad_request"},
      {"port a string",
       frame(R"({"type":"diagnose","id":"x","account":{"incoming":{"protocol":"imap","host":"h.test","port":"993"}}})"),
       "bad_request"},
      {"CR LF in host",
       frame(R"({"type":"diagnose","id":"x","account":{"incoming":{"protocol":"imap","host":"h.test\r\nA1 LOGOUT"}}})"),
       "bad_request"},
      {"NUL in user name",
       frame(R"({"type":"diagnose","id":"x","account":{"incoming":{"protocol":"imap","host":"h.test","username":"bob\u0000x"}}})"),
       "bad_request"},
      {"LF in outgoing user name",
       frame(R"({"type":"diagnose","id":"x","account":{"outgoing":{"protocol":"smtp","host":"h.test","username":"a\nb"}}})"),
       "bad_request"},
      {"too large", raw_length(kMaxMessageBytes + 1) + std::string(kMaxMessageBytes + 1, 'x'), "too_large"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto out = run(c.bytes + frame(R"({"type":"hello","id":"after"})"));
      REQUIRE(out.size() == 2);
      CHECK(error_code(out[0]) == c.code);
      CHECK(out[1].at("type") == "hello");
      CHECK(out[1].at("id") == "after");
    }
  }
}

TEST_CASE("an error reply echoes the id when the message carried a valid one", "[native][session]") {
  auto out = run(frame(R"({"type":"diagnose","id":"e1","account":{"incoming":{"protocol":"imap","host":"h.test","port":0}}})"));
  REQUIRE(out.size() == 1);
  CHECK(out[0].at("id") == "e1");
  CHECK(out[0].at("error").at("message").get<std::string>().find("account.incoming.port") != std::string::npos);
}

TEST_CASE("a body cut short by the end of input is reported, then the session ends", "[native][session]") {
  auto out = run(raw_length(200) + "{\"type\":\"hello\"}");
  REQUIRE(out.size() == 1);
  CHECK(error_code(out[0]) == "bad_request");
}

TEST_CASE("deeply nested JSON is refused without exhausting the stack", "[native][session]") {
  const std::size_t depth = 200000;
  auto out = run(frame(std::string(depth, '[') + std::string(depth, ']')) + frame(R"({"type":"hello"})"));
  REQUIRE(out.size() == 2);
  CHECK(error_code(out[0]) == "bad_request");
  CHECK(out[1].at("type") == "hello");
}

TEST_CASE("hello is answered while a diagnosis runs, and finishing cancels it", "[native][session]") {
  MemorySink out;
  Session s(out, until_cancelled);
  s.handle_message(diagnose(R"("slow")"));
  s.handle_message(R"({"type":"hello","id":"h"})");
  std::this_thread::sleep_for(20ms);
  auto early = out.messages();
  REQUIRE(early.size() == 1);
  CHECK(early[0].at("type") == "hello");
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(s.finish(1s));
  CHECK(std::chrono::steady_clock::now() - t0 < 200ms);
  auto all = out.messages();
  REQUIRE(all.size() == 2);
  CHECK(all[1].at("type") == "result");
  CHECK(all[1].at("id") == "slow");
}

TEST_CASE("finish reports a diagnosis that ignores its cancel flag", "[native][session]") {
  MemorySink out;
  Session s(out, [](Request, const RunHooks&) {
    std::this_thread::sleep_for(300ms);
    return Result{};
  });
  s.handle_message(diagnose(R"("stubborn")"));
  CHECK_FALSE(s.finish(30ms));
}

TEST_CASE("a second diagnosis with a known id, or beyond running + queue, is refused", "[native][session]") {
  MemorySink out;
  {
    SessionOptions opts;
    opts.max_running = 2;
    opts.max_queued = 1;
    Session s(out, until_cancelled, opts);
    s.handle_message(diagnose(R"("a")"));
    s.handle_message(diagnose(R"("a")"));
    s.handle_message(diagnose(R"("b")"));
    s.handle_message(diagnose(R"("c")"));  // waits
    s.handle_message(diagnose(R"("c")"));  // same id as a waiting one
    s.handle_message(diagnose(R"("d")"));  // beyond 2 running + 1 waiting
    REQUIRE(s.finish(1s));
  }
  auto msgs = out.messages();
  REQUIRE(msgs.size() == 6);
  CHECK(error_code(msgs[0]) == "bad_request");
  CHECK(msgs[0].at("id") == "a");
  CHECK(msgs[1] == json{{"type", "progress"}, {"id", "c"}, {"queued", true}, {"position", 1}});
  CHECK(error_code(msgs[2]) == "bad_request");
  CHECK(msgs[2].at("id") == "c");
  CHECK(error_code(msgs[3]) == "busy");
  CHECK(msgs[3].at("id") == "d");
  // finish() cancels a and b, which still answer; c never started and is dropped with the closed input.
  CHECK(msgs[4].at("type") == "result");
  CHECK(msgs[5].at("type") == "result");
}

namespace {
// N diagnose requests over one session whose first diagnoses hold until all N are in: every request is answered
// with exactly one result, the ones that had to wait are told so (in order) before they start.
void many_requests(int n) {
  MemorySink out;
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  std::atomic<int> concurrent{0}, most{0};
  auto gated = [&](Request r, const RunHooks& hooks) {
    {
      std::unique_lock lock(m);
      const int now = ++concurrent;
      most = std::max(most.load(), now);
      cv.notify_all();
      cv.wait(lock, [&] { return open; });
    }
    --concurrent;
    return two_checks(std::move(r), hooks);
  };
  {
    Session s(out, gated, SessionOptions{});
    for (int i = 0; i < n; ++i) s.handle_message(diagnose(std::to_string(i)));
    {
      // Every slot is taken before the gate opens, so the ones that waited cannot have started early.
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return concurrent.load() == 4; });
      open = true;
    }
    cv.notify_all();
    // Results come from worker threads; wait for all of them before closing (finish() would cancel the rest).
    for (int spins = 0; spins < 5000; ++spins) {
      int results = 0;
      for (const auto& msg : out.messages()) results += msg.at("type") == "result";
      if (results == n) break;
      std::this_thread::sleep_for(2ms);
    }
    REQUIRE(s.finish(2s));
  }
  std::map<int, std::vector<std::string>> per_id;
  for (const auto& msg : out.messages()) {
    REQUIRE(msg.at("type") != "error");
    std::string what = msg.at("type");
    if (msg.contains("queued")) what = msg.at("queued").get<bool>() ? "queued" + std::to_string(msg.at("position").get<int>()) : "started";
    else if (msg.contains("check")) what = "check";
    per_id[msg.at("id").get<int>()].push_back(what);
  }
  REQUIRE(per_id.size() == static_cast<std::size_t>(n));
  CHECK(most.load() == 4);
  for (int i = 0; i < n; ++i) {
    const auto& seq = per_id[i];
    REQUIRE_FALSE(seq.empty());
    CHECK(seq.back() == "result");
    CHECK(std::count(seq.begin(), seq.end(), "result") == 1);
    if (i < 4) {
      CHECK(seq == std::vector<std::string>{"check", "check", "result"});
    } else {
      // The first four hold their slots, so request i waits at position i - 3.
      CHECK(seq == std::vector<std::string>{"queued" + std::to_string(i - 3), "started", "check", "check", "result"});
    }
  }
}
}  // namespace

TEST_CASE("12 diagnose requests over one connection give 12 results, 8 of them after a queued notice", "[native][session]") {
  many_requests(12);
}

TEST_CASE("50 diagnose requests over one connection give 50 results", "[native][session]") { many_requests(50); }

TEST_CASE("a waiting request with progress off gets no queue notices", "[native][session]") {
  MemorySink out;
  {
    SessionOptions opts;
    opts.max_running = 1;
    Session s(out, until_cancelled, opts);
    s.handle_message(diagnose(R"("p1")", R"(,"progress":false)"));
    s.handle_message(diagnose(R"("p2")", R"(,"progress":false)"));  // waits behind p1, silently
    REQUIRE(s.finish(2s));
  }
  auto msgs = out.messages();
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].at("type") == "result");
  CHECK(msgs[0].at("id") == "p1");
}

TEST_CASE("an exception from the pipeline becomes an internal error with the id", "[native][session]") {
  auto out = run(frame(diagnose(R"("boom")")), [](Request, const RunHooks&) -> Result { throw std::runtime_error("probe"); });
  REQUIRE(out.size() == 1);
  CHECK(error_code(out[0]) == "internal");
  CHECK(out[0].at("id") == "boom");
}

TEST_CASE("the log never receives the request body", "[native][session]") {
  std::string logged;
  SessionOptions opts;
  opts.log = [&](std::string_view line) { logged += line; };
  run(frame(R"({"type":"diagnose","id":"x","account":{"incoming":{"protocol":"imap","host":"h.test","port":0,"password":"canary-pw-1"}}})"),
      two_checks, opts);
  CHECK_FALSE(logged.empty());
  CHECK(logged.find("canary-pw-1") == std::string::npos);
}

TEST_CASE("a frame body is wiped once it was handled", "[native][session][security]") {
  MemorySink out;
  std::optional<Request> seen;
  {
    Session s(out, [&](Request r, const RunHooks&) {
      seen = std::move(r);
      return Result{};
    });
    std::string body = R"({"type":"diagnose","id":"w","account":{"incoming":{"protocol":"imap","host":"127.0.0.1",)"
                       R"("username":"bob","password":"a-password-longer-than-any-inline-buffer-0123456789"}}})";
    const char* data = body.data();
    const std::size_t n = body.size();
    s.consume_message(body);
    // Same buffer, still allocated, every byte zero: nothing of the password is left for a later allocation.
    CHECK(body.empty());
    CHECK(body.data() == data);
    CHECK(std::all_of(data, data + n, [](char c) { return c == '\0'; }));
    REQUIRE(s.finish(2s));
  }
  REQUIRE(seen);
  CHECK(seen->account.incoming->password.reveal() == "a-password-longer-than-any-inline-buffer-0123456789");
}

TEST_CASE("a password with CR, LF or NUL is refused over native messaging", "[native][session][security]") {
  for (const char* pw : {R"(pw\rDELE 1)", R"(pw\nA2 LOGOUT)", R"(pw\u0000x)"}) {
    INFO(pw);
    bool diagnosed = false;
    auto out = run(frame(std::string(R"({"type":"diagnose","id":"p","account":{"incoming":{"protocol":"pop3","host":"127.0.0.1",)") +
                         R"("username":"bob","password":")" + pw + R"("}}})"),
                   [&](Request, const RunHooks&) {
                     diagnosed = true;
                     return Result{};
                   });
    REQUIRE(out.size() == 1);
    CHECK(error_code(out[0]) == "bad_request");
    CHECK_THAT(out[0].dump(), Catch::Contains("account.incoming.password"));
    CHECK_FALSE(diagnosed);
  }
}
