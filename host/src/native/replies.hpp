#pragma once
// The host's reply messages (CONTRACT section 5) and their serialisation within the frame limit.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "maildoctor/result.hpp"
#include "native/framing.hpp"

namespace maildoctor::native {

inline constexpr int kProtocolVersion = 1;

// `id` is the request's id as the peer sent it, or null when unknown (then the reply carries none).
nlohmann::json hello_reply(const nlohmann::json& id);
nlohmann::json error_reply(const nlohmann::json& id, std::string_view code, std::string_view message);
nlohmann::json progress_reply(const nlohmann::json& id, const Check& check);
// A diagnose request waits for a free slot (position 1 = next to run), and then starts (CONTRACT section 5).
nlohmann::json queued_reply(const nlohmann::json& id, std::size_t position);
nlohmann::json started_reply(const nlohmann::json& id);

// Compact JSON; invalid UTF-8 from a server is replaced rather than allowed to throw.
std::string serialize(const nlohmann::json& j);

// The result reply, serialised. When it would exceed `limit`, the transcript is cut to the longest prefix that
// fits, a note entry says how many lines were left out, and "transcript_truncated" is true. When even an empty
// transcript does not fit, an `internal` error reply takes its place.
std::string result_reply_text(const nlohmann::json& id, const Result& result, std::size_t limit = kMaxMessageBytes);

}  // namespace maildoctor::native
