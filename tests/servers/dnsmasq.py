"""dnsmasq (dnsmasq-base) answering for example.test on 127.0.0.1:<random port>, UDP and TCP.

records: a list of dnsmasq option lines without the leading "--", e.g.
  "host-record=mail.example.test,127.0.0.2"
  "srv-host=_imaps._tcp.example.test,mail.example.test,993,0,1"
  "srv-host=_pop3s._tcp.nopop.example.test"     (RFC 6186 "service not offered": target ".")
Nothing is forwarded anywhere (no-resolv, local=/example.test/): unknown names get NXDOMAIN."""
import os

from .net import DNS_ADDR, free_port, wait_port
from .proc import read_logs, Daemon


class Dnsmasq:
    def __init__(self, base, records, domains=("example.test",)):
        self.base = base
        os.makedirs(base, exist_ok=True)
        os.chmod(base, 0o755)
        self.addr = DNS_ADDR
        self.port = free_port(DNS_ADDR, udp_too=True)
        self.records = list(records)
        self.conf_path = os.path.join(base, "dnsmasq.conf")
        self.log_path = os.path.join(base, "dnsmasq.log")
        lines = ["port=%d" % self.port, "listen-address=%s" % DNS_ADDR, "bind-interfaces", "no-resolv",
                 "no-hosts", "no-poll", "no-negcache", "log-queries", "user=nobody",
                 "log-facility=%s" % self.log_path, "pid-file="]
        lines += ["local=/%s/" % d for d in domains]
        lines += self.records
        with open(self.conf_path, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(self.conf_path, 0o644)
        # The log file must exist and be writable after dnsmasq drops to nobody.
        open(self.log_path, "a").close()
        os.chmod(self.log_path, 0o666)
        self.daemon = Daemon("dnsmasq", ["dnsmasq", "--keep-in-foreground", "--conf-file=" + self.conf_path],
                             os.path.join(base, "dnsmasq.stderr"))

    @property
    def server(self):
        """The value for --dns-servers."""
        return "%s:%d" % (self.addr, self.port)

    def start(self, timeout=10.0):
        self.daemon.start()
        if not wait_port(self.port, addr=self.addr, timeout=timeout, alive=self.daemon.alive):
            raise RuntimeError("dnsmasq did not listen on %s\n%s" % (self.server, self.logs()))
        return self

    def stop(self):
        self.daemon.stop()

    def log_files(self):
        return [self.daemon.log_path, self.log_path]

    def logs(self, since=None):
        return read_logs(self.log_files(), since)

    def describe(self):
        return {"server": self.server, "port": self.port, "records": self.records, "pid": self.daemon.pid,
                "log": self.log_path}
