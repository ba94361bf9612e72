"""Issue 14, certificate parity: the add-on reads Thunderbird's own certificate exceptions. In the real Thunderbird an
exception is stored as its dialog stores it (nsICertOverrideService), and the add-on's experiment
(getCertOverrides) hands it to the background with host, port and the SHA-256 fingerprint in Thunderbird's form;
background/overrides.js (tests/extension/overrides.test.mjs) puts it on the matching endpoint only. Its own
Thunderbird."""
import base64
import os
import subprocess

import pytest

from tb_session import ThunderbirdSession

ARTIFACTS = os.environ.get("MAILDOCTOR_ARTIFACTS") or "/tmp"


@pytest.fixture(scope="module")
def tb():
    session = ThunderbirdSession()
    try:
        session.start()
        yield session
    finally:
        with open(os.path.join(ARTIFACTS, "e2e-cert-override.log"), "w") as f:
            f.write(session.log_text())
        session.close()


def test_the_experiment_reads_thunderbirds_exception_with_its_fingerprint(tb):
    cert, _key = tb.bed.pki.leaf("self_signed")
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], capture_output=True, check=True).stdout
    expected = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"], capture_output=True,
                              text=True, check=True).stdout.strip().split("=", 1)[1]
    stored = tb.script("cert_override.js", ["mail.example.test", 993, base64.b64encode(der).decode()])
    assert stored.get("sha256") == expected, stored
    assert tb.script("open_popup.js").get("opened")
    overrides = tb.popup("return await messenger.MailDoctor.getCertOverrides();")
    assert {"host": "mail.example.test", "port": 993, "sha256": expected} in overrides, overrides
