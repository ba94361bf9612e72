"""Only an e-mail address: settings found through RFC 6186 SRV records served by dnsmasq."""
import json

from conftest import USER
from maildoctor import request


def _mentions(obj, word):
    return word in json.dumps(obj).lower()


def test_discovery_through_srv(bed, md):
    main = bed.dovecots["main"]
    run = md.diagnose(request(USER))
    discovery = run.result.get("discovery")
    assert discovery, run.explain()
    assert _mentions(discovery, "srv"), run.explain()
    # What SRV named is what got probed: the test ports, not the standard ones.
    targets = json.dumps(run.result.get("checks", []))
    assert str(main.ports["imaps"]) in targets, run.explain()
    assert str(bed._postfix.ports["submission"]) in targets or str(bed._postfix.ports["submissions"]) in targets, \
        run.explain()
    assert run.result["verdict"] != "problem", run.explain()
    assert run.attempts == {}, run.explain()
