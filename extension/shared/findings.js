/* Localizes findings by their stable code; the host's English title/detail is the fallback. */

export function findingKey(code, part) {
  return `finding_${String(code).replace(/[^A-Za-z0-9]/g, "_")}_${part}`;
}

/** t(key) returns "" for an unknown key, as i18n.getMessage does. */
export function localizeFinding(finding, t) {
  const code = finding?.code ?? "";
  return {
    title: (code && t(findingKey(code, "title"))) || finding?.title || code,
    detail: (code && t(findingKey(code, "detail"))) || finding?.detail || "",
  };
}

const SETTING_KEYS = { port: "settingPort", security: "settingSecurity", auth: "settingAuth", host: "settingHost", username: "settingUsername" };
const SUBJECT_KEYS = { incoming: "subjectIncoming", outgoing: "subjectOutgoing", account: "subjectAccount" };
const SECURITY_LABELS = { tls: "SSL/TLS", starttls: "STARTTLS", none: "—" };

export function settingLabel(setting, t) {
  return (SETTING_KEYS[setting] && t(SETTING_KEYS[setting])) || String(setting);
}

export function subjectLabel(subject, t) {
  return (SUBJECT_KEYS[subject] && t(SUBJECT_KEYS[subject])) || String(subject);
}

/** A setting's value as Thunderbird's account settings show it. */
export function settingValueLabel(setting, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (setting === "security") return SECURITY_LABELS[value] ?? String(value);
  return String(value);
}

/** The button text of one fix. */
export function fixLabel(fix, t) {
  if (fix.kind === "open_url") return fix.label || t("fixOpenUrl");
  if (fix.kind === "change_setting") {
    return t("fixChangeSetting", [settingLabel(fix.setting, t), settingValueLabel(fix.setting, fix.value)]);
  }
  return fix.label || t("fixSteps");
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
