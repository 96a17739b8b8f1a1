/* The agent's reply page: a Copy button for the customer's text (shown only where the clipboard works). */
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.dataset.copy);
    if (!source || !navigator.clipboard) return;  // without the clipboard API, the text is selectable as it is
    var done = document.getElementById("copy-done");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.innerText.trim()).then(function () {
        if (done) done.hidden = false;
      });
    });
  });
})();
