import { test } from "node:test";
import assert from "node:assert/strict";
import { buildRequest } from "../../extension/background/request.js";
import { oauthSubjects, tokenOutcome, tokenTestFinding, signInSubject, MAX_TOKEN_LENGTH } from "../../extension/background/oauth.js";

const settings = {
  name: "Work",
  email: "bob@example.test",
  incoming: { protocol: "imap", host: "outlook.office365.com", port: 993, security: "tls", auth: "oauth2", username: "bob@example.test" },
  outgoing: { protocol: "smtp", host: "smtp.example.test", port: 587, security: "starttls", auth: "password", username: "bob" },
};

test("only the servers that sign in with OAuth2 ask Thunderbird for a token, within the scope", () => {
  assert.deepEqual(oauthSubjects(settings), ["incoming"]);
  assert.deepEqual(oauthSubjects(settings, "outgoing"), []);
  assert.deepEqual(oauthSubjects({ ...settings, outgoing: { ...settings.outgoing, auth: "oauth2" } }), ["incoming", "outgoing"]);
  assert.deepEqual(oauthSubjects({ incoming: { auth: "oauth2" } }), [], "no host, nothing to test");
});

test("an access token goes to its OAuth2 endpoint as access_token and switches login on", () => {
  const { request } = buildRequest(settings, { tokens: { incoming: { token: "ya29.abc" } } });
  assert.equal(request.account.incoming.access_token, "ya29.abc");
  assert.equal("password" in request.account.incoming, false);
  assert.equal("access_token" in request.account.outgoing, false);
  assert.equal(request.options.login, true);
});

test("a token never goes to a password server, and a password never to an OAuth2 server", () => {
  const { request } = buildRequest(settings, { tokens: { outgoing: { token: "ya29.abc" } }, passwords: { incoming: "pw" } });
  assert.equal("access_token" in request.account.outgoing, false);
  assert.equal("password" in request.account.incoming, false);
  assert.equal(request.options.login, false);
});

test("a failed refresh goes as oauth_error, with no token and no login", () => {
  const { request } = buildRequest(settings, { tokens: { incoming: { error: "invalid_grant; AADSTS700082: The refresh token has expired" } } });
  assert.equal(request.account.incoming.oauth_error, "invalid_grant; AADSTS700082: The refresh token has expired");
  assert.equal("access_token" in request.account.incoming, false);
  assert.equal(request.options.login, false);
});

test("the experiment's reply is checked before it reaches a request", () => {
  assert.deepEqual(tokenOutcome({ accessToken: "ya29.abc", error: null }), { token: "ya29.abc" });
  assert.deepEqual(tokenOutcome({ accessToken: null, error: "  invalid_grant  " }), { error: "invalid_grant" });
  assert.equal(tokenOutcome({ accessToken: "", error: "" }), null);
  assert.equal(tokenOutcome(null), null);
  const injected = tokenOutcome({ accessToken: "ya29.SeCrEt\r\nA1 LOGOUT" });
  assert.equal("token" in injected, false);
  assert.ok(!injected.error.includes("SeCrEt") && !injected.error.includes("LOGOUT"), "nothing of a refused token is kept");
  assert.equal("token" in tokenOutcome({ accessToken: "a".repeat(MAX_TOKEN_LENGTH + 1) }), false);
  assert.equal(tokenOutcome({ error: "e".repeat(10000) }).error.length, 4096);
});

test("the host's test_token action and the oauth_signin fix are recognised", () => {
  const result = { findings: [{ code: "auth.not_tested", params: { action: "test_password" } }, { code: "auth.not_tested", subject: "incoming", params: { action: "test_token" } }] };
  assert.equal(tokenTestFinding(result).subject, "incoming");
  assert.equal(tokenTestFinding({ findings: [{ params: { action: "test_password" } }] }), null);
  assert.equal(signInSubject({ kind: "oauth_signin", subject: "outgoing" }), "outgoing");
  assert.equal(signInSubject({ kind: "oauth_signin", subject: "account" }), null);
  assert.equal(signInSubject({ kind: "change_setting", subject: "incoming" }), null);
});

test("an OAuth2 account asks Thunderbird for a token only when the user asked to test or renew the sign-in", async () => {
  const { world } = await import("./world.mjs");
  const w = await world();
  w.settings.account1.incoming.auth = "oauth2";
  await w.doctor.diagnose("account1", { trigger: "popup" });
  assert.deepEqual(w.calls.tokenReads, [], "no token without the user's request");
  assert.equal("access_token" in w.calls.requests.at(-1).account.incoming, false);

  await w.doctor.diagnose("account1", { trigger: "popup", userConfirmedToken: true });
  assert.deepEqual(w.calls.tokenReads, [["account1", "incoming"]], "only the OAuth2 server");
  const sent = w.calls.requests.at(-1);
  assert.equal(sent.account.incoming.access_token, "ya29.incoming-token");
  assert.equal("password" in sent.account.incoming, false);
  assert.equal("access_token" in sent.account.outgoing, false);
  assert.equal(sent.options.login, true);
});

test("a refresh that failed reaches the host as oauth_error, and no login is asked for", async () => {
  const { world } = await import("./world.mjs");
  const w = await world();
  w.settings.account2.incoming.auth = "oauth2";
  w.tokenReplies.incoming = { accessToken: null, error: "Error response from the authorization server: invalid_grant; AADSTS50076: ..." };
  await w.doctor.diagnose("account2", { trigger: "popup", userConfirmedToken: true });
  const sent = w.calls.requests.at(-1);
  assert.equal(sent.account.incoming.oauth_error, "Error response from the authorization server: invalid_grant; AADSTS50076: ...");
  assert.equal("access_token" in sent.account.incoming, false);
  assert.equal(sent.options.login, false);
});

test("a request to test the sign-in is not answered by a running check that only had the password's consent", async () => {
  const { world } = await import("./world.mjs");
  let release;
  const gate = new Promise((r) => (release = r));
  let n = 0;
  const w = await world({
    respond: async (request) => {
      if (++n === 1) await gate; // a check with the password's consent is still running
      return { version: 1, verdict: "ok", findings: [] };
    },
  });
  w.settings.account1.outgoing.auth = "oauth2";
  const withPassword = w.doctor.diagnose("account1", { trigger: "popup", userConfirmedPassword: true });
  const withToken = w.doctor.diagnose("account1", { trigger: "popup", userConfirmedToken: true });
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  release();
  await withPassword;
  await withToken;
  assert.equal(w.calls.requests.length, 2, "the sign-in test ran on its own");
  assert.equal(w.calls.requests[1].account.outgoing.access_token, "ya29.outgoing-token");
});
