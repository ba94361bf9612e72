/* Per-key debouncing: bursts of failure events for one account become one diagnosis. */

/**
 * run(key, payload) is called once per key, delayMs after the last trigger of a burst.
 * merge(previous, next) combines the payloads of one burst (default: the latest wins).
 */
export function createKeyedDebouncer(delayMs, run, { merge = (_prev, next) => next, timers = globalThis } = {}) {
  const pending = new Map();

  function trigger(key, payload) {
    const entry = pending.get(key);
    const merged = entry ? merge(entry.payload, payload) : payload;
    if (entry) timers.clearTimeout(entry.timer);
    const timer = timers.setTimeout(() => {
      pending.delete(key);
      run(key, merged);
    }, delayMs);
    pending.set(key, { timer, payload: merged });
  }

  function cancel(key) {
    const entry = pending.get(key);
    if (!entry) return;
    timers.clearTimeout(entry.timer);
    pending.delete(key);
  }

  return { trigger, cancel, isPending: (key) => pending.has(key) };
}
