// Content script for popup_run.js: clicks the button whose text is arguments[1] in the card of account arguments[0].
const [accountId, label] = arguments;
const card = document.querySelector(`#accounts section[data-account="${CSS.escape(accountId)}"]`);
const button = card && [...card.querySelectorAll("button")].find((b) => b.textContent.trim() === label);
if (!button) return { clicked: false, buttons: card ? [...card.querySelectorAll("button")].map((b) => b.textContent.trim()) : null };
button.click();
return { clicked: true };
