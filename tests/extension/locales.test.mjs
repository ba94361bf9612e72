import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { messages, EXT } from "./helpers.mjs";
import { findingKey } from "../../extension/shared/findings.js";

const CONTRACT_CODES = [
  "dns.not_found", "dns.failed", "net.refused", "net.timeout", "net.port_blocked", "net.unreachable",
  "tls.wrong_mode", "tls.starttls_unavailable", "tls.handshake_failed", "tls.version_too_old", "tls.cert_expired",
  "tls.cert_not_yet_valid", "tls.cert_hostname_mismatch", "tls.cert_self_signed", "tls.cert_untrusted",
  "proto.unexpected_greeting", "proto.no_greeting", "proto.server_unavailable", "proto.too_many_connections",
  "auth.wrong_password", "auth.app_password_required", "auth.oauth_required", "auth.protocol_disabled",
  "auth.web_login_required", "auth.account_locked", "auth.username_format", "auth.tls_required",
  "auth.mechanism_unsupported", "auth.rate_limited", "auth.tenant_disabled", "auth.bridge_required", "auth.failed",
  "smtp.relay_denied", "smtp.sender_not_authorized", "config.better_settings", "config.differs_from_provider",
];

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(path).isDirectory()) return name === "node_modules" || name === "tools" ? [] : sources(path);
    return /\.(js|html|json)$/.test(name) && !path.includes("_locales") ? [path] : [];
  });
}

test("English and German carry the same keys and placeholders", () => {
  const en = messages("en");
  const de = messages("de");
  assert.deepEqual(Object.keys(de).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) assert.deepEqual(de[key].placeholders, en[key].placeholders, key);
});

test("every finding code of the contract has a title and a detail in both languages", () => {
  for (const lang of ["en", "de"]) {
    const table = messages(lang);
    for (const code of CONTRACT_CODES) {
      assert.ok(table[findingKey(code, "title")]?.message, `${lang} ${code} title`);
      assert.ok(table[findingKey(code, "detail")]?.message, `${lang} ${code} detail`);
    }
  }
});

test("every message key the add-on uses exists", () => {
  const en = messages("en");
  const root = fileURLToPath(EXT).replace(/\/$/, "");
  const used = new Set();
  for (const file of sources(root)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\bt\("([A-Za-z0-9_]+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/data-i18n="([A-Za-z0-9_]+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)) used.add(m[1]);
    for (const m of text.matchAll(/: "((?:status|trigger|step|check|setting|subject)[A-Z][A-Za-z]+)"/g)) used.add(m[1]);
  }
  assert.ok(used.size > 40, `found ${used.size} keys`);
  for (const key of used) assert.ok(en[key], `missing message ${key}`);
});

test("the generated messages.json files match their source table", () => {
  execFileSync("python3", [fileURLToPath(new URL("tools/locales.py", EXT)), "--check"]);
});
