/* The add-on's native client against the real maildoctor binary (build/dev/host/maildoctor, built by
 * tests/run.sh before this suite), spoken to over pipes with Mozilla's framing, as Thunderbird does.
 * 12 accounts at once must give 12 results, whichever way the host treats a request it cannot run yet: a host
 * without a queue counts a diagnosis as running until just after its result frame is written, so the request the
 * client sends on that result can still be answered `busy`; the client sends it again. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { HostClient } from "../../extension/background/native.js";

const BIN = process.env.MAILDOCTOR_BIN || fileURLToPath(new URL("../../build/dev/host/maildoctor", import.meta.url));

/** runtime.connectNative over a child process: 4-byte native-order length + UTF-8 JSON each way. */
function connectToBinary(log) {
  return () => {
    const child = spawn(BIN, ["--native-messaging"], { stdio: ["pipe", "pipe", "pipe"] });
    const listeners = { message: [], disconnect: [] };
    let buffer = Buffer.alloc(0);
    child.stdout.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4) {
        const length = buffer.readUInt32LE(0);
        if (buffer.length < 4 + length) break;
        const message = JSON.parse(buffer.subarray(4, 4 + length).toString("utf8"));
        buffer = buffer.subarray(4 + length);
        log.push(message);
        for (const f of listeners.message) f(message);
      }
    });
    child.stderr.resume();
    const port = {
      error: null,
      child,
      onMessage: { addListener: (f) => listeners.message.push(f) },
      onDisconnect: { addListener: (f) => listeners.disconnect.push(f) },
      postMessage(message) {
        const body = Buffer.from(JSON.stringify(message), "utf8");
        const head = Buffer.alloc(4);
        head.writeUInt32LE(body.length, 0);
        child.stdin.write(Buffer.concat([head, body]));
      },
      disconnect() {
        child.stdin.end();
      },
    };
    child.on("exit", () => listeners.disconnect.forEach((f) => f(port)));
    connectToBinary.last = port;
    return port;
  };
}

/** A loopback port that accepts and closes at once: every diagnosis ends fast with a connection finding. */
async function closingServer() {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

for (const count of [12, 50]) test(`${count} accounts through the real host: ${count} results, never more than 4 in flight, a busy answer is sent again`, { skip: !existsSync(BIN) && `no host binary at ${BIN}` }, async () => {
  const server = await closingServer();
  const log = [];
  const client = new HostClient(connectToBinary(log));
  try {
    const requests = Array.from({ length: count }, (_, i) => ({
      account: { email: `u${i}@example.test`, incoming: { protocol: "imap", host: "127.0.0.1", port: server.address().port, security: "none", username: `u${i}`, auth: "password" } },
      options: { login: false, alternatives: false, deadline_ms: 5000 },
    }));
    const outcomes = await Promise.all(requests.map((r) => client.diagnose(r)));
    assert.equal(outcomes.filter((o) => o.ok).length, count, JSON.stringify(outcomes.filter((o) => !o.ok)));
    const busy = log.filter((m) => m.type === "error" && m.error?.code === "busy").length;
    assert.equal(log.filter((m) => m.type === "result").length, count);
    console.log(`real host: ${count} results, ${busy} busy answers re-sent, peak ${client.peakInFlight} in flight`);
    assert.ok(client.peakInFlight <= 4, `peak ${client.peakInFlight}`);
    assert.equal(new Set(outcomes.map((o) => o.result.verdict)).size, 1, "the same answer for the same server");
  } finally {
    connectToBinary.last?.disconnect();
    server.close();
  }
});
