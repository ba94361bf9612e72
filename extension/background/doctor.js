/* Decides when to diagnose which account, runs the diagnosis through the host, and keeps the outcome.
 * Every outside effect comes in through `deps`, so the unit tests drive it with fakes at the API boundary. */

import { buildRequest } from "./request.js";
import { createKeyedDebouncer } from "./debounce.js";
import { statusOf } from "./state.js";

export const DIAGNOSABLE_TYPES = ["imap", "pop3"];
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

/** The finding the user should read first: the first error, else the first finding. */
export function leadingFinding(result) {
  const findings = Array.isArray(result?.findings) ? result.findings : [];
  return findings.find((f) => f.severity === "error") ?? findings[0] ?? null;
}

export function createDoctor(deps) {
  const { api, accounts, host, states, getOptions, ui, identityOfTab, timers = globalThis, now = () => Date.now() } = deps;
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
    const problems = states.countWithStatus("problem") + states.countWithStatus("error");
    const checking = states.countWithStatus("checking");
    await ui.setBadge(problems ? String(problems) : checking ? "…" : "", problems ? "#c62828" : "#1565c0");
  }

  async function runAutomatic(accountId, payload) {
    const options = await getOptions();
    if (!options.autoDiagnose) return null;
    const entry = await diagnose(accountId, { ...payload, userConfirmedPassword: false });
    lastAutomatic.set(accountId, { at: now(), rank: TRIGGER_RANK[payload.trigger] ?? 0 });
    // A re-check because the popup opened is already in front of the user: no notification for it.
    if (entry && statusOf(entry) === "problem" && payload.trigger !== "popup") {
      await ui.notifyProblem(accountId, entry.accountName ?? accountId, leadingFinding(entry.result));
    }
    return entry;
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

  async function diagnose(accountId, { trigger = "popup", scope = "account", identityId = null, observedError = null, userConfirmedPassword = false } = {}) {
    if (inFlight.has(accountId)) return inFlight.get(accountId);
    const run = (async () => {
      let settings;
      try {
        settings = await api.getAccountSettings(accountId, identityId ?? undefined);
      } catch (e) {
        return states.finish(accountId, { ok: false, error: { code: "no_account", message: String(e?.message ?? e) } });
      }
      const options = await getOptions();
      const passwords = {};
      let usedPassword = false;
      if (passwordAllowed(options.savedPassword, userConfirmedPassword)) {
        for (const subject of ["incoming", "outgoing"]) {
          if (scope !== "account" && scope !== subject) continue;
          if (!settings[subject]) continue;
          const password = await api.getSavedPassword(accountId, subject, settings.identityId ?? undefined);
          if (password) {
            passwords[subject] = password;
            usedPassword = true;
          }
        }
      }
      const built = buildRequest(settings, { scope, passwords, observedError });
      if (!built.ok) {
        return states.finish(accountId, { ok: false, error: { code: built.reason, message: "" } });
      }
      await states.startChecking(accountId, { trigger, scope, observedError, accountName: settings.name, identityId: settings.identityId ?? null });
      await refreshBadge();
      const outcome = await host.diagnose(built.request, (check) => states.addProgress(accountId, check));
      const entry = await states.finish(accountId, outcome, { usedPassword });
      await refreshBadge();
      return entry;
    })();
    run.rank = TRIGGER_RANK[trigger] ?? 0;
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

  async function diagnosableAccounts() {
    const list = await accounts.list(false);
    return list.filter((a) => DIAGNOSABLE_TYPES.includes(a.type));
  }

  return {
    diagnose,
    refreshBadge,
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

    async applyFix(accountId, fix) {
      const entry = states.get(accountId);
      const applied = await api.applySetting(accountId, fix.subject, entry?.identityId ?? undefined, fix.setting, fix.value);
      // The re-test may use the saved password exactly when the check that proposed the fix did.
      const userConfirmedPassword = entry?.usedPassword === true;
      const after = await diagnose(accountId, { trigger: "after-fix", scope: "account", identityId: entry?.identityId ?? null, userConfirmedPassword });
      return { applied, entry: after };
    },

    async accountsWithState() {
      const list = await diagnosableAccounts();
      // A deleted account's last problem would otherwise stay in storage, and in the badge's count, for ever.
      if (await states.forget(list.map((a) => a.id))) await refreshBadge();
      return list.map((a) => ({ id: a.id, name: a.name, type: a.type, state: states.get(a.id) }));
    },
  };
}
