import { test, mock } from "node:test";
import assert from "node:assert/strict";

import { attachCertOverrides, sha256Of } from "../../extension/background/overrides.js";
import { world, settle } from "./world.mjs";

const FP = Array.from({ length: 32 }, (_, i) => (i + 16).toString(16).toUpperCase()).join(":");

function request() {
  return {
    account: {
      email: "bob@example.test",
      incoming: { protocol: "imap", host: "Mail.Example.test", port: 993, security: "tls" },
      outgoing: { protocol: "smtp", host: "mail.example.test", port: 465, security: "tls" },
    },
    options: { login: true, alternatives: true },
  };
}

test("an exception for host:port goes to that endpoint only", () => {
  const r = attachCertOverrides(request(), [{ host: "mail.example.test", port: 993, sha256: FP }]);
  assert.deepEqual(r.account.incoming.cert_override, { sha256: FP });
  assert.equal(r.account.outgoing.cert_override, undefined);
});

test("another port, another host or Thunderbird's -1 (443) never match", () => {
  const r = attachCertOverrides(request(), [
    { host: "mail.example.test", port: 143, sha256: FP },
    { host: "other.example.test", port: 465, sha256: FP },
    { host: "mail.example.test", port: -1, sha256: FP },
  ]);
  assert.equal(r.account.incoming.cert_override, undefined);
  assert.equal(r.account.outgoing.cert_override, undefined);
});

test("a fingerprint that is not a SHA-256 is not sent", () => {
  assert.equal(sha256Of({ sha256: "AB:CD" }), null);
  assert.equal(sha256Of({ sha256: FP.replace(/:/g, "") }), FP.replace(/:/g, ""));
  assert.equal(sha256Of({ sha256: FP + ":00" }), null);
  assert.equal(sha256Of({ sha256: "ZZ" + FP.slice(2) }), null);
  const r = attachCertOverrides(request(), [{ host: "mail.example.test", port: 465, sha256: "AB:CD" }]);
  assert.equal(r.account.outgoing.cert_override, undefined);
});

test("nothing readable: the request is unchanged", () => {
  const before = request();
  assert.deepEqual(attachCertOverrides(request(), null), before);
  assert.deepEqual(attachCertOverrides(request(), []), before);
  assert.equal(attachCertOverrides(null, []), null);
});

test("the background sends Thunderbird's exception for the account's server with the diagnosis", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { doctor, calls } = await world({ certOverrides: [{ host: "mail.example.test", port: 465, sha256: FP }, { host: "x.test", port: 993, sha256: FP }] });
    await doctor.diagnose("account1");
    await settle(0);
    assert.equal(calls.requests.length, 1);
    assert.deepEqual(calls.requests[0].account.outgoing.cert_override, { sha256: FP });
    assert.equal(calls.requests[0].account.incoming.cert_override, undefined);
  } finally {
    mock.timers.reset();
  }
});
