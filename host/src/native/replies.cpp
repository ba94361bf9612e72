#include "native/replies.hpp"

namespace maildoctor::native {

using nlohmann::json;

namespace {

json with_id(json reply, const json& id) {
  if (!id.is_null()) reply["id"] = id;
  return reply;
}

json truncation_note(std::size_t omitted, std::size_t total) {
  TranscriptEntry note;
  note.subject = Subject::account;
  note.dir = '*';
  note.line = std::to_string(omitted) + " of " + std::to_string(total) +
              " transcript lines left out: the whole result would not fit in one 1 MiB native message.";
  return to_json(note);
}

}  // namespace

json hello_reply(const json& id) {
  return with_id(json{{"type", "hello"}, {"version", MAILDOCTOR_VERSION}, {"protocol", kProtocolVersion}}, id);
}

json error_reply(const json& id, std::string_view code, std::string_view message) {
  return with_id(json{{"type", "error"}, {"error", {{"code", code}, {"message", message}}}}, id);
}

json progress_reply(const json& id, const Check& check) {
  return with_id(json{{"type", "progress"}, {"check", to_json(check)}}, id);
}

json queued_reply(const json& id, std::size_t position) {
  return with_id(json{{"type", "progress"}, {"queued", true}, {"position", position}}, id);
}

json started_reply(const json& id) { return with_id(json{{"type", "progress"}, {"queued", false}}, id); }

std::string serialize(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string result_reply_text(const json& id, const Result& result, std::size_t limit) {
  json reply = to_json(result);
  reply["type"] = "result";
  reply = with_id(std::move(reply), id);
  std::string text = serialize(reply);
  if (text.size() <= limit) return text;

  json full = std::move(reply["transcript"]);
  const std::size_t total = full.is_array() ? full.size() : 0;
  reply["transcript_truncated"] = true;
  reply["transcript"] = json::array();
  const std::size_t base = serialize(reply).size();  // counts the empty array's two brackets
  // The note for "all omitted" has the most digits, so sizing with it never underestimates.
  const std::size_t note = serialize(truncation_note(total, total)).size();
  if (base + note > limit)
    return serialize(error_reply(id, "internal", "the diagnosis result is larger than the 1 MiB native-message limit."));

  // Longest prefix that fits: the start of a dialogue (greeting, capabilities, login) explains most failures.
  // Sizes add up exactly in compact JSON: each kept entry costs its own text plus one comma.
  std::size_t keep = 0, used = base + note;
  while (keep < total) {
    const std::size_t cost = serialize(full[keep]).size() + 1;
    if (used + cost > limit) break;
    used += cost;
    ++keep;
  }
  json kept = json::array();
  for (std::size_t i = 0; i < keep; ++i) kept.push_back(std::move(full[i]));
  kept.push_back(truncation_note(total - keep, total));
  reply["transcript"] = std::move(kept);
  return serialize(reply);
}

}  // namespace maildoctor::native
