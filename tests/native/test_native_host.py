"""The real binary in native-messaging mode: malformed input, limits, concurrency, shutdown."""
import struct
import time

import pytest

from host import PREFIX, Host, frame

MIB = 1024 * 1024
CANARY = "canary-Pw-7f3a9c"


def imap(**fields):
    endpoint = {"protocol": "imap", "host": "127.0.0.1", "port": 993}
    endpoint.update(fields)
    return {"type": "diagnose", "id": "x", "account": {"incoming": endpoint}}


def with_options(msg, **options):
    msg = dict(msg)
    msg["options"] = options
    return msg


MALFORMED = {
    "zero length": (struct.pack("=I", 0), "bad_request"),
    "not JSON": (frame(b'{"type":'), "bad_request"),
    "invalid UTF-8": (frame(b'{"type":"hel\xff"}'), "bad_request"),
    "not an object": (frame([1, 2]), "bad_request"),
    "a bare string": (frame("hello"), "bad_request"),
    "missing type": (frame({"id": "x"}), "bad_request"),
    "type is a number": (frame({"type": 1}), "bad_request"),
    "unknown type": (frame({"type": "shutdown", "id": "x"}), "bad_request"),
    "id is an object": (frame({"type": "hello", "id": {"a": 1}}), "bad_request"),
    "diagnose without id": (frame({"type": "diagnose", "account": {"email": "a@b.test"}}), "bad_request"),
    "diagnose without account": (frame({"type": "diagnose", "id": "x"}), "bad_request"),
    "account is a list": (frame({"type": "diagnose", "id": "x", "account": []}), "bad_request"),
    "port is a string": (frame(imap(port="993")), "bad_request"),
    "port 0": (frame(imap(port=0)), "bad_request"),
    "port 65536": (frame(imap(port=65536)), "bad_request"),
    "port negative": (frame(imap(port=-1)), "bad_request"),
    "port fractional": (frame(imap(port=993.5)), "bad_request"),
    "unknown security": (frame(imap(security="ssl3")), "bad_request"),
    "CR LF in host": (frame(imap(host="mail.test\r\nA1 LOGOUT")), "bad_request"),
    "NUL in host": (frame(imap(host="mail.test\u0000x")), "bad_request"),
    "LF in user name": (frame(imap(username="bob\nA2 DELETE INBOX")), "bad_request"),
    "NUL in user name": (frame(imap(username="bob\u0000")), "bad_request"),
    "login is a string": (frame(with_options(imap(), login="yes")), "bad_request"),
    "deadline is a string": (frame(with_options(imap(), deadline_ms="3000")), "bad_request"),
    "progress is a number": (frame(dict(imap(), progress=1)), "bad_request"),
    "1 MiB + 1": (struct.pack("=I", MIB + 1) + b"x" * (MIB + 1), "too_large"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_message_gets_an_error_and_the_next_hello_an_answer(host, case):
    data, code = MALFORMED[case]
    host.send_raw(data + frame({"type": "hello", "id": "after"}))
    err = host.recv()
    assert err["type"] == "error", err
    assert err["error"]["code"] == code
    assert err["error"]["message"]
    hello = host.recv()
    assert hello == {"type": "hello", "id": "after", "version": hello["version"], "protocol": 1}


def test_error_echoes_the_id_and_names_the_field(host):
    host.send(dict(imap(port=70000), id="req-7"))
    err = host.recv()
    assert err["id"] == "req-7"
    assert "account.incoming.port" in err["error"]["message"]


def test_length_that_claims_more_than_arrives(host):
    host.send_raw(struct.pack("=I", 200) + b'{"type":"hello"}')
    host.close_stdin()
    err = host.recv()
    assert err["error"]["code"] == "bad_request"
    assert "middle of a message" in err["error"]["message"]
    assert host.wait_exit(1.0) < 1.0
    assert host.proc.returncode == 0


def test_length_that_claims_less_than_sent_is_refused_without_a_crash(host):
    body = b'{"type":"hello","id":"lie"}'
    host.send_raw(struct.pack("=I", 5) + body)
    err = host.recv()
    assert err["error"]["code"] == "bad_request"
    # The rest of the body now reads as a length prefix: the host must refuse that too, not allocate it.
    follow = host.recv()
    assert follow["type"] == "error"
    host.close_stdin()
    assert host.wait_exit(1.0) < 1.0


def test_four_gigabyte_claim_is_refused_and_memory_stays_flat(host):
    host.send({"type": "hello"})
    host.recv()
    rss_before, hwm_before = host.status("VmRSS"), host.status("VmHWM")
    host.send_raw(struct.pack("=I", 0xFFFFFFFF))
    t0 = time.monotonic()
    err = host.recv(timeout=2)
    assert err["error"]["code"] == "too_large"
    assert time.monotonic() - t0 < 1.0, "the refusal must not wait for the announced bytes"
    junk = b"\0" * (256 * 1024)
    for _ in range(64):  # 16 MiB of the claimed body
        host.send_raw(junk)
    time.sleep(0.1)
    grew_hwm = host.status("VmHWM") - hwm_before
    grew_rss = host.status("VmRSS") - rss_before
    assert grew_hwm < 1024, f"peak memory grew by {grew_hwm} KiB while skipping"
    assert grew_rss < 1024, f"resident memory grew by {grew_rss} KiB while skipping"
    host.close_stdin()
    assert host.wait_exit(1.0) < 1.0


def test_two_mib_request_is_skipped_and_the_next_hello_answered(host):
    host.send({"type": "hello"})
    host.recv()
    hwm_before = host.status("VmHWM")
    big = b'{"type":"hello","pad":"' + b"x" * (2 * MIB) + b'"}'
    host.send_raw(frame(big) + frame({"type": "hello", "id": 2}))
    err = host.recv()
    assert err["error"]["code"] == "too_large"
    assert str(len(big)) in err["error"]["message"]
    assert host.recv()["id"] == 2
    grew = host.status("VmHWM") - hwm_before
    assert grew < 1024, f"peak memory grew by {grew} KiB: the refused bytes were kept"


def test_many_requests_on_one_connection_answer_in_order(host):
    host.send_raw(b"".join(frame({"type": "hello", "id": i}) for i in range(50)))
    assert [host.recv()["id"] for _ in range(50)] == list(range(50))


def test_thunderbird_launch_arguments_start_native_mode():
    # Thunderbird on Windows passes the manifest's full Windows path (and a window handle after the add-on id).
    manifest = (r"C:\Users\u\AppData\Local\maildoctor\maildoctor.json" if PREFIX
                else "/home/u/.mozilla/native-messaging-hosts/maildoctor.json")
    h = Host(args=(manifest, "maildoctor@maildoctor.dev", *(["--parent-window=0"] if PREFIX else [])))
    try:
        h.send({"type": "hello"})
        assert h.recv()["type"] == "hello"
        h.close_stdin()
        assert h.wait_exit(1.0) < 1.0
    finally:
        h.kill()
    assert h.stdout_error is None


def tarpit_request(port, deadline_ms, **extra):
    msg = {"type": "diagnose", "id": "slow",
           "account": {"email": "bob@example.test",
                       "incoming": {"protocol": "imap", "host": "127.0.0.1", "port": port, "security": "none",
                                    "username": "bob", "password": CANARY}},
           "options": {"login": True, "alternatives": False, "deadline_ms": deadline_ms}}
    msg.update(extra)
    return msg


def test_hello_is_answered_at_once_while_a_diagnosis_waits_on_a_tarpit(host, tarpit):
    host.send(tarpit_request(tarpit.port, 3000))
    time.sleep(0.2)
    t0 = time.monotonic()
    host.send({"type": "hello", "id": "during"})
    seen = []
    while True:
        m = host.recv(timeout=6)
        seen.append(m)
        if m.get("id") == "during":
            assert time.monotonic() - t0 < 0.5, "hello waited for the diagnosis"
        if m["type"] in ("result", "error") and m.get("id") == "slow":
            break
    types = [m["type"] for m in seen]
    assert types.index("hello") < types.index("result"), types
    assert all(m.get("id") in ("slow", "during") for m in seen)
    assert time.monotonic() - t0 < 4.5, "the diagnosis overran its 3 s deadline"
    host.close_stdin()
    host.wait_exit(1.0)
    # No leak check here: no login happens on a tarpit, so it could not fail. test_native_login.py checks leaks on
    # diagnoses that really log in.


def test_eof_during_a_diagnosis_exits_within_a_second(host, tarpit):
    host.send(tarpit_request(tarpit.port, 20000))
    host.send({"type": "hello"})
    host.recv()
    time.sleep(0.3)
    host.close_stdin()
    assert host.wait_exit(1.0) < 1.0


def test_eof_when_idle_exits_cleanly(host):
    host.close_stdin()
    assert host.wait_exit(1.0) < 1.0
    assert host.proc.returncode == 0


def run_many_diagnoses(host, tarpit, n, deadline_ms):
    """n diagnose requests at once over one connection. Each waits on the tarpit until its deadline, so the first four
    hold the host's four slots while the others arrive: those must wait in the queue, not be refused."""
    requests = []
    for i in range(n):
        msg = tarpit_request(tarpit.port, deadline_ms)
        msg["id"] = i
        requests.append(frame(msg))
    host.send_raw(b"".join(requests))
    per_id = {i: [] for i in range(n)}
    results = 0
    while results < n:
        m = host.recv(timeout=10)
        assert m["type"] != "error", m
        per_id[m["id"]].append(m)
        results += m["type"] == "result"
    queued = [i for i, msgs in per_id.items() if any(x.get("queued") is True for x in msgs)]
    for i, msgs in per_id.items():
        kinds = [("queued" if x.get("queued") else "started") if "queued" in x else x["type"] for x in msgs]
        assert kinds.count("result") == 1 and kinds[-1] == "result", (i, kinds)
        if i in queued:
            # The notice comes first, then the start, then the diagnosis's own messages.
            assert kinds[:2] == ["queued", "started"], (i, kinds)
    assert len(queued) == n - 4, queued
    positions = sorted(next(x["position"] for x in per_id[i] if x.get("queued")) for i in queued)
    assert positions == list(range(1, n - 3))
    assert CANARY not in str(per_id)
    host.close_stdin()
    host.wait_exit(1.0)


def test_12_diagnoses_on_one_connection_give_12_results(host, tarpit):
    run_many_diagnoses(host, tarpit, 12, 1000)


def test_50_diagnoses_on_one_connection_give_50_results(host, tarpit):
    run_many_diagnoses(host, tarpit, 50, 400)


def test_a_request_beyond_running_and_queue_is_busy(host, tarpit):
    host.send_raw(b"".join(frame(dict(tarpit_request(tarpit.port, 3000), id=i)) for i in range(4 + 64 + 1)))
    seen = []
    while True:
        m = host.recv(timeout=5)
        seen.append(m)
        if m["type"] == "error":
            break
    assert m["id"] == 68 and m["error"]["code"] == "busy", m
    assert sum(1 for x in seen if x.get("queued") is True) == 64
    host.close_stdin()
    host.wait_exit(1.0)
