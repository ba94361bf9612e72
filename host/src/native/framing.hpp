#pragma once
// Mozilla's native-messaging framing: a 4-byte length in the machine's byte order, then that many bytes of UTF-8 JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace maildoctor::native {

// Thunderbird refuses anything larger from us, and we refuse anything larger from it (CONTRACT section 5).
inline constexpr std::uint32_t kMaxMessageBytes = 1024 * 1024;

// Where frames come from. An interface so that tests can feed bytes from memory, in any chunking.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads at most n bytes into buf. Returns 0 only at end of input (or on a read error, which ends input too).
  virtual std::size_t read_some(char* buf, std::size_t n) = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Writes everything or returns false (the peer went away); never throws.
  virtual bool write_all(const char* data, std::size_t n) = 0;
};

enum class FrameStatus {
  message,    // body holds the complete message
  end,        // input ended cleanly between frames
  empty,      // a zero length
  too_large,  // claimed length above the limit; nothing of the body was read yet
  truncated,  // input ended inside a length or a body
};

struct Frame {
  FrameStatus status = FrameStatus::end;
  std::string body;
  std::uint32_t claimed = 0;  // the length the peer announced
};

// Reads one frame. The announced length is checked against `limit` before any memory is allocated for it.
Frame read_frame(ByteSource& in, std::uint32_t limit = kMaxMessageBytes);

// Reads and throws away n bytes in small chunks, keeping none of them. False when input ended first.
bool skip_bytes(ByteSource& in, std::uint64_t n);

// Prefixes body with its length. The caller keeps bodies within the limit.
std::string encode_frame(std::string_view body);

}  // namespace maildoctor::native
