/* The marker on an account's row in Thunderbird's folder pane (about:3pane). A classic script: the experiment
 * loads it with loadSubScript and the unit tests run the same file against a jsdom copy of the folder tree.
 *
 * Thunderbird 153 marks TLS errors on the account row itself (bug 1980298: about3Pane.js adds the class
 * `tls-error` and shows the row's `.status-icon`). maildoctor does not borrow that icon (Thunderbird hides it on
 * its own `server-connection-succeeded` and sets its click handler); it adds its own button to the row's
 * `.container`, which exists in the same form in 128, 140 and 153 (li[is="folder-tree-row"] with
 * data-server-key). Rows are rebuilt when the pane's modes change, so markers are re-applied from the state kept
 * here whenever rows are added (a MutationObserver per document). */
"use strict";

var MailDoctorMarker = (() => {
  const CLASS = "maildoctor-marker";
  const SIGN = "\u26a0"; // WARNING SIGN: reads as a warning in light and dark, needs no image
  const COLORS = { error: "var(--color-text-critical, #c62828)", warning: "var(--color-text-warning, #b45309)" };
  const SAFE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

  function rowsFor(doc, serverKey) {
    if (!SAFE_KEY.test(serverKey)) return [];
    return [...doc.querySelectorAll(`li[data-server-key="${serverKey}"]`)].filter((row) => row.dataset.serverType !== undefined);
  }

  function container(row) {
    return [...row.children].find((child) => child.classList.contains("container")) ?? null;
  }

  /* Sets, updates or (marker null) removes the marker on every row of that server in this document.
   * Touches the DOM only when something changes, so a MutationObserver that calls it does not loop. */
  function apply(doc, serverKey, marker, onClick) {
    let count = 0;
    for (const row of rowsFor(doc, serverKey)) {
      const box = container(row);
      if (!box) continue;
      let node = [...box.children].find((child) => child.classList.contains(CLASS)) ?? null;
      if (!marker) {
        node?.remove();
        continue;
      }
      if (!node) {
        node = doc.createElement("button");
        node.className = CLASS;
        node.setAttribute("type", "button");
        node.textContent = SIGN;
        node.style.cssText = "border: none; background: transparent; padding: 0 4px; margin: 0; cursor: pointer; font-size: 1em; line-height: 1;";
        // The row selects its folder on click; the marker's click is ours alone.
        for (const type of ["mousedown", "dblclick"]) node.addEventListener(type, (event) => event.stopPropagation());
        box.append(node);
      }
      node.onclick = (event) => {
        event.stopPropagation();
        event.preventDefault();
        onClick();
      };
      if (node.getAttribute("title") !== marker.tooltip) {
        node.setAttribute("title", marker.tooltip);
        node.setAttribute("aria-label", marker.tooltip);
      }
      const level = marker.level === "error" ? "error" : "warning";
      if (node.dataset.level !== level) {
        node.dataset.level = level;
        node.style.color = COLORS[level];
      }
      count++;
    }
    return count;
  }

  /** Every marker of a document: markers is a Map serverKey -> {marker, onClick}. Returns the rows marked. */
  function applyAll(doc, markers) {
    let count = 0;
    for (const [serverKey, { marker, onClick }] of markers) count += apply(doc, serverKey, marker, onClick);
    return count;
  }

  return { apply, applyAll, CLASS };
})();
