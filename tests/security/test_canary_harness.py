"""The canary harness must be able to fail: a stand-in maildoctor that leaks the password in each
form is caught, and an honest one passes."""
import os
import subprocess
import sys
import textwrap

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "canary_harness.py")

FAKE = textwrap.dedent(r'''
    #!/usr/bin/python3
    import base64, json, os, sys
    req = json.loads(sys.stdin.read())
    ep = req["account"]["incoming"]
    user, pw = ep["username"], ep["password"]
    how = os.environ["FAKE_LEAK"]
    line = {
        "none": "C: A001 LOGIN %s ****" % user,
        "plain": "C: A001 LOGIN %s %s" % (user, pw),
        "base64": "C: " + base64.b64encode(pw.encode()).decode(),
        "sasl-plain": "C: A001 AUTHENTICATE PLAIN " + base64.b64encode(("\0%s\0%s" % (user, pw)).encode()).decode(),
        "xoauth-blob": "C: " + base64.b64encode(("user=%s\1auth=Bearer %s\1\1" % (user, pw)).encode()).decode(),
        "file": "",
        "stderr": "",
    }[how]
    if how == "file":
        open(os.path.join(os.environ["TMPDIR"], "debug.log"), "w").write(pw)
    if how == "stderr":
        sys.stderr.write("crash: password=%s\n" % pw)
    print(json.dumps({"verdict": "problem", "transcript": [{"dir": "C", "line": line}]}))
''').lstrip()

DRIVER = textwrap.dedent(r'''
    import json, os, subprocess
    req = {"account": {"email": "bob@example.test", "incoming": {"protocol": "imap", "host": "127.0.0.1",
           "port": 993, "username": "bob@example.test", "password": os.environ["MAILDOCTOR_CANARY"]}}}
    subprocess.run([os.environ["MAILDOCTOR_BIN"], "diagnose", "--json", "--request", "-"],
                   input=json.dumps(req).encode(), check=True, stdout=subprocess.DEVNULL)
''')


@pytest.fixture
def fake_bin(tmp_path):
    path = tmp_path / "fake-maildoctor"
    path.write_text(FAKE)
    path.chmod(0o755)
    return str(path)


def run_harness(fake_bin, tmp_path, leak):
    env = dict(os.environ, MAILDOCTOR_BIN=fake_bin, FAKE_LEAK=leak, MAILDOCTOR_ARTIFACTS=str(tmp_path))
    return subprocess.run([sys.executable, HARNESS, "--", sys.executable, "-c", DRIVER], env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("leak", ["plain", "base64", "sasl-plain", "xoauth-blob", "file", "stderr"])
def test_a_leak_in_any_form_fails_the_harness(fake_bin, tmp_path, leak):
    p = run_harness(fake_bin, tmp_path, leak)
    assert p.returncode == 1, p.stdout
    assert "LEAK" in p.stdout, p.stdout


def test_an_honest_run_passes(fake_bin, tmp_path):
    p = run_harness(fake_bin, tmp_path, "none")
    assert p.returncode == 0, p.stdout
    assert "1 maildoctor runs captured, 1 carried a password" in p.stdout


def test_a_run_that_proves_nothing_fails(fake_bin, tmp_path):
    env = dict(os.environ, MAILDOCTOR_BIN=fake_bin, MAILDOCTOR_ARTIFACTS=str(tmp_path))
    p = subprocess.run([sys.executable, HARNESS, "--", "true"], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "nothing was proven" in p.stdout, p.stdout
