"""One test bed per session: starting Postfix alone costs about 2.3 s. Tests that make a login fail
get a Dovecot instance of their own, because Dovecot slows down every later login from the same
address after a failure."""
import itertools
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from servers import Testbed, dns_records  # noqa: E402
from servers.sets import FAULTS  # noqa: E402

from maildoctor import Maildoctor  # noqa: E402

# The canary: the one password the tests look for in every output.
USER = "alice@example.test"
CANARY = "Cnry-7Qx2-zebra-LIME"
USERS = {USER: CANARY, "boss@example.test": "Boss-Only-9kT"}

_bed = None


@pytest.fixture(scope="session")
def bed():
    global _bed
    keep = os.environ.get("KEEP_TESTBED") == "1"
    with Testbed(keep=keep) as tb:
        _bed = tb
        main = tb.dovecot("main", users=USERS, start=False)
        # SMTP logins that are meant to fail go to Dovecot auth processes of their own, one per test
        # that fails a login: the harness self-test, and the wrong-password diagnosis.
        smtpfail = tb.dovecot("smtpfail", users=USERS, start=False)
        smtpwrong = tb.dovecot("smtpwrong", users=USERS, start=False)
        # A real provider's submission server name on the test bed (test_early_warnings.py): --connect-to puts
        # smtp.office365.com:587 here, with a certificate for that name from the bed's CA. Its failing login has
        # Dovecot auth processes of its own.
        tb.pki.custom_leaf("office365", host="smtp.office365.com")
        m365wrong = tb.dovecot("m365wrong", users=USERS, start=False)
        # SMTP with OAuth2 (test_oauth2.py): Postfix hands XOAUTH2/OAUTHBEARER to a Dovecot with passdb oauth2, one per
        # outcome (a refused token slows that auth process down).
        oauthsmtp = tb.dovecot("oauthsmtp", users=USERS, start=False, oauth2_user=USER)
        oauthsmtpbad = tb.dovecot("oauthsmtpbad", users=USERS, start=False, oauth2_user=USER)
        # Postfix starts in the background while everything else comes up.
        pf = tb.postfix([("submission", "starttls", main), ("submissions", "tls", main),
                         ("submission_fail", "starttls", smtpfail),
                         ("submission_wrong", "starttls", smtpwrong),
                         ("submission_m365", "starttls", main, "office365"),
                         ("submission_m365_wrong", "starttls", m365wrong, "office365"),
                         ("submission_oauth", "starttls", oauthsmtp),
                         ("submission_oauth_bad", "starttls", oauthsmtpbad)], wait=False)
        for dc in (main, smtpfail, smtpwrong, m365wrong, oauthsmtp, oauthsmtpbad):
            dc.start()
        for fault in FAULTS:
            tb.dovecot(fault, cert=fault, users=USERS)
        tb.dns = tb.dnsmasq(dns_records(main, pf))
        tb.tarpit_server = tb.tarpit()
        tb.closed = tb.closed_port()
        pf.wait()
        yield tb
        _bed = None


@pytest.fixture(scope="session")
def md(bed):
    return Maildoctor(bed, bed.dns.server, USERS)


_names = itertools.count(1)


@pytest.fixture
def fresh_dovecot(bed):
    """A Dovecot instance no other test has logged into: factory(**Dovecot options)."""
    def make(**kw):
        kw.setdefault("users", USERS)
        return bed.dovecot("fresh%d" % next(_names), **kw)
    return make


@pytest.fixture(autouse=True)
def _logs_of_this_test(request):
    """Remembers where the server logs stood, so that a failure shows only this test's lines."""
    request.node._log_sizes = _bed.log_sizes() if _bed is not None else None
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed and _bed is not None:
        rep.sections.append(("server logs during this test",
                             _bed.logs(since=getattr(item, "_log_sizes", None))[-30000:]))
