"""Real-server test bed for maildoctor: Dovecot, Postfix, dnsmasq, a test PKI, a login-attempt
counter, and small misbehaving servers. See README.md."""
from .bed import Testbed
from .dovecot import DEFAULT_USERS
from .net import DNS_ADDR, SERVER_ADDR, free_port, wait_port
from .pki import HOST, LEAVES, OTHER_HOST, PKI
from .policy import LoginCounter
from .sets import build, dns_records
from .silent import Tarpit, closed_port

__all__ = ["Testbed", "DEFAULT_USERS", "DNS_ADDR", "SERVER_ADDR", "free_port", "wait_port", "HOST", "LEAVES",
           "OTHER_HOST", "PKI", "LoginCounter", "build", "dns_records", "Tarpit", "closed_port"]
