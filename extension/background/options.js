/* The user's options, over defaults an administrator may preset through prefs, over built-in defaults. */

export const SAVED_PASSWORD_CHOICES = ["ask", "always", "never"];
// pauseOnRefusal: the retry guard (guard.js) may pause Thunderbird's automatic checks of an account whose server
// refused its credentials. On by default: it acts only on refused accounts and says so on the card.
export const BUILT_IN = { autoDiagnose: true, savedPassword: "ask", pauseOnRefusal: true };

export function resolveOptions(stored, admin) {
  const pick = (name, valid) => [stored?.[name], admin?.[name]].find((v) => v !== null && v !== undefined && valid(v));
  return {
    autoDiagnose: pick("autoDiagnose", (v) => typeof v === "boolean") ?? BUILT_IN.autoDiagnose,
    savedPassword: pick("savedPassword", (v) => SAVED_PASSWORD_CHOICES.includes(v)) ?? BUILT_IN.savedPassword,
    pauseOnRefusal: pick("pauseOnRefusal", (v) => typeof v === "boolean") ?? BUILT_IN.pauseOnRefusal,
  };
}
