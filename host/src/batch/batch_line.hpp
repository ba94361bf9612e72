#pragma once
// One input line of `maildoctor batch`: a CONTRACT request plus a string "id", or the reason it cannot be run.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "batch/line_reader.hpp"
#include "maildoctor/request.hpp"

namespace maildoctor::batch {

constexpr std::size_t kMaxIdLength = 256;

struct BatchLine {
  nlohmann::json id;  // null when the line has none that can be echoed
  std::optional<Request> request;
  std::optional<RequestError> error;
};

// Never throws. The line's text is wiped (it may hold passwords) once it has been read.
BatchLine read_batch_line(InputLine& line);

// {"id":..,"error":{"field","message"},"line":N} as one line of text.
std::string error_line(const nlohmann::json& id, std::size_t line_number, const RequestError& error);

}  // namespace maildoctor::batch
