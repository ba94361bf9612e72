#!/usr/bin/python3
"""One framed hello through a host started by a loader (wine64): the reply is the only thing on stdout, byte for
byte one frame, and answers the request's id.

    hello.py LOADER EXE    exit status 0 when the reply is right; prints it.
"""
import json
import struct
import subprocess
import sys


def main(loader, exe):
    # CR LF inside the frame, and a length of 0x0A0D, whose prefix starts with CR LF too: a host reading its stdin in
    # text mode would turn them into LF and lose the frame.
    body = b'{"type": "hello",\r\n "id": "wine-hello"}'
    body += b" " * (0x0A0D - len(body))
    p = subprocess.run([loader, exe, "--native-messaging"], input=struct.pack("=I", len(body)) + body,
                       capture_output=True, timeout=300)
    if len(p.stdout) < 4:
        print("no reply frame; rc %s, stderr: %r" % (p.returncode, p.stderr[-2000:]))
        return 1
    (n,) = struct.unpack("=I", p.stdout[:4])
    if len(p.stdout) != 4 + n:
        print("stdout is not exactly one frame (%d bytes, frame says %d): %r" % (len(p.stdout), n, p.stdout[:200]))
        return 1
    reply = json.loads(p.stdout[4:])
    print(json.dumps(reply))
    ok = reply.get("type") == "hello" and reply.get("id") == "wine-hello" and p.returncode == 0
    if not ok:
        print("unexpected reply or exit status %s; stderr: %r" % (p.returncode, p.stderr[-2000:]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
