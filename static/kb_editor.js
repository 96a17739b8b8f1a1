/* KB editor: while a locale is translating, poll its state and replace the state cells, so progress and
   failures show without a reload. Without JavaScript the page still works: reloading shows the same. */
(function () {
  "use strict";
  var table = document.querySelector("table[data-states-url]");
  if (!table) return;
  var url = table.dataset.statesUrl;
  var delay = 2000;

  function translating() {
    return table.querySelector('td.state[data-state="translating"]') !== null;
  }

  function apply(data) {
    Object.keys(data.locales).forEach(function (locale) {
      var row = table.querySelector('tr[data-locale="' + CSS.escape(locale) + '"]');
      if (!row) return;
      var cell = row.querySelector("td.state");
      var before = cell.dataset.state;
      var info = data.locales[locale];
      cell.innerHTML = info.html;  // rendered and escaped by the server
      cell.dataset.state = info.state;
      // A finished locale may now offer Publish or Preview: reload once to show its actions.
      if (before === "translating" && info.state !== "translating") needsReload = true;
    });
  }

  var needsReload = false;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (data) {
        apply(data);
        if (!data.active) {
          if (needsReload) window.location.reload();
          return;
        }
        delay = 2000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);  // the server is busy or gone: ask less often
        window.setTimeout(poll, delay);
      });
  }

  if (translating()) window.setTimeout(poll, delay);
})();
