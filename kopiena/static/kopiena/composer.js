// The composer (publishing/composer.html):
// - a chosen file makes its alt text required before the form can be sent (the browser keeps the file, and
//   the save rule is the live check's: the hidden media_chosen tells the live check a file is waiting);
// - "Next free slot" and "Best time" fill "Publish at" from the server's JSON ({local, reason}) for the
//   first chosen account.
(function () {
  "use strict";
  var form = document.getElementById("kp-composer");
  if (!form || form.dataset.kpBound) return;
  form.dataset.kpBound = "1";

  var file = form.querySelector("input[type=file][name=media_file]");
  var alt = form.querySelector("[name=media_alt]");
  var chosen = form.querySelector("[data-kp-media-chosen]");
  // The save rule (forms.alt_text_problem): one non-empty line of alt text per chosen file. The form is
  // not sent until it holds, so a chosen file is never lost to a refused save. The check runs only on
  // submit: a field marked invalid all the time would also stop htmx's live check, which says the same.
  function fileCount() {
    return file && file.files ? file.files.length : 0;
  }
  function altMissing() {
    var lines = alt ? alt.value.split("\n").filter(function (line) { return line.trim(); }).length : 0;
    return fileCount() > lines;
  }
  if (file) {
    // Runs before htmx's change listener on the form, so the live check sees the new count.
    file.addEventListener("change", function () {
      if (chosen) chosen.value = String(fileCount());
      if (alt) alt.setCustomValidity("");
    });
    if (chosen) chosen.value = String(fileCount());
  }
  if (alt) alt.addEventListener("input", function () { alt.setCustomValidity(""); });
  form.addEventListener("submit", function (event) {
    if (!alt || !altMissing()) return;
    event.preventDefault();
    alt.setCustomValidity(alt.getAttribute("data-kp-lines-message") || " ");
    alt.reportValidity();
  });

  function firstAccount() {
    var box = form.querySelector("input[name=accounts]:checked");
    return box ? box.value : "";
  }
  form.querySelectorAll("[data-kp-fill-time]").forEach(function (button) {
    button.addEventListener("click", function () {
      var wrapper = button.closest("[data-kp-time-field]");
      var input = wrapper.querySelector("input[type=datetime-local]");
      var reason = wrapper.querySelector("[data-kp-time-reason]");
      var url = new URL(button.getAttribute("data-kp-fill-time"), window.location.href);
      var account = firstAccount();
      if (account) url.searchParams.set("account", account);
      var type = form.querySelector("[name=content_type]");
      if (type) url.searchParams.set("content_type", type.value);
      var link = form.querySelector("[name=link]");
      if (link && link.value) url.searchParams.set("link", link.value);
      fetch(url.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.local) {
            input.value = data.local;
            input.dispatchEvent(new Event("change", { bubbles: true }));
          }
          if (reason) reason.textContent = data.reason || "";
        });
    });
  });
})();
