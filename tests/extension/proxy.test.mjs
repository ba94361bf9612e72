/* Thunderbird's proxy (issue 14): the experiment's translation of network.proxy.*, the request's "proxy", and the
 * card's note when the proxy cannot be followed. */
import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { buildRequest } from "../../extension/background/request.js";
import { renderPopup } from "../../extension/popup/render.js";
import { jsdom, loadTerms, translator } from "./helpers.mjs";
import { world, settle } from "./world.mjs";

const terms = loadTerms();
// allow_hijacking_localhost: loopback through the proxy, so that only the list under test is sent (the default's
// loopback entries have a test of their own).
const manual = (extra) => ({ type: 1, socks: "127.0.0.1", socks_port: 1080, socks_version: 5, socks_remote_dns: false, allow_hijacking_localhost: true, ...extra });

test("a manual SOCKS proxy becomes the request's proxy, with the remote-DNS pref of its version", () => {
  assert.deepEqual(terms.proxy(manual({ socks5_remote_dns: true })), { proxy: { type: "socks5", host: "127.0.0.1", port: 1080, remote_dns: true } });
  assert.deepEqual(terms.proxy(manual({ socks5_remote_dns: false, socks_remote_dns: true })).proxy.remote_dns, false,
    "SOCKS5 follows socks5_remote_dns where Thunderbird has it");
  assert.equal(terms.proxy(manual({ socks_remote_dns: true })).proxy.remote_dns, true, "older Thunderbird: socks_remote_dns");
  assert.deepEqual(terms.proxy(manual({ socks_version: 4, socks_remote_dns: true, socks5_remote_dns: false })),
    { proxy: { type: "socks4", host: "127.0.0.1", port: 1080, remote_dns: true } });
  assert.equal(terms.proxy(manual({ socks_version: 4, socks5_remote_dns: true })).proxy.remote_dns, false);
  assert.equal(terms.proxy(manual({ socks: "[::1]" })).proxy.host, "::1");
});

test("no proxy, an HTTP-only manual proxy or an incomplete SOCKS setting means a direct connection", () => {
  assert.deepEqual(terms.proxy({ type: 0 }), {});
  assert.deepEqual(terms.proxy(undefined), {});
  assert.deepEqual(terms.proxy(manual({ socks: "" })), {}, "manual with only an HTTP proxy: mail goes direct in Thunderbird too");
  assert.deepEqual(terms.proxy(manual({ socks_port: 0 })), {});
  assert.deepEqual(terms.proxy(manual({ socks_port: 70000 })), {});
});

test("system, PAC and WPAD proxies and a bad host are reported as not read", () => {
  assert.deepEqual(terms.proxy({ type: 5 }), { unread: "system" });
  assert.deepEqual(terms.proxy({ type: 2 }), { unread: "pac" });
  assert.deepEqual(terms.proxy({ type: 4 }), { unread: "wpad" });
  assert.deepEqual(terms.proxy(manual({ socks: "evil host\r\nx" })), { unread: "invalid" });
  assert.deepEqual(terms.proxy(manual({ socks: "user@host" })), { unread: "invalid" });
});

test("buildRequest puts the proxy at the top level, and nothing without one", () => {
  const settings = { name: "Work", email: "bob@example.test", incoming: { protocol: "imap", host: "mail.example.test", port: 993, security: "tls" } };
  const { request } = buildRequest(settings, { proxy: { type: "socks5", host: "127.0.0.1", port: 1080, remote_dns: true } });
  assert.deepEqual(request.proxy, { type: "socks5", host: "127.0.0.1", port: 1080, remote_dns: true });
  assert.equal("proxy" in buildRequest(settings).request, false);
  assert.equal("proxy" in buildRequest(settings, { proxy: null }).request, false);
});

test("the background sends Thunderbird's proxy with every diagnosis", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const proxy = { type: "socks5", host: "127.0.0.1", port: 9050, remote_dns: true };
    const { doctor, calls, states } = await world({ proxySettings: { proxy } });
    await doctor.diagnose("account1");
    await settle(0);
    assert.equal(calls.requests.length, 1);
    assert.deepEqual(calls.requests[0].proxy, proxy);
    assert.equal(states.get("account1").proxyUnread, null);
  } finally {
    mock.timers.reset();
  }
});

test("a proxy that cannot be read: the request goes direct and the card says why", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const { doctor, calls, states } = await world({ proxySettings: { unread: "pac" } });
    await doctor.diagnose("account1");
    await settle(0);
    assert.equal("proxy" in calls.requests[0], false);
    const entry = states.get("account1");
    assert.equal(entry.proxyUnread, "pac");
    for (const lang of ["en", "de"]) {
      const dom = jsdom();
      const doc = dom.window.document;
      const root = doc.getElementById("root");
      const noop = () => {};
      renderPopup(doc, root, { accounts: [{ id: "account1", name: "Work", type: "imap", state: entry }], expanded: new Set(), notes: {}, savedPasswordOption: "never" },
        translator(lang), { diagnose: noop, toggleDetails: noop, openUrl: noop, askApply: noop, confirmApply: noop, cancelApply: noop, copyReport: noop,
          openNewPassword: noop, closeNewPassword: noop, testNewPassword: noop, undo: noop }, { formatTime: () => "12:00" });
      const note = root.querySelector(".proxy-unread");
      assert.ok(note, `${lang}: the card carries the note`);
      assert.match(note.textContent, /PAC/);
      assert.equal(note.textContent, translator(lang)("proxyUnreadPac"));
    }
  } finally {
    mock.timers.reset();
  }
});

test("Thunderbird's bypass list (no_proxies_on) becomes proxy.no_proxy, entries as written", () => {
  const read = terms.proxy(manual({ no_proxies_on: "localhost, .example.com 192.168.0.0/16,<local>,,  [::1]:993" }));
  assert.deepEqual(read.proxy.no_proxy, ["localhost", ".example.com", "192.168.0.0/16", "<local>", "[::1]:993"]);
  assert.equal("no_proxy" in terms.proxy(manual({ no_proxies_on: "" })).proxy, false, "an empty list sends nothing");
  assert.equal("no_proxy" in terms.proxy(manual({})).proxy, false);
  assert.deepEqual(terms.proxy(manual({ no_proxies_on: "a.test\u0007x, " + "b".repeat(256) + ", c.test" })).proxy.no_proxy, ["c.test"],
    "entries the host would refuse are left out rather than losing the whole proxy");
  assert.equal(terms.proxy(manual({ no_proxies_on: Array.from({ length: 300 }, (_, i) => `h${i}.test`).join(",") })).proxy.no_proxy.length, 256);
  assert.deepEqual(terms.proxy({ type: 0, no_proxies_on: "example.com" }), {}, "no proxy, no list");
});

test("buildRequest sends the bypass list inside the proxy, and only a list of strings", () => {
  const settings = { name: "Work", email: "bob@example.test", incoming: { protocol: "imap", host: "mail.example.test", port: 993, security: "tls" } };
  const proxy = { type: "socks5", host: "127.0.0.1", port: 1080, remote_dns: true };
  assert.deepEqual(buildRequest(settings, { proxy: { ...proxy, no_proxy: [".example.test", "<local>"] } }).request.proxy,
    { ...proxy, no_proxy: [".example.test", "<local>"] });
  assert.equal("no_proxy" in buildRequest(settings, { proxy: { ...proxy, no_proxy: [] } }).request.proxy, false);
  assert.equal("no_proxy" in buildRequest(settings, { proxy: { ...proxy, no_proxy: "example.test" } }).request.proxy, false);
  assert.deepEqual(buildRequest(settings, { proxy: { ...proxy, no_proxy: ["a.test", 7, ""] } }).request.proxy.no_proxy, ["a.test"]);
});

test("the background sends Thunderbird's bypass list with the proxy", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const proxy = { type: "socks5", host: "127.0.0.1", port: 9050, remote_dns: true, no_proxy: [".corp.test", "10.0.0.0/8"] };
    const { doctor, calls } = await world({ proxySettings: { proxy } });
    await doctor.diagnose("account1");
    await settle(0);
    assert.equal(calls.requests.length, 1);
    assert.deepEqual(calls.requests[0].proxy.no_proxy, [".corp.test", "10.0.0.0/8"]);
  } finally {
    mock.timers.reset();
  }
});

test("loopback bypasses the proxy as in Gecko, unless allow_hijacking_localhost is set", () => {
  const plain = { type: 1, socks: "10.0.0.9", socks_port: 1080, socks_version: 5 };
  assert.deepEqual(terms.proxy(plain).proxy.no_proxy, ["localhost", "127.0.0.0/8", "::1"], "a local bridge is reached directly");
  assert.deepEqual(terms.proxy({ ...plain, no_proxies_on: ".corp.test, localhost" }).proxy.no_proxy,
    [".corp.test", "localhost", "127.0.0.0/8", "::1"], "the user's entries first, none twice");
  assert.equal("no_proxy" in terms.proxy({ ...plain, allow_hijacking_localhost: true }).proxy, false);
});
