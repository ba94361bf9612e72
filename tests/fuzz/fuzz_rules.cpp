// Rule matching: server replies are attacker-controlled text. Against the real embedded rules and provider
// knowledge, matching is consistent (first_match is the first rule that matches), and classifying evidence made of
// arbitrary replies yields findings that each carry a code and a title, and a result that serialises.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "maildoctor/diagnosis.hpp"
#include "maildoctor/kb.hpp"
#include "maildoctor/rules.hpp"

using namespace maildoctor;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

Reply fuzz_reply(FuzzedDataProvider& fdp, Protocol p) {
  Reply r;
  const int n = fdp.ConsumeIntegralInRange<int>(0, 6);
  for (int i = 0; i < n; ++i) r.lines.push_back(fdp.ConsumeRandomLengthString(300));
  if (p == Protocol::smtp) r.code = fdp.ConsumeIntegralInRange<int>(0, 999);
  r.status = fdp.ConsumeRandomLengthString(8);
  r.enhanced = fdp.ConsumeRandomLengthString(10);
  r.response_code = fdp.ConsumeRandomLengthString(24);
  return r;
}

template <typename E>
E pick(FuzzedDataProvider& fdp, int count) {
  return static_cast<E>(fdp.ConsumeIntegralInRange<int>(0, count - 1));
}

void match_one(FuzzedDataProvider& fdp) {
  rules::MatchInput in;
  in.protocol = pick<Protocol>(fdp, 3);
  in.stage = rules::kStages[fdp.ConsumeIntegralInRange<int>(0, 5)];
  in.reply = fuzz_reply(fdp, in.protocol);
  const int mechs = fdp.ConsumeIntegralInRange<int>(0, 4);
  for (int i = 0; i < mechs; ++i) in.mechanisms.push_back(fdp.ConsumeRandomLengthString(16));
  const auto& providers = kb::providers();
  if (!providers.empty() && fdp.ConsumeBool())
    in.provider = &providers[fdp.ConsumeIntegralInRange<std::size_t>(0, providers.size() - 1)];
  in.auth = pick<AuthMethod>(fdp, 7);
  in.security = pick<Security>(fdp, 3);
  in.host = fdp.ConsumeRandomLengthString(64);
  in.observed_error = fdp.ConsumeRandomLengthString(300);

  const auto& all = rules::rules();
  const rules::Rule* first = rules::first_match(all, in);
  const rules::Rule* expected = nullptr;
  for (const auto& r : all)
    if (rules::matches(r, in)) {
      expected = &r;
      break;
    }
  require(first == expected);
  (void)rules::reply_code(in.reply);
  (void)rules::enhanced_code(in.reply);
  (void)rules::response_code(in.reply);
}

void classify_one(FuzzedDataProvider& fdp) {
  Request request;
  request.account.email = "bob@" + fdp.ConsumeRandomLengthString(24);
  request.observed_error = fdp.ConsumeRandomLengthString(200);
  Evidence ev;
  const int probes = fdp.ConsumeIntegralInRange<int>(1, 3);
  for (int i = 0; i < probes; ++i) {
    ProbeResult pr;
    const bool outgoing = fdp.ConsumeBool();
    pr.endpoint.subject = outgoing ? Subject::outgoing : Subject::incoming;
    pr.endpoint.protocol = outgoing ? Protocol::smtp : (fdp.ConsumeBool() ? Protocol::imap : Protocol::pop3);
    pr.endpoint.host = fdp.ConsumeRandomLengthString(40);
    pr.endpoint.port = fdp.ConsumeIntegral<std::uint16_t>();
    pr.endpoint.security = pick<Security>(fdp, 3);
    pr.endpoint.auth = pick<AuthMethod>(fdp, 7);
    pr.with_credentials = fdp.ConsumeBool();
    pr.dns.status = pick<DnsEvidence::Status>(fdp, 4);
    pr.connect.status = pick<ConnectEvidence::Status>(fdp, 6);
    pr.tls.status = pick<TlsEvidence::Status>(fdp, 3);
    pr.tls.failure = pick<TlsEvidence::Failure>(fdp, 7);
    pr.tls.error = fdp.ConsumeRandomLengthString(80);
    pr.tls.cert.present = fdp.ConsumeBool();
    pr.tls.cert.expired = fdp.ConsumeBool();
    pr.tls.cert.hostname_mismatch = fdp.ConsumeBool();
    pr.tls.cert.self_signed = fdp.ConsumeBool();
    pr.tls.cert.untrusted = fdp.ConsumeBool();
    if (pr.tls.cert.present) pr.tls.cert.chain.push_back({fdp.ConsumeRandomLengthString(40), "", {fdp.ConsumeRandomLengthString(40)}, "", "", false});
    pr.greeting.status = pick<GreetingEvidence::Status>(fdp, 5);
    pr.greeting.reply = fuzz_reply(fdp, pr.endpoint.protocol);
    pr.caps.known = fdp.ConsumeBool();
    const int mechs = fdp.ConsumeIntegralInRange<int>(0, 4);
    for (int m = 0; m < mechs; ++m) pr.caps.sasl_mechanisms.push_back(fdp.ConsumeRandomLengthString(12));
    pr.caps.starttls = fdp.ConsumeBool();
    pr.caps.login_disabled = fdp.ConsumeBool();
    pr.caps.auth_advertised = fdp.ConsumeBool();
    pr.caps_before_tls = pr.caps;
    pr.login.status = pick<LoginEvidence::Status>(fdp, 7);
    pr.login.reply = fuzz_reply(fdp, pr.endpoint.protocol);
    pr.login.mechanism = fdp.ConsumeRandomLengthString(12);
    pr.after_login.attempted = fdp.ConsumeBool();
    pr.after_login.mailbox = fuzz_reply(fdp, pr.endpoint.protocol);
    pr.after_login.mail_from = fuzz_reply(fdp, pr.endpoint.protocol);
    pr.after_login.rcpt_to = fuzz_reply(fdp, pr.endpoint.protocol);
    (pr.endpoint.subject == Subject::outgoing ? request.account.outgoing : request.account.incoming) = pr.endpoint;
    pr.alternative = i > 0 && fdp.ConsumeBool();
    (pr.alternative ? ev.alternatives : ev.primary).push_back(pr);
  }
  const Result result = classify(request, ev);
  require(result.verdict == "ok" || result.verdict == "problem" || result.verdict == "inconclusive");
  for (const auto& f : result.findings) require(!f.code.empty() && !f.title.empty());
  (void)to_json(result).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  if (fdp.ConsumeBool())
    match_one(fdp);
  else
    classify_one(fdp);
  return 0;
}
