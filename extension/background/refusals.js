/* Remembers which password a server refused, so the add-on never sends that same password to that server again
 * within REFUSAL_WINDOW_MS (issue 12 section 5: a saved password set to "always" must not be re-sent on every
 * Thunderbird retry; servers lock accounts after a few refusals). A changed password is sent again.
 *
 * Only a fingerprint is kept: PBKDF2-SHA-256 over the password with a random salt drawn per session and the
 * server's key, never the password. It lives in storage.session (memory only, survives the background being
 * suspended, gone when Thunderbird quits) or, where that is missing, in this object. */

export const REFUSAL_WINDOW_MS = 30 * 60 * 1000;
const SESSION_KEY = "refusedPasswords";
const ITERATIONS = 100000;
// Refused passwords kept per server: a user who goes back to an older refused password is still protected.
const PER_SERVER = 5;

/** The server a password goes to: protocol, user and host:port, so another server or user never matches. */
export function serverKey(server) {
  return `${server.protocol}://${encodeURIComponent(server.username ?? "")}@${server.host}:${server.port}`;
}

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export class RefusalMemory {
  /** session: storage.session or null; crypto: a WebCrypto object; now: clock. */
  constructor({ session = null, crypto = globalThis.crypto, now = () => Date.now(), windowMs = REFUSAL_WINDOW_MS } = {}) {
    this.session = session;
    this.crypto = crypto;
    this.now = now;
    this.windowMs = windowMs;
    this.memory = null;
  }

  async load() {
    if (this.memory) return this.memory;
    let stored = null;
    if (this.session) {
      try {
        stored = (await this.session.get(SESSION_KEY))?.[SESSION_KEY] ?? null;
      } catch (e) {
        this.session = null;
      }
    }
    this.memory = stored ?? { salt: hex(this.crypto.getRandomValues(new Uint8Array(16))), servers: {} };
    if (!stored) await this.save();
    return this.memory;
  }

  async save() {
    if (this.session) await this.session.set({ [SESSION_KEY]: this.memory });
  }

  async fingerprint(key, password) {
    const { salt } = await this.load();
    const encoder = new TextEncoder();
    const material = await this.crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
    const bits = await this.crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: encoder.encode(`${salt}|${key}`), iterations: ITERATIONS },
      material,
      256,
    );
    return hex(bits);
  }

  /** The time this password was refused by that server within the window, or null. */
  /** The server's refusals still within the window, oldest first. */
  async current(key) {
    const memory = await this.load();
    const records = memory.servers[key] ?? [];
    const live = records.filter((r) => this.now() - r.at < this.windowMs);
    if (live.length !== records.length) {
      if (live.length) memory.servers[key] = live;
      else delete memory.servers[key];
      await this.save();
    }
    return live;
  }

  async refusedAt(server, password) {
    const key = serverKey(server);
    const records = await this.current(key);
    if (!records.length) return null;
    const fingerprint = await this.fingerprint(key, password);
    return records.find((r) => r.fingerprint === fingerprint)?.at ?? null;
  }

  async remember(server, password) {
    const key = serverKey(server);
    const fingerprint = await this.fingerprint(key, password);
    const records = (await this.current(key)).filter((r) => r.fingerprint !== fingerprint);
    records.push({ fingerprint, at: this.now() });
    this.memory.servers[key] = records.slice(-PER_SERVER);
    await this.save();
  }

  /** The server took a password: whatever it refused before no longer matters. */
  async forget(server) {
    const memory = await this.load();
    const key = serverKey(server);
    if (!memory.servers[key]) return;
    delete memory.servers[key];
    await this.save();
  }
}
