import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { createKeyedDebouncer } from "../../extension/background/debounce.js";

test("a burst per key runs once with the merged payload, keys are independent", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const runs = [];
    const d = createKeyedDebouncer(1000, (key, payload) => runs.push([key, payload]), { merge: (a, b) => a + b });
    d.trigger("a", 1);
    mock.timers.tick(500);
    d.trigger("a", 2);
    d.trigger("b", 10);
    mock.timers.tick(999);
    assert.deepEqual(runs, [], "nothing before the quiet period of the last trigger");
    mock.timers.tick(1);
    assert.deepEqual(runs, [["a", 3], ["b", 10]]);
    assert.equal(d.isPending("a"), false);
  } finally {
    mock.timers.reset();
  }
});

test("cancel drops a pending run", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const runs = [];
    const d = createKeyedDebouncer(100, (key) => runs.push(key));
    d.trigger("a", 1);
    d.cancel("a");
    mock.timers.tick(1000);
    assert.deepEqual(runs, []);
  } finally {
    mock.timers.reset();
  }
});
