/* The folder-pane marker (api/MailDoctor/marker.js), run against a copy of about:3pane's folder tree as
 * Thunderbird 128-153 build it: li[is="folder-tree-row"][data-server-type][data-server-key] > .container. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { EXT, jsdom, translator } from "./helpers.mjs";
import { markerFor, menuTitle, notificationText } from "../../extension/background/attention.js";

const TREE = `<!DOCTYPE html><body><ul id="folderTree">
  <li is="folder-tree-row" data-mode="all"><ul>
    <li is="folder-tree-row" data-server-type="imap" data-server-key="server1"><div class="container"><span class="name">Work</span>
      <button class="status-icon" hidden></button></div>
      <ul><li is="folder-tree-row"><div class="container"><span class="name">Inbox</span></div></li></ul></li>
    <li is="folder-tree-row" data-server-type="pop3" data-server-key="server2"><div class="container"><span class="name">Home</span></div></li>
  </ul></li></ul></body>`;

function loadMarker(window) {
  const scope = { window, document: window.document };
  vm.runInNewContext(readFileSync(new URL("api/MailDoctor/marker.js", EXT), "utf8"), scope);
  return scope.MailDoctorMarker;
}

test("the marker sits on the account's row only, carries the cause as tooltip, a click opens the card, and clears", () => {
  const dom = jsdom(TREE);
  const doc = dom.window.document;
  const Marker = loadMarker(dom.window);
  const clicks = [];
  const marker = { tooltip: "Work: An app password is needed (click for details)", level: "error" };
  assert.equal(Marker.apply(doc, "server1", marker, () => clicks.push("server1")), 1);
  const node = doc.querySelector('li[data-server-key="server1"] > .container > .maildoctor-marker');
  assert.ok(node, "marker drawn in the account row's container");
  assert.equal(node.getAttribute("title"), marker.tooltip);
  assert.equal(node.getAttribute("aria-label"), marker.tooltip);
  assert.equal(doc.querySelectorAll(".maildoctor-marker").length, 1, "not on folders or other accounts");
  node.click();
  assert.deepEqual(clicks, ["server1"]);
  assert.equal(doc.querySelector(".status-icon").hidden, true, "Thunderbird's own TLS status icon is left alone");

  Marker.apply(doc, "server1", { tooltip: "Work: Test the password?", level: "warning" }, () => {});
  assert.equal(doc.querySelectorAll(".maildoctor-marker").length, 1, "updated in place");
  assert.equal(node.dataset.level, "warning");
  Marker.apply(doc, "server1", null, null);
  assert.equal(doc.querySelectorAll(".maildoctor-marker").length, 0, "cleared");
  assert.equal(Marker.apply(doc, 'x"] , li[data-server-key="server1', marker, () => {}), 0, "a hostile key selects nothing");
});

test("markers come back when Thunderbird rebuilds the rows, without a loop", () => {
  const dom = jsdom(TREE);
  const doc = dom.window.document;
  const Marker = loadMarker(dom.window);
  const markers = new Map([["server2", { marker: { tooltip: "Home: x", level: "error" }, onClick: () => {} }]]);
  assert.equal(Marker.applyAll(doc, markers), 1);
  const row = doc.querySelector('li[data-server-key="server2"]');
  row.replaceWith(row.cloneNode(false));
  const fresh = doc.querySelector('li[data-server-key="server2"]');
  fresh.innerHTML = '<div class="container"><span class="name">Home</span></div>';
  assert.equal(Marker.applyAll(doc, markers), 1);
  const before = doc.body.innerHTML;
  Marker.applyAll(doc, markers);
  assert.equal(doc.body.innerHTML, before, "applying again changes nothing (a MutationObserver calling it stays quiet)");
});

test("notification, menu entry and marker name the account and the cause; a working account gets none", () => {
  const t = translator("en");
  const problem = { accountName: "Work", checkedAt: 1, result: { verdict: "problem", findings: [{ code: "auth.app_password_required", severity: "error", title: "iCloud needs an app password", params: { inferred: true } }] } };
  assert.deepEqual(notificationText("Work", problem.result.findings[0], "problem", t), { title: "maildoctor: Work", message: "iCloud needs an app password" });
  assert.equal(menuTitle(problem, t), "maildoctor: iCloud needs an app password");
  assert.deepEqual(markerFor(problem, "Work", t), { tooltip: "Work: iCloud needs an app password (click for details)", level: "error" });
  const consent = { result: { verdict: "inconclusive", findings: [{ code: "auth.not_tested", severity: "warning", params: { action: "test_password", observed_failure: true } }] } };
  assert.equal(menuTitle(consent, translator("de")), "maildoctor: Gespeichertes Passwort einmal testen?");
  assert.equal(markerFor(consent, "Home", t).level, "warning");
  const ok = { result: { verdict: "ok", findings: [] } };
  assert.equal(markerFor(ok, "Work", t), null);
  assert.equal(menuTitle(ok, t), "Diagnose this account");
  assert.equal(menuTitle(null, t), "Diagnose this account");
});
