/* Tolk pages: live SLA countdowns, MQM annotation from a text selection, review shortcuts. No dependencies. */
(function () {
  "use strict";

  // --- SLA countdowns: refresh the server's text with the browser's own relative-time wording ---------
  function refreshCountdowns() {
    var lang = document.documentElement.lang || "en";
    var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "always" }) : null;
    if (!rtf) return;
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var minutes = Math.round((Date.parse(el.dataset.deadline) - Date.now()) / 60000);
      var abs = Math.abs(minutes);
      var text = abs >= 2880 ? rtf.format(Math.round(minutes / 1440), "day")
        : abs >= 120 ? rtf.format(Math.round(minutes / 60), "hour") : rtf.format(minutes, "minute");
      el.textContent = text;
      el.classList.toggle("overdue", minutes < 0);
    });
  }

  // --- review form ---------------------------------------------------------------------------------
  // Offsets are counted in code points, as the server (Python) counts them, not in UTF-16 units.
  function codePoints(text, index) { return Array.from(text.slice(0, index)).length; }
  function sliceByCodePoints(text, start, end) { return Array.from(text).slice(start, end).join(""); }

  function setupReview(form) {
    var target = form.querySelector("#target");
    var rows = form.querySelector("#annotation-rows");
    var template = document.getElementById("annotation-template");
    var approve = form.querySelector("#approve");
    var reject = form.querySelector("#reject");
    var reason = form.querySelector("#reason");
    var addButton = form.querySelector("#add-annotation");
    var approveLabel = approve.textContent;

    function preview(row) {
      var start = parseInt(row.querySelector("[name=ann_start]").value, 10);
      var end = parseInt(row.querySelector("[name=ann_end]").value, 10);
      var out = row.querySelector(".span-preview");
      var quote = row.querySelector("[name=ann_quote]").value;
      out.textContent = quote ? "«" + quote + "»" : (isNaN(start) || isNaN(end) || end < start) ? "" : "«" + sliceByCodePoints(target.value, start, end) + "»";
    }

    var machine = document.getElementById("machine");

    // The selection to annotate: words selected in the machine translation, else in "your version".
    // The words and some context go with the offsets, so the server finds them again after later edits.
    function selection() {
      var sel = window.getSelection();
      if (machine && sel && sel.rangeCount && !sel.isCollapsed && machine.contains(sel.anchorNode)) {
        var range = sel.getRangeAt(0), before = document.createRange();
        before.selectNodeContents(machine);
        before.setEnd(range.startContainer, range.startOffset);
        var text = machine.textContent, from = before.toString().length;
        return {on: "mt", text: text, start: codePoints(text, from), end: codePoints(text, from + range.toString().length)};
      }
      return {on: "final", text: target.value, start: codePoints(target.value, target.selectionStart),
              end: codePoints(target.value, target.selectionEnd)};
    }

    function addAnnotation() {
      var picked = selection(), start = picked.start, end = picked.end, chars = Array.from(picked.text);
      var row = Array.prototype.find.call(rows.querySelectorAll(".annotation-row"), function (r) {
        return !r.querySelector("[name=ann_category]").value && !r.querySelector("[name=ann_start]").value;
      });
      if (!row) {
        rows.appendChild(template.content.cloneNode(true));
        row = rows.lastElementChild;
      }
      if (end > start) {
        row.querySelector("[name=ann_start]").value = start;
        row.querySelector("[name=ann_end]").value = end;
        row.querySelector("[name=ann_on]").value = picked.on;
        row.querySelector("[name=ann_quote]").value = chars.slice(start, end).join("");
        row.querySelector("[name=ann_prefix]").value = chars.slice(Math.max(0, start - 32), start).join("");
        row.querySelector("[name=ann_suffix]").value = chars.slice(end, end + 32).join("");
      }
      preview(row);
      row.querySelector("[name=ann_category]").focus();
      return row;
    }

    function edited() { approve.textContent = target.value !== target.dataset.original ? approve.dataset.editedLabel : approveLabel; }

    addButton.addEventListener("click", addAnnotation);
    target.addEventListener("input", edited);
    rows.addEventListener("input", function (e) {
      var row = e.target.closest(".annotation-row");
      if (row && (e.target.name === "ann_start" || e.target.name === "ann_end")) {
        // Offsets typed by hand: they, not the words selected earlier, say what is marked.
        ["ann_on", "ann_quote", "ann_prefix", "ann_suffix"].forEach(function (n) { row.querySelector("[name=" + n + "]").value = ""; });
      }
      if (row) preview(row);
    });
    document.addEventListener("keydown", function (e) {
      if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
        e.preventDefault();
        form.requestSubmit(document.activeElement === reason && reason.value.trim() ? reject : approve);
      } else if (e.altKey && e.code === "KeyR") {
        e.preventDefault();
        reason.focus();
      } else if (e.altKey && e.code === "KeyA") {
        e.preventDefault();
        addAnnotation();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    refreshCountdowns();
    window.setInterval(refreshCountdowns, 30000);
    var form = document.getElementById("review-form");
    if (form) setupReview(form);
  });
})();
