#!/usr/bin/env python3
"""A TCP proxy on loopback that adds a fixed round-trip time, as a long network would.

Every byte is held back RTT/2 in each direction, counted from the moment the proxy reads it, and the
upstream connection itself is made RTT/2 after the client connects. The client side is read from the
moment of accept, so bytes a client sends before the upstream exists (a TLS ClientHello right after
connect) arrive upstream RTT/2 after they were sent, not RTT/2 after the upstream connect. So a
server-first greeting reaches the client one RTT after its connect returns, and a client-first first
reply one RTT after its first write: the model is a real link minus the TCP handshake's one RTT
(the kernel's handshake on loopback costs nothing). Data keeps its order and its chunking;
throughput is not limited, only latency, which is what a diagnosis is bound by.

UDP (DNS): each datagram is held RTT/2 on the way out and RTT/2 on the way back, so a lookup costs
one RTT, as it would against a resolver across the same link.

Usage: latency_proxy.py --rtt-ms 50 LISTEN_PORT:UPSTREAM_HOST:UPSTREAM_PORT [...] [--udp LISTEN_PORT:HOST:PORT]
  --source ADDR        bind upstream connections to ADDR (e.g. a 127/8 address per run, so a server's
                       per-address penalties for failed logins do not carry over between runs)
  --listen-netns NAME  open the listening sockets inside network namespace NAME (ip netns), while
                       upstream connections stay in this process's own namespace
  --peaks FILE         on SIGTERM, write {"LISTEN_PORT": most client connections open at once} to FILE
                       (counted at each accept from the kernel's TCP state of the others: a client that
                       has closed its end is not counted, however late the proxy reads its EOF)
Prints one JSON line {"ready": true, "ports": {...}} once every listener is up; runs until killed.
"""
import argparse
import asyncio
import ctypes
import json
import os
import signal
import socket
import sys

_CLONE_NEWNET = 0x40000000
# TCP states (linux/tcp_states.h) of our side in which the client has not closed its end yet.
_CLIENT_OPEN = {1, 2, 3, 4, 5}
_clients = {}  # listen port -> client sockets not yet seen closed
_peaks = {}


def _client_open(sock):
    try:
        return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0] in _CLIENT_OPEN
    except OSError:
        return False


def _count(port, writer):
    sock = writer.get_extra_info("socket")
    if sock is None:
        return
    live = [c for c in _clients.get(port, []) if _client_open(c)] + [sock]
    _clients[port] = live
    _peaks[port] = max(_peaks.get(port, 0), len(live))


def _listen_sockets(host, ports, netns, udp_ports=()):
    """Listening sockets for `ports`, created inside `netns` when given (a socket keeps the
    namespace it was made in, so the process can switch back right after)."""
    libc = ctypes.CDLL(None, use_errno=True)
    home = None
    if netns:
        home = os.open("/proc/self/ns/net", os.O_RDONLY)
        target = os.open("/run/netns/" + netns, os.O_RDONLY)
        if libc.setns(target, _CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + netns)
        os.close(target)
    try:
        out = []
        for port in ports:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
            s.listen(256)
            s.setblocking(False)
            out.append(s)
        for port in udp_ports:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((host, port))
            s.setblocking(False)
            out.append(s)
        return out
    finally:
        if home is not None:
            if libc.setns(home, _CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back")
            os.close(home)


async def _read_into(reader, pending, delay):
    """Stamps every chunk with its due time as soon as it is read; None marks the end."""
    loop = asyncio.get_running_loop()
    try:
        while True:
            data = await reader.read(65536)
            pending.put_nowait((loop.time() + delay, data or None))
            if not data:
                return
    except (ConnectionError, OSError):
        pending.put_nowait((loop.time() + delay, None))


async def _deliver(pending, writer_future):
    loop = asyncio.get_running_loop()
    writer = None
    while True:
        due, data = await pending.get()
        wait = due - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        if writer is None:
            writer = await writer_future
            if writer is None:
                return
        if data is None:
            break
        writer.write(data)
        await writer.drain()
    try:
        writer.write_eof()
    except OSError:
        pass


async def _handle(client_reader, client_writer, upstream, delay, source):
    loop = asyncio.get_running_loop()
    to_server = asyncio.Queue()
    up_writer_future = loop.create_future()
    client_pump = asyncio.ensure_future(_read_into(client_reader, to_server, delay))
    to_upstream = asyncio.ensure_future(_deliver(to_server, up_writer_future))
    try:
        await asyncio.sleep(delay)
        up_reader, up_writer = await asyncio.open_connection(
            *upstream, local_addr=(source, 0) if source else None)
    except OSError:
        up_writer_future.set_result(None)
        client_pump.cancel()
        client_writer.close()
        return
    up_writer_future.set_result(up_writer)
    to_client = asyncio.Queue()
    client_future = loop.create_future()
    client_future.set_result(client_writer)
    await asyncio.gather(client_pump, to_upstream, _read_into(up_reader, to_client, delay),
                         _deliver(to_client, client_future), return_exceptions=True)
    for w in (client_writer, up_writer):
        w.close()


class _UdpRelay(asyncio.DatagramProtocol):
    """One listening UDP socket; one upstream socket per client address."""

    def __init__(self, upstream, delay):
        self.upstream = upstream
        self.delay = delay
        self.clients = {}

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        asyncio.get_running_loop().call_later(self.delay, lambda: asyncio.ensure_future(self._forward(data, addr)))

    async def _forward(self, data, addr):
        loop = asyncio.get_running_loop()
        up = self.clients.get(addr)
        if up is None:
            relay = self

            class Back(asyncio.DatagramProtocol):
                def datagram_received(self, reply, _src):
                    loop.call_later(relay.delay, relay.transport.sendto, reply, addr)

            up, _ = await loop.create_datagram_endpoint(Back, remote_addr=self.upstream)
            self.clients[addr] = up
        up.sendto(data)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtt-ms", type=float, required=True)
    parser.add_argument("--listen-host", default="127.0.0.1")
    parser.add_argument("--listen-netns")
    parser.add_argument("--source")
    parser.add_argument("--peaks")
    parser.add_argument("--udp", action="append", default=[], help="LISTEN_PORT:UPSTREAM_HOST:UPSTREAM_PORT (datagrams)")
    parser.add_argument("routes", nargs="+", help="LISTEN_PORT:UPSTREAM_HOST:UPSTREAM_PORT (LISTEN_PORT 0 = any)")
    args = parser.parse_args()
    delay = args.rtt_ms / 2000.0
    routes = [r.split(":") for r in args.routes]
    udp_routes = [r.split(":") for r in args.udp]
    socks = _listen_sockets(args.listen_host, [int(listen) for listen, _, _ in routes], args.listen_netns,
                            [int(listen) for listen, _, _ in udp_routes])
    udp_socks = socks[len(routes):]
    socks = socks[:len(routes)]
    ports = {}
    listening = []
    servers = []
    for (listen, host, port), sock in zip(routes, socks):
        upstream = (host, int(port))
        lport = sock.getsockname()[1]

        def accepted(r, w, u=upstream, lp=lport):
            _count(lp, w)
            return _handle(r, w, u, delay, args.source)

        server = await asyncio.start_server(accepted, sock=sock)
        servers.append(server)
        ports[f"{host}:{port}"] = sock.getsockname()[1]
        listening.append(sock.getsockname()[1])
    udp = []
    for (listen, host, port), sock in zip(udp_routes, udp_socks):
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda u=(host, int(port)): _UdpRelay(u, delay), sock=sock)
        udp.append(transport.get_extra_info("sockname")[1])
    # "listen" follows the order of the routes (two routes may share one upstream).
    if args.peaks:
        def write_peaks():
            with open(args.peaks, "w") as f:
                json.dump({str(p): n for p, n in _peaks.items()}, f)
            os._exit(0)
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, write_peaks)
    print(json.dumps({"ready": True, "ports": ports, "listen": listening, "udp": udp}), flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
