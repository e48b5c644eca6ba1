/* Pages that follow a job (a regrade, a similarity check) while it runs.

   <div id="…" data-live data-live-url="…" data-refresh-seconds="2"> is fetched again every few
   seconds from data-live-url (the page itself by default) and its content replaced by the element
   with the same id in the answer. The server leaves data-refresh-seconds out once the job has
   finished: polling stops, and the element's data-live-done message is written into the page's
   status region (<… role="status" data-live-status-for="…">), which screen readers announce.
   Without this script the page shows the state it was loaded in and a reload shows the rest. */
(function () {
  "use strict";
  var RETRY_SECONDS = 10;

  function follow(region) {
    var url = region.getAttribute("data-live-url") || window.location.href;
    var status = document.querySelector('[data-live-status-for="' + region.id + '"]');

    function schedule(seconds) {
      window.setTimeout(tick, Math.max(0.5, seconds) * 1000);
    }

    function finish() {
      region.removeAttribute("aria-busy");
      var message = region.getAttribute("data-live-done");
      if (status && message) status.textContent = message;
    }

    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById(region.id);
          if (!fresh) throw new Error("no #" + region.id + " in the answer");
          region.innerHTML = fresh.innerHTML;
          ["data-refresh-seconds", "data-live-done"].forEach(function (name) {
            if (fresh.hasAttribute(name)) region.setAttribute(name, fresh.getAttribute(name));
            else region.removeAttribute(name);
          });
          var seconds = parseFloat(region.getAttribute("data-refresh-seconds"));
          if (isNaN(seconds)) finish();
          else schedule(seconds);
        })
        .catch(function () { schedule(RETRY_SECONDS); });
    }

    var seconds = parseFloat(region.getAttribute("data-refresh-seconds"));
    if (isNaN(seconds)) return; // already finished when the page was loaded
    region.setAttribute("aria-busy", "true");
    schedule(seconds);
  }

  function start() {
    document.querySelectorAll("[data-live][id]").forEach(follow);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
