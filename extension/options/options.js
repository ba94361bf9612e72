/* The options page: automatic diagnosis on/off, whether the saved password may be tested, and the retry guard. */

import { resolveOptions } from "../background/options.js";

const t = (key) => messenger.i18n.getMessage(key);
for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);

const auto = document.getElementById("autoDiagnose");
const pause = document.getElementById("pauseOnRefusal");
const radios = [...document.querySelectorAll("input[name=savedPassword]")];

async function load() {
  const { options } = await messenger.storage.local.get("options");
  const admin = await messenger.MailDoctor.getAdminDefaults().catch(() => ({}));
  const current = resolveOptions(options, admin);
  auto.checked = current.autoDiagnose;
  pause.checked = current.pauseOnRefusal;
  for (const r of radios) r.checked = r.value === current.savedPassword;
}

async function save() {
  const savedPassword = radios.find((r) => r.checked)?.value;
  await messenger.storage.local.set({ options: { autoDiagnose: auto.checked, savedPassword, pauseOnRefusal: pause.checked } });
  document.getElementById("saved").textContent = t("optionsSaved");
}

auto.addEventListener("change", save);
pause.addEventListener("change", save);
for (const r of radios) r.addEventListener("change", save);
load();
