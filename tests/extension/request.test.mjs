import { test } from "node:test";
import assert from "node:assert/strict";
import { buildRequest } from "../../extension/background/request.js";

const settings = {
  accountId: "account1",
  name: "Work",
  email: "bob@example.test",
  identityId: "id1",
  incoming: { key: "server1", protocol: "imap", host: "mail.example.test", port: 993, security: "tls", auth: "password", username: "bob" },
  outgoing: { key: "smtp1", protocol: "smtp", host: "smtp.example.test", port: 587, security: "starttls", auth: "oauth2", username: null },
};

test("an account request carries both endpoints in the contract's terms, without Thunderbird's keys", () => {
  const { ok, request } = buildRequest(settings);
  assert.ok(ok);
  assert.deepEqual(request.account, {
    email: "bob@example.test",
    name: "Work",
    incoming: { protocol: "imap", host: "mail.example.test", port: 993, security: "tls", username: "bob", auth: "password" },
    outgoing: { protocol: "smtp", host: "smtp.example.test", port: 587, security: "starttls", auth: "oauth2" },
  });
  assert.deepEqual(request.options, { login: false, alternatives: true, deadline_ms: 10000 });
  assert.equal("observed_error" in request, false);
});

test("a password goes only to its own endpoint and switches login on", () => {
  const { request } = buildRequest(settings, { passwords: { incoming: "s3cret" } });
  assert.equal(request.account.incoming.password, "s3cret");
  assert.equal("password" in request.account.outgoing, false);
  assert.equal(request.options.login, true);
});

test("scope limits the request to one server; the observed error is passed along", () => {
  const out = buildRequest(settings, { scope: "outgoing", passwords: { incoming: "s3cret" }, observedError: "Sending failed" }).request;
  assert.equal(out.account.incoming, undefined);
  assert.equal(out.account.outgoing.host, "smtp.example.test");
  assert.equal(out.options.login, false, "the incoming password must not leak into an outgoing-only request");
  assert.equal(out.observed_error, "Sending failed");
  const inc = buildRequest(settings, { scope: "incoming" }).request;
  assert.equal(inc.account.outgoing, undefined);
});

test("accounts without a diagnosable server are refused, not sent", () => {
  assert.deepEqual(buildRequest({ name: "Feeds", incoming: null, outgoing: null }), { ok: false, reason: "unsupported" });
  assert.deepEqual(buildRequest({ ...settings, outgoing: null }, { scope: "outgoing" }), { ok: false, reason: "no_host" });
});

test("an account without an outgoing server asks the host to discover one; a scoped check does not", () => {
  const none = buildRequest({ ...settings, outgoing: null }).request;
  assert.equal(none.options.discover_missing, true);
  assert.equal(none.account.outgoing, undefined);
  const empty = buildRequest({ ...settings, outgoing: { ...settings.outgoing, host: "" } }).request;
  assert.equal(empty.options.discover_missing, true, "an SMTP server without a host name is as good as none");
  assert.equal("discover_missing" in buildRequest(settings).request.options, false, "both servers: nothing to discover");
  assert.equal("discover_missing" in buildRequest(settings, { scope: "incoming" }).request.options, false);
  // A broken outgoing server (say its host does not resolve) is sent as it is: the host proposes a replacement.
  const broken = buildRequest({ ...settings, outgoing: { ...settings.outgoing, host: "smtp.gone.example.test" } }).request;
  assert.equal(broken.account.outgoing.host, "smtp.gone.example.test");
  assert.equal(broken.options.alternatives, true);
});
