#pragma once
// JSONL input, one line at a time: at most one line (up to the limit) is held in memory, whatever the input's size.
#include <cstddef>
#include <istream>
#include <optional>
#include <string>

namespace maildoctor::batch {

struct InputLine {
  enum class Kind { text, empty, too_long } kind = Kind::text;
  std::size_t number = 0;  // 1-based
  std::string text;        // without the line ending; empty unless kind is text
};

class LineReader {
 public:
  static constexpr std::size_t kDefaultLimit = 1024 * 1024;
  explicit LineReader(std::istream& in, std::size_t limit = kDefaultLimit) : in_(in), limit_(limit) {}
  // The next line, or nullopt at the end of the input. A line over the limit is skipped to its end unread.
  std::optional<InputLine> next();

 private:
  bool fill();
  std::istream& in_;
  const std::size_t limit_;
  std::string buffer_;
  std::size_t pos_ = 0;
  std::size_t number_ = 0;
  bool eof_ = false;
};

}  // namespace maildoctor::batch
