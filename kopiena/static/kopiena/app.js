// Kopiena's page behaviour. The Content-Security-Policy forbids inline scripts and on* attributes,
// so every interaction is wired here through data-* attributes.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // Theme toggle: <button data-kp-theme-toggle>.
  function setTheme(theme) {
    document.documentElement.setAttribute("data-bs-theme", theme);
    try { window.localStorage.setItem("kopiena-theme", theme); } catch (e) { /* storage disabled */ }
    themeCharts();
  }

  // Chart.js draws its labels and grid in fixed greys; give every chart on the page the theme's text and
  // border colours (and redraw them when the theme changes), so axes stay readable in the dark theme.
  function themeCharts() {
    if (!window.Chart || !window.Chart.defaults) { return; }
    var styles = getComputedStyle(document.documentElement);
    var text = styles.getPropertyValue("--bs-secondary-color").trim();
    var border = styles.getPropertyValue("--kp-border").trim();
    if (text) { window.Chart.defaults.color = text; }
    if (border) { window.Chart.defaults.borderColor = border; }
    Object.keys(window.Chart.instances || {}).forEach(function (id) { window.Chart.instances[id].update("none"); });
  }

  // Calls fn once per element matching selector within root (root included), however often root is re-wired.
  function each(root, selector, key, fn) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) { found.push(root); }
    found.forEach(function (el) {
      if (el.dataset[key]) { return; }
      el.dataset[key] = "1";
      fn(el);
    });
  }

  // Forms that submit themselves when a control changes: <select data-kp-autosubmit>.
  function wireAutosubmit(root) {
    each(root, "[data-kp-autosubmit]", "kpAutosubmitWired", function (el) {
      el.addEventListener("change", function () { el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit(); });
    });
  }

  // Destructive actions ask first: <form data-kp-confirm="Remove this person?">.
  function wireConfirm(root) {
    each(root, "form[data-kp-confirm]", "kpConfirmWired", function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-kp-confirm"))) { event.preventDefault(); }
      });
    });
  }

  // Copy a value to the clipboard: <button data-kp-copy="#element-id">.
  function wireCopy(root) {
    each(root, "[data-kp-copy]", "kpCopyWired", function (button) {
      button.addEventListener("click", function () {
        var target = document.querySelector(button.getAttribute("data-kp-copy"));
        if (!target || !navigator.clipboard) { return; }
        navigator.clipboard.writeText(target.value || target.textContent.trim()).then(function () {
          var done = button.getAttribute("data-kp-copied");
          if (done) { button.textContent = done; }
        });
      });
    });
  }

  // Tables never widen the page: one that is not already in a scrolling box (.table-responsive) gets one,
  // so on a phone the table scrolls sideways inside its card. FullCalendar's own tables are left alone.
  function wireTables(root) {
    each(root, "main table", "kpTableWired", function (table) {
      if (table.closest(".table-responsive, .fc") || !table.parentNode) { return; }
      var box = document.createElement("div");
      box.className = "table-responsive kp-table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  function wire(root) {
    wireTables(root);
    wireAutosubmit(root);
    wireConfirm(root);
    wireCopy(root);
  }

  onReady(function () {
    each(document, "[data-kp-theme-toggle]", "kpThemeWired", function (button) {
      button.addEventListener("click", function () {
        var current = document.documentElement.getAttribute("data-bs-theme");
        setTheme(current === "dark" ? "light" : "dark");
      });
    });
    wire(document);
    themeCharts();
  });
  window.addEventListener("load", themeCharts);

  // Content swapped in by htmx gets the same behaviour.
  document.addEventListener("htmx:load", function (event) { wire(event.target); });
})();
