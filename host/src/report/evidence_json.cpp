#include "maildoctor/evidence_json.hpp"

#include "maildoctor/result.hpp"

namespace maildoctor {

using nlohmann::json;

namespace {

const char* name(DnsEvidence::Status s) {
  switch (s) {
    case DnsEvidence::Status::ok: return "ok";
    case DnsEvidence::Status::not_found: return "not_found";
    case DnsEvidence::Status::failed: return "failed";
    case DnsEvidence::Status::skipped: return "skipped";
    case DnsEvidence::Status::left_to_proxy: return "left_to_proxy";
  }
  return "?";
}
const char* name(ConnectEvidence::Status s) {
  switch (s) {
    case ConnectEvidence::Status::ok: return "ok";
    case ConnectEvidence::Status::refused: return "refused";
    case ConnectEvidence::Status::timeout: return "timeout";
    case ConnectEvidence::Status::unreachable: return "unreachable";
    case ConnectEvidence::Status::failed: return "failed";
    case ConnectEvidence::Status::skipped: return "skipped";
    case ConnectEvidence::Status::proxy_failed: return "proxy_failed";
  }
  return "?";
}
const char* name(TlsEvidence::Status s) {
  switch (s) {
    case TlsEvidence::Status::ok: return "ok";
    case TlsEvidence::Status::failed: return "failed";
    case TlsEvidence::Status::skipped: return "skipped";
  }
  return "?";
}
const char* name(TlsEvidence::Failure f) {
  switch (f) {
    case TlsEvidence::Failure::none: return "none";
    case TlsEvidence::Failure::plaintext_answer: return "plaintext_answer";
    case TlsEvidence::Failure::no_answer: return "no_answer";
    case TlsEvidence::Failure::silent: return "silent";
    case TlsEvidence::Failure::starttls_unavailable: return "starttls_unavailable";
    case TlsEvidence::Failure::starttls_pipelined: return "starttls_pipelined";
    case TlsEvidence::Failure::version_too_old: return "version_too_old";
    case TlsEvidence::Failure::certificate: return "certificate";
    case TlsEvidence::Failure::handshake: return "handshake";
  }
  return "?";
}
const char* name(GreetingEvidence::Status s) {
  switch (s) {
    case GreetingEvidence::Status::ok: return "ok";
    case GreetingEvidence::Status::silent: return "silent";
    case GreetingEvidence::Status::unexpected: return "unexpected";
    case GreetingEvidence::Status::unavailable: return "unavailable";
    case GreetingEvidence::Status::skipped: return "skipped";
  }
  return "?";
}
const char* name(LoginEvidence::Status s) {
  switch (s) {
    case LoginEvidence::Status::not_attempted: return "not_attempted";
    case LoginEvidence::Status::ok: return "ok";
    case LoginEvidence::Status::refused: return "refused";
    case LoginEvidence::Status::no_mechanism: return "no_mechanism";
    case LoginEvidence::Status::tls_required: return "tls_required";
    case LoginEvidence::Status::skipped_by_server: return "skipped_by_server";
    case LoginEvidence::Status::error: return "error";
  }
  return "?";
}

json reply(const Reply& r) {
  json j{{"lines", r.lines}};
  if (r.code) j["code"] = r.code;
  if (!r.status.empty()) j["status"] = r.status;
  if (!r.enhanced.empty()) j["enhanced"] = r.enhanced;
  if (!r.response_code.empty()) j["response_code"] = r.response_code;
  return j;
}

json caps(const Capabilities& c) {
  return {{"known", c.known},         {"items", c.items},     {"sasl_mechanisms", c.sasl_mechanisms},
          {"starttls", c.starttls},   {"login_disabled", c.login_disabled}, {"id", c.id},
          {"sasl_ir", c.sasl_ir},     {"auth_advertised", c.auth_advertised},
          {"enhanced_status_codes", c.enhanced_status_codes}, {"pipelining", c.pipelining}};
}

json cert(const CertReport& c) {
  json chain = json::array();
  for (const auto& i : c.chain)
    chain.push_back({{"subject", i.subject}, {"issuer", i.issuer}, {"names", i.names}, {"not_before", i.not_before},
                     {"not_after", i.not_after}, {"self_signed", i.self_signed}, {"sha256", i.sha256}});
  return {{"present", c.present},         {"chain", chain},          {"verified", c.verified},
          {"expired", c.expired},         {"not_yet_valid", c.not_yet_valid}, {"hostname_mismatch", c.hostname_mismatch},
          {"self_signed", c.self_signed}, {"untrusted", c.untrusted}, {"verify_error", c.verify_error},
          {"verify_error_text", c.verify_error_text}, {"days_left", c.days_left},
          {"expires_soon", c.expires_soon}, {"override_given", c.override_given},
          {"override_matched", c.override_matched}};
}

}  // namespace

json to_json(const ProbeResult& r) {
  const Endpoint& e = r.endpoint;
  return {
      {"target", r.target()},
      {"endpoint", {{"subject", to_string(e.subject)}, {"protocol", to_string(e.protocol)}, {"host", e.host}, {"port", e.port},
                    {"security", to_string(e.security)}, {"username", e.username}, {"auth", to_string(e.auth)}}},
      {"alternative", r.alternative},
      {"with_credentials", r.with_credentials},
      {"cancelled", r.cancelled},
      {"dns", {{"status", name(r.dns.status)}, {"addresses", r.dns.addresses}, {"ms", r.dns.ms}, {"error", r.dns.error}}},
      {"connect", {{"status", name(r.connect.status)}, {"address", r.connect.address}, {"ms", r.connect.ms},
                   {"os_errno", r.connect.os_errno}, {"error", r.connect.error}, {"proxy", r.connect.proxy},
                   {"proxy_failure", r.connect.proxy_failure}, {"proxy_bypassed", r.connect.proxy_bypassed}}},
      {"tls", {{"status", name(r.tls.status)}, {"failure", name(r.tls.failure)}, {"starttls", r.tls.starttls},
               {"version", r.tls.version}, {"cipher", r.tls.cipher}, {"error", r.tls.error}, {"cert", cert(r.tls.cert)},
               {"ms", r.tls.ms}}},
      {"greeting", {{"status", name(r.greeting.status)}, {"reply", reply(r.greeting.reply)}, {"ms", r.greeting.ms}}},
      {"caps_before_tls", caps(r.caps_before_tls)},
      {"caps", caps(r.caps)},
      {"login", {{"status", name(r.login.status)}, {"reason", r.login.reason}, {"mechanism", r.login.mechanism},
                 {"reply", reply(r.login.reply)}, {"error", r.login.error}, {"ms", r.login.ms}}},
      {"after_login", {{"attempted", r.after_login.attempted}, {"mailbox", reply(r.after_login.mailbox)},
                       {"mail_from", reply(r.after_login.mail_from)}, {"rcpt_to", reply(r.after_login.rcpt_to)}, {"error", r.after_login.error}}},
      {"elapsed_ms", r.elapsed_ms},
  };
}

json evidence_to_json(const Evidence& ev) {
  json primary = json::array(), alternatives = json::array(), checks = json::array(), transcript = json::array();
  for (const auto& p : ev.primary) primary.push_back(to_json(p));
  for (const auto& p : ev.alternatives) alternatives.push_back(to_json(p));
  for (const auto& c : ev.checks) checks.push_back(to_json(c));
  for (const auto& t : ev.transcript) transcript.push_back(to_json(t));
  json srv = json::array();
  for (const auto& s : ev.discovery.srv)
    srv.push_back({{"service", s.service}, {"target", s.target}, {"port", s.port}, {"priority", s.priority}, {"weight", s.weight}});
  json chosen = json::array();
  for (const auto& c : ev.discovery.chosen) chosen.push_back({{"subject", to_string(c.subject)}, {"source", c.source}, {"detail", c.detail}});
  return {{"primary", primary},
          {"alternatives", alternatives},
          {"discovery", {{"ran", ev.discovery.ran}, {"mx_hosts", ev.discovery.mx_hosts}, {"srv", srv},
                         {"autoconfig_url", ev.discovery.autoconfig_url}, {"chosen", chosen}, {"notes", ev.discovery.notes}}},
          {"checks", checks},
          {"transcript", transcript},
          {"elapsed_ms", ev.elapsed_ms}};
}

}  // namespace maildoctor
