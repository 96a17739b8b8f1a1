/* Segment editor: each tag token of a segment becomes a button that inserts it at the cursor, and the
   machine translation can be copied into the target. Without JavaScript the tokens are typed by hand. */
(function () {
  "use strict";
  var table = document.getElementById("segments");
  if (!table) return;

  function insert(textarea, text) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
    textarea.focus();
    textarea.setSelectionRange(start + text.length, start + text.length);
  }

  table.querySelectorAll("tbody tr").forEach(function (row) {
    var textarea = row.querySelector("td.target textarea");
    if (!textarea || textarea.readOnly) return;
    var hint = row.querySelector("p.tokens");
    if (hint) {
      hint.querySelectorAll("code.tag-chip").forEach(function (code) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "tag-chip";
        button.textContent = code.textContent;
        button.title = "Insert " + code.textContent;
        button.addEventListener("click", function () { insert(textarea, code.textContent); });
        code.replaceWith(button);
      });
    }
    var machine = row.querySelector("td.machine .machine-text");
    if (machine) {
      var copy = document.createElement("button");
      copy.type = "button";
      copy.className = "copy-machine";
      copy.textContent = table.dataset.copyLabel || "Copy";
      copy.addEventListener("click", function () { textarea.value = machine.textContent; textarea.focus(); });
      machine.parentNode.appendChild(document.createElement("br"));
      machine.parentNode.appendChild(copy);
    }
  });
})();
