import { test } from "node:test";
import assert from "node:assert/strict";
import { loadTerms } from "./helpers.mjs";

const terms = loadTerms();

test("socketType maps to the request's security terms", () => {
  assert.equal(terms.security(0), "none");
  assert.equal(terms.security(1), "starttls"); // legacy trySTARTTLS
  assert.equal(terms.security(2), "starttls");
  assert.equal(terms.security(3), "tls");
  assert.equal(terms.security(4), null);
  assert.equal(terms.security(undefined), null);
});

test("every nsMsgAuthMethod maps to an auth term", () => {
  const expected = { 1: "none", 2: "password", 3: "password", 4: "password-encrypted", 5: "gssapi", 6: "ntlm", 7: "tls-certificate", 8: "password-encrypted", 9: "password", 10: "oauth2" };
  for (const [method, term] of Object.entries(expected)) assert.equal(terms.auth(Number(method)), term, `authMethod ${method}`);
  assert.equal(terms.auth(0), null);
  assert.equal(terms.auth(11), null);
  assert.equal(terms.auth("toString"), null);
});

test("only imap and pop3 are incoming protocols the host can check", () => {
  assert.equal(terms.incomingProtocol("imap"), "imap");
  assert.equal(terms.incomingProtocol("pop3"), "pop3");
  for (const other of ["nntp", "none", "rss", "ews", "owl"]) assert.equal(terms.incomingProtocol(other), null);
});

test("unset ports become the protocol default for the security in use", () => {
  assert.equal(terms.port("imap", 0, "tls"), 993);
  assert.equal(terms.port("imap", -1, "starttls"), 143);
  assert.equal(terms.port("pop3", 0, "tls"), 995);
  assert.equal(terms.port("pop3", 0, "none"), 110);
  assert.equal(terms.port("smtp", 0, "tls"), 465);
  assert.equal(terms.port("smtp", 0, "starttls"), 587);
  assert.equal(terms.port("imap", 10143, "none"), 10143);
});

test("setting values are converted back to Thunderbird's attribute values, or refused", () => {
  assert.deepEqual(terms.settingValue("port", 587), { ok: true, value: 587 });
  assert.deepEqual(terms.settingValue("port", "465"), { ok: true, value: 465 });
  assert.equal(terms.settingValue("port", 0).ok, false);
  assert.equal(terms.settingValue("port", 70000).ok, false);
  assert.deepEqual(terms.settingValue("security", "tls"), { ok: true, value: 3 });
  assert.deepEqual(terms.settingValue("security", "starttls"), { ok: true, value: 2 });
  assert.deepEqual(terms.settingValue("security", "none"), { ok: true, value: 0 });
  assert.equal(terms.settingValue("security", "ssl").ok, false);
  for (const [auth, method] of Object.entries({ none: 1, password: 3, "password-encrypted": 4, gssapi: 5, ntlm: 6, "tls-certificate": 7, oauth2: 10 })) {
    assert.deepEqual(terms.settingValue("auth", auth), { ok: true, value: method });
    assert.equal(terms.auth(method), auth, "round trip");
  }
  assert.deepEqual(terms.settingValue("host", "imap.example.com"), { ok: true, value: "imap.example.com" });
  assert.equal(terms.settingValue("host", "evil host/x").ok, false);
  assert.equal(terms.settingValue("username", "bob\r\nA1 LOGOUT").ok, false);
  assert.equal(terms.settingValue("password", "x").ok, false);
});
