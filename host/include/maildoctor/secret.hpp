#pragma once
#include <string>
#include <string_view>

namespace maildoctor {

// A password or token. It has no operator<<, no implicit conversion and no JSON serializer, so it cannot
// reach an output by accident; the one way in is reveal(), greppable at every use. The storage is wiped
// when the value is destroyed or replaced.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value);
  Secret(const Secret& other) : value_(other.value_) {}
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret() { wipe(); }

  [[nodiscard]] bool empty() const { return value_.empty(); }
  [[nodiscard]] std::size_t size() const { return value_.size(); }
  // Only for handing the value to libcurl or to a redaction scanner.
  [[nodiscard]] const std::string& reveal() const { return value_; }
  void wipe() noexcept;

 private:
  std::string value_;
};

}  // namespace maildoctor
