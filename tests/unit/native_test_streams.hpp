#pragma once
// In-memory ends of a native-messaging connection for the native_* unit tests.
#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "native/framing.hpp"

namespace native_test {

// Hands out its bytes at most `chunk` at a time, the way a pipe may.
class MemorySource final : public maildoctor::native::ByteSource {
 public:
  explicit MemorySource(std::string data, std::size_t chunk = 1 << 20) : data_(std::move(data)), chunk_(chunk) {}
  std::size_t read_some(char* buf, std::size_t n) override {
    const std::size_t k = std::min({n, chunk_, data_.size() - pos_});
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    largest_request_ = std::max(largest_request_, n);
    return k;
  }
  std::size_t consumed() const { return pos_; }
  std::size_t largest_request() const { return largest_request_; }

 private:
  std::string data_;
  std::size_t chunk_;
  std::size_t pos_ = 0;
  std::size_t largest_request_ = 0;
};

class MemorySink final : public maildoctor::native::ByteSink {
 public:
  bool write_all(const char* data, std::size_t n) override {
    std::lock_guard lock(mutex_);
    bytes_.append(data, n);
    return true;
  }
  // Decodes every complete frame written so far.
  std::vector<nlohmann::json> messages() const {
    std::lock_guard lock(mutex_);
    std::vector<nlohmann::json> out;
    std::size_t pos = 0;
    while (bytes_.size() - pos >= 4) {
      std::uint32_t len = 0;
      std::memcpy(&len, bytes_.data() + pos, 4);
      if (bytes_.size() - pos - 4 < len) break;
      out.push_back(nlohmann::json::parse(bytes_.substr(pos + 4, len)));
      pos += 4 + len;
    }
    return out;
  }
  std::string bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
  }

 private:
  mutable std::mutex mutex_;
  std::string bytes_;
};

inline std::string frame(const std::string& body) { return maildoctor::native::encode_frame(body); }

inline std::string raw_length(std::uint32_t len) {
  std::string s(4, '\0');
  std::memcpy(s.data(), &len, 4);
  return s;
}

}  // namespace native_test
