/* Localizes findings by their stable code and fills in what the host knows (provider, host, port, causes).
 * In English the host's own title and detail are shown: they name the provider and say what the finding rests
 * on, so the popup never says less than the host did. Other languages use their table, filled from `params`,
 * and fall back to the host's English for a code they do not know. */

export function findingKey(code, part) {
  return `finding_${String(code).replace(/[^A-Za-z0-9]/g, "_")}_${part}`;
}

/** The UI language of the message table in use ("en" also where Thunderbird fell back to English). */
export function uiLanguage(t) {
  return t("uiLanguage") || "en";
}

/** Replaces {provider} {host} {port} {protocol} with the finding's params; unknown names stay as they are. */
export function fillParams(text, params, t) {
  const values = {
    provider: params?.provider_name || t("providerUnknown"),
    host: params?.host,
    port: params?.port,
    protocol: params?.protocol ? String(params.protocol).toUpperCase() : undefined,
  };
  return String(text).replace(/\{(provider|host|port|protocol)\}/g, (whole, name) =>
    values[name] === undefined || values[name] === null || values[name] === "" ? whole : String(values[name]),
  );
}

function tableText(code, action, part, t) {
  if (!code) return "";
  return (action && t(findingKey(`${code}.${action}`, part))) || t(findingKey(code, part)) || "";
}

/** The wait a server named (params.wait_seconds), as the host says it: seconds below two minutes, else minutes. */
function waitSentence(seconds, t) {
  return seconds < 120 ? t("findingWaitSeconds", [String(seconds)]) : t("findingWaitMinutes", [String(Math.round(seconds / 60))]);
}

/** The title of a code alone (for possible causes and the menu), in the UI language. */
export function codeTitle(code, t) {
  return tableText(code, null, "title", t) || String(code);
}

/**
 * {title, detail, basis, causes}: `basis` says what an inferred finding rests on, `causes` the other possible
 * causes (ranked, the finding's own code left out), each as a title. t(key) returns "" for an unknown key.
 */
export function localizeFinding(finding, t) {
  const code = finding?.code ?? "";
  const params = finding?.params ?? {};
  const action = typeof params.action === "string" ? params.action : null;
  const english = uiLanguage(t) === "en";
  const own = (part) => {
    const text = tableText(code, action, part, t);
    return text ? fillParams(text, params, t) : "";
  };
  const title = (english && finding?.title) || own("title") || finding?.title || code;
  let detail = (english && finding?.detail) || own("detail") || finding?.detail || "";
  // The host's English detail already names the wait the server asked for; the table's text does not.
  if (!(english && finding?.detail) && Number.isInteger(params.wait_seconds) && params.wait_seconds > 0) {
    const wait = waitSentence(params.wait_seconds, t);
    if (wait) detail = detail ? `${detail} ${wait}` : wait;
  }
  let basis = "";
  if (params.inferred === true && typeof params.basis === "string") {
    basis = t(`basis_${params.basis.replace(/[^A-Za-z0-9]/g, "_")}`, [params.provider_name || t("providerUnknown")]);
  }
  const causes = (Array.isArray(params.possible_causes) ? params.possible_causes : [])
    .filter((c) => typeof c === "string" && c !== code)
    .map((c) => codeTitle(c, t));
  return { title, detail, basis, causes };
}

const SETTING_KEYS = { port: "settingPort", security: "settingSecurity", auth: "settingAuth", host: "settingHost", username: "settingUsername" };
const SUBJECT_KEYS = { incoming: "subjectIncoming", outgoing: "subjectOutgoing", account: "subjectAccount" };

export function settingLabel(setting, t) {
  return (SETTING_KEYS[setting] && t(SETTING_KEYS[setting])) || String(setting);
}

export function subjectLabel(subject, t) {
  return (SUBJECT_KEYS[subject] && t(SUBJECT_KEYS[subject])) || String(subject);
}

/** A setting's value as Thunderbird's account settings show it; no encryption is said in words, never hidden. */
export function settingValueLabel(setting, value, t) {
  if (value === null || value === undefined || value === "") return "—";
  if (setting === "security") {
    if (value === "tls") return "SSL/TLS";
    if (value === "starttls") return "STARTTLS";
    if (value === "none") return (t && t("securityNone")) || "no encryption";
  }
  return String(value);
}

/** The button text of one fix: the host's (English) label in English, the table's words otherwise. */
export function fixLabel(fix, t) {
  const hostLabel = uiLanguage(t) === "en" ? fix.label : "";
  if (fix.kind === "open_url") return hostLabel || t("fixOpenUrl");
  if (fix.kind === "change_setting") {
    return t("fixChangeSetting", [settingLabel(fix.setting, t), settingValueLabel(fix.setting, fix.value, t)]);
  }
  return hostLabel || t("fixSteps");
}

/** Only https pages may be opened from a fix: the URL comes from the host's data (all https), still check it. */
export function isOpenableUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:";
  } catch (e) {
    return false;
  }
}
