// Native-messaging framing and dispatch: whatever bytes the peer writes, in whatever chunks they arrive, every
// reply is a well-formed frame within the 1 MiB limit holding one valid UTF-8 JSON object with a type, and the
// session ends with no thread left behind. The diagnosis itself is replaced by a stand-in (no network in a
// fuzzer) that returns server text with arbitrary bytes, as a hostile server would.
#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "maildoctor/diagnosis.hpp"
#include "native/framing.hpp"
#include "native/session.hpp"

using namespace maildoctor;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

class MemorySource final : public native::ByteSource {
 public:
  MemorySource(std::string bytes, std::size_t chunk) : bytes_(std::move(bytes)), chunk_(chunk ? chunk : 1) {}
  std::size_t read_some(char* buf, std::size_t n) override {
    const std::size_t k = std::min({n, chunk_, bytes_.size() - pos_});
    std::memcpy(buf, bytes_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string bytes_;
  std::size_t chunk_;
  std::size_t pos_ = 0;
};

class MemorySink final : public native::ByteSink {
 public:
  bool write_all(const char* data, std::size_t n) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    out.append(data, n);
    return true;
  }
  std::string out;

 private:
  std::mutex mutex_;
};

void check_replies(const std::string& out) {
  std::size_t pos = 0;
  while (pos < out.size()) {
    require(out.size() - pos >= 4);
    std::uint32_t n = 0;
    std::memcpy(&n, out.data() + pos, 4);
    require(n > 0 && n <= native::kMaxMessageBytes);
    require(out.size() - pos - 4 >= n);
    const auto body = nlohmann::json::parse(out.begin() + static_cast<std::ptrdiff_t>(pos + 4),
                                            out.begin() + static_cast<std::ptrdiff_t>(pos + 4 + n), nullptr, false);
    require(!body.is_discarded() && body.is_object());
    require(body.contains("type") && body["type"].is_string());
    pos += 4 + n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  const std::size_t chunk = fdp.ConsumeIntegralInRange<std::size_t>(1, 4096);
  const std::string server_text = fdp.ConsumeRandomLengthString(512);  // may be anything but UTF-8
  const std::string stream = fdp.ConsumeRemainingBytesAsString();

  native::Diagnoser stand_in = [&server_text](Request request, const RunHooks& hooks) {
    Check c;
    c.step = "greeting";
    c.status = CheckStatus::fail;
    c.detail = server_text;
    if (hooks.on_check) hooks.on_check(c);
    Result r;
    r.verdict = "problem";
    Finding f;
    f.code = "auth.failed";
    f.title = "stand-in";
    f.detail = request.observed_error;
    f.evidence = {server_text, server_text + server_text};
    r.findings.push_back(f);
    for (int i = 0; i < 50; ++i) r.transcript.push_back({Subject::incoming, 'S', i, server_text, "fuzz"});
    return r;
  };

  MemorySink sink;
  {
    native::SessionOptions options;
    options.max_running = 2;
    native::Session session(sink, stand_in, options);
    MemorySource source(stream, chunk);
    session.read_all(source);
    require(session.finish(std::chrono::milliseconds(5000)));
  }
  check_replies(sink.out);
  return 0;
}
