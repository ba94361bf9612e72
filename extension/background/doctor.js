/* Decides when to diagnose which account, runs the diagnosis through the host, and keeps the outcome.
 * Every outside effect comes in through `deps`, so the unit tests drive it with fakes at the API boundary. */

import { buildRequest } from "./request.js";
import { createKeyedDebouncer } from "./debounce.js";
import { statusOf, shownStatus, consentFinding, ATTENTION_STATUSES } from "./state.js";
import { earlyWarningsIn, warningKey, quietRequest } from "./early.js";
import { attachCertOverrides } from "./overrides.js";
import { guardDecision, credentialFinding } from "./guard.js";
import { loginOutcome, isBetter } from "./outcome.js";
import { lowersSecurity } from "../shared/safety.js";
import { undoRecord, undoProblem } from "./undo.js";
import { oauthSubjects, tokenOutcome } from "./oauth.js";

export const DIAGNOSABLE_TYPES = ["imap", "pop3"];
// Account types shown with a notice instead of a check: Exchange Web Services (Thunderbird 145+) is not checked yet.
export const NOT_CHECKED_TYPES = ["ews"];
const TRIGGER_RANK = { "login-failure": 3, "send-failure": 2, startup: 1, popup: 1 };

/** The saved password may be read only when the option says so, or the user just confirmed it. */
export function passwordAllowed(savedPasswordOption, userConfirmed) {
  if (savedPasswordOption === "always") return true;
  if (savedPasswordOption === "never") return false;
  return userConfirmed === true;
}

/** One burst of automatic triggers for an account becomes one diagnosis covering all of them. */
export function mergeTriggers(previous, next) {
  const stronger = (TRIGGER_RANK[next.trigger] ?? 0) >= (TRIGGER_RANK[previous.trigger] ?? 0) ? next : previous;
  return {
    ...stronger,
    scope: previous.scope === next.scope ? next.scope : "account",
    identityId: next.identityId ?? previous.identityId ?? null,
    observedError: next.observedError ?? previous.observedError ?? null,
  };
}

/** The finding the user should read first: the first error, else the one asking for consent, else the first. */
export function leadingFinding(result) {
  const findings = Array.isArray(result?.findings) ? result.findings : [];
  return findings.find((f) => f.severity === "error") ?? consentFinding(result) ?? findings[0] ?? null;
}

/** Auth methods with a password the user could type anew (not OAuth2, Kerberos, certificates). */
const PASSWORD_AUTH = new Set(["password", "password-encrypted", "ntlm"]);
/** CR, LF and NUL would let a password smuggle a protocol command; the host refuses them, refuse them first. */
export function passwordProblem(password) {
  if (typeof password !== "string" || password.length === 0) return "empty";
  if (/[\r\n\0]/.test(password)) return "control";
  if (password.length > 1024) return "too_long";
  return null;
}

/**
 * The servers a newly typed password is tested on: the incoming server, and the outgoing one when it logs in with
 * a password as the same user (a relay with its own login keeps its own password).
 */
export function newPasswordSubjects(settings) {
  const subjects = [];
  const incoming = settings?.incoming;
  if (incoming?.host && PASSWORD_AUTH.has(incoming.auth)) subjects.push("incoming");
  const outgoing = settings?.outgoing;
  if (outgoing?.host && PASSWORD_AUTH.has(outgoing.auth) && (!incoming || outgoing.username === incoming.username)) subjects.push("outgoing");
  return subjects;
}

export function createDoctor(deps) {
  const { api, accounts, host, states, getOptions, ui, identityOfTab, refusals, timers = globalThis, now = () => Date.now() } = deps;
  const debounceMs = deps.debounceMs ?? 1500;
  const cooldownMs = deps.cooldownMs ?? 60000;
  const inFlight = new Map();
  const lastAutomatic = new Map(); // accountId -> {at, rank} of the last automatic diagnosis
  const followUps = new Map(); // accountId -> a stronger trigger that arrived while a diagnosis was running

  const debouncer = createKeyedDebouncer(debounceMs, (accountId, payload) => runAutomatic(accountId, payload), {
    merge: mergeTriggers,
    timers,
  });

  async function refreshBadge() {
    const problems = [...ATTENTION_STATUSES, "error"].reduce((n, status) => n + states.countWithStatus(status), 0);
    const checking = states.countWithStatus("checking");
    // Red for problems wins; yellow counts the accounts with only an early warning.
    const warnings = states.countWithShownStatus("warning");
    if (problems) await ui.setBadge(String(problems), "#c62828");
    else if (warnings) await ui.setBadge(String(warnings), "#f9a825");
    else await ui.setBadge(checking ? "…" : "", "#1565c0");
  }

  /* The folder-pane marker follows every finished check: set while the account needs attention, cleared when it
   * works. Inconclusive and failed checks leave it as it was: they say nothing new about the account. */
  async function updateMarker(accountId, entry) {
    const status = shownStatus(entry);
    try {
      if (ATTENTION_STATUSES.includes(status)) await ui.setMarker?.(accountId, { status, finding: leadingFinding(entry.result) });
      else if (status === "warning") await ui.setMarker?.(accountId, { status, finding: earlyWarningsIn(entry.early?.warnings)[0] ?? null });
      else if (status === "ok") await ui.setMarker?.(accountId, null);
    } catch (e) {
      // The folder pane may not be open (or not be drawable in this version): the badge and popup still say it.
    }
  }

  async function runAutomatic(accountId, payload) {
    // No await before diagnose(): it claims the account (inFlight) at once, so a trigger that arrives after the
    // debouncer fired is merged into this run's rank rules (dropped, or a follow-up), never a second diagnosis of
    // its own. (Reading the options here first left a gap in which Thunderbird's next retry or the start-up check
    // was neither merged nor dropped: the account showed "checking" again after the diagnosis the user just saw,
    // and the same cause was notified twice.) The autoDiagnose option is read inside the claimed run.
    const entry = await diagnose(accountId, { ...payload, userConfirmedPassword: false, automatic: true });
    if (!entry) return null;
    lastAutomatic.set(accountId, { at: now(), rank: TRIGGER_RANK[payload.trigger] ?? 0 });
    // A re-check because the popup opened is already in front of the user: no notification for it.
    if (payload.trigger !== "popup") await notifyOnce(accountId, entry);
    return entry;
  }

  /* One notification per account and cause: Thunderbird's retries and the next start-up check with the same
   * answer stay quiet; a new cause, or the same one after the account worked again, notifies again. */
  async function notifyOnce(accountId, entry) {
    const status = statusOf(entry);
    if (!ATTENTION_STATUSES.includes(status)) return;
    const finding = leadingFinding(entry.result);
    const cause = `${status}:${finding?.code ?? ""}`;
    if (entry.notifiedCause === cause) return;
    await states.update(accountId, { notifiedCause: cause });
    await ui.notifyProblem(accountId, entry.accountName ?? accountId, finding, status);
  }

  /* The cooldown absorbs Thunderbird's retry prompts, but only against triggers no stronger than the one just
   * diagnosed: a login failure right after a start-up check is still diagnosed, with Thunderbird's text. */
  function automaticTrigger(accountId, payload) {
    const rank = TRIGGER_RANK[payload.trigger] ?? 0;
    if (inFlight.has(accountId)) {
      const running = inFlight.get(accountId).rank;
      if (rank <= running) return false;
      const queued = followUps.get(accountId);
      followUps.set(accountId, queued ? mergeTriggers(queued, payload) : payload);
      return true;
    }
    const last = lastAutomatic.get(accountId);
    if (last && now() - last.at < cooldownMs && rank <= last.rank) return false;
    debouncer.trigger(accountId, payload);
    return true;
  }

  async function diagnose(accountId, { trigger = "popup", scope = "account", identityId = null, observedError = null, userConfirmedPassword = false, userConfirmedToken = false, automatic = false } = {}) {
    // A check already running answers for this one too, except when the user just agreed to test the saved password
    // and the running check does not have that consent: the consent must lead to its test, once that check is done.
    while (inFlight.has(accountId)) {
      const running = inFlight.get(accountId);
      // The running check answers when it carries every consent this one brings (password, OAuth2 sign-in test).
      const covered = (!userConfirmedPassword || running.confirmedPassword) && (!userConfirmedToken || running.confirmedToken);
      if (covered) {
        const shared = await running;
        // An automatic run that found automatic diagnosis switched off ran nothing: a check the user asked for runs.
        if (shared !== null || automatic) return shared;
      } else {
        await running.catch(() => null);
      }
    }
    const run = (async () => {
      const options = await getOptions();
      // An automatic trigger only runs when the user lets the add-on diagnose on its own (null: nothing ran).
      if (automatic && !options.autoDiagnose) return null;
      let settings;
      try {
        settings = await api.getAccountSettings(accountId, identityId ?? undefined);
      } catch (e) {
        return states.finish(accountId, { ok: false, error: { code: "no_account", message: String(e?.message ?? e) } });
      }
      let passwords = {};
      const withheld = {};
      if (passwordAllowed(options.savedPassword, userConfirmedPassword)) {
        for (const subject of ["incoming", "outgoing"]) {
          if (scope !== "account" && scope !== subject) continue;
          if (!settings[subject] || settings[subject].protocol === "ews") continue;  // EWS is never logged in to
          const password = await api.getSavedPassword(accountId, subject, settings.identityId ?? undefined);
          if (!password) continue;
          // The same password was refused by this server a moment ago: sending it again only risks a lock-out.
          const refusedAt = refusals ? await refusals.refusedAt(settings[subject], password) : null;
          if (refusedAt !== null) withheld[subject] = refusedAt;
          else passwords[subject] = password;
        }
      }
      // OAuth2 servers: only on the user's request (test the sign-in, sign in again) Thunderbird's OAuth2 module is asked
      // for an access token; it may show its own sign-in window. No token: what its refresh said goes to the host.
      let tokens = {};
      if (userConfirmedToken) {
        for (const subject of oauthSubjects(settings, scope)) {
          let reply = null;
          try {
            reply = await api.getAccessToken(accountId, subject, settings.identityId ?? undefined);
          } catch (e) {
            reply = { accessToken: null, error: String(e?.message ?? e) };
          }
          const outcome = tokenOutcome(reply);
          if (outcome) tokens[subject] = outcome;
        }
      }
      const entry = await runCheck(accountId, settings, { trigger, scope, observedError, passwords, tokens, withheld });
      passwords = null;
      tokens = null;
      return entry;
    })();
    run.rank = TRIGGER_RANK[trigger] ?? 0;
    run.confirmedPassword = userConfirmedPassword === true;
    run.confirmedToken = userConfirmedToken === true;
    inFlight.set(accountId, run);
    try {
      return await run;
    } finally {
      inFlight.delete(accountId);
      const followUp = followUps.get(accountId);
      if (followUp) {
        followUps.delete(accountId);
        debouncer.trigger(accountId, followUp);
      }
    }
  }

  /* Thunderbird's certificate exceptions; none when the experiment cannot read them. */
  async function certOverrides() {
    try {
      return (api.getCertOverrides && (await api.getCertOverrides())) || [];
    } catch (e) {
      return [];
    }
  }

  /* One diagnosis through the host, with the passwords given (each at most one login, by the host's rules), and
   * its outcome kept. Logins the server refused are remembered as fingerprints; an accepted login clears that. */
  async function runCheck(accountId, settings, { trigger, scope, observedError, passwords, tokens = {}, withheld = {}, alternatives = true }) {
    // Thunderbird's proxy: the host connects the same way. One it cannot read (system, PAC, WPAD) is said on the card.
    let network = {};
    try {
      network = (api.getProxySettings && (await api.getProxySettings())) || {};
    } catch (e) {
      network = {};
    }
    const built = buildRequest(settings, { scope, passwords, tokens, observedError, proxy: network.proxy ?? null });
    if (built.ok) attachCertOverrides(built.request, await certOverrides());
    if (!built.ok) {
      return states.finish(accountId, { ok: false, error: { code: built.reason, message: "" } });
    }
    if (!alternatives) built.request.options.alternatives = false;
    await states.startChecking(accountId, { trigger, scope, observedError, accountName: settings.name, identityId: settings.identityId ?? null });
    await refreshBadge();
    const outcome = await host.diagnose(built.request, {
      onProgress: (check) => states.addProgress(accountId, check),
      onQueued: () => states.setQueued(accountId, true),
      onStarted: () => states.setQueued(accountId, false),
    });
    built.request = null;
    const sent = Object.keys(passwords);
    if (outcome.ok && refusals) {
      for (const subject of sent) {
        const login = loginOutcome(outcome.result, subject);
        if (login === "refused") await refusals.remember(settings[subject], passwords[subject]);
        else if (login === "accepted") await refusals.forget(settings[subject]);
      }
    }
    const entry = await states.finish(accountId, outcome, {
      usedPassword: sent.length > 0,
      withheld: Object.keys(withheld).length ? withheld : null,
      proxyUnread: network.unread ?? null,
    });
    if (statusOf(entry) === "ok" && entry.notifiedCause) await states.update(accountId, { notifiedCause: null });
    const guarded = await guard(accountId, entry);
    await refreshBadge();
    await updateMarker(accountId, guarded);
    return guarded;
  }

  /* The retry guard (guard.js): a refused credential pauses Thunderbird's automatic checks of the account; a
   * diagnosis that sees the account work resumes them. A failure of the experiment leaves the state as it was. */
  async function guard(accountId, entry) {
    const decision = guardDecision(entry, await getOptions());
    try {
      if (decision === "pause" && api.pauseChecks) {
        const done = await api.pauseChecks(accountId);
        if (done) return states.update(accountId, { paused: { at: now(), code: credentialFinding(entry.result).code } });
      } else if (decision === "resume" && entry.trigger !== "new-password") {
        // A new password resumes only once it is saved (testNewPassword): before that Thunderbird holds the old one.
        return resumeChecks(accountId);
      }
    } catch (e) {
      // Thunderbird's checks stay as they were; the console says why.
      console.error("maildoctor: retry guard", e);
    }
    return states.get(accountId) ?? entry;
  }

  async function resumeChecks(accountId) {
    const entry = states.get(accountId);
    if (!entry?.paused) return entry;
    await api.resumeChecks?.(accountId);
    return states.update(accountId, { paused: null });
  }

  /* The quiet check of one account: DNS, TCP, TLS, certificate and capabilities only (no password, no login), for
   * early warnings. It keeps only those warnings, in entry.early, and leaves the last diagnosis as it was: a
   * connection that fails now is Thunderbird's to report, and then diagnosed in full. */
  async function quietCheckAccount(account) {
    let settings;
    try {
      settings = await api.getAccountSettings(account.id);
    } catch (e) {
      return null;
    }
    const built = quietRequest(settings);
    if (built.ok) attachCertOverrides(built.request, await certOverrides());
    if (!built.ok) return null;
    const outcome = await host.diagnose(built.request, {});
    if (!outcome.ok) return null;
    const warnings = earlyWarningsIn(outcome.result?.findings);
    let entry = await states.update(account.id, { accountName: settings.name, early: { checkedAt: now(), warnings } });
    const notified = new Set(entry.notifiedWarnings ?? []);
    for (const finding of warnings) {
      const key = warningKey(finding);
      if (notified.has(key)) continue;
      notified.add(key);
      // Stored before the notification is shown: a restart in between must not show it twice.
      entry = await states.update(account.id, { notifiedWarnings: [...notified] });
      await ui.notifyWarning?.(account.id, settings.name ?? account.id, finding);
    }
    await updateMarker(account.id, entry);
    return entry;
  }

  async function diagnosableAccounts() {
    const list = await accounts.list(false);
    return list.filter((a) => DIAGNOSABLE_TYPES.includes(a.type));
  }

  return {
    diagnose,
    refreshBadge,
    resumeChecks: async (accountId) => {
      const entry = await resumeChecks(accountId);
      await updateMarker(accountId, entry);
      return entry;
    },

    /** The quiet check of every diagnosable account (local folders, feeds and news are skipped), one at a time. */
    async quietCheck() {
      const checked = [];
      for (const account of await diagnosableAccounts()) {
        if (await quietCheckAccount(account)) checked.push(account.id);
      }
      await refreshBadge();
      return checked;
    },

    /** After a restart: the folder pane shows again what the stored states say. */
    async refreshMarkers() {
      for (const [accountId, entry] of Object.entries(states.all())) await updateMarker(accountId, entry);
    },
    debouncer,

    onLoginFailure(failure) {
      if (!failure?.accountId) return false;
      return automaticTrigger(failure.accountId, {
        trigger: "login-failure",
        scope: failure.subject === "outgoing" ? "outgoing" : "incoming",
        identityId: failure.identityId ?? null,
        observedError: failure.message || null,
      });
    },

    async onAfterSend(tab, sendInfo) {
      if (!sendInfo?.error) return false;
      const who = await identityOfTab(tab);
      if (!who?.accountId) return false;
      return automaticTrigger(who.accountId, {
        trigger: "send-failure",
        scope: "outgoing",
        identityId: who.identityId ?? null,
        observedError: String(sendInfo.error),
      });
    },

    /** Accounts without a success within maxAgeMs (and not just checked) get an automatic check. */
    async checkStale(trigger, maxAgeMs) {
      const started = [];
      for (const account of await diagnosableAccounts()) {
        const entry = states.get(account.id);
        const fresh = entry?.lastOkAt && now() - entry.lastOkAt < maxAgeMs;
        const recentlyChecked = entry?.checkedAt && now() - entry.checkedAt < maxAgeMs;
        if (fresh || (recentlyChecked && trigger === "popup")) continue;
        if (automaticTrigger(account.id, { trigger, scope: "account", identityId: null, observedError: null })) started.push(account.id);
      }
      return started;
    },

    async previewFix(accountId, fix) {
      const entry = states.get(accountId);
      const settings = await api.getAccountSettings(accountId, entry?.identityId ?? undefined);
      const server = settings[fix.subject];
      if (!server) return null;
      return { subject: fix.subject, setting: fix.setting, before: server[fix.setting] ?? null, after: fix.value };
    },

    /**
     * Applies one change_setting fix and re-tests. Every Apply keeps `undo` (undo.js): the setting's value from
     * before, whether the re-test was better, and whether going back would lower security.
     */
    async applyFix(accountId, fix, { isUndo = false } = {}) {
      // A check that is running (or starts meanwhile) read the settings before the change: its verdict says nothing
      // about the change, so the re-test waits for it and then runs on its own.
      const settle = async () => {
        while (inFlight.has(accountId)) await inFlight.get(accountId).catch(() => null);
      };
      await settle();
      const before = states.get(accountId);
      const identityId = before?.identityId ?? undefined;
      const settings = await api.getAccountSettings(accountId, identityId);
      const current = settings[fix.subject];
      if (!current) throw new Error(`no ${fix.subject} server`);
      if (!isUndo && lowersSecurity(fix, current)) throw new Error("refused: this change would lower the connection's security");
      const applied = await api.applySetting(accountId, fix.subject, identityId, fix.setting, fix.value);
      // A changed setting is a new attempt: Thunderbird may check again (the re-test pauses it again if refused).
      await resumeChecks(accountId);
      await settle();
      // The re-test may use the saved password exactly when the check that proposed the fix did.
      const userConfirmedPassword = before?.usedPassword === true;
      const snapshot = before ? structuredClone(before) : null;
      let after = await diagnose(accountId, { trigger: isUndo ? "after-undo" : "after-fix", scope: "account", identityId: before?.identityId ?? null, userConfirmedPassword });
      const previous = applied?.before?.[fix.setting] ?? current[fix.setting];
      const better = isBetter(after, snapshot);
      const undo = isUndo ? null : undoRecord(fix, previous, { better, at: now() });
      after = await states.update(accountId, { undo });
      return { applied, entry: after, better };
    },

    /**
     * Restores the value from before the last Apply, then re-tests; answers {undone: false, reason} instead when
     * undo.js says it cannot (expired, changed by hand since, or it would lower security), and drops the offer.
     */
    async undoFix(accountId) {
      const entry = states.get(accountId);
      const undo = entry?.undo;
      if (!undo) return { undone: false, reason: "expired" };
      const settings = await api.getAccountSettings(accountId, entry.identityId ?? undefined);
      const reason = undoProblem(undo, settings[undo.subject], now());
      if (reason) {
        await states.update(accountId, { undo: null });
        return { undone: false, reason };
      }
      const { kind, subject, setting, value } = undo;
      return { undone: true, ...(await this.applyFix(accountId, { kind, subject, setting, value }, { isUndo: true })) };
    },

    /**
     * "Enter a new app password": the host tests the typed password with one login per server; only servers that
     * accepted it get it saved in Thunderbird's login manager. The password is held in this call only.
     * Returns {status: "saved"|"save_failed"|"refused"|"invalid"|"withheld"|"not_tried"|"error", accepted, refused, entry}.
     */
    async testNewPassword(accountId, password) {
      const invalid = passwordProblem(password);
      if (invalid) return { status: "invalid", reason: invalid };
      // A check already running for the account finishes first: one diagnosis per account at a time.
      if (inFlight.has(accountId)) await inFlight.get(accountId).catch(() => null);
      const before = states.get(accountId);
      const settings = await api.getAccountSettings(accountId, before?.identityId ?? undefined);
      const subjects = newPasswordSubjects(settings);
      if (!subjects.length) return { status: "invalid", reason: "no_password_login" };
      const passwords = {};
      const withheld = {};
      for (const subject of subjects) {
        const refusedAt = refusals ? await refusals.refusedAt(settings[subject], password) : null;
        if (refusedAt !== null) withheld[subject] = refusedAt;
        else passwords[subject] = password;
      }
      if (!Object.keys(passwords).length) return { status: "withheld", subjects: Object.keys(withheld), at: Math.max(...Object.values(withheld)) };
      const scope = passwords.incoming && passwords.outgoing ? "account" : Object.keys(passwords)[0];
      const entry = await runCheck(accountId, settings, { trigger: "new-password", scope, observedError: null, passwords, withheld, alternatives: false });
      if (entry.error) return { status: "error", error: entry.error, entry };
      const accepted = Object.keys(passwords).filter((s) => loginOutcome(entry.result, s) === "accepted");
      const refused = Object.keys(passwords).filter((s) => loginOutcome(entry.result, s) === "refused");
      // The server took it, yet Thunderbird may fail to store it: say so rather than claim it was saved.
      const unsaved = [];
      for (const subject of accepted) {
        try {
          await api.savePassword(accountId, subject, settings.identityId ?? undefined, password);
        } catch (e) {
          unsaved.push(subject);
        }
      }
      // Thunderbird's checks resume only once it holds the new incoming password.
      if (accepted.includes("incoming") && !unsaved.includes("incoming")) await resumeChecks(accountId);
      const status = unsaved.length ? "save_failed" : accepted.length ? "saved" : refused.length ? "refused" : "not_tried";
      const saved = accepted.length ? await states.update(accountId, { usedPassword: true, undo: null }) : entry;
      return { status, accepted, refused, entry: saved };
    },

    async accountsWithState() {
      const list = await diagnosableAccounts();
      const onRequest = (await accounts.list(false)).filter((a) => NOT_CHECKED_TYPES.includes(a.type));
      // A deleted account's last problem would otherwise stay in storage, and in the badge's count, for ever.
      if (await states.forget([...list, ...onRequest].map((a) => a.id))) await refreshBadge();
      const shown = list.map((a) => ({ id: a.id, name: a.name, type: a.type, state: states.get(a.id) }));
      // Not a silent skip: an EWS account is checked on request only, without signing in; its card says so until
      // then, and shows the result after.
      for (const a of onRequest) {
        const state = states.get(a.id) ?? null;
        shown.push(state ? { id: a.id, name: a.name, type: a.type, state } : { id: a.id, name: a.name, type: a.type, state: null, notChecked: a.type });
      }
      return shown;
    },
  };
}
