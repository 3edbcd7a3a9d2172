// "Suggest a time" (composer): asks analytics for the next best weekday × hour from our own history and
// puts it into the form's datetime-local "Publish at" field; the reason (or why there is none) is shown.
(function () {
  "use strict";
  document.querySelectorAll("[data-kp-suggest-time]").forEach(function (button) {
    if (button.dataset.kpBound) return;
    button.dataset.kpBound = "1";
    button.addEventListener("click", function () {
      var form = button.closest("form");
      var input = form && form.querySelector("input[type=datetime-local]");
      var reason = form && form.querySelector("[data-kp-suggest-reason]");
      fetch(button.getAttribute("data-kp-suggest-time"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.local && input) input.value = data.local;
          if (reason) reason.textContent = data.reason || "";
        });
    });
  });
})();
