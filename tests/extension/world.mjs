/* The background's world faked at the messenger / experiment / native-port boundary, shared by the doctor tests.
 * The native host is the fake port of helpers.mjs behind the real HostClient. */
import { mock } from "node:test";
import { createDoctor } from "../../extension/background/doctor.js";
import { AccountStates } from "../../extension/background/state.js";
import { HostClient } from "../../extension/background/native.js";
import { RefusalMemory } from "../../extension/background/refusals.js";
import { memoryStorage, tick, fakeNativeHost } from "./helpers.mjs";

export const SETTINGS = {
  account1: {
    accountId: "account1", name: "Work", email: "bob@example.test", identityId: "id1", type: "imap",
    incoming: { protocol: "imap", host: "mail.example.test", port: 993, security: "tls", auth: "password", username: "bob" },
    outgoing: { protocol: "smtp", host: "mail.example.test", port: 465, security: "tls", auth: "password", username: "bob" },
  },
  account2: {
    accountId: "account2", name: "Home", email: "eve@example.test", identityId: "id2", type: "pop3",
    incoming: { protocol: "pop3", host: "pop.example.test", port: 995, security: "tls", auth: "password", username: "eve" },
    outgoing: null,
  },
};

/** A world faked at the messenger / experiment / native-port boundary. */
/** n more IMAP accounts, "many1".."manyN", each on its own server. */
function manyAccounts(n) {
  const out = {};
  for (let i = 1; i <= n; i++) {
    out[`many${i}`] = {
      accountId: `many${i}`, name: `Many ${i}`, email: `u${i}@example.test`, identityId: `mid${i}`, type: "imap",
      incoming: { protocol: "imap", host: `imap${i}.example.test`, port: 993, security: "tls", auth: "password", username: `u${i}` },
      outgoing: null,
    };
  }
  return out;
}

export async function world({ options = { autoDiagnose: true, savedPassword: "ask" }, verdict = "problem", clock, respond, extraAccounts = 0, hostOptions, proxySettings = {}, certOverrides = [], moreListed = [], moreSettings = {}, storage, getOptions } = {}) {
  const settings = { ...structuredClone(SETTINGS), ...manyAccounts(extraAccounts), ...structuredClone(moreSettings) };
  const calls = { passwordReads: [], tokenReads: [], notifications: [], badges: [], applied: [], markers: [], saved: [], paused: [], resumed: [], warned: [] };
  // The experiment's pause: Thunderbird's own check settings per account, as pauseChecks/resumeChecks change them.
  const checksOn = {};
  // What Thunderbird's login manager holds, per subject; savePassword changes it.
  const savedPasswords = { incoming: "pw-incoming", outgoing: "pw-outgoing" };
  // What Thunderbird's OAuth2 module answers getAccessToken with, per subject ({accessToken, error}).
  const tokenReplies = { incoming: { accessToken: "ya29.incoming-token", error: null }, outgoing: { accessToken: "ya29.outgoing-token", error: null } };
  const native = fakeNativeHost(respond ?? (async () => ({ version: 1, verdict, findings: verdict === "problem" ? [{ code: "tls.cert_expired", severity: "warning" }, { code: "auth.wrong_password", severity: "error" }] : [] })), hostOptions);
  // The requests as the host received them, without the framing fields.
  Object.defineProperty(calls, "requests", { get: () => native.posted.filter((m) => m.type === "diagnose").map(({ type, id, ...r }) => r) });
  const missing = { connect: () => { throw new Error("No such native application maildoctor"); } };
  const host = new HostClient(verdict === "missing" ? missing.connect : native.connect);
  // storage: the same storage.local again for a "restart".
  const states = new AccountStates(storage ?? memoryStorage(), clock ? { now: clock } : {});
  await states.load();
  const doctor = createDoctor({
    api: {
      async getAccountSettings(accountId) {
        if (!settings[accountId]) throw new Error("no such account");
        return structuredClone(settings[accountId]);
      },
      async getSavedPassword(accountId, subject) {
        calls.passwordReads.push([accountId, subject]);
        return savedPasswords[subject] ?? null;
      },
      async getAccessToken(accountId, subject) {
        calls.tokenReads.push([accountId, subject]);
        return structuredClone(tokenReplies[subject]);
      },
      async applySetting(accountId, subject, identityId, setting, value) {
        calls.applied.push([accountId, subject, identityId, setting, value]);
        const server = settings[accountId][subject];
        const before = { ...server };
        server[setting] = value;
        return { before, after: { ...server } };
      },
      // Thunderbird's proxy, as the experiment's getProxySettings reports it.
      async getProxySettings() {
        return structuredClone(proxySettings);
      },
      // Thunderbird's certificate exceptions, as the experiment's getCertOverrides reports them.
      async getCertOverrides() {
        return structuredClone(certOverrides);
      },
      async pauseChecks(accountId) {
        calls.paused.push(accountId);
        checksOn[accountId] = false;
        return Boolean(settings[accountId]?.incoming);
      },
      async resumeChecks(accountId) {
        calls.resumed.push(accountId);
        const was = checksOn[accountId] === false;
        checksOn[accountId] = true;
        return was;
      },
      async savePassword(accountId, subject, identityId, password) {
        if (calls.failSave) throw new Error("Services.logins.modifyLogin is not a function");
        calls.saved.push([accountId, subject, identityId, password]);
        savedPasswords[subject] = password;
      },
    },
    accounts: {
      async list() {
        return [
          { id: "account1", name: "Work", type: "imap" },
          { id: "account2", name: "Home", type: "pop3" },
          { id: "account3", name: "Local Folders", type: "local" },
          ...Object.values(settings).filter((a) => a.accountId.startsWith("many")).map((a) => ({ id: a.accountId, name: a.name, type: a.type })),
          ...moreListed,
        ];
      },
    },
    host,
    refusals: new RefusalMemory({ now: clock ?? (() => Date.now()) }),
    states,
    // getOptions: the options read as the background reads them (storage, the experiment), e.g. slowly.
    getOptions: getOptions ?? (async () => options),
    ui: {
      async setBadge(text, color) {
        calls.badges.push([text, color]);
      },
      async notifyProblem(accountId, name, finding) {
        calls.notifications.push([accountId, name, finding?.code]);
      },
      async notifyWarning(accountId, name, finding) {
        calls.warned.push([accountId, name, finding?.code]);
      },
      async setMarker(accountId, marker) {
        calls.markers.push([accountId, marker ? marker.finding?.code ?? marker.status : null]);
      },
    },
    identityOfTab: async (tab) => (tab.id === 7 ? { accountId: "account1", identityId: "id1" } : null),
    debounceMs: 1000,
    cooldownMs: 60000,
    ...(clock ? { now: clock } : {}),
  });
  return { doctor, states, calls, options, native, settings, savedPasswords, tokenReplies, checksOn };
}

export async function settle(ms) {
  mock.timers.tick(ms);
  for (let i = 0; i < 60; i++) await tick();
}


/** Lets pending work (real crypto included) run until pred() holds; fails the test rather than hanging. */
export async function until(pred, what = "condition") {
  for (let i = 0; i < 200000; i++) {
    if (pred()) return;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}
