#include <catch2/catch.hpp>

#include "native/framing.hpp"
#include "native_test_streams.hpp"

using namespace maildoctor::native;
using native_test::frame;
using native_test::MemorySource;
using native_test::raw_length;

TEST_CASE("a frame is the length in native byte order followed by the body", "[native][framing]") {
  const std::string f = encode_frame("{\"type\":\"hello\"}");
  REQUIRE(f.size() == 4 + 16);
  std::uint32_t len = 0;
  std::memcpy(&len, f.data(), 4);
  CHECK(len == 16);
  CHECK(f.substr(4) == "{\"type\":\"hello\"}");
}

TEST_CASE("frames are read back whatever the chunking of the input", "[native][framing]") {
  const std::string body = R"({"type":"diagnose","id":"a"})";
  for (std::size_t chunk : {1u, 2u, 3u, 5u, 4096u}) {
    MemorySource in(frame(body) + frame("{}"), chunk);
    Frame a = read_frame(in);
    REQUIRE(a.status == FrameStatus::message);
    CHECK(a.body == body);
    Frame b = read_frame(in);
    REQUIRE(b.status == FrameStatus::message);
    CHECK(b.body == "{}");
    CHECK(read_frame(in).status == FrameStatus::end);
  }
}

TEST_CASE("a zero length is reported as an empty frame and the next frame still reads", "[native][framing]") {
  MemorySource in(raw_length(0) + frame("{}"));
  CHECK(read_frame(in).status == FrameStatus::empty);
  CHECK(read_frame(in).body == "{}");
}

TEST_CASE("a length over the limit is refused before the body is read or allocated", "[native][framing]") {
  MemorySource in(raw_length(0xFFFFFFFFu) + std::string(100, 'x'));
  Frame f = read_frame(in);
  CHECK(f.status == FrameStatus::too_large);
  CHECK(f.claimed == 0xFFFFFFFFu);
  CHECK(f.body.capacity() < 1024);
  CHECK(in.consumed() == 4);
}

TEST_CASE("exactly the limit is accepted, one byte more is not", "[native][framing]") {
  const std::string body(kMaxMessageBytes, ' ');
  MemorySource ok(frame(body));
  CHECK(read_frame(ok).status == FrameStatus::message);
  MemorySource big(raw_length(kMaxMessageBytes + 1));
  CHECK(read_frame(big).status == FrameStatus::too_large);
}

TEST_CASE("skipping discards the announced bytes in small reads and lands on the next frame", "[native][framing]") {
  const std::size_t two_mib = 2u << 20;
  MemorySource in(raw_length(static_cast<std::uint32_t>(two_mib)) + std::string(two_mib, 'x') + frame("{\"n\":1}"));
  Frame f = read_frame(in);
  REQUIRE(f.status == FrameStatus::too_large);
  REQUIRE(skip_bytes(in, f.claimed));
  CHECK(in.largest_request() <= 64 * 1024);
  CHECK(read_frame(in).body == "{\"n\":1}");
}

TEST_CASE("skipping reports input that ends before the announced bytes", "[native][framing]") {
  MemorySource in(std::string(10, 'x'));
  CHECK_FALSE(skip_bytes(in, 4000000000ull));
}

TEST_CASE("input that ends inside a length or a body is truncated, not a message", "[native][framing]") {
  MemorySource half_length(std::string("\x05\x00", 2));
  CHECK(read_frame(half_length).status == FrameStatus::truncated);
  MemorySource half_body(raw_length(100) + "{\"type\":");
  Frame f = read_frame(half_body);
  CHECK(f.status == FrameStatus::truncated);
  CHECK(f.claimed == 100);
  CHECK(f.body.empty());
}
