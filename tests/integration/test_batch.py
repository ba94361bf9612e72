"""`maildoctor batch` against the real servers: ids and bad lines, the same answers as one `diagnose`
per account, the per-server cap seen at a counting relay, --resume, and the lockout rules (one login per
user and server per batch, --min-interval-per-account across runs)."""
import json
import os
import socket
import subprocess
import threading
import time

from conftest import CANARY, USER
from maildoctor import HOST, binary, connect_to, endpoint, request, secret_forms

BATCH_DEADLINE = 3.0


class BatchRun:
    def __init__(self, rc, stdout, stderr, attempts, seconds):
        self.rc, self.stdout, self.stderr, self.attempts, self.seconds = rc, stdout, stderr, attempts, seconds
        self.lines = [json.loads(l) for l in stdout.splitlines() if l.strip()]

    def by_id(self):
        return {l["id"]: l for l in self.lines if l.get("id") is not None}

    def explain(self):
        return "rc %s, %.1f s, attempts %s\nstdout:\n%s\nstderr:\n%s" % (
            self.rc, self.seconds, self.attempts, self.stdout[-12000:], self.stderr[-4000:])


def run_batch(md, lines, connect=(), args=(), stdin=True, secrets=()):
    """Runs `maildoctor batch` with lines (dicts, or raw strings) on stdin; checks no secret got out."""
    text = "".join((l if isinstance(l, str) else json.dumps(l)) + "\n" for l in lines)
    argv = [binary(), "batch"] + md.common_args(connect, BATCH_DEADLINE) + list(args)
    mark = md.bed.mark()
    t0 = time.monotonic()
    p = subprocess.run(argv, input=text if stdin else None, capture_output=True, text=True, timeout=120)
    time.sleep(0.15)  # a refused login's log line may trail the client
    run = BatchRun(p.returncode, p.stdout, p.stderr, md.bed.attempts_since(mark), time.monotonic() - t0)
    pairs = list(md.secrets.items()) + list(secrets)
    for l in lines:
        if isinstance(l, dict):
            for side in ("incoming", "outgoing"):
                ep = l.get("account", {}).get(side) or {}
                if ep.get("password"):
                    pairs.append((ep.get("username") or l["account"].get("email", ""), ep["password"]))
    for user, password in pairs:
        for form in secret_forms(user, password):
            assert form not in run.stdout and form not in run.stderr, "secret of %s leaked\n%s" % (user, run.explain())
    assert run.rc in (0, 1), run.explain()
    return run


def with_id(ident, req):
    return dict(req, id=ident)


def test_ids_and_bad_lines(bed, md):
    good = with_id("good", request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY), alternatives=False))
    lines = [
        good,
        "",
        "{not json",
        json.dumps(request(USER, incoming=endpoint("imap", 993, "tls"))),  # no id
        json.dumps(with_id("good", request(USER, incoming=endpoint("imap", 993, "tls")))),  # duplicate id
        json.dumps(with_id("badport", {"account": {"incoming": {"protocol": "imap", "host": HOST, "port": 0}}})),
        '{"id":"huge","pad":"' + "x" * (1024 * 1024 + 10) + '"}',
        with_id("after", request(USER, incoming=endpoint("imap", 993, "tls"), login=False, alternatives=False)),
    ]
    run = run_batch(md, lines, connect_to(bed.dovecots["main"].ports, closed_port=bed.closed))
    assert len(run.lines) == 8, run.explain()
    ids = run.by_id()
    assert ids["good"].get("result", {}).get("verdict") == "ok", run.explain()
    assert ids["after"]["result"]["verdict"] in ("ok", "inconclusive"), run.explain()
    assert ids["badport"]["error"]["field"] == "account.incoming.port", run.explain()
    errors = sorted(l["line"] for l in run.lines if "error" in l)
    assert errors == [2, 3, 4, 5, 6, 7], run.explain()  # every bad line answered, by its line number
    dup = [l for l in run.lines if l.get("id") == "good" and "error" in l]
    assert dup and dup[0]["error"]["field"] == "id", run.explain()
    assert run.rc == 1, run.explain()
    assert run.attempts == {"main/imap": 1}, run.explain()


def _servers(bed, wrong_dovecot):
    """Standard ports on main, 10993 on the expired-certificate Dovecot, 10143 on a tarpit, 11993 on a
    Dovecot of its own for the wrong password (Dovecot slows later logins after a failure)."""
    pairs = connect_to(bed.dovecots["main"].ports, bed._postfix.ports, closed_port=bed.closed)
    pairs.append("%s:10993:127.0.0.2:%d" % (HOST, bed.dovecots["expired"].ports["imaps"]))
    pairs.append("%s:10143:127.0.0.2:%d" % (HOST, bed.tarpit_server.port))
    pairs.append("%s:11993:127.0.0.2:%d" % (HOST, wrong_dovecot.ports["imaps"]))
    return pairs


def _mix():
    return {
        "good": request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY),
                        outgoing=endpoint("smtp", 587, "starttls", USER, CANARY)),
        "expired": request(USER, incoming=endpoint("imap", 10993, "tls")),
        "silent": request(USER, incoming=endpoint("imap", 10143, "starttls")),
        "wrong": request(USER, incoming=endpoint("imap", 11993, "tls", USER, "Wrong-Guess-77")),
        "nologin": request(USER, outgoing=endpoint("smtp", 465, "tls"), login=False),
    }


def _answer(result):
    return result["verdict"], sorted(f["code"] for f in result["findings"])


def test_same_answers_as_single_diagnose_runs(bed, md, fresh_dovecot):
    mix = _mix()
    single = {}
    pairs = _servers(bed, fresh_dovecot())
    for ident, req in mix.items():
        single[ident] = md.diagnose(req, pairs, deadline=BATCH_DEADLINE)
    run = run_batch(md, [with_id(i, r) for i, r in mix.items()], _servers(bed, fresh_dovecot()), ["--jobs", "5"],
                    secrets=[(USER, "Wrong-Guess-77")])
    ids = run.by_id()
    assert sorted(ids) == sorted(mix), run.explain()
    for ident, one in single.items():
        assert _answer(ids[ident]["result"]) == _answer(one.result), "%s differs\n%s\n%s" % (ident, one.explain(), run.explain())
    assert "auth.wrong_password" in _answer(ids["wrong"]["result"])[1], run.explain()
    assert "tls.cert_expired" in _answer(ids["expired"]["result"])[1], run.explain()
    assert run.rc == 1, run.explain()
    # In parallel: the whole batch takes about its slowest line (the tarpit's deadline), not the sum.
    assert sum(1 for c in run.stderr.splitlines() if c.startswith("auth.wrong_password")) == 1, run.explain()


# Kernel TCP states of the relay's side in which the client has not closed its end yet.
_CLIENT_OPEN = {1, 2, 3, 4, 5}  # ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2


def client_open(sock):
    """True while the client has not closed its end: the kernel knows at once (CLOSE_WAIT after its
    FIN), whatever the relay's threads have read so far."""
    try:
        return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0] in _CLIENT_OPEN
    except OSError:
        return False


class CountingRelay:
    """Forwards 127.0.0.1:port to 127.0.0.2:target and records the most client connections open at
    once, counted at each accept from the kernel's view of the others. Each connection is held 100 ms
    before it is forwarded, so that connections that would overlap do."""

    def __init__(self, target):
        self.target = target
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.peak = self.total = 0
        self.clients = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.clients = [c for c in self.clients if client_open(c)] + [client]
            self.total += 1
            self.peak = max(self.peak, len(self.clients))
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        try:
            time.sleep(0.1)
            upstream = socket.create_connection(("127.0.0.2", self.target))
            done = threading.Event()

            def pipe(a, b):
                try:
                    while True:
                        data = a.recv(65536)
                        if not data:
                            break
                        b.sendall(data)
                except OSError:
                    pass
                try:
                    b.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                done.set()

            threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
            pipe(client, upstream)
            done.wait(5)
            upstream.close()
        except OSError:
            pass
        finally:
            # Closed only after the client closed (or the upstream failed): its state stays readable till then.
            time.sleep(0.5)
            client.close()

    def close(self):
        self.sock.close()


def test_per_server_cap_seen_at_a_counting_relay(bed, md):
    main = bed.dovecots["main"]
    relays = {993: CountingRelay(main.ports["imaps"]), 143: CountingRelay(main.ports["imap"])}
    try:
        pairs = ["%s:%d:127.0.0.1:%d" % (HOST, std, r.port) for std, r in relays.items()]
        pairs += connect_to(closed_port=bed.closed)
        # No password: no lockout rule applies, so all eight lines run at once as far as the cap allows.
        lines = [with_id("n%d" % i, request("user%d@example.test" % i, incoming=endpoint("imap", 993, "tls")))
                 for i in range(8)]
        run = run_batch(md, lines, pairs, ["--jobs", "8", "--per-server", "2"])
        assert len(run.by_id()) == 8 and all("result" in l for l in run.lines), run.explain()
        for std, r in relays.items():
            # 8 accounts x (993 tls, 993 starttls) on one relay, 8 x 143 on the other: all of them went through.
            assert r.total >= 8, (std, r.total, run.explain())
            assert r.peak <= 2, "%d connections at once to port %d\n%s" % (r.peak, std, run.explain())
    finally:
        for r in relays.values():
            r.close()


def test_resume_skips_answered_ids(bed, md, tmp_path):
    out = str(tmp_path / "answers.jsonl")
    pairs = connect_to(bed.dovecots["main"].ports, closed_port=bed.closed)
    first = [with_id("r%d" % i, request(USER, incoming=endpoint("imap", 993, "tls"), login=False, alternatives=False))
             for i in range(2)]
    run = run_batch(md, first, pairs, ["--output", out])
    assert run.stdout == "" and len(open(out).read().splitlines()) == 2, run.explain()
    second = first + [with_id("r2", request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY), alternatives=False))]
    run = run_batch(md, second, pairs, ["--output", out, "--resume", out])
    answers = [json.loads(l) for l in open(out).read().splitlines()]
    assert [a["id"] for a in answers] == ["r0", "r1", "r2"] or sorted(a["id"] for a in answers) == ["r0", "r1", "r2"], answers
    assert len(answers) == 3, answers
    assert run.attempts == {"main/imap": 1}, run.explain()  # only the new line ran
    assert "2 skipped by --resume" in run.stderr, run.explain()


def test_one_login_per_user_and_server_per_batch(bed, md, fresh_dovecot):
    dc = fresh_dovecot()
    pairs = connect_to(dc.ports, bed._postfix.ports, closed_port=bed.closed)
    wrong = ["Wrong-Guess-%d" % i for i in range(4)]
    lines = [with_id("try%d" % i, request(USER, incoming=endpoint("imap", 993, "tls", USER, pw), alternatives=False))
             for i, pw in enumerate(wrong)]
    # The same user and IMAP server plus an SMTP login: would be a second IMAP login, so it is not tried.
    lines.append(with_id("more", request(USER, incoming=endpoint("imap", 993, "tls", USER, wrong[0]),
                                         outgoing=endpoint("smtp", 587, "starttls", USER, wrong[0]), alternatives=False)))
    run = run_batch(md, lines, pairs, ["--jobs", "8"], secrets=[(USER, pw) for pw in wrong])
    ids = run.by_id()
    assert run.attempts == {dc.name + "/imap": 1}, run.explain()
    leaders = [i for i in ids if i.startswith("try") and "result" in ids[i] and "same_as" not in ids[i]]
    assert len(leaders) == 1, run.explain()
    for i in ("try0", "try1", "try2", "try3"):
        if i != leaders[0]:
            assert ids[i]["same_as"] == leaders[0] and ids[i]["result"] == ids[leaders[0]]["result"], run.explain()
    assert "auth.wrong_password" in _answer(ids[leaders[0]]["result"])[1], run.explain()
    assert ids["more"]["error"]["field"] == "account", run.explain()


def test_min_interval_per_account_across_runs(bed, md, tmp_path):
    state = str(tmp_path / "state.json")
    summary = str(tmp_path / "summary.json")
    pairs = connect_to(bed.dovecots["main"].ports, closed_port=bed.closed)
    line = with_id("alice", request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY), alternatives=False))
    args = ["--min-interval-per-account", "3600", "--state", state]
    run = run_batch(md, [line], pairs, args)
    assert run.rc == 0 and run.attempts == {"main/imap": 1}, run.explain()
    stored = open(state).read()
    assert USER not in stored and HOST not in stored and CANARY not in stored, stored
    run = run_batch(md, [dict(line, id="again")], pairs, args + ["--summary", summary])
    assert run.attempts == {}, run.explain()
    assert run.by_id()["again"]["error"]["field"] == "account", run.explain()
    s = json.load(open(summary))
    assert s["errors"] == 1 and s["causes"][0]["cause"] == "not tried: --min-interval-per-account", s
    assert run.rc == 1, run.explain()
