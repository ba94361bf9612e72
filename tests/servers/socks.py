"""microsocks (Debian package microsocks): a real SOCKS5 proxy on 127.0.0.1:<random port>.

It logs every connection it makes for a client ("client[N] 127.0.0.1: connected to HOST:PORT"), which is how
the tests see that maildoctor's connections went through it. Options:
  bind_addr  the source address of its outgoing connections (-b), so the mail servers see the proxy, not
             the client (127.0.0.3: another loopback address, nothing added to any interface);
  hosts      {name: address} that only the proxy resolves: it runs in a mount namespace of its own
             (unshare --mount) where /etc/hosts is a file of ours and /etc/nsswitch.conf says "hosts: files",
             bound over the real ones for that process only; the rest of the machine, maildoctor
             included, never sees those names, and the proxy looks up nothing else;
  user, password  the proxy demands a login (RFC 1929), which maildoctor does not give."""
import os

from .net import DNS_ADDR, free_port, wait_port
from .proc import Daemon, read_logs


class Socks:
    def __init__(self, base, bind_addr=None, hosts=None, user=None, password=None):
        self.base = base
        os.makedirs(base, exist_ok=True)
        self.addr = DNS_ADDR
        self.port = free_port(DNS_ADDR)
        self.log_path = os.path.join(base, "microsocks.log")
        argv = ["microsocks", "-i", self.addr, "-p", str(self.port)]
        if bind_addr:
            argv += ["-b", bind_addr]
        if user:
            argv += ["-u", user, "-P", password]
        if hosts:
            hosts_path = os.path.join(base, "hosts")
            with open(hosts_path, "w") as f:
                f.write("127.0.0.1 localhost\n")
                for name, address in hosts.items():
                    f.write("%s %s\n" % (address, name))
            os.chmod(hosts_path, 0o644)
            # Names come from that file alone: no lookup of the proxy ever leaves the machine.
            nss_path = os.path.join(base, "nsswitch.conf")
            with open(nss_path, "w") as f:
                f.write("hosts: files\n")
            os.chmod(nss_path, 0o644)
            argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                    'mount --bind "$0" /etc/hosts && mount --bind "$1" /etc/nsswitch.conf && shift && exec "$@"',
                    hosts_path, nss_path] + argv
        self.daemon = Daemon("microsocks", argv, self.log_path)

    @property
    def url(self):
        return "socks5h://%s:%d" % (self.addr, self.port)

    def start(self, timeout=10.0):
        self.daemon.start()
        if not wait_port(self.port, addr=self.addr, timeout=timeout, alive=self.daemon.alive):
            raise RuntimeError("microsocks did not listen on %s:%d\n%s" % (self.addr, self.port, self.logs()))
        return self

    def stop(self):
        self.daemon.stop()

    def log_files(self):
        return [self.log_path]

    def log_offset(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def connections_since(self, offset):
        """The "HOST:PORT" targets it connected to since offset, in order."""
        with open(self.log_path, errors="replace") as f:
            f.seek(offset)
            text = f.read()
        return [line.rsplit("connected to ", 1)[1].strip() for line in text.splitlines() if "connected to " in line]

    def logs(self, since=None):
        return read_logs(self.log_files(), since)

    def describe(self):
        return {"url": self.url, "pid": self.daemon.pid, "log": self.log_path}
