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
