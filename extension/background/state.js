/* The latest diagnosis per account, persisted in storage.local so the popup and restarts see it. */

import { earlyWarningsIn, warningKey } from "./early.js";

export const STORAGE_KEY = "accountStates";

/** The host's way of saying "one test of the saved password would settle it" (auth.not_tested with an action). */
export function consentFinding(result) {
  const findings = Array.isArray(result?.findings) ? result.findings : [];
  return findings.find((f) => f?.params?.action === "test_password") ?? null;
}

/** The account's status as the popup shows it. "consent": the check needs the user's yes to test the password. */
export function statusOf(entry) {
  if (!entry) return "unchecked";
  if (entry.checking) return "checking";
  if (entry.error) return "error";
  const verdict = entry.result?.verdict;
  if (verdict === "ok") return "ok";
  if (verdict === "problem") return "problem";
  if (verdict === "inconclusive") return consentFinding(entry.result) ? "consent" : "inconclusive";
  return "unchecked";
}

/** Statuses the user is told about without asking: badge, notification, folder-pane marker. */
export const ATTENTION_STATUSES = ["problem", "consent"];

/** The early warnings of an account: the quiet check's, and any a full diagnosis found, each once. */
export function earlyWarnings(entry) {
  const seen = new Set();
  const out = [];
  for (const f of [...earlyWarningsIn(entry?.early?.warnings), ...earlyWarningsIn(entry?.result?.findings)]) {
    const key = warningKey(f);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
  }
  return out;
}

/* Statuses an early warning does not outrank: a problem, a question or a running check says more. */
const WARNING_OVER = ["ok", "inconclusive", "unchecked"];

/** The status the user sees: statusOf, or "warning" (yellow) when the account works or is unknown but a cut-off
 * or a certificate expiry lies ahead. The red problem state wins over it. */
export function shownStatus(entry) {
  const status = statusOf(entry);
  return WARNING_OVER.includes(status) && earlyWarnings(entry).length ? "warning" : status;
}

export class AccountStates {
  constructor(storage, { now = () => Date.now() } = {}) {
    this.storage = storage;
    this.now = now;
    this.entries = {};
    this.listeners = new Set();
  }

  async load() {
    const stored = await this.storage.get(STORAGE_KEY);
    this.entries = stored?.[STORAGE_KEY] ?? {};
    // A diagnosis cannot survive a restart of the background: forget "checking" left over from one.
    for (const entry of Object.values(this.entries)) {
      delete entry.checking;
      delete entry.queued;
      delete entry.progress;
    }
  }

  get(accountId) {
    return this.entries[accountId] ?? null;
  }

  all() {
    return this.entries;
  }

  onChange(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async update(accountId, change) {
    const entry = { ...(this.entries[accountId] ?? {}), ...change };
    this.entries[accountId] = entry;
    await this.storage.set({ [STORAGE_KEY]: this.entries });
    for (const listener of this.listeners) listener(accountId, entry);
    return entry;
  }

  startChecking(accountId, meta) {
    const names = meta.accountName === undefined ? {} : { accountName: meta.accountName, identityId: meta.identityId ?? null };
    return this.update(accountId, { ...names, checking: true, queued: false, progress: [], trigger: meta.trigger, scope: meta.scope, observedError: meta.observedError ?? null, startedAt: this.now() });
  }

  addProgress(accountId, check) {
    const entry = this.entries[accountId];
    if (!entry?.checking) return null;
    return this.update(accountId, { queued: false, progress: [...(entry.progress ?? []), check] });
  }

  /** queued: true while the diagnosis waits for a free place (in the add-on or in the host), false once it runs. */
  setQueued(accountId, queued) {
    const entry = this.entries[accountId];
    if (!entry?.checking || entry.queued === queued) return null;
    return this.update(accountId, { queued });
  }

  finish(accountId, outcome, { usedPassword = false, withheld = null, proxyUnread = null } = {}) {
    const change = { checking: false, queued: false, progress: [], checkedAt: this.now(), usedPassword, withheld, proxyUnread };
    if (outcome.ok) {
      change.result = outcome.result;
      change.error = null;
      if (outcome.result?.verdict === "ok") change.lastOkAt = this.now();
    } else {
      change.error = outcome.error;
    }
    return this.update(accountId, change);
  }

  countWithStatus(status) {
    return Object.values(this.entries).filter((e) => statusOf(e) === status).length;
  }

  countWithShownStatus(status) {
    return Object.values(this.entries).filter((e) => shownStatus(e) === status).length;
  }

  async forget(accountIds) {
    let changed = false;
    for (const id of Object.keys(this.entries)) {
      if (!accountIds.includes(id)) {
        delete this.entries[id];
        changed = true;
      }
    }
    if (changed) await this.storage.set({ [STORAGE_KEY]: this.entries });
    return changed;
  }
}
