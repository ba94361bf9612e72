"""After an SMTP login: MAIL FROM / RCPT TO checks that the login may send as the account."""
from conftest import CANARY, USER
from maildoctor import connect_to, endpoint, request


def test_sender_the_login_does_not_own(bed, md):
    run = md.diagnose(request("boss@example.test", outgoing=endpoint("smtp", 587, "starttls", USER, CANARY)),
                      connect_to(outgoing=bed._postfix.ports, closed_port=bed.closed))
    assert run.result["verdict"] == "problem", run.explain()
    assert "smtp.sender_not_authorized" in run.codes("outgoing"), run.explain()
    evidence = " ".join(run.finding("smtp.sender_not_authorized").get("evidence", []))
    assert "553" in evidence, run.explain()
    assert run.attempts == {"main/smtp": 1}, run.explain()
    assert bed.sink().messages == 0, "a message was sent"
