import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { messages, EXT } from "./helpers.mjs";
import { findingKey } from "../../extension/shared/findings.js";

const ROOT = new URL("../../", import.meta.url);
const read = (path) => readFileSync(new URL(path, ROOT), "utf8");

/** Every code the host can emit: its own list (host/src/diagnose/codes.cpp) and the contract's table (section 3). */
function hostCodes() {
  const cpp = read("host/src/diagnose/codes.cpp");
  const list = cpp.slice(cpp.indexOf("kCodes{"), cpp.indexOf("};", cpp.indexOf("kCodes{")));
  const fromCpp = [...list.replace(/\/\/.*$/gm, "").matchAll(/"([a-z0-9_]+\.[a-z0-9_]+)"/g)].map((m) => m[1]);
  const contract = read("docs/CONTRACT.md");
  const section = contract.slice(contract.indexOf("## 3."), contract.indexOf("## 4."));
  const fromContract = [...section.matchAll(/^\| `([a-z0-9_]+\.[a-z0-9_]+)`(?: \/ `([a-z0-9_]+\.[a-z0-9_]+)`)?/gm)].flatMap((m) => m.slice(1).filter(Boolean));
  return { fromCpp, fromContract, all: [...new Set([...fromCpp, ...fromContract])] };
}

/** Every check step the host reports (probe checks and discovery). */
function hostSteps() {
  const text = ["host/src/probe/probe_checks.cpp", "host/src/discover/discover.cpp"].map(read).join("\n");
  return [...new Set([...text.matchAll(/\b(?:add|tls)\("([a-z_]+)"|\.step = "([a-z_]+)"/g)].map((m) => m[1] ?? m[2]))];
}

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

test("the host's code list is read: codes.cpp and the contract agree and hold the codes every version had", () => {
  const { fromCpp, fromContract } = hostCodes();
  assert.ok(fromCpp.length >= 41, `codes.cpp: ${fromCpp.length}`);
  assert.deepEqual([...fromContract].sort(), [...fromCpp].sort(), "CONTRACT section 3 lists exactly the host's codes");
  for (const code of ["auth.not_tested", "proto.bad_reply", "tls.starttls_injected", "auth.app_password_required"]) assert.ok(fromCpp.includes(code), code);
});

test("every finding code the host can emit has a title and a detail in both languages", () => {
  for (const lang of ["en", "de"]) {
    const table = messages(lang);
    for (const code of hostCodes().all) {
      assert.ok(table[findingKey(code, "title")]?.message, `${lang} ${code} title`);
      assert.ok(table[findingKey(code, "detail")]?.message, `${lang} ${code} detail`);
    }
  }
});

test("every check step the host reports has a name in both languages", async () => {
  const { STEP_KEYS } = await import("../../extension/popup/render.js");
  const steps = hostSteps();
  assert.ok(steps.includes("auth") && steps.includes("starttls") && steps.includes("discover"), steps.join(","));
  for (const step of steps) {
    assert.ok(STEP_KEYS[step], `no message key for step ${step}`);
    for (const lang of ["en", "de"]) assert.ok(messages(lang)[STEP_KEYS[step]]?.message, `${lang} ${step}`);
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

test("every finding code list agrees: the add-on's code names and tools/providers.py come from the host's list", () => {
  const { fromCpp } = hostCodes();
  const root = fileURLToPath(EXT).replace(/\/$/, "");
  for (const file of sources(root).filter((f) => f.endsWith(".js"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/"((?:dns|net|tls|proto|auth|smtp|config)\.[a-z_]+)"/g))
      assert.ok(fromCpp.includes(m[1]), `${file} names ${m[1]}, which the host does not emit`);
  }
  const tools = fileURLToPath(new URL("tools/", ROOT));
  const fromTool = JSON.parse(execFileSync("python3", ["-c", "import json, providers; print(json.dumps(sorted(providers.FINDING_CODES)))"], { cwd: tools }).toString());
  assert.deepEqual(fromTool, [...fromCpp].sort(), "tools/providers.py reads the host's code list");
  execFileSync("python3", ["providers.py", "check"], { cwd: tools });  // known replies mean only host codes
});
