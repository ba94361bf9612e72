import { test } from "node:test";
import assert from "node:assert/strict";
import { buildReport, redact } from "../../extension/shared/report.js";
import { translator } from "./helpers.mjs";

const settings = {
  name: "Work", email: "bob.smith@example.test",
  incoming: { protocol: "imap", host: "mail.example.test", port: 993, security: "tls", auth: "password", username: "bsmith" },
  outgoing: null,
};

test("the report is Markdown without the user's login or addresses", () => {
  const entry = {
    observedError: "Login to server mail.example.test with username bsmith failed.",
    result: {
      verdict: "problem",
      findings: [{ code: "auth.wrong_password", severity: "error", subject: "incoming", evidence: ["A2 NO [AUTHENTICATIONFAILED] Authentication failed. ```` break out", "for bob.smith@example.test"] }],
      checks: [{ subject: "incoming", step: "auth", status: "fail", ms: 12 }],
      transcript: [{ subject: "incoming", dir: "C", ms: 3, line: "A1 LOGIN bsmith <redacted>" }],
    },
  };
  const md = buildReport({ accountName: "Work", settings, entry, t: translator("en"), version: "0.1.0" });
  assert.ok(md.startsWith("## maildoctor report: Work"));
  assert.ok(!md.includes("bsmith"), "user name removed");
  assert.ok(!md.includes("bob.smith@example.test"), "address removed");
  assert.ok(md.includes("The password (or user name) is wrong"));
  assert.ok(md.includes("`````\nA2 NO [AUTHENTICATIONFAILED]"), "fence longer than the server's backticks");
  assert.ok(md.includes("- incoming auth: fail (12 ms)"));
  assert.ok(md.includes("A1 LOGIN <user> <redacted>"));
});

test("redact keeps text without secrets as it is", () => {
  assert.equal(redact("no secrets here", ["ab"]), "no secrets here", "too-short secrets are not replaced");
  assert.equal(redact("mail to x@y.org", []), "mail to <address>");
});
