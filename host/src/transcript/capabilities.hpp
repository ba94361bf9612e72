#pragma once
// Capability lists as each protocol advertises them, turned into the Capabilities of the evidence.
#include <string>
#include <vector>

#include "maildoctor/evidence.hpp"

namespace maildoctor::transcript {

// IMAP: the atoms of "* CAPABILITY ..." lines and of "[CAPABILITY ...]" response codes, in any of the given lines.
// Returns known=false when no line carries a capability list.
Capabilities parse_imap_capabilities(const std::vector<std::string>& lines);

// POP3: the reply to CAPA ("+OK", one capability per line, "."). known=false unless the reply was +OK.
Capabilities parse_pop3_capabilities(const std::vector<std::string>& lines);

// SMTP: the reply to EHLO ("250-host", "250-AUTH PLAIN LOGIN", ...). known=false unless it was a 250 reply.
Capabilities parse_smtp_capabilities(const std::vector<std::string>& lines);

bool has_mechanism(const Capabilities& caps, const std::string& mechanism);

}  // namespace maildoctor::transcript
