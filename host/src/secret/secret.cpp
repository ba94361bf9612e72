#include "maildoctor/secret.hpp"

#include <openssl/crypto.h>

namespace maildoctor {

Secret::Secret(std::string value) : value_(std::move(value)) {
  // A short password was copied out of the parameter's inline buffer, not moved: its bytes are still there.
  if (value.capacity() > 0) OPENSSL_cleanse(value.data(), value.capacity());
}

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    wipe();
    value_ = other.value_;
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

void Secret::wipe() noexcept {
  // OPENSSL_cleanse is not optimised away, unlike a memset of memory about to be freed.
  // The whole capacity: a moved-from short string keeps its old bytes in the inline buffer.
  if (value_.capacity() > 0) OPENSSL_cleanse(value_.data(), value_.capacity());
  value_.clear();
  value_.shrink_to_fit();
}

}  // namespace maildoctor
