// Content script for popup_run.js: types a password into the account card's new-password field and presses the
// form's submit button (arguments: account id, password, the button's text), as a user would.
const [accountId, password, label] = arguments;
const card = document.querySelector(`#accounts section[data-account="${CSS.escape(accountId)}"]`);
const input = card?.querySelector("input[type=password]");
if (!input) return { typed: false, text: card?.innerText ?? null };
input.focus();
input.value = password;
input.dispatchEvent(new Event("input", { bubbles: true }));
const button = [...card.querySelectorAll("button")].find((b) => b.textContent.trim() === label);
if (!button) return { typed: true, clicked: false, buttons: [...card.querySelectorAll("button")].map((b) => b.textContent.trim()) };
button.click();
return { typed: true, clicked: true };
