"""The one set of assertions every hostile case shares: a clear, bounded, secret-free end."""
from canary import canary, forms, scan
from maildoctor_runner import OUTPUT_LIMIT, RSS_LIMIT_MB, SLACK_S

SANITIZER_MARKERS = (b"AddressSanitizer", b"runtime error:", b"LeakSanitizer", b"terminate called", b"Segmentation fault")


def clear_end(run, servers, deadline_s, codes=None, allow_plaintext_login=False, user="bob@hostile.test"):
    """codes: the finding codes acceptable as the diagnosis of this fault (None: any error finding)."""
    info = run.describe()
    assert not run.killed, "maildoctor hung and was killed\n" + info
    assert run.rc in (0, 1), "exit status must be 0 or 1 for a finished diagnosis\n" + info
    for marker in SANITIZER_MARKERS:
        assert marker not in run.stderr, "crash or sanitizer report\n" + info
    assert run.wall <= deadline_s + SLACK_S, "took %.2fs, deadline %.1fs\n%s" % (run.wall, deadline_s, info)
    assert run.maxrss_mb <= RSS_LIMIT_MB, "peak RSS %.0f MB over %.0f MB\n%s" % (run.maxrss_mb, RSS_LIMIT_MB, info)
    assert run.stdout_size <= OUTPUT_LIMIT, "result of %d bytes: server data went in unbounded" % run.stdout_size
    assert run.result is not None, "stdout is not one valid UTF-8 JSON document\n" + info
    assert run.result.get("verdict") in ("problem", "inconclusive"), info
    findings = run.result.get("findings", [])
    assert findings, "no finding explains the failure\n" + info
    if codes is not None:
        assert any(f.get("code") in codes for f in findings), "expected one of %s\n%s" % (sorted(codes), info)
    for f in findings:
        assert f.get("title"), "finding without a title\n" + info
    leaked = scan(run.stdout + run.stderr, forms(canary(), [user]))
    assert not leaked, "password leaked as %s\n%s" % (leaked, info)
    for s in servers:
        assert len(s.recorder.logins) <= 1, "%d login attempts on one server: %s" % (len(s.recorder.logins), s.recorder.logins)
        if not allow_plaintext_login:
            assert not s.recorder.plaintext_logins, "login sent in clear: %s" % s.recorder.plaintext_logins
