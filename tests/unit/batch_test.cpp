// Batch mode's parts without a network: the line reader, the per-server limiter, the lockout book and its
// fingerprints, the interval state file, and the runner with a recorded diagnosis.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "batch/batch_line.hpp"
#include "batch/line_reader.hpp"
#include "batch/lockout.hpp"
#include "batch/run_batch.hpp"
#include "batch/server_limiter.hpp"
#include "batch/tally.hpp"

using namespace maildoctor;
using namespace maildoctor::batch;
using nlohmann::json;

namespace {

std::vector<InputLine> read_all(const std::string& text, std::size_t limit = LineReader::kDefaultLimit) {
  std::istringstream in(text);
  LineReader reader(in, limit);
  std::vector<InputLine> lines;
  while (auto l = reader.next()) lines.push_back(*l);
  return lines;
}

Request request_of(const json& j) {
  auto parsed = parse_request(j);
  REQUIRE(parsed.request);
  return *parsed.request;
}

json imap_request(const std::string& user, const std::string& password, const std::string& host = "imap.example.test", int port = 993) {
  json ep{{"protocol", "imap"}, {"host", host}, {"port", port}, {"security", "tls"}, {"username", user}};
  if (!password.empty()) ep["password"] = password;
  return {{"account", {{"email", "alice@example.test"}, {"incoming", ep}}}};
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("maildoctor-batch-test-" + std::to_string(::getpid()) + "-" + name)).string();
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

TEST_CASE("line reader: lines, CRLF, blank lines and a last line without its end") {
  const auto lines = read_all("{\"a\":1}\r\n\n   \t\n{\"b\":2}");
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].kind == InputLine::Kind::text);
  CHECK(lines[0].text == "{\"a\":1}");
  CHECK(lines[0].number == 1);
  CHECK(lines[1].kind == InputLine::Kind::empty);
  CHECK(lines[2].kind == InputLine::Kind::empty);
  CHECK(lines[3].text == "{\"b\":2}");
  CHECK(lines[3].number == 4);
  CHECK(read_all("").empty());
  CHECK(read_all("x\n").size() == 1);
}

TEST_CASE("line reader: a line over the limit is skipped to its end, the next line is read") {
  const std::string big(100, 'x');
  const auto lines = read_all("short\n" + big + "\nafter\n" + big, 50);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].text == "short");
  CHECK(lines[1].kind == InputLine::Kind::too_long);
  CHECK(lines[1].text.empty());
  CHECK(lines[2].text == "after");
  CHECK(lines[2].number == 3);
  CHECK(lines[3].kind == InputLine::Kind::too_long);
  // Exactly at the limit is still a line; a line far longer than the read chunk is skipped as well.
  CHECK(read_all(std::string(50, 'y') + "\n", 50)[0].kind == InputLine::Kind::text);
  const auto huge = read_all(std::string(300000, 'z') + "\nok\n", 1000);
  REQUIRE(huge.size() == 2);
  CHECK(huge[0].kind == InputLine::Kind::too_long);
  CHECK(huge[1].text == "ok");
}

TEST_CASE("server limiter: at most N at once per host:port, others independent, a stop ends the wait") {
  ServerLimiter limiter(2);
  auto never = [] { return false; };
  auto stop = [] { return true; };
  REQUIRE(limiter.acquire("Mail.Example.test", 993, never));
  REQUIRE(limiter.acquire("mail.example.test", 993, never));  // host names compare without case
  CHECK_FALSE(limiter.acquire("mail.example.test", 993, stop));
  CHECK(limiter.acquire("mail.example.test", 143, stop));  // another port is another server
  CHECK(limiter.open("mail.example.test", 993) == 2);
  limiter.release("mail.example.test", 993);
  CHECK(limiter.acquire("mail.example.test", 993, stop));
  CHECK(limiter.peak() == 2);
}

TEST_CASE("server limiter: many threads never hold more than the cap") {
  ServerLimiter limiter(3);
  std::atomic<int> inside{0}, most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        REQUIRE(limiter.acquire("h", 1, [] { return false; }));
        const int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::yield();
        --inside;
        limiter.release("h", 1);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(most.load() <= 3);
  CHECK(limiter.peak() <= 3);
  CHECK(limiter.open("h", 1) == 0);
}

TEST_CASE("server limiter: a diagnosis reserves all its slots at once; slots its probes no longer need go back") {
  ServerLimiter limiter(2);
  auto never = [] { return false; };
  auto stop = [] { return true; };
  auto a = limiter.reserve({{"h", 993}, {"h", 993}, {"h", 143}}, never);
  REQUIRE(a);
  CHECK(limiter.open("h", 993) == 2);
  CHECK(limiter.open("h", 143) == 1);
  CHECK_FALSE(limiter.reserve({{"h", 993}}, stop));  // no room at 993 until a's probes are done
  CHECK(limiter.reserve({{"h", 25}}, stop));         // another server has room (given back at once)
  CHECK(limiter.open("h", 25) == 0);
  REQUIRE(a->acquire("h", 993, stop));
  REQUIRE(a->acquire("h", 993, stop));
  CHECK_FALSE(a->acquire("h", 993, stop));  // a third connection needs a free slot of its own
  a->release("h", 993);                     // one planned connection left at 993: one slot goes back
  CHECK(limiter.open("h", 993) == 1);
  CHECK(a->acquire("h", 993, stop));  // a second connection of a probe takes the free slot
  CHECK(limiter.open("h", 993) == 2);
  a->release("h", 993);
  a->release("h", 993);
  CHECK(limiter.open("h", 993) == 0);
  a.reset();
  CHECK(limiter.open("h", 143) == 0);
  CHECK(limiter.peak() == 2);
}

TEST_CASE("server limiter: reservations from many threads never exceed the cap") {
  ServerLimiter limiter(3);
  std::atomic<int> inside{0}, most{0};
  auto note = [&](int delta) {
    const int now = inside += delta;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
  };
  std::vector<std::thread> threads;
  std::atomic<bool> all_granted{true};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto r = limiter.reserve({{"h", 1}, {"h", 1}, {"h", 2}}, [] { return false; });
        if (!r || !r->acquire("h", 1, [] { return false; }) || !r->acquire("h", 1, [] { return false; })) {
          all_granted = false;
          return;
        }
        note(2);
        std::this_thread::yield();
        note(-1);
        r->release("h", 1);
        note(-1);
        r->release("h", 1);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(all_granted);
  CHECK(most.load() <= 3);
  CHECK(limiter.peak() <= 3);
  CHECK(limiter.open("h", 1) == 0);
  CHECK(limiter.open("h", 2) == 0);
}

TEST_CASE("login keys: one per (user, server) that gets a password; none without a login") {
  const auto keys = login_keys(request_of(imap_request("Alice@Example.test", "pw1")));
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].server == "imap.example.test:993");
  CHECK(keys[0].fingerprint.size() == 64);
  CHECK(keys[0].fingerprint.find("alice") == std::string::npos);
  // Case does not matter, the password does not count.
  CHECK(login_keys(request_of(imap_request("alice@example.test", "other", "IMAP.example.test")))[0].fingerprint == keys[0].fingerprint);
  CHECK(login_keys(request_of(imap_request("bob@example.test", "pw1")))[0].fingerprint != keys[0].fingerprint);
  CHECK(login_keys(request_of(imap_request("alice@example.test", "pw1", "imap.example.test", 143)))[0].fingerprint != keys[0].fingerprint);
  CHECK(login_keys(request_of(imap_request("alice@example.test", ""))).empty());
  auto no_login = imap_request("alice@example.test", "pw1");
  no_login["options"] = {{"login", false}};
  CHECK(login_keys(request_of(no_login)).empty());
  // Only an address: discovery will find the servers; the domain stands for them.
  Request discover = request_of({{"account", {{"email", "carol@example.test"}}}});
  CHECK(login_keys(discover).empty());
  discover.account.password = Secret("pw");
  const auto dk = login_keys(discover);
  REQUIRE(dk.size() == 1);
  CHECK(dk[0].server == "servers of example.test");
}

TEST_CASE("lockout book: first runs, the same logins follow or reuse, overlapping logins conflict") {
  LockoutBook book(1);
  const auto a = login_keys(request_of(imap_request("alice@example.test", "pw")));
  auto both_json = imap_request("alice@example.test", "pw");
  both_json["account"]["outgoing"] = {{"protocol", "smtp"}, {"host", "smtp.example.test"}, {"port", 587}, {"security", "starttls"},
                                      {"username", "alice@example.test"}, {"password", "pw"}};
  const auto both = login_keys(request_of(both_json));
  REQUIRE(both.size() == 2);

  CHECK(book.admit(a, "1").kind == LockoutBook::Decision::Kind::run);
  auto d = book.admit(a, "2");
  CHECK(d.kind == LockoutBook::Decision::Kind::follow);
  CHECK(d.leader == "1");
  d = book.admit(both, "3");
  CHECK(d.kind == LockoutBook::Decision::Kind::conflict);
  CHECK(d.leader == "1");
  CHECK(d.server == "imap.example.test:993");
  CHECK(book.admit({}, "4").kind == LockoutBook::Decision::Kind::run);  // no login: nothing to guard

  auto kept = std::make_shared<KeptResult>(KeptResult{"{}", "ok", "ok"});
  CHECK(book.finish("1", kept) == std::vector<std::string>{"2"});
  d = book.admit(a, "5");
  CHECK(d.kind == LockoutBook::Decision::Kind::reuse);
  CHECK(d.result == kept);

  // Only the last finished result is kept (limit 1): an older one is still known, without its result.
  const auto b = login_keys(request_of(imap_request("bob@example.test", "pw")));
  CHECK(book.admit(b, "6").kind == LockoutBook::Decision::Kind::run);
  CHECK(book.finish("6", std::make_shared<KeptResult>(KeptResult{"{}", "problem", "auth.wrong_password"})).empty());
  d = book.admit(a, "7");
  CHECK(d.kind == LockoutBook::Decision::Kind::reuse);
  CHECK(d.leader == "1");
  CHECK_FALSE(d.result);
}

TEST_CASE("account intervals: kept in a file of fingerprints and times only") {
  const std::string path = temp_path("state.json");
  std::remove(path.c_str());
  const auto keys = login_keys(request_of(imap_request("alice@example.test", "Secret-Pw-1")));
  {
    AccountIntervals iv(path, 3600);
    std::string why;
    REQUIRE(iv.load(why));  // no file yet: no history
    CHECK_FALSE(iv.too_recent(keys, std::time(nullptr)));
    iv.record(keys, std::time(nullptr));
    REQUIRE(iv.save(why));
  }
  const std::string text = slurp(path);
  CHECK(text.find(keys[0].fingerprint) != std::string::npos);
  CHECK(text.find("alice") == std::string::npos);
  CHECK(text.find("Secret-Pw-1") == std::string::npos);
  CHECK(text.find("imap.example.test") == std::string::npos);

  AccountIntervals again(path, 3600);
  std::string why;
  REQUIRE(again.load(why));
  // The saved time is real (save drops entries older than the interval by the clock), so ask relative to it.
  const auto when = std::time(nullptr);
  again.record(keys, when - 100);
  auto recent = again.too_recent(keys, when);
  REQUIRE(recent);
  CHECK(recent->age_s == Approx(100));
  CHECK_FALSE(again.too_recent(keys, when + 3600));
  std::ofstream(path) << "not json";
  AccountIntervals broken(path, 10);
  CHECK_FALSE(broken.load(why));
  std::remove(path.c_str());
}

TEST_CASE("account intervals: a later save replaces the file an earlier one wrote") {
  // On Windows the C runtime's rename() does not replace an existing file: every save after the first failed there.
  const std::string path = temp_path("resave.json");
  std::remove(path.c_str());
  const auto alice = login_keys(request_of(imap_request("alice@example.test", "pw")));
  const auto bob = login_keys(request_of(imap_request("bob@example.test", "pw")));
  std::string why;
  {
    AccountIntervals iv(path, 3600);
    REQUIRE(iv.load(why));
    iv.record(alice, std::time(nullptr));
    REQUIRE(iv.save(why));
  }
  {
    AccountIntervals iv(path, 3600);
    REQUIRE(iv.load(why));
    iv.record(bob, std::time(nullptr));
    CHECK(iv.save(why));
    CHECK(why.empty());
  }
  AccountIntervals after(path, 3600);
  REQUIRE(after.load(why));
  CHECK(after.too_recent(alice, std::time(nullptr)));
  CHECK(after.too_recent(bob, std::time(nullptr)));
  std::remove(path.c_str());
}

TEST_CASE("batch line: id rules, invalid JSON and a bad request name the field, never quote the line") {
  auto parse = [](const std::string& text) {
    InputLine l;
    l.text = text;
    return read_batch_line(l);
  };
  CHECK(parse("{\"account\":{\"email\":\"a@b.c\"}}").error->field == "id");
  CHECK(parse("{\"id\":7,\"account\":{\"email\":\"a@b.c\"}}").error->field == "id");
  CHECK(parse("{\"id\":\"\",\"account\":{\"email\":\"a@b.c\"}}").error->field == "id");
  auto bad = parse("{\"id\":\"x\",\"account\":{\"password\":\"Pw-In-Bad-Json\"");
  REQUIRE(bad.error);
  CHECK(bad.error->message.find("Pw-In-Bad-Json") == std::string::npos);
  CHECK(bad.id.is_null());
  auto port = parse("{\"id\":\"x\",\"account\":{\"incoming\":{\"protocol\":\"imap\",\"host\":\"h\",\"port\":70000}}}");
  REQUIRE(port.error);
  CHECK(port.id == "x");
  CHECK(port.error->field == "account.incoming.port");
  auto good = parse("{\"id\":\"x\",\"account\":{\"email\":\"a@b.c\"}}");
  CHECK(good.request);
  CHECK(good.id == "x");
  InputLine empty;
  empty.kind = InputLine::Kind::empty;
  CHECK(read_batch_line(empty).error);
}

namespace {

struct BatchRun {
  int status = -1;
  std::vector<json> lines;
  std::string err;
  std::vector<std::string> diagnosed;  // the user names of the requests the diagnosis saw
  std::vector<Options> options;        // and their options
  bool every_run_had_a_gate = true;
};

BatchRun run_batch_text(const std::string& input, BatchSettings s = {}, std::function<Result(const Request&)> answer = {}) {
  BatchRun r;
  std::istringstream in(input);
  std::ostringstream out, err;
  std::mutex m;
  s.jobs = s.jobs ? s.jobs : 4;
  // Called on the batch's worker threads: only record here (Catch2 assertions are not thread-safe).
  r.status = run_batch(s, BatchIo{in, out, err, false}, [&](Request req, const RunHooks& hooks) -> Result {
    {
      std::lock_guard lock(m);
      if (!hooks.connection_gate) r.every_run_had_a_gate = false;
      r.diagnosed.push_back(req.account.incoming ? req.account.incoming->username : req.account.email);
      r.options.push_back(req.options);
    }
    if (answer) return answer(req);
    Result res;
    res.verdict = "ok";
    return res;
  });
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) r.lines.push_back(json::parse(line));
  r.err = err.str();
  CHECK(r.every_run_had_a_gate);
  return r;
}

std::string line_of(const std::string& id, const json& request) {
  json j = request;
  j["id"] = id;
  return j.dump() + "\n";
}

const json* answer_for(const BatchRun& r, const std::string& id) {
  for (const auto& l : r.lines)
    if (l.value("id", json()) == id) return &l;
  return nullptr;
}

}  // namespace

TEST_CASE("run_batch: one answer per line, bad lines answered with errors, the batch goes on") {
  std::string input = line_of("a", imap_request("alice@example.test", "pw")) + "\n" + "not json\n" +
                      "{\"account\":{\"email\":\"x@y.z\"}}\n" + line_of("a", imap_request("bob@example.test", "pw")) +
                      line_of("b", imap_request("bob@example.test", "pw")) + line_of("c", {{"account", {{"email", "nope"}}}});
  const auto r = run_batch_text(input);
  REQUIRE(r.lines.size() == 7);
  CHECK(answer_for(r, "b")->contains("result"));
  CHECK(answer_for(r, "c")->at("error").at("field") == "account.email");
  int errors = 0;
  for (const auto& l : r.lines)
    if (l.contains("error")) {
      ++errors;
      CHECK(l.contains("line"));
    }
  CHECK(errors == 5);  // empty, invalid JSON, missing id, duplicate id, bad request
  CHECK(r.status == 1);
  CHECK(r.err.find("input error") != std::string::npos);
  CHECK(r.diagnosed.size() == 2);
}

TEST_CASE("run_batch: all ok exits 0; the common options reach every request") {
  BatchSettings s;
  s.deadline_ms = 1500;
  s.no_alternatives = true;
  s.cacert = "/ca.pem";
  s.trust_discovered = true;
  const auto r = run_batch_text(line_of("a", imap_request("a@example.test", "")) + line_of("b", imap_request("b@example.test", "")), s);
  CHECK(r.status == 0);
  REQUIRE(r.options.size() == 2);
  for (const auto& o : r.options) {
    CHECK(o.deadline_ms == 1500);
    CHECK_FALSE(o.alternatives);
    CHECK(o.login);
    CHECK(o.cacert == "/ca.pem");
    CHECK(o.trust_discovered);
  }
}

TEST_CASE("run_batch: the same user and server are diagnosed once; later lines reuse the answer") {
  std::string input;
  for (int i = 0; i < 6; ++i) input += line_of("dup" + std::to_string(i), imap_request("alice@example.test", "pw" + std::to_string(i)));
  input += line_of("other", imap_request("bob@example.test", "pw"));
  const auto r = run_batch_text(input, {}, [](const Request&) {
    Result res;
    res.verdict = "problem";
    Finding f;
    f.code = "auth.wrong_password";
    res.findings.push_back(f);
    return res;
  });
  REQUIRE(r.lines.size() == 7);
  CHECK(std::count(r.diagnosed.begin(), r.diagnosed.end(), "alice@example.test") == 1);
  int same = 0;
  for (const auto& l : r.lines) {
    REQUIRE(l.contains("result"));
    if (l.contains("same_as")) {
      ++same;
      CHECK(l["same_as"] == "dup0");
      CHECK(l["result"]["findings"][0]["code"] == "auth.wrong_password");
    }
  }
  CHECK(same == 5);
  CHECK(r.err.find("auth.wrong_password") != std::string::npos);
}

TEST_CASE("run_batch: --resume skips answered ids; --summary holds counts per cause without secrets") {
  const std::string earlier = temp_path("earlier.jsonl");
  const std::string summary = temp_path("summary.json");
  std::ofstream(earlier) << "{\"id\":\"a\",\"result\":{\"verdict\":\"ok\"}}\n{\"id\":\"b\",\"error\":{\"field\":\"\",\"message\":\"x\"}}\n{\"id\":\"c\",\"res";
  BatchSettings s;
  s.resume = earlier;
  s.summary = summary;
  const auto r = run_batch_text(line_of("a", imap_request("a@example.test", "Pw-Summary-1")) +
                                    line_of("b", imap_request("b@example.test", "Pw-Summary-1")) +
                                    line_of("c", imap_request("c@example.test", "Pw-Summary-1")),
                                s);
  auto diagnosed = r.diagnosed;
  std::sort(diagnosed.begin(), diagnosed.end());
  CHECK(diagnosed == std::vector<std::string>{"b@example.test", "c@example.test"});
  CHECK(r.lines.size() == 2);
  const json j = json::parse(slurp(summary));
  CHECK(j["skipped_by_resume"] == 1);
  CHECK(j["verdicts"]["ok"] == 2);
  CHECK(j["causes"][0]["cause"] == "ok");
  CHECK(slurp(summary).find("Pw-Summary-1") == std::string::npos);
  CHECK(r.err.find("Pw-Summary-1") == std::string::npos);
  std::remove(earlier.c_str());
  std::remove(summary.c_str());
}

TEST_CASE("run_batch: --min-interval-per-account refuses a login made recently, in this run or an earlier one") {
  const std::string state = temp_path("interval.json");
  std::remove(state.c_str());
  BatchSettings s;
  s.min_interval_s = 3600;
  s.state = state;
  const auto first = run_batch_text(line_of("a", imap_request("alice@example.test", "pw")), s);
  CHECK(first.diagnosed.size() == 1);
  const auto second = run_batch_text(line_of("a2", imap_request("alice@example.test", "pw")) +
                                         line_of("n", imap_request("alice@example.test", "")),  // no login: no limit
                                     s);
  CHECK(second.diagnosed.size() == 1);
  REQUIRE(answer_for(second, "a2"));
  CHECK(answer_for(second, "a2")->at("error").at("field") == "account");
  CHECK(answer_for(second, "n")->contains("result"));
  std::remove(state.c_str());
}

TEST_CASE("progress text: done/total, rate, ETA and verdict counts") {
  Tally::Snapshot s;
  s.done = 50;
  s.total = 200;
  s.ok = 30;
  s.problem = 20;
  s.seconds = 10;
  const auto text = progress_text(s, 10);
  CHECK(text.find("[##........] 50/200") == 0);
  CHECK(text.find("5.0/s") != std::string::npos);
  CHECK(text.find("ETA 30s") != std::string::npos);
  CHECK(text.find("ok 30 problem 20") != std::string::npos);
  s.total.reset();
  CHECK(progress_text(s).find("50 done") == 0);
}
