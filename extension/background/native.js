/* The native-messaging client (CONTRACT section 5): one port to the host, requests matched by id.
 * The host runs at most HOST_MAX_RUNNING diagnoses of one connection at once and queues more (progress messages
 * with `queued`); past its queue it answers `busy`. The client keeps no more than that in flight and holds the rest in its own queue, so a profile with
 * many accounts gets one result per account instead of errors. */

export const HOST_NAME = "maildoctor";
export const HOST_MAX_RUNNING = 4;
const MISSING_HOST = /no such native application|not found|does not exist|manifest/i;
// A `busy` answer puts the request back in the queue; it is sent again when another request finishes, or after
// this delay when none is running (the host may serve another client). Bounded so a host that is always busy ends.
const BUSY_RETRY_MS = 1000;
const MAX_BUSY_RETRIES = 20;

/** Thunderbird's text for a port that could not start or went away, as an error outcome. */
function portFailure(text) {
  return { code: MISSING_HOST.test(text) ? "host_missing" : "host_failed", message: text };
}

export class HostClient {
  /** connect: runtime.connectNative; extraTimeMs: margin over the request deadline before giving up. */
  constructor(connect, { extraTimeMs = 15000, timers = globalThis, maxInFlight = HOST_MAX_RUNNING } = {}) {
    this.connect = connect;
    this.extraTimeMs = extraTimeMs;
    this.timers = timers;
    this.maxInFlight = maxInFlight;
    this.configuredMax = maxInFlight;
    this.port = null;
    this.pending = new Map(); // id -> entry, queued here or sent to the host
    this.waiting = []; // ids not yet sent, in order
    this.sent = new Set(); // ids the host has
    this.retryTimer = null;
    this.nextId = 1;
    this.peakInFlight = 0;
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
      if (message.check) entry.hooks.onProgress?.(message.check);
      else if (typeof message.queued === "boolean") this.hostQueued(entry, message);
    } else if (message.type === "result") {
      const { type, id, ...result } = message;
      this.finish(id, { ok: true, result });
    } else if (message.type === "error") {
      const error = message.error ?? {};
      if (error.code === "busy") return this.requeue(message.id);
      this.finish(message.id, { ok: false, error: { code: String(error.code ?? "internal"), message: String(error.message ?? "") } });
    }
  }

  /* CONTRACT section 5: {"type":"progress","queued":true,"position":N} while the host holds the request in its
   * queue, {"queued":false} when it starts. The deadline counts from the start, so the timer restarts each time. */
  hostQueued(entry, message) {
    this.armTimer(entry);
    if (message.queued) entry.hooks.onQueued?.({ by: "host", position: Number.isInteger(message.position) ? message.position : null });
    else entry.hooks.onStarted?.();
  }

  requeue(id) {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.sent.delete(id);
    this.timers.clearTimeout(entry.timer);
    // The host runs fewer than we thought (another client shares it, or a smaller limit): send no more than it runs.
    this.maxInFlight = Math.max(1, this.sent.size);
    if (++entry.busyRetries > MAX_BUSY_RETRIES) {
      this.finish(id, { ok: false, error: { code: "busy", message: "the maildoctor program stayed busy" } });
      return;
    }
    this.waiting.unshift(id);
    entry.hooks.onQueued?.({ by: "client", position: 0 });
    if (this.sent.size === 0 && !this.retryTimer) {
      this.retryTimer = this.timers.setTimeout(() => {
        this.retryTimer = null;
        this.pump();
      }, BUSY_RETRY_MS);
    }
  }

  onDisconnect(error) {
    this.port = null;
    const failure = portFailure(String(error?.message ?? ""));
    // Everything in this client fails with the port, queued requests too: the next call starts a new host.
    this.waiting = [];
    this.draining = true;
    try {
      for (const id of [...this.pending.keys()]) this.finish(id, { ok: false, error: failure });
    } finally {
      this.draining = false;
    }
  }

  finish(id, outcome) {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    this.sent.delete(id);
    const queuedAt = this.waiting.indexOf(id);
    if (queuedAt >= 0) this.waiting.splice(queuedAt, 1);
    this.timers.clearTimeout(entry.timer);
    entry.request = null; // it may hold a password: keep it no longer than needed
    // A `busy` lowered the limit for this burst; with nothing left, the next burst starts from the host's number.
    if (this.pending.size === 0) this.maxInFlight = this.configuredMax;
    entry.resolve(outcome);
    this.pump();
  }

  armTimer(entry) {
    this.timers.clearTimeout(entry.timer);
    const deadline = (entry.request?.options?.deadline_ms ?? 10000) + this.extraTimeMs;
    entry.timer = this.timers.setTimeout(
      () => this.finish(entry.id, { ok: false, error: { code: "timeout", message: `no answer within ${deadline} ms` } }),
      deadline,
    );
  }

  /** Sends queued requests while fewer than maxInFlight are with the host. */
  pump() {
    if (this.draining) return;
    while (this.waiting.length && this.sent.size < this.maxInFlight) {
      const id = this.waiting.shift();
      const entry = this.pending.get(id);
      if (!entry) continue;
      this.sent.add(id);
      this.peakInFlight = Math.max(this.peakInFlight, this.sent.size);
      this.armTimer(entry);
      entry.hooks.onStarted?.();
      try {
        this.openPort().postMessage({ type: "diagnose", id, ...entry.request });
      } catch (e) {
        this.port = null;
        this.finish(id, { ok: false, error: portFailure(String(e?.message ?? e)) });
      }
    }
  }

  /** Requests waiting in this client (not yet sent to the host). */
  get queueLength() {
    return this.waiting.length;
  }

  /**
   * Resolves to {ok: true, result} or {ok: false, error: {code, message}}; never rejects.
   * hooks: a function (progress) or {onProgress(check), onQueued({by, position}), onStarted()}.
   */
  diagnose(request, hooks = {}) {
    const id = `d${this.nextId++}`;
    const normalized = typeof hooks === "function" ? { onProgress: hooks } : hooks ?? {};
    return new Promise((resolve) => {
      const entry = { id, request, resolve, hooks: normalized, timer: null, busyRetries: 0 };
      this.pending.set(id, entry);
      this.waiting.push(id);
      if (this.sent.size >= this.maxInFlight) normalized.onQueued?.({ by: "client", position: this.waiting.length });
      this.pump();
    });
  }
}
