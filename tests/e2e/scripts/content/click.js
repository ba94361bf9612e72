// Content script for popup_run.js: clicks, in the card of account arguments[0], the first button whose text is one
// of arguments[1] (a label or a list of labels, in order of preference).
const [accountId, wanted] = arguments;
const labels = Array.isArray(wanted) ? wanted : [wanted];
const card = document.querySelector(`#accounts section[data-account="${CSS.escape(accountId)}"]`);
const buttons = card ? [...card.querySelectorAll("button")] : [];
const button = labels.map((label) => buttons.find((b) => b.textContent.trim() === label)).find(Boolean);
if (!button) return { clicked: false, buttons: buttons.map((b) => b.textContent.trim()) };
button.click();
return { clicked: true, label: button.textContent.trim() };
