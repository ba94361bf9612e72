#include "native/framing.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include <openssl/crypto.h>

namespace maildoctor::native {
namespace {

// Fills buf completely unless input ends; returns how many bytes arrived.
std::size_t read_fully(ByteSource& in, char* buf, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const std::size_t k = in.read_some(buf + got, n - got);
    if (k == 0) break;
    got += k;
  }
  return got;
}

}  // namespace

Frame read_frame(ByteSource& in, std::uint32_t limit) {
  Frame f;
  std::array<char, sizeof(std::uint32_t)> header{};
  const std::size_t got = read_fully(in, header.data(), header.size());
  if (got == 0) return f;
  if (got < header.size()) {
    f.status = FrameStatus::truncated;
    return f;
  }
  std::memcpy(&f.claimed, header.data(), header.size());
  if (f.claimed == 0) {
    f.status = FrameStatus::empty;
    return f;
  }
  if (f.claimed > limit) {
    f.status = FrameStatus::too_large;
    return f;
  }
  f.body.resize(f.claimed);
  if (read_fully(in, f.body.data(), f.claimed) < f.claimed) {
    OPENSSL_cleanse(f.body.data(), f.body.size());  // a cut-off message may still hold part of a password
    f.body.clear();
    f.body.shrink_to_fit();
    f.status = FrameStatus::truncated;
    return f;
  }
  f.status = FrameStatus::message;
  return f;
}

bool skip_bytes(ByteSource& in, std::uint64_t n) {
  std::array<char, 64 * 1024> scratch{};
  while (n > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(n, scratch.size()));
    const std::size_t k = in.read_some(scratch.data(), want);
    if (k == 0) return false;
    n -= k;
  }
  return true;
}

std::string encode_frame(std::string_view body) {
  const auto len = static_cast<std::uint32_t>(body.size());
  std::string out(sizeof len + body.size(), '\0');
  std::memcpy(out.data(), &len, sizeof len);
  std::memcpy(out.data() + sizeof len, body.data(), body.size());
  return out;
}

}  // namespace maildoctor::native
