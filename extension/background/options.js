/* The user's options, over defaults an administrator may preset through prefs, over built-in defaults. */

export const SAVED_PASSWORD_CHOICES = ["ask", "always", "never"];
export const BUILT_IN = { autoDiagnose: true, savedPassword: "ask" };

export function resolveOptions(stored, admin) {
  const pick = (name, valid) => [stored?.[name], admin?.[name]].find((v) => v !== null && v !== undefined && valid(v));
  return {
    autoDiagnose: pick("autoDiagnose", (v) => typeof v === "boolean") ?? BUILT_IN.autoDiagnose,
    savedPassword: pick("savedPassword", (v) => SAVED_PASSWORD_CHOICES.includes(v)) ?? BUILT_IN.savedPassword,
  };
}
