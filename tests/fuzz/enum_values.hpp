#pragma once
// Every value of each enum the fuzz targets generate, in declaration order. The targets pick from these lists, so a
// value is never left out by a hand-written count; tests/unit/fuzz_enum_values_test.cpp ties each list to its enum
// (the value after the last listed one must have no name in the JSON/wire tables, whose switches -Wswitch keeps
// complete), so a new value, such as a new TLS failure, fails the unit tests until it is listed here.
#include <array>

#include "maildoctor/evidence.hpp"
#include "maildoctor/types.hpp"

namespace maildoctor::fuzz_enums {

inline constexpr std::array kProtocols{Protocol::imap, Protocol::pop3, Protocol::smtp};
inline constexpr std::array kSecurities{Security::tls, Security::starttls, Security::none};
inline constexpr std::array kAuthMethods{AuthMethod::password, AuthMethod::password_encrypted, AuthMethod::oauth2,
                                         AuthMethod::ntlm,     AuthMethod::gssapi,             AuthMethod::tls_certificate,
                                         AuthMethod::none};
inline constexpr std::array kDnsStatuses{DnsEvidence::Status::ok, DnsEvidence::Status::not_found, DnsEvidence::Status::failed,
                                         DnsEvidence::Status::skipped, DnsEvidence::Status::left_to_proxy};
inline constexpr std::array kConnectStatuses{ConnectEvidence::Status::ok,          ConnectEvidence::Status::refused,
                                             ConnectEvidence::Status::timeout,     ConnectEvidence::Status::unreachable,
                                             ConnectEvidence::Status::failed,      ConnectEvidence::Status::skipped,
                                             ConnectEvidence::Status::proxy_failed};
inline constexpr std::array kTlsStatuses{TlsEvidence::Status::ok, TlsEvidence::Status::failed, TlsEvidence::Status::skipped};
inline constexpr std::array kTlsFailures{TlsEvidence::Failure::none,
                                         TlsEvidence::Failure::plaintext_answer,
                                         TlsEvidence::Failure::no_answer,
                                         TlsEvidence::Failure::silent,
                                         TlsEvidence::Failure::starttls_unavailable,
                                         TlsEvidence::Failure::starttls_pipelined,
                                         TlsEvidence::Failure::version_too_old,
                                         TlsEvidence::Failure::certificate,
                                         TlsEvidence::Failure::handshake};
inline constexpr std::array kGreetingStatuses{GreetingEvidence::Status::ok, GreetingEvidence::Status::silent,
                                              GreetingEvidence::Status::unexpected, GreetingEvidence::Status::unavailable,
                                              GreetingEvidence::Status::skipped};
inline constexpr std::array kLoginStatuses{LoginEvidence::Status::not_attempted, LoginEvidence::Status::ok,
                                           LoginEvidence::Status::refused,       LoginEvidence::Status::no_mechanism,
                                           LoginEvidence::Status::tls_required,  LoginEvidence::Status::skipped_by_server,
                                           LoginEvidence::Status::error};

}  // namespace maildoctor::fuzz_enums
