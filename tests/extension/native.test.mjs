import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { HostClient, HOST_NAME } from "../../extension/background/native.js";

function fakeConnect(script) {
  const connects = [];
  const connect = (name) => {
    const listeners = { message: [], disconnect: [] };
    const port = {
      name,
      error: null,
      posted: [],
      onMessage: { addListener: (f) => listeners.message.push(f) },
      onDisconnect: { addListener: (f) => listeners.disconnect.push(f) },
      postMessage(message) {
        this.posted.push(message);
        queueMicrotask(() => script(message, port));
      },
      reply: (m) => listeners.message.forEach((f) => f(m)),
      drop(error) {
        port.error = error;
        listeners.disconnect.forEach((f) => f(port));
      },
    };
    connects.push(port);
    return port;
  };
  return { connect, connects };
}

test("progress messages reach the caller, the result resolves the request, one port serves many", async () => {
  const { connect, connects } = fakeConnect((m, port) => {
    port.reply({ type: "progress", id: m.id, check: { step: "connect", status: "pass", ms: 3 } });
    port.reply({ type: "progress", id: "other", check: { step: "bogus" } });
    port.reply({ type: "result", id: m.id, version: 1, verdict: "problem", findings: [{ code: "auth.wrong_password" }] });
  });
  const client = new HostClient(connect);
  const progress = [];
  const first = await client.diagnose({ account: {}, options: { deadline_ms: 1000 } }, (c) => progress.push(c));
  assert.equal(connects[0].name, HOST_NAME);
  assert.deepEqual(connects[0].posted[0].type, "diagnose");
  assert.equal(first.ok, true);
  assert.equal(first.result.verdict, "problem");
  assert.equal(first.result.type, undefined);
  assert.deepEqual(progress, [{ step: "connect", status: "pass", ms: 3 }]);
  const second = await client.diagnose({ account: {} }, () => {});
  assert.equal(second.ok, true);
  assert.equal(connects.length, 1);
  assert.notEqual(connects[0].posted[0].id, connects[0].posted[1].id);
});

test("an error reply becomes an error outcome", async () => {
  const { connect } = fakeConnect((m, port) => port.reply({ type: "error", id: m.id, error: { code: "bad_request", message: "no account" } }));
  const outcome = await new HostClient(connect).diagnose({ account: {} });
  assert.deepEqual(outcome, { ok: false, error: { code: "bad_request", message: "no account" } });
});

test("a host that is not installed is reported as host_missing, and the next call reconnects", async () => {
  const { connect, connects } = fakeConnect((m, port) => port.drop({ message: "No such native application maildoctor" }));
  const client = new HostClient(connect);
  const outcome = await client.diagnose({ account: {} });
  assert.equal(outcome.error.code, "host_missing");
  const crashed = fakeConnect((m, port) => port.drop({ message: "An unexpected error occurred" }));
  assert.equal((await new HostClient(crashed.connect).diagnose({ account: {} })).error.code, "host_failed");
  await client.diagnose({ account: {} });
  assert.equal(connects.length, 2);
});

test("a host that never answers times out after the deadline plus the margin", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { connect } = fakeConnect(() => {});
    const pending = new HostClient(connect, { extraTimeMs: 500 }).diagnose({ account: {}, options: { deadline_ms: 1000 } });
    mock.timers.tick(1499);
    await Promise.resolve();
    mock.timers.tick(1);
    const outcome = await pending;
    assert.equal(outcome.error.code, "timeout");
  } finally {
    mock.timers.reset();
  }
});

test("a request the host queues is not timed out while it waits: the deadline counts from its start", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { connect, connects } = fakeConnect((m, port) => port.reply({ type: "progress", id: m.id, queued: true, position: 1 }));
    const events = [];
    const client = new HostClient(connect, { extraTimeMs: 500 });
    const pending = client.diagnose({ account: {}, options: { deadline_ms: 1000 } }, {
      onQueued: (q) => events.push(["queued", q.by, q.position]),
      onStarted: () => events.push(["started"]),
    });
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    mock.timers.tick(1499);
    const id = connects[0].posted[0].id;
    connects[0].reply({ type: "progress", id, queued: false });
    mock.timers.tick(1499);
    connects[0].reply({ type: "result", id, version: 1, verdict: "ok", findings: [] });
    const outcome = await pending;
    assert.equal(outcome.ok, true);
    assert.deepEqual(events, [["started"], ["queued", "host", 1], ["started"]]);
  } finally {
    mock.timers.reset();
  }
});

test("busy puts the request back and sends it again when a place is free; only the first 4 go out at once", async () => {
  const held = [];
  let refuseNext = 1;
  const { connect, connects } = fakeConnect((m, port) => {
    if (refuseNext > 0 && m.id === "d1") {
      refuseNext--;
      return port.reply({ type: "error", id: m.id, error: { code: "busy", message: "4 diagnoses are already running" } });
    }
    held.push(m);
  });
  const client = new HostClient(connect);
  const results = Array.from({ length: 6 }, () => client.diagnose({ account: {}, options: { deadline_ms: 1000 } }));
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  assert.equal(connects[0].posted.length, 4, "four sent, two wait in the add-on");
  assert.equal(client.maxInFlight, 3, "after busy the client sends no more than the host took");
  for (let round = 0; round < 10 && held.length; round++) {
    const m = held.shift();
    connects[0].reply({ type: "result", id: m.id, version: 1, verdict: "ok", findings: [] });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  }
  const outcomes = await Promise.all(results);
  assert.ok(outcomes.every((o) => o.ok), JSON.stringify(outcomes.filter((o) => !o.ok)));
  assert.equal(connects[0].posted.filter((m) => m.id === "d1").length, 2, "the refused one was sent again");
  assert.ok(client.peakInFlight <= 4);
});

test("the lower limit after busy lasts for the burst only: an idle client sends 4 again", async () => {
  const { connect } = fakeConnect((m, port) => {
    if (m.id === "d1") return port.reply({ type: "error", id: m.id, error: { code: "busy", message: "busy" } });
    port.reply({ type: "result", id: m.id, version: 1, verdict: "ok", findings: [] });
  });
  const client = new HostClient(connect);
  const first = [1, 2].map(() => client.diagnose({ account: {}, options: { deadline_ms: 1000 } }));
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  assert.ok(client.maxInFlight < 4);
  client.onMessage({ type: "result", id: "d1", version: 1, verdict: "ok", findings: [] });
  await Promise.all(first);
  assert.equal(client.maxInFlight, 4);
});
