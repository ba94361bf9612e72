#include <catch2/catch.hpp>

#include "native/replies.hpp"

using namespace maildoctor;
using namespace maildoctor::native;
using nlohmann::json;

namespace {
Result with_transcript(std::size_t lines, std::size_t line_length) {
  Result r;
  r.verdict = "problem";
  for (std::size_t i = 0; i < lines; ++i) {
    TranscriptEntry t;
    t.dir = 'S';
    t.ms = static_cast<int>(i);
    t.line = std::to_string(i) + ":" + std::string(line_length, 'x');
    r.transcript.push_back(t);
  }
  return r;
}
}  // namespace

TEST_CASE("a result that fits is sent whole and unmarked", "[native][replies]") {
  const json j = json::parse(result_reply_text("r", with_transcript(10, 50)));
  CHECK(j.at("type") == "result");
  CHECK(j.at("id") == "r");
  CHECK(j.at("transcript").size() == 10);
  CHECK_FALSE(j.contains("transcript_truncated"));
}

TEST_CASE("an oversized transcript is cut to a prefix that fits, and the cut is marked", "[native][replies]") {
  const std::string text = result_reply_text("big", with_transcript(3000, 400));
  CHECK(text.size() <= kMaxMessageBytes);
  CHECK(text.size() > kMaxMessageBytes - 1000);  // as much as fits, not an arbitrary small amount
  const json j = json::parse(text);
  CHECK(j.at("transcript_truncated") == true);
  const auto& t = j.at("transcript");
  CHECK(t.at(0).at("line").get<std::string>().rfind("0:", 0) == 0);
  const auto& note = t.back();
  CHECK(note.at("dir") == "*");
  CHECK(note.at("line").get<std::string>().find("of 3000 transcript lines left out") != std::string::npos);
  CHECK(j.at("verdict") == "problem");
}

TEST_CASE("a result too big even without transcript becomes an internal error", "[native][replies]") {
  Result r;
  Finding f;
  f.code = "auth.failed";
  f.evidence.push_back(std::string(kMaxMessageBytes, 'e'));
  r.findings.push_back(f);
  const json j = json::parse(result_reply_text(3, r));
  CHECK(j.at("type") == "error");
  CHECK(j.at("id") == 3);
  CHECK(j.at("error").at("code") == "internal");
}

TEST_CASE("invalid UTF-8 from a server does not break serialisation", "[native][replies]") {
  Result r;
  TranscriptEntry t;
  t.line = "OK \xff\xfe caf\xc3";
  r.transcript.push_back(t);
  const json j = json::parse(result_reply_text("u", r));
  CHECK(j.at("transcript").at(0).at("line").get<std::string>().rfind("OK ", 0) == 0);
}
