/* Poll a submission's result fragment until it is final. The fragment is rendered (and escaped)
   by the server, so it can be inserted as it is. */
(function () {
  "use strict";
  var INTERVAL_MS = 500;

  function pollResult(box, url, onFinal) {
    var stopped = false;
    function tick() {
      if (stopped) return;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) {
          box.innerHTML = html;
          var root = box.querySelector(".result");
          if (root && root.dataset.final === "1") {
            stopped = true;
            if (onFinal) onFinal(root);
          } else {
            setTimeout(tick, INTERVAL_MS);
          }
        })
        .catch(function () { setTimeout(tick, INTERVAL_MS * 4); });
    }
    tick();
    return function stop() { stopped = true; };
  }

  window.dlquizPollResult = pollResult;

  // The submission page: keep polling while the submission is still queued or running.
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("result");
    if (!box || !box.dataset.resultUrl) return;
    var root = box.querySelector(".result");
    if (root && root.dataset.final !== "1") pollResult(box, box.dataset.resultUrl);
  });
})();
