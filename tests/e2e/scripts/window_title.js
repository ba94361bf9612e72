// Chrome context (Marionette): the title of the window scripts run in.
arguments[arguments.length - 1]({ title: document.title });
