#include "batch/line_reader.hpp"

#include <cstring>

namespace maildoctor::batch {

namespace {
constexpr std::size_t kChunk = 64 * 1024;

bool blank(const std::string& s) {
  for (unsigned char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') return false;
  return true;
}
}  // namespace

bool LineReader::fill() {
  if (eof_) return false;
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  const std::size_t old = buffer_.size();
  buffer_.resize(old + kChunk);
  in_.read(buffer_.data() + old, static_cast<std::streamsize>(kChunk));
  const auto got = static_cast<std::size_t>(in_.gcount());
  buffer_.resize(old + got);
  if (got == 0) eof_ = true;
  return got > 0;
}

std::optional<InputLine> LineReader::next() {
  InputLine line;
  bool too_long = false;
  for (;;) {
    const char* start = buffer_.data() + pos_;
    const std::size_t avail = buffer_.size() - pos_;
    const void* nl = avail ? std::memchr(start, '\n', avail) : nullptr;
    if (nl) {
      const auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
      if (!too_long && len <= limit_ + 1) line.text.assign(start, len);  // +1: a CR before the LF
      else too_long = true;
      pos_ += len + 1;
      break;
    }
    if (too_long || avail > limit_ + 1) {
      // Over the limit without an end in sight: drop what is buffered and skip to the line's end.
      too_long = true;
      buffer_.clear();
      pos_ = 0;
    }
    if (!fill()) {
      // The input ended. A last line without a line ending still counts.
      if (buffer_.size() == pos_ && !too_long) return std::nullopt;
      if (!too_long) line.text.assign(buffer_.data() + pos_, buffer_.size() - pos_);
      buffer_.clear();
      pos_ = 0;
      break;
    }
  }
  line.number = ++number_;
  if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
  if (too_long || line.text.size() > limit_) {
    line.kind = InputLine::Kind::too_long;
    line.text.clear();
  } else if (blank(line.text)) {
    line.kind = InputLine::Kind::empty;
    line.text.clear();
  }
  return line;
}

}  // namespace maildoctor::batch
