// YAML editor: clicking "Line N" in the error list selects that line in the textarea and scrolls to it.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-kp-line]");
    var editor = document.getElementById("id_text");
    if (!link || !editor) { return; }
    event.preventDefault();
    var wanted = parseInt(link.getAttribute("data-kp-line"), 10);
    var lines = editor.value.split("\n");
    var start = 0;
    for (var i = 0; i < wanted - 1 && i < lines.length; i++) { start += lines[i].length + 1; }
    var end = start + (lines[wanted - 1] || "").length;
    editor.focus();
    editor.setSelectionRange(start, end);
    var lineHeight = parseFloat(window.getComputedStyle(editor).lineHeight) || 18;
    editor.scrollTop = Math.max(0, (wanted - 5) * lineHeight);
  });
})();
