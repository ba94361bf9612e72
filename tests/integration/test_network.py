"""Connection-level faults: closed port, a server that never greets, and a better port nearby."""
import os

from conftest import CANARY, USER
from maildoctor import connect_to, endpoint, request


def test_closed_port(bed, md):
    run = md.diagnose(request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY)),
                      connect_to(closed_port=bed.closed))
    assert run.result["verdict"] == "problem", run.explain()
    assert "net.refused" in run.codes("incoming"), run.explain()
    assert run.attempts == {}, run.explain()


def test_server_that_never_greets(bed, md):
    deadline = 3.0
    # STARTTLS: the greeting comes before any TLS, so silence can only mean "no greeting".
    run = md.diagnose(request(USER, incoming=endpoint("imap", 143, "starttls", USER, CANARY)),
                      connect_to({"imap": bed.tarpit_server.port}, closed_port=bed.closed), deadline=deadline)
    assert run.result["verdict"] != "ok", run.explain()
    assert "proto.no_greeting" in run.codes("incoming"), run.explain()
    slack = float(os.environ.get("MAILDOCTOR_DEADLINE_SLACK", "0.5"))  # wider on the sanitizer build (90-asan)
    assert run.seconds <= deadline + slack, "took %.2f s with a %g s deadline\n%s" % (run.seconds, deadline, run.explain())


def test_alternative_port_works_when_configured_one_is_closed(bed, md):
    main = bed.dovecots["main"]
    # 993 (configured, SSL/TLS) is closed; 143 with STARTTLS and the other ports work.
    ports = dict(main.ports)
    ports["imaps"] = bed.closed
    run = md.diagnose(request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY)),
                      connect_to(ports, closed_port=bed.closed))
    assert run.result["verdict"] == "problem", run.explain()
    better = run.finding("config.better_settings")
    assert better is not None, run.explain()
    changes = {(f.get("setting"), f.get("value")) for f in better.get("fixes", []) if f.get("kind") == "change_setting"}
    assert ("port", 143) in changes, run.explain()
    assert ("security", "starttls") in changes, run.explain()
    # Alternatives are probed without credentials, and the configured port never answered.
    assert run.attempts == {}, run.explain()
