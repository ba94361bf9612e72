import { test } from "node:test";
import assert from "node:assert/strict";
import { localizeFinding } from "../../extension/shared/findings.js";
import { translator } from "./helpers.mjs";

const throttled = (params) => ({
  code: "auth.rate_limited",
  title: "outlook.office365.com is throttling this account for now",
  detail: "The server is holding back this account. The server asks to wait about 5 minutes before the next attempt.",
  params,
});

test("a wait the server named reaches a German reader as the host's English says it", () => {
  const de = translator("de");
  assert.match(localizeFinding(throttled({ wait_seconds: 300 }), de).detail, /etwa 5 Minuten zu warten/);
  assert.match(localizeFinding(throttled({ wait_seconds: 90 }), de).detail, /90 Sekunden zu warten/);
  // No wait named, or one that is not a whole positive number: the table's text alone.
  for (const params of [{}, { wait_seconds: "300" }, { wait_seconds: -5 }, { wait_seconds: 1.5 }]) {
    assert.doesNotMatch(localizeFinding(throttled(params), de).detail, /warten\.$/, JSON.stringify(params));
  }
});

test("in English the host's detail already names the wait: it is not said twice", () => {
  const detail = localizeFinding(throttled({ wait_seconds: 300 }), translator("en")).detail;
  assert.equal(detail.match(/asks to wait/g).length, 1);
});
