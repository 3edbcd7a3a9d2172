// Runs in <head>, before the page paints, so a dark-theme user never sees a white flash.
// The choice ("light", "dark" or absent = follow the system) is kept in localStorage by app.js.
(function () {
  var stored = null;
  try { stored = window.localStorage.getItem("kopiena-theme"); } catch (e) { /* storage disabled */ }
  var dark = stored ? stored === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.setAttribute("data-bs-theme", dark ? "dark" : "light");
})();
