/* The native-messaging client (CONTRACT section 5): one port to the host, requests matched by id. */

export const HOST_NAME = "maildoctor";
const MISSING_HOST = /no such native application|not found|does not exist|manifest/i;

/** Thunderbird's text for a port that could not start or went away, as an error outcome. */
function portFailure(text) {
  return { code: MISSING_HOST.test(text) ? "host_missing" : "host_failed", message: text };
}

export class HostClient {
  /** connect: runtime.connectNative; extraTimeMs: margin over the request deadline before giving up. */
  constructor(connect, { extraTimeMs = 15000, timers = globalThis } = {}) {
    this.connect = connect;
    this.extraTimeMs = extraTimeMs;
    this.timers = timers;
    this.port = null;
    this.pending = new Map();
    this.nextId = 1;
  }

  openPort() {
    if (this.port) return this.port;
    const port = this.connect(HOST_NAME);
    port.onMessage.addListener((message) => this.onMessage(message));
    port.onDisconnect.addListener((p) => this.onDisconnect(p?.error ?? port.error));
    this.port = port;
    return port;
  }

  onMessage(message) {
    const entry = message && this.pending.get(message.id);
    if (!entry) return;
    if (message.type === "progress") {
      entry.onProgress?.(message.check);
    } else if (message.type === "result") {
      const { type, id, ...result } = message;
      this.finish(id, { ok: true, result });
    } else if (message.type === "error") {
      const error = message.error ?? {};
      this.finish(message.id, { ok: false, error: { code: String(error.code ?? "internal"), message: String(error.message ?? "") } });
    }
  }

  onDisconnect(error) {
    this.port = null;
    const failure = portFailure(String(error?.message ?? ""));
    for (const id of [...this.pending.keys()]) this.finish(id, { ok: false, error: failure });
  }

  finish(id, outcome) {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    this.timers.clearTimeout(entry.timer);
    entry.resolve(outcome);
  }

  /** Resolves to {ok: true, result} or {ok: false, error: {code, message}}; never rejects. */
  diagnose(request, onProgress) {
    const id = `d${this.nextId++}`;
    return new Promise((resolve) => {
      const deadline = (request?.options?.deadline_ms ?? 10000) + this.extraTimeMs;
      const timer = this.timers.setTimeout(
        () => this.finish(id, { ok: false, error: { code: "timeout", message: `no answer within ${deadline} ms` } }),
        deadline,
      );
      this.pending.set(id, { resolve, onProgress, timer });
      try {
        this.openPort().postMessage({ type: "diagnose", id, ...request });
      } catch (e) {
        this.port = null;
        this.finish(id, { ok: false, error: portFailure(String(e?.message ?? e)) });
      }
    });
  }
}
