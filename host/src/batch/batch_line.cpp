#include "batch/batch_line.hpp"

#include <algorithm>

namespace maildoctor::batch {

namespace {
void wipe(std::string& s) {
  std::fill(s.begin(), s.end(), '\0');
  s.clear();
}
}  // namespace

BatchLine read_batch_line(InputLine& line) {
  BatchLine out;
  switch (line.kind) {
    case InputLine::Kind::empty:
      out.error = RequestError{"", "the line is empty"};
      return out;
    case InputLine::Kind::too_long:
      out.error = RequestError{"", "the line is longer than 1 MiB and was not read"};
      return out;
    case InputLine::Kind::text:
      break;
  }
  nlohmann::json j = nlohmann::json::parse(line.text, nullptr, false);
  wipe(line.text);
  // The DOM holds the password too: its strings are wiped on every way out.
  struct WipeOnExit {
    nlohmann::json& doc;
    ~WipeOnExit() { wipe_strings(doc); }
  } wipe_dom{j};
  // The line's text is never quoted back: it may hold a password.
  if (j.is_discarded()) {
    out.error = RequestError{"", "the line is not valid JSON (one UTF-8 JSON object per line)"};
    return out;
  }
  if (!j.is_object()) {
    out.error = RequestError{"", "the line must be a JSON object"};
    return out;
  }
  const auto it = j.find("id");
  if (it == j.end() || it->is_null()) {
    out.error = RequestError{"id", "\"id\" is required: every answer line echoes it"};
  } else if (!it->is_string() || it->get_ref<const std::string&>().empty() || it->get_ref<const std::string&>().size() > kMaxIdLength) {
    out.error = RequestError{"id", "\"id\" must be a non-empty string of at most 256 characters"};
  } else {
    out.id = *it;
  }
  if (out.error) return out;
  ParsedRequest parsed = parse_request(j);
  if (parsed.error) out.error = parsed.error;
  else out.request = std::move(parsed.request);
  return out;
}

std::string error_line(const nlohmann::json& id, std::size_t line_number, const RequestError& error) {
  const nlohmann::json j{{"id", id}, {"error", {{"field", error.field}, {"message", error.message}}}, {"line", line_number}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace maildoctor::batch
