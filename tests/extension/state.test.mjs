import { test } from "node:test";
import assert from "node:assert/strict";
import { AccountStates, statusOf, STORAGE_KEY } from "../../extension/background/state.js";
import { memoryStorage } from "./helpers.mjs";

test("status follows the entry: unchecked, checking, ok, problem, inconclusive, error", () => {
  assert.equal(statusOf(null), "unchecked");
  assert.equal(statusOf({ checking: true, result: { verdict: "ok" } }), "checking");
  assert.equal(statusOf({ result: { verdict: "ok" } }), "ok");
  assert.equal(statusOf({ result: { verdict: "problem" } }), "problem");
  assert.equal(statusOf({ result: { verdict: "inconclusive" } }), "inconclusive");
  assert.equal(statusOf({ error: { code: "host_missing" }, result: { verdict: "ok" } }), "error");
});

test("each account keeps its own latest outcome, persisted, with the time of the last success", async () => {
  let clock = 1000;
  const storage = memoryStorage();
  const states = new AccountStates(storage, { now: () => clock });
  await states.load();
  const changes = [];
  states.onChange((id, entry) => changes.push([id, statusOf(entry)]));
  await states.startChecking("a1", { trigger: "login-failure", scope: "incoming", observedError: "Login failed" });
  await states.addProgress("a1", { step: "connect", status: "pass" });
  assert.equal(states.get("a1").progress.length, 1);
  await states.finish("a1", { ok: true, result: { verdict: "ok" } });
  clock = 2000;
  await states.finish("a2", { ok: true, result: { verdict: "problem" } });
  clock = 3000;
  await states.finish("a1", { ok: false, error: { code: "timeout" } });
  assert.equal(states.get("a1").lastOkAt, 1000, "a later failure keeps the last success time");
  assert.equal(statusOf(states.get("a1")), "error");
  assert.equal(statusOf(states.get("a2")), "problem");
  assert.equal(states.get("a1").trigger, "login-failure");
  assert.equal(states.countWithStatus("problem"), 1);
  assert.deepEqual(changes.at(-1), ["a1", "error"]);
  assert.equal(storage.data[STORAGE_KEY].a2.result.verdict, "problem");
});

test("a diagnosis interrupted by a restart is not shown as still checking", async () => {
  const storage = memoryStorage({ [STORAGE_KEY]: { a1: { checking: true, progress: [{}], result: { verdict: "ok" } } } });
  const states = new AccountStates(storage);
  await states.load();
  assert.equal(statusOf(states.get("a1")), "ok");
  await states.forget(["a2"]);
  assert.equal(states.get("a1"), null);
});
