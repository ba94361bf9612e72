"""A host whose configured port drops SYNs, built from two network namespaces this harness owns.

  mdbench-cli (10.201.0.1/30) --veth-- mdbench-srv (10.201.0.2/30, nft: tcp dport PORT drop)

maildoctor and curl run in mdbench-cli (`ip netns exec`). In mdbench-srv the latency proxy listens
(its sockets are created there with setns; its upstream connections stay in the root namespace and
reach the real servers on 127.0.0.2). Nothing is added to the root namespace; close() deletes both
namespaces, which also deletes the veth pair.
"""
import subprocess

CLI_NS = "mdbench-cli"
SRV_NS = "mdbench-srv"
CLI_ADDR = "10.201.0.1"
SRV_ADDR = "10.201.0.2"


def _ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def available():
    """None when namespaces, veth and nftables all work here; else the reason why not."""
    probe = "mdbench-probe"
    try:
        _ip("netns", "add", probe)
    except (OSError, subprocess.CalledProcessError) as e:
        return "ip netns add failed: %s" % (getattr(e, "stderr", "") or e)
    try:
        _ip("-n", probe, "link", "add", "mdp0", "type", "veth", "peer", "name", "mdp1")
        r = subprocess.run(["ip", "netns", "exec", probe, "nft", "add", "table", "inet", "probe"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return "nft in a namespace failed: " + r.stderr.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        return "veth in a namespace failed: %s" % (getattr(e, "stderr", "") or e)
    finally:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


class Blackhole:
    def __init__(self, dropped_ports):
        self.dropped_ports = list(dropped_ports)

    def __enter__(self):
        self.close()  # leftovers of an interrupted run
        _ip("netns", "add", CLI_NS)
        _ip("netns", "add", SRV_NS)
        try:
            _ip("-n", CLI_NS, "link", "add", "mdb0", "type", "veth", "peer", "name", "mdb1", "netns", SRV_NS)
            for ns, dev, addr in ((CLI_NS, "mdb0", CLI_ADDR), (SRV_NS, "mdb1", SRV_ADDR)):
                _ip("-n", ns, "addr", "add", addr + "/30", "dev", dev)
                _ip("-n", ns, "link", "set", dev, "up")
                _ip("-n", ns, "link", "set", "lo", "up")
            rules = "table inet mdbench {\n chain input {\n  type filter hook input priority 0; policy accept;\n"
            for port in self.dropped_ports:
                rules += "  tcp dport %d drop\n" % port
            rules += " }\n}\n"
            subprocess.run(["ip", "netns", "exec", SRV_NS, "nft", "-f", "-"], input=rules, check=True,
                           capture_output=True, text=True)
        except Exception:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def exec_prefix():
        return ["ip", "netns", "exec", CLI_NS]

    @staticmethod
    def close():
        for ns in (CLI_NS, SRV_NS):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


class FullQueue:
    """The stand-in where namespaces cannot be made: a listener on 127.0.0.2 whose accept queue is kept
    full (backlog 0, filled by connections that are never accepted), so Linux drops every further SYN
    just like a firewall would. Used for the blackholed port only; the rest goes through the proxy."""

    def __init__(self):
        import socket
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.2", 0))
        self._listener.listen(0)
        self.port = self._listener.getsockname()[1]
        self._fillers = []
        for _ in range(4):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(("127.0.0.2", self.port))
            except BlockingIOError:
                pass
            self._fillers.append(s)

    def close(self):
        for s in self._fillers:
            s.close()
        self._listener.close()
