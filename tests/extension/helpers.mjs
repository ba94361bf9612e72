/* Shared fakes for the add-on's unit tests: only the messenger/API boundary is faked. */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import vm from "node:vm";

export const EXT = new URL("../../extension/", import.meta.url);
const requireFromExtension = createRequire(new URL("package.json", EXT));

export function jsdom(html = "<!DOCTYPE html><body><main id=root></main></body>") {
  const { JSDOM } = requireFromExtension("jsdom");
  return new JSDOM(html);
}

/** The experiment's terms.js, evaluated the way the experiment's loadSubScript does. */
export function loadTerms() {
  const scope = {};
  vm.runInNewContext(readFileSync(new URL("api/MailDoctor/terms.js", EXT), "utf8"), scope);
  // Objects made in the vm context have that context's prototypes: copy results into this realm.
  const plain = (value) => (value && typeof value === "object" ? JSON.parse(JSON.stringify(value)) : value);
  const terms = {};
  for (const [name, value] of Object.entries(scope.MailDoctorTerms)) {
    terms[name] = typeof value === "function" ? (...args) => plain(value(...args)) : plain(value);
  }
  return terms;
}

export function messages(lang) {
  return JSON.parse(readFileSync(new URL(`_locales/${lang}/messages.json`, EXT), "utf8"));
}

/** i18n.getMessage over a messages.json, with $1-style placeholders as Thunderbird fills them. */
export function translator(lang = "en") {
  const table = messages(lang);
  return (key, subs = []) => {
    const entry = table[key];
    if (!entry) return "";
    const list = Array.isArray(subs) ? subs : [subs];
    return entry.message.replace(/\$([A-Za-z_]+)\$/g, (_, name) => {
      const content = entry.placeholders?.[name.toLowerCase()]?.content ?? "";
      return content.replace(/\$(\d)/g, (_m, n) => String(list[Number(n) - 1] ?? ""));
    });
  };
}

export function memoryStorage(initial = {}) {
  const data = structuredClone(initial);
  return {
    data,
    async get(key) {
      return key in data ? { [key]: structuredClone(data[key]) } : {};
    },
    async set(values) {
      Object.assign(data, structuredClone(values));
    },
  };
}

export const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A native-messaging port that behaves like the maildoctor host (CONTRACT section 5): at most `maxRunning`
 * diagnoses at once; more are refused with `busy` or, with `queue: true`, held with the progress messages
 * {queued: true, position} and {queued: false} and run later.
 * respond(request) gives the result for one diagnose message (it may be async). Every message the add-on posted
 * is in `posted`; `peak` is the most diagnoses that ran at the same time.
 */
export function fakeNativeHost(respond, { maxRunning = 4, queue = false, progress = true } = {}) {
  const host = { posted: [], connects: 0, peak: 0, running: 0, busy: 0, queuedSent: 0, results: 0 };
  const waiting = [];
  host.connect = (name) => {
    host.connects++;
    host.name = name;
    const listeners = { message: [], disconnect: [] };
    const reply = (m) => setImmediate(() => listeners.message.forEach((f) => f(structuredClone(m))));
    const run = (m, wasQueued = false) => {
      if (wasQueued) reply({ type: "progress", id: m.id, queued: false });
      host.running++;
      host.peak = Math.max(host.peak, host.running);
      setImmediate(async () => {
        const { type, id, ...request } = m;
        if (progress) reply({ type: "progress", id, check: { subject: "incoming", step: "connect", status: "pass", ms: 1 } });
        const result = await respond(request);
        host.running--;
        host.results++;
        reply({ type: "result", id, ...result });
        const next = waiting.shift();
        if (next) run(next, true);
      });
    };
    return {
      name,
      error: null,
      onMessage: { addListener: (f) => listeners.message.push(f) },
      onDisconnect: { addListener: (f) => listeners.disconnect.push(f) },
      postMessage(message) {
        host.posted.push(structuredClone(message));
        if (message.type !== "diagnose") return;
        if (host.running < maxRunning) return run(message);
        if (queue) {
          waiting.push(message);
          host.queuedSent++;
          return reply({ type: "progress", id: message.id, queued: true, position: waiting.length });
        }
        host.busy++;
        reply({ type: "error", id: message.id, error: { code: "busy", message: `${host.running} diagnoses are already running` } });
      },
    };
  };
  return host;
}
