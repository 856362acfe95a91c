// Loaded before the page draws (tiny, not deferred): styles that depend on app.js apply from the
// first paint instead of shifting the page once app.js runs.
document.documentElement.classList.add("js");
