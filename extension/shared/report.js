/* "Copy report": the diagnosis as Markdown for a support forum, with the user's address and login removed. */

import { localizeFinding } from "./findings.js";

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Removes the account's user names and any e-mail address. Passwords never reach the add-on's results. */
export function redact(text, secrets = []) {
  let out = String(text ?? "");
  for (const secret of secrets) {
    if (secret && secret.length >= 3) out = out.split(secret).join("<user>");
  }
  return out.replace(EMAIL, "<address>");
}

/** A code block that server text cannot close early: the fence is longer than any backtick run inside. */
function codeBlock(lines) {
  const body = lines.join("\n");
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}\n${body}\n${fence}`;
}

function inline(text) {
  return String(text).replace(/[\\`*_[\]<>#|]/g, (c) => `\\${c}`).replace(/\s*\n\s*/g, " ");
}

export function buildReport({ accountName, settings, entry, t, version = "" }) {
  const secrets = [settings?.incoming?.username, settings?.outgoing?.username, settings?.email].filter(Boolean);
  const r = (text) => redact(text, secrets);
  const result = entry?.result ?? {};
  const lines = [`## ${t("reportTitle")}: ${inline(r(accountName ?? ""))}`, ""];
  lines.push(`- verdict: ${inline(result.verdict ?? "unknown")}`);
  if (result.provider?.name) lines.push(`- provider: ${inline(result.provider.name)}`);
  for (const subject of ["incoming", "outgoing"]) {
    const s = settings?.[subject];
    if (s) lines.push(`- ${subject}: ${inline(`${s.protocol} ${s.host}:${s.port} security=${s.security} auth=${s.auth}`)}`);
  }
  if (entry?.observedError) lines.push(`- Thunderbird said: ${inline(r(entry.observedError))}`);
  if (version) lines.push(`- maildoctor add-on ${inline(version)}`);
  for (const finding of result.findings ?? []) {
    const text = localizeFinding(finding, t);
    lines.push("", `### ${inline(finding.code)} (${inline(finding.severity ?? "")}, ${inline(finding.subject ?? "")}): ${inline(r(text.title))}`);
    if (text.detail) lines.push("", inline(r(text.detail)));
    if (finding.evidence?.length) lines.push("", codeBlock(finding.evidence.map(r)));
  }
  if (result.checks?.length) {
    lines.push("", "### checks", "");
    for (const c of result.checks) lines.push(`- ${inline(c.subject)} ${inline(c.step)}: ${inline(c.status)} (${Number(c.ms) || 0} ms)${c.detail ? ` ${inline(r(c.detail))}` : ""}`);
  }
  if (result.transcript?.length) {
    lines.push("", "### transcript", "", codeBlock(result.transcript.map((l) => `${l.subject === "outgoing" ? "out" : "in "} ${l.dir} ${r(l.line)}`)));
  }
  return `${lines.join("\n")}\n`;
}
