// Chrome context (Marionette): switches the colour scheme the way a dark (or light) desktop does.
// arguments[0]: true for dark. The add-on's pages follow through prefers-color-scheme; the test reads the popup's
// computed colours, not this.
const resolve = arguments[arguments.length - 1];
Services.prefs.setIntPref("ui.systemUsesDarkTheme", arguments[0] ? 1 : 0);
resolve({ set: true });
