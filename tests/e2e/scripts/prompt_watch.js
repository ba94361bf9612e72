// Chrome context (Marionette, from the driver window): answers Thunderbird's modal prompts the way a user does,
// deterministically: every prompt is recorded (title, text) and then cancelled, after all observers of
// "common-dialog-loaded" (the add-on's among them) have read it. Installed before Thunderbird's first login.
// It also records every notification Thunderbird shows (its alert windows: the profile turns the system backend
// off, so notifications are Thunderbird's own windows here). arguments[0]: "install" | "read".
const resolve = arguments[arguments.length - 1];
const state = (window.maildoctorE2E ??= { prompts: [], notifications: [] });
if (arguments[0] === "install" && !state.observer) {
  state.observer = {
    observe(subject) {
      let title = "";
      let text = "";
      try {
        title = String(subject.Dialog?.args?.title ?? "");
        text = String(subject.Dialog?.args?.text ?? "");
      } catch (e) {}
      const opener = subject.opener?.document?.title ?? null;
      state.prompts.push({ title, text, at: Date.now(), opener, active: Services.focus.activeWindow?.document?.title ?? null });
      subject.setTimeout(() => {
        const ui = subject.Dialog?.ui;
        // button1 is Cancel in Thunderbird's Retry / Cancel / Enter New Password prompt (and in a plain prompt).
        (ui?.button1 ?? ui?.button0)?.click();
      }, 0);
    },
  };
  state.windows = {
    observe(win, topic) {
      if (topic !== "domwindowopened") return;
      win.addEventListener(
        "load",
        () => {
          if (win.document.documentElement.getAttribute("windowtype") !== "alert:alert") return;
          // The alert fills in its labels from its arguments during load.
          win.setTimeout(() => {
            state.notifications.push({
              title: win.document.getElementById("alertTitleLabel")?.getAttribute("value") ?? null,
              text: win.document.getElementById("alertTextLabel")?.textContent ?? null,
              at: Date.now(),
            });
          }, 0);
        },
        { once: true },
      );
    },
  };
  Services.ww.registerNotification(state.windows);
  Services.obs.addObserver(state.observer, "common-dialog-loaded");
  Services.obs.addObserver(state.observer, "tabmodal-dialog-loaded");
}
resolve({ installed: Boolean(state.observer), prompts: state.prompts, notifications: state.notifications });
