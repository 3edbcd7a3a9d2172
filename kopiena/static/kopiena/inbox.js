// Inbox keyboard shortcuts: j/k move, Enter opens, r reply, e close, a assign to me, ? help.
// No inline JS (CSP): the pages mark their parts with data-kp-inbox-* attributes.
(function () {
  "use strict";

  const rows = () => Array.from(document.querySelectorAll("[data-kp-inbox-row]"));
  let selected = -1;

  function select(index) {
    const list = rows();
    if (!list.length) return;
    selected = Math.max(0, Math.min(index, list.length - 1));
    list.forEach((row, i) => row.classList.toggle("kp-inbox-selected", i === selected));
    list[selected].scrollIntoView({ block: "nearest" });
  }

  function openSelected() {
    const list = rows();
    if (selected >= 0 && list[selected]) window.location.assign(list[selected].dataset.href);
  }

  function submit(selector) {
    const form = document.querySelector(selector);
    if (form) form.requestSubmit();
  }

  function help() {
    const dialog = document.getElementById("kp-inbox-help");
    if (dialog && !dialog.open) dialog.showModal();
  }

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable='true']") !== null;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    switch (event.key) {
      case "j": select(selected + 1); break;
      case "k": select(selected - 1); break;
      case "Enter": if (selected < 0) return; openSelected(); break;
      case "r": {
        const box = document.getElementById("kp-inbox-reply");
        if (!box) return;
        box.focus();
        break;
      }
      case "e": submit("[data-kp-inbox-close]"); break;
      case "a": submit("[data-kp-inbox-assign-me]"); break;
      case "?": help(); break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-kp-inbox-help-open]")) { help(); return; }
    const row = event.target.closest("[data-kp-inbox-row]");
    if (row && !event.target.closest("a, button, form")) window.location.assign(row.dataset.href);
  });

  // Saved replies: the chosen text goes in at the cursor, with {name} as the person's name.
  document.addEventListener("change", (event) => {
    const picker = event.target.closest("[data-kp-saved-reply]");
    const box = document.getElementById("kp-inbox-reply");
    if (!picker || !box || !picker.value) return;
    const text = picker.selectedOptions[0].dataset.text.replaceAll("{name}", picker.dataset.kpName || "");
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.selectionStart = box.selectionEnd = start + text.length;
    picker.value = "";
    box.focus();
  });

  // The reply box counts as the author types (a hint: links and graphemes are counted by the platform's
  // own rules when the answer is checked, and an answer over the limit is refused before sending).
  const counted = () => {
    const box = document.getElementById("kp-inbox-reply");
    const count = document.querySelector("[data-kp-reply-count]");
    if (!box || !count || !box.dataset.kpLimit) return;
    const length = [...box.value.trim()].length;
    const limit = Number(box.dataset.kpLimit);
    count.textContent = `${length} / ${limit}`;
    count.classList.toggle("text-danger", length > limit);
    count.classList.toggle("fw-semibold", length > limit);
  };
  document.addEventListener("input", (event) => { if (event.target.id === "kp-inbox-reply") counted(); });
  document.addEventListener("DOMContentLoaded", counted);
  counted();
})();
