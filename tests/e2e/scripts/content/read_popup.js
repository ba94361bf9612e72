// Content script for popup_run.js (runs inside the add-on's popup): what the popup shows, as the user reads it,
// plus the computed colours. Waits until the popup has rendered its account cards.
for (let i = 0; i < 100 && !document.querySelector("#accounts section"); i++) await new Promise((r) => setTimeout(r, 50));
const text = (node) => (node ? node.textContent.trim() : null);
const cards = [...document.querySelectorAll("#accounts section")].map((card) => ({
  account: card.dataset.account ?? null,
  classes: card.className,
  name: text(card.querySelector(".account-name")),
  status: text(card.querySelector(".account-status")),
  text: card.innerText,
  findings: [...card.querySelectorAll(".finding")].map((f) => ({
    code: f.dataset.code ?? null,
    title: text(f.querySelector(".finding-title")),
    detail: text(f.querySelector(".finding-detail")),
    evidence: text(f.querySelector(".evidence")),
  })),
  buttons: [...card.querySelectorAll("button")].map((b) => ({ text: text(b), className: b.className, disabled: b.disabled })),
  inputs: [...card.querySelectorAll("input")].map((i) => ({ type: i.type, name: i.name, className: i.className })),
  background: getComputedStyle(card).backgroundColor,
}));
return {
  url: location.href,
  title: text(document.getElementById("title")),
  cards,
  bodyText: document.body.innerText,
  background: getComputedStyle(document.body).backgroundColor,
  color: getComputedStyle(document.body).color,
  darkQuery: matchMedia("(prefers-color-scheme: dark)").matches,
};
