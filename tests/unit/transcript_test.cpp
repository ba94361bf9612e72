#include <catch2/catch.hpp>

#include "probe/dialogue.hpp"
#include "transcript/capabilities.hpp"
#include "transcript/reply_parser.hpp"

using namespace maildoctor;
using namespace maildoctor::transcript;

TEST_CASE("IMAP lines: untagged, tagged, continuation, response codes", "[transcript]") {
  auto g = parse_imap_line("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot ready.");
  CHECK(g.kind == ImapLine::Kind::untagged);
  CHECK(g.status == "OK");
  CHECK(g.response_code == "CAPABILITY");
  CHECK(g.response_code_args == "IMAP4rev1 STARTTLS AUTH=PLAIN");
  CHECK(g.text == "Dovecot ready.");

  auto t = parse_imap_line("A002 NO [AUTHENTICATIONFAILED] Authentication failed.");
  CHECK(t.kind == ImapLine::Kind::tagged);
  CHECK(t.tag == "A002");
  CHECK(t.status == "NO");
  CHECK(t.response_code == "AUTHENTICATIONFAILED");
  CHECK(t.text == "Authentication failed.");

  auto c = parse_imap_line("+ ");
  CHECK(c.kind == ImapLine::Kind::continuation);
  auto c2 = parse_imap_line("+ VXNlcm5hbWU6");
  CHECK(c2.kind == ImapLine::Kind::continuation);
  CHECK(c2.text == "VXNlcm5hbWU6");

  auto u = parse_imap_line("* CAPABILITY IMAP4rev1 LOGINDISABLED");
  CHECK(u.kind == ImapLine::Kind::untagged);
  CHECK(u.status.empty());
  CHECK(u.text == "CAPABILITY IMAP4rev1 LOGINDISABLED");

  CHECK(parse_imap_line("SSH-2.0-OpenSSH_9.2").kind == ImapLine::Kind::other);
  CHECK(parse_imap_line("a1 ok done").status == "OK");
}

TEST_CASE("SMTP lines: multi-line replies and enhanced status codes", "[transcript]") {
  auto a = parse_smtp_line("250-AUTH PLAIN LOGIN");
  CHECK(a.valid);
  CHECK(a.code == 250);
  CHECK_FALSE(a.last);
  auto b = parse_smtp_line("535 5.7.8 Error: authentication failed: bad");
  CHECK(b.valid);
  CHECK(b.last);
  CHECK(b.enhanced == "5.7.8");
  CHECK(b.text == "Error: authentication failed: bad");
  auto c = parse_smtp_line("220");
  CHECK(c.valid);
  CHECK(c.code == 220);
  CHECK(c.last);
  CHECK_FALSE(parse_smtp_line("* OK IMAP ready").valid);
  CHECK_FALSE(parse_smtp_line("2200 too long").valid);
  CHECK(parse_enhanced_code("5.7.139 Authentication unsuccessful") == "5.7.139");
  CHECK(parse_enhanced_code("250 not a code").empty());
  CHECK(parse_enhanced_code("5.7").empty());

  Reply r = make_reply(Protocol::smtp, {"535-5.7.8 Username and Password not accepted. Learn more at", "535 5.7.8  https://support.example/1"});
  CHECK(r.code == 535);
  CHECK(r.status == "535");
  CHECK(r.enhanced == "5.7.8");
  CHECK(r.lines.size() == 2);
}

TEST_CASE("POP3 lines: +OK, -ERR and RFC 2449/3206 codes", "[transcript]") {
  auto e = parse_pop3_line("-ERR [SYS/TEMP] Temporary authentication failure.");
  CHECK(e.kind == Pop3Line::Kind::err);
  CHECK(e.response_code == "SYS/TEMP");
  CHECK(parse_pop3_line("-ERR [AUTH] Authentication failed.").response_code == "AUTH");
  CHECK(parse_pop3_line("-ERR [IN-USE] Mailbox locked").response_code == "IN-USE");
  CHECK(parse_pop3_line("-ERR [LOGIN-DELAY] wait").response_code == "LOGIN-DELAY");
  CHECK(parse_pop3_line("+OK Dovecot ready.").kind == Pop3Line::Kind::ok);
  CHECK(parse_pop3_line("+ ").kind == Pop3Line::Kind::continuation);
  CHECK(parse_pop3_line("+OKAY").kind == Pop3Line::Kind::other);
  Reply r = make_reply(Protocol::pop3, {"+ ", "-ERR [AUTH] Authentication failed."});
  CHECK(r.status == "-ERR");
  CHECK(r.response_code == "AUTH");
}

TEST_CASE("IMAP reply keeps untagged lines and takes a code from an untagged NO", "[transcript]") {
  Reply r = make_reply(Protocol::imap, {"* NO [ALERT] Application-specific password required", "A3 NO Authentication failed."});
  CHECK(r.status == "NO");
  CHECK(r.response_code == "ALERT");
  CHECK(r.lines.size() == 2);
}

TEST_CASE("over-long lines and replies are bounded and marked", "[transcript]") {
  std::string huge(100000, 'x');
  auto b = bound_line(huge);
  CHECK(b.size() < kMaxLineBytes + 100);
  CHECK(b.find("more bytes not kept") != std::string::npos);
  BoundedLines bl;
  for (int i = 0; i < 1000; ++i) bl.add("* line " + std::to_string(i));
  auto lines = bl.take();
  CHECK(lines.size() == kMaxReplyLines + 1);
  CHECK(lines.back().find("800 more lines") != std::string::npos);
}

TEST_CASE("IMAP capabilities from CAPABILITY lines and greeting codes", "[capabilities]") {
  auto c = parse_imap_capabilities({"* CAPABILITY IMAP4rev1 SASL-IR ID LOGINDISABLED STARTTLS AUTH=PLAIN auth=xoauth2", "A1 OK done"});
  CHECK(c.known);
  CHECK(c.sasl_ir);
  CHECK(c.id);
  CHECK(c.login_disabled);
  CHECK(c.starttls);
  CHECK(c.sasl_mechanisms == std::vector<std::string>{"PLAIN", "XOAUTH2"});
  auto g = parse_imap_capabilities({"* OK [CAPABILITY IMAP4rev1 AUTH=LOGIN] ready"});
  CHECK(g.known);
  CHECK(has_mechanism(g, "login"));
  CHECK_FALSE(parse_imap_capabilities({"A1 OK nothing"}).known);
}

TEST_CASE("POP3 CAPA capabilities", "[capabilities]") {
  auto c = parse_pop3_capabilities({"+OK", "TOP", "STLS", "SASL PLAIN LOGIN", "USER", "."});
  CHECK(c.known);
  CHECK(c.starttls);
  CHECK(c.sasl_mechanisms == std::vector<std::string>{"PLAIN", "LOGIN"});
  CHECK_FALSE(parse_pop3_capabilities({"-ERR unknown command"}).known);
}

TEST_CASE("SMTP EHLO capabilities, including an empty AUTH", "[capabilities]") {
  auto c = parse_smtp_capabilities({"250-mail.example.test", "250-PIPELINING", "250-STARTTLS", "250-AUTH PLAIN LOGIN",
                                    "250-AUTH=PLAIN LOGIN", "250-ENHANCEDSTATUSCODES", "250 8BITMIME"});
  CHECK(c.known);
  CHECK(c.starttls);
  CHECK(c.auth_advertised);
  CHECK(c.enhanced_status_codes);
  CHECK(c.pipelining);
  CHECK(c.sasl_mechanisms == std::vector<std::string>{"PLAIN", "LOGIN"});
  auto empty_auth = parse_smtp_capabilities({"250-dovecot", "250-AUTH", "250 STARTTLS"});
  CHECK(empty_auth.auth_advertised);
  CHECK(empty_auth.sasl_mechanisms.empty());
  auto none = parse_smtp_capabilities({"250-postfix", "250 STARTTLS"});
  CHECK_FALSE(none.auth_advertised);
  CHECK_FALSE(none.pipelining);
  CHECK_FALSE(parse_smtp_capabilities({"502 5.5.2 Error"}).known);
}

namespace {
std::vector<LogLine> log(std::initializer_list<std::pair<char, const char*>> l) {
  std::vector<LogLine> out;
  for (auto& [d, s] : l) out.push_back({d, 0, s, {}});
  return out;
}
}  // namespace

TEST_CASE("an IMAP STARTTLS dialogue is read back into greeting, capabilities and the login reply", "[dialogue]") {
  auto d = probe::build_dialogue(Protocol::imap, log({{'S', "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready"},
                                                      {'C', "A001 CAPABILITY"},
                                                      {'S', "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED"},
                                                      {'S', "A001 OK done"},
                                                      {'C', "A002 STARTTLS"},
                                                      {'S', "A002 OK Begin TLS negotiation now."},
                                                      {'*', "SSL connection using TLSv1.3"},
                                                      {'C', "A003 CAPABILITY"},
                                                      {'S', "* CAPABILITY IMAP4rev1 AUTH=PLAIN"},
                                                      {'S', "A003 OK done"},
                                                      {'C', "A004 AUTHENTICATE PLAIN"},
                                                      {'S', "+ "},
                                                      {'C', "<redacted>"},
                                                      {'S', "* NO [ALERT] Application-specific password required"},
                                                      {'S', "A004 NO [AUTHENTICATIONFAILED] Authentication failed."}}));
  CHECK(d.greeting_complete);
  REQUIRE(d.exchanges.size() == 4);
  ProbeResult pr;
  auto f = probe::read_dialogue(Protocol::imap, d, pr);
  CHECK(probe::classify_greeting(Protocol::imap, pr.greeting.reply) == GreetingEvidence::Status::ok);
  CHECK(pr.caps_before_tls.login_disabled);
  CHECK(pr.caps_before_tls.starttls);
  CHECK_FALSE(pr.caps.login_disabled);
  CHECK(pr.caps.sasl_mechanisms == std::vector<std::string>{"PLAIN"});
  CHECK(f.starttls_ok);
  REQUIRE(f.login);
  CHECK(f.login_mechanism == "PLAIN");
  CHECK(f.login->reply.status == "NO");
  CHECK(f.login->reply.response_code == "AUTHENTICATIONFAILED");
  CHECK(f.login->reply.lines.size() == 3);
}

TEST_CASE("an SMTP dialogue keeps every line of a multi-line refusal", "[dialogue]") {
  auto d = probe::build_dialogue(Protocol::smtp, log({{'S', "220-mail.example.test ESMTP"},
                                                      {'S', "220 hello"},
                                                      {'C', "EHLO localhost"},
                                                      {'S', "250-mail.example.test"},
                                                      {'S', "250 AUTH LOGIN"},
                                                      {'C', "AUTH LOGIN"},
                                                      {'S', "334 VXNlcm5hbWU6"},
                                                      {'C', "<redacted>"},
                                                      {'S', "334 UGFzc3dvcmQ6"},
                                                      {'C', "<redacted>"},
                                                      {'S', "535-5.7.8 Username and Password not accepted."},
                                                      {'S', "535 5.7.8 Learn more"}}));
  ProbeResult pr;
  auto f = probe::read_dialogue(Protocol::smtp, d, pr);
  CHECK(pr.greeting.reply.lines.size() == 2);
  CHECK(pr.caps.auth_advertised);
  REQUIRE(f.login);
  CHECK(f.login->reply.code == 535);
  CHECK(f.login->reply.enhanced == "5.7.8");
  CHECK(f.login->reply.lines.size() == 4);
}

TEST_CASE("greetings of other protocols and refusals are told apart", "[dialogue]") {
  auto g = [](Protocol p, const char* line) { return probe::classify_greeting(p, make_reply(p, {line})); };
  CHECK(g(Protocol::imap, "220 smtp.example ESMTP") == GreetingEvidence::Status::unexpected);
  CHECK(g(Protocol::imap, "SSH-2.0-OpenSSH") == GreetingEvidence::Status::unexpected);
  CHECK(g(Protocol::imap, "* BYE too many connections") == GreetingEvidence::Status::unavailable);
  CHECK(g(Protocol::smtp, "* OK IMAP ready") == GreetingEvidence::Status::unexpected);
  CHECK(g(Protocol::smtp, "421 4.7.0 try later") == GreetingEvidence::Status::unavailable);
  CHECK(g(Protocol::smtp, "220 ready") == GreetingEvidence::Status::ok);
  CHECK(g(Protocol::pop3, "-ERR [SYS/TEMP] busy") == GreetingEvidence::Status::unavailable);
  CHECK(g(Protocol::pop3, "HTTP/1.1 400 Bad Request") == GreetingEvidence::Status::unexpected);
  CHECK(probe::classify_greeting(Protocol::pop3, Reply{}) == GreetingEvidence::Status::silent);
}

TEST_CASE("POP3 USER/PASS and CAPA are read as exchanges", "[dialogue]") {
  auto d = probe::build_dialogue(Protocol::pop3, log({{'S', "+OK ready"},
                                                      {'C', "CAPA"},
                                                      {'S', "+OK"},
                                                      {'S', "USER"},
                                                      {'S', "SASL PLAIN"},
                                                      {'S', "."},
                                                      {'C', "USER bob"},
                                                      {'S', "+OK"},
                                                      {'C', "PASS <redacted>"},
                                                      {'S', "-ERR [AUTH] Authentication failed."}}));
  ProbeResult pr;
  auto f = probe::read_dialogue(Protocol::pop3, d, pr);
  CHECK(pr.caps.known);
  CHECK(pr.caps.sasl_mechanisms == std::vector<std::string>{"PLAIN"});
  REQUIRE(f.login);
  CHECK(f.login->reply.status == "-ERR");
  CHECK(f.login->reply.response_code == "AUTH");
}

TEST_CASE("a BYE to a pre-login command is recorded as the server refusing service", "[dialogue]") {
  auto d = probe::build_dialogue(Protocol::imap, log({{'S', "* OK ready"},
                                                      {'C', "A001 CAPABILITY"},
                                                      {'S', "* BYE Internal error occurred. Refer to server log for more information."}}));
  ProbeResult pr;
  auto f = probe::read_dialogue(Protocol::imap, d, pr);
  REQUIRE_FALSE(f.service_refusal.empty());
  CHECK(f.service_refusal.status == "BYE");
  auto smtp = probe::build_dialogue(Protocol::smtp, log({{'S', "220 mail.example.test ESMTP"},
                                                         {'C', "EHLO client"},
                                                         {'S', "421 4.3.2 Service not available, closing transmission channel"}}));
  ProbeResult ps;
  CHECK(probe::read_dialogue(Protocol::smtp, smtp, ps).service_refusal.code == 421);
  auto ok = probe::build_dialogue(Protocol::imap, log({{'S', "* OK ready"}, {'C', "A001 CAPABILITY"}, {'S', "* CAPABILITY IMAP4rev1"}, {'S', "A001 OK done"}}));
  ProbeResult po;
  CHECK(probe::read_dialogue(Protocol::imap, ok, po).service_refusal.empty());
}

TEST_CASE("one RFC 3463 grammar: a code at a position, and a code that starts a reply text", "[transcript]") {
  CHECK(enhanced_code_at("535 5.7.8 Error", 4) == "5.7.8");
  CHECK(enhanced_code_at("(5.7.14)", 1) == "5.7.14");  // inside text: any non-digit, non-dot ends it
  CHECK(enhanced_code_at("5.7.1234", 0).empty());
  CHECK(enhanced_code_at("5.1234.1", 0).empty());
  CHECK(enhanced_code_at("3.7.1", 0).empty());
  CHECK(enhanced_code_at("5.7.8.9", 0).empty());
  CHECK(parse_enhanced_code("5.7.14)").empty());  // at the start of a reply it must stand alone
  CHECK(parse_enhanced_code("4.7.12 A password transition is needed") == "4.7.12");
}
