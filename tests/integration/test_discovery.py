"""Only an e-mail address: settings found through RFC 6186 SRV records served by dnsmasq."""
import json


from conftest import USER
from maildoctor import request


def _sources(obj):
    """Every {"source": ...} value anywhere in the discovery report, with its subject if given."""
    found = []
    if isinstance(obj, dict):
        if isinstance(obj.get("source"), str):
            found.append((obj.get("subject"), obj["source"].lower()))
        for v in obj.values():
            found += _sources(v)
    elif isinstance(obj, list):
        for v in obj:
            found += _sources(v)
    return found


def test_discovery_through_srv(bed, md):
    main = bed.dovecots["main"]
    run = md.diagnose(request(USER))
    discovery = run.result.get("discovery")
    assert discovery, run.explain()
    sources = _sources(discovery)
    assert ("incoming", "srv") in sources and ("outgoing", "srv") in sources, run.explain()
    # What SRV named is what got probed: the test ports, not the standard ones.
    targets = json.dumps(run.result.get("checks", []))
    assert str(main.ports["imaps"]) in targets, run.explain()
    assert str(bed._postfix.ports["submission"]) in targets or str(bed._postfix.ports["submissions"]) in targets, \
        run.explain()
    assert run.result["verdict"] != "problem", run.explain()
    assert run.attempts == {}, run.explain()
